// The dlib reference for PrivilegedAttribution.Landmarks.
//
// Runs dlib's own shape_predictor (Debian's libdlib-dev, header templates compiled here, image loaders from
// libdlib) on a list of cases and writes what the C# predictor must reproduce exactly:
//   * the 68 points as dlib returns them (rounded by dlib::point's floor(x + 0.5)),
//   * the final shape in dlib's normalised box space as float32 bit patterns,
//   * the chosen leaf of every regression tree of every cascade (one hex digit per tree for 16-leaf trees),
//   * the sub-pixel image coordinates dlib computes before rounding,
//   * a 64-bit FNV-1a hash of the grey pixels the predictor saw (dlib's (r+g+b)/3), so that a decoder on the C#
//     side that differs from dlib's can be told apart from a predictor that differs.
//
// Usage:
//   dlib-reference predict MODEL CASES IMAGE_DIR > fixture.txt
//   dlib-reference detect IMAGE...          prints dlib's frontal-face detections (to choose boxes for CASES)
//   dlib-reference calibrate MODEL IMAGE... the default box for aligned crops (FaceBox.AlignedCropFractions)
//   dlib-reference time MODEL FACES_FILE REPEATS BATCH_SIZE THREADS LOADS
//                                           dlib's speed on the C# benchmark's faces (dlib_timing.cpp)
//
// CASES: one case a line, "#" starts a comment:
//   NAME  IMAGE  LEFT TOP RIGHT BOTTOM  [compact]
// IMAGE is a file name under IMAGE_DIR (PNG or JPEG, loaded with dlib::load_image as RGB), "lfw:INDEX" (a face of
// IMAGE_DIR/lfw_subset.npy from python3-skimage), or "synthetic:W:H:SEED", a deterministic RGB pattern that the
// C# tests generate identically (no file needed). "compact" writes a hash of the leaves instead of the leaves.
// LEFT TOP RIGHT BOTTOM are a dlib::rectangle (inclusive corners); they may lie partly outside the image.

#include <dlib/image_io.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/array2d.h>
#include <dlib/revision.h>

#include "dlib_timing.h"

#include <cinttypes>
#include <cmath>
#include <stdexcept>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace dlib;

namespace
{
    // The synthetic test image: a textured RGB pattern, identical in SyntheticImage.cs of the C# tests.
    void make_synthetic(array2d<rgb_pixel>& img, long width, long height, uint32_t seed)
    {
        img.set_size(height, width);
        for (long y = 0; y < height; ++y)
        {
            for (long x = 0; x < width; ++x)
            {
                uint32_t h = static_cast<uint32_t>(x) * 73856093u ^ static_cast<uint32_t>(y) * 19349663u
                             ^ seed * 83492791u;
                h ^= h >> 13;
                h *= 0x5bd1e995u;
                h ^= h >> 15;
                // A smooth gradient plus noise, so that pixel differences span small and large thresholds.
                const uint32_t smooth = static_cast<uint32_t>((x * 255) / (width > 1 ? width - 1 : 1));
                img[y][x].red = static_cast<unsigned char>((smooth + (h & 0x3f)) & 0xff);
                img[y][x].green = static_cast<unsigned char>(((h >> 8) & 0xff));
                img[y][x].blue = static_cast<unsigned char>((static_cast<uint32_t>(y) * 3 + (h >> 24)) & 0xff);
            }
        }
    }

    // Face INDEX of python3-skimage's lfw_subset.npy (200 images of 25×25 float64 in [0, 1], the first 100 faces),
    // grey value floor(v·255 + 0.5), as LfwSubset.cs of the C# tests reads it.
    void load_lfw(array2d<rgb_pixel>& img, const std::string& path, long index)
    {
        std::ifstream in(path, std::ios::binary);
        char magic[8];
        in.read(magic, 8);
        unsigned char len_bytes[2];
        in.read(reinterpret_cast<char*>(len_bytes), 2);
        const long header_length = len_bytes[0] | (len_bytes[1] << 8);
        in.seekg(10 + header_length + index * 25 * 25 * 8);
        img.set_size(25, 25);
        for (long y = 0; y < 25; ++y)
            for (long x = 0; x < 25; ++x)
            {
                double v;
                in.read(reinterpret_cast<char*>(&v), 8);
                if (!in)
                    throw std::runtime_error("cannot read " + path);
                const double scaled = std::floor(v * 255 + 0.5);
                const unsigned char g = static_cast<unsigned char>(scaled < 0 ? 0 : scaled > 255 ? 255 : scaled);
                img[y][x] = rgb_pixel(g, g, g);
            }
    }

    uint64_t fnv1a(const std::string& text)
    {
        uint64_t h = 14695981039346656037ull;
        for (unsigned char c : text)
        {
            h ^= c;
            h *= 1099511628211ull;
        }
        return h;
    }

    uint64_t grey_hash(const array2d<rgb_pixel>& img)
    {
        uint64_t h = 14695981039346656037ull;
        for (long y = 0; y < img.nr(); ++y)
        {
            for (long x = 0; x < img.nc(); ++x)
            {
                unsigned char g;
                assign_pixel(g, img[y][x]);
                h ^= g;
                h *= 1099511628211ull;
            }
        }
        return h;
    }

    uint32_t float_bits(float f)
    {
        uint32_t u;
        std::memcpy(&u, &f, sizeof u);
        return u;
    }

    int predict(const std::string& model_path, const std::string& cases_path, const std::string& image_dir)
    {
        shape_predictor sp;
        deserialize(model_path) >> sp;

        // The same file read into its parts, to rebuild the float shape from the leaves dlib chose.
        matrix<float, 0, 1> initial_shape;
        std::vector<std::vector<impl::regression_tree>> forests;
        {
            std::ifstream in(model_path, std::ios::binary);
            int version = 0;
            deserialize(version, in);
            deserialize(initial_shape, in);
            deserialize(forests, in);
        }

        std::ifstream cases(cases_path);
        if (!cases)
        {
            std::cerr << "cannot read " << cases_path << "\n";
            return 1;
        }

        std::printf("# dlib shape_predictor reference, written by tools/dlib-reference (dlib %d.%d.%d).\n",
                    DLIB_MAJOR_VERSION, DLIB_MINOR_VERSION, DLIB_PATCH_VERSION);
        std::printf("# model parts %lu cascades %zu\n", sp.num_parts(), forests.size());

        std::string line;
        while (std::getline(cases, line))
        {
            const auto hash_pos = line.find('#');
            if (hash_pos != std::string::npos)
                line = line.substr(0, hash_pos);
            std::istringstream fields(line);
            std::string name, image_spec, mode;
            long left, top, right, bottom;
            if (!(fields >> name))
                continue;
            if (!(fields >> image_spec >> left >> top >> right >> bottom))
            {
                std::cerr << "bad case line: " << line << "\n";
                return 1;
            }
            fields >> mode;
            const bool compact = mode == "compact";

            array2d<rgb_pixel> img;
            if (image_spec.rfind("synthetic:", 0) == 0)
            {
                long w = 0, h = 0;
                unsigned long seed = 0;
                if (std::sscanf(image_spec.c_str(), "synthetic:%ld:%ld:%lu", &w, &h, &seed) != 3)
                {
                    std::cerr << "bad synthetic spec: " << image_spec << "\n";
                    return 1;
                }
                make_synthetic(img, w, h, static_cast<uint32_t>(seed));
            }
            else if (image_spec.rfind("lfw:", 0) == 0)
            {
                load_lfw(img, image_dir + "/lfw_subset.npy", std::stol(image_spec.substr(4)));
            }
            else
            {
                load_image(img, image_dir + "/" + image_spec);
            }

            const rectangle rect(left, top, right, bottom);
            std::vector<std::pair<unsigned long, double>> feats;
            const full_object_detection det = sp(img, rect, feats);

            // Rebuild the shape exactly as shape_predictor::operator() sums it.
            matrix<float, 0, 1> shape = initial_shape;
            std::vector<std::string> leaves(forests.size());
            unsigned long k = 0, offset = 0;
            for (unsigned long iter = 0; iter < forests.size(); ++iter)
            {
                for (unsigned long t = 0; t < forests[iter].size(); ++t, ++k)
                {
                    const unsigned long leaf = feats[k].first - offset;
                    offset += forests[iter][t].num_leaves();
                    shape += forests[iter][t].leaf_values[leaf];
                    if (forests[iter][t].num_leaves() > 16)
                    {
                        std::cerr << "trees with more than 16 leaves are not supported by this fixture format\n";
                        return 1;
                    }
                    leaves[iter].push_back("0123456789abcdef"[leaf]);
                }
            }

            const point_transform_affine to_image = impl::unnormalizing_tform(rect);
            std::printf("case %s\n", name.c_str());
            std::printf("image %s %ld %ld %016" PRIx64 "\n", image_spec.c_str(), img.nc(), img.nr(), grey_hash(img));
            std::printf("box %ld %ld %ld %ld\n", left, top, right, bottom);
            std::printf("points");
            for (unsigned long i = 0; i < det.num_parts(); ++i)
            {
                const point rebuilt = to_image(impl::location(shape, i));
                if (rebuilt != det.part(i))
                {
                    std::cerr << "internal check failed: rebuilt shape differs from dlib's output in " << name << "\n";
                    return 1;
                }
                std::printf(" %ld %ld", det.part(i).x(), det.part(i).y());
            }
            std::printf("\nshape");
            for (long i = 0; i < shape.size(); ++i)
                std::printf(" %08" PRIx32, float_bits(shape(i)));
            std::printf("\nsubpixel");
            for (unsigned long i = 0; i < det.num_parts(); ++i)
            {
                const dlib::vector<double, 2> p = to_image(impl::location(shape, i));
                std::printf(" %.17g %.17g", p.x(), p.y());
            }
            std::printf("\n");
            if (compact)
            {
                std::string all;
                for (const std::string& l : leaves)
                    all += l;
                std::printf("leafhash %016" PRIx64 "\n", fnv1a(all));
            }
            else
            {
                for (unsigned long iter = 0; iter < leaves.size(); ++iter)
                    std::printf("leaves %lu %s\n", iter, leaves[iter].c_str());
            }
            std::printf("end\n");
        }
        return 0;
    }

    // The aligned-crop template of make-fixture and FaceBox.AlignedCropFractions' calibration: a similarity that puts
    // the eye centres (means of iBUG points 36–41 and 42–47) at (0.32, 0.36) and (0.68, 0.36) of a square crop, close to
    // RAF-DB's aligned images. The detector's box, carried into the crop by the same similarity, gives the box the
    // predictor expects on such a crop; dlib's detector run on the crop itself (upsampled) is printed beside it.
    int calibrate(const std::string& model_path, int argc, char** argv)
    {
        frontal_face_detector detector = get_frontal_face_detector();
        shape_predictor sp;
        deserialize(model_path) >> sp;
        const long size = 200;
        for (int i = 0; i < argc; ++i)
        {
            array2d<rgb_pixel> img;
            load_image(img, argv[i]);
            const std::vector<rectangle> faces = detector(img);
            if (faces.empty())
                continue;
            const rectangle box = faces[0];
            const full_object_detection det = sp(img, box);
            dlib::vector<double, 2> left_eye, right_eye;
            for (int k = 36; k < 42; ++k) left_eye += det.part(k);
            for (int k = 42; k < 48; ++k) right_eye += det.part(k);
            left_eye /= 6;
            right_eye /= 6;
            const std::vector<dlib::vector<double, 2>> from = {left_eye, right_eye};
            const std::vector<dlib::vector<double, 2>> to = {
                dlib::vector<double, 2>(0.32 * size, 0.36 * size), dlib::vector<double, 2>(0.68 * size, 0.36 * size)};
            const point_transform_affine to_crop = find_similarity_transform(from, to);
            const dlib::vector<double, 2> tl = to_crop(dlib::vector<double, 2>(box.left(), box.top()));
            const dlib::vector<double, 2> br = to_crop(dlib::vector<double, 2>(box.right() + 1, box.bottom() + 1));
            std::printf("%s carried box fractions %.3f %.3f %.3f %.3f\n", argv[i], tl.x() / size, tl.y() / size,
                        br.x() / size, br.y() / size);

            // The crop itself, and dlib's detector on it.
            array2d<rgb_pixel> crop(size, size);
            const point_transform_affine from_crop = inv(to_crop);
            for (long y = 0; y < size; ++y)
                for (long x = 0; x < size; ++x)
                {
                    const point p = from_crop(dlib::vector<double, 2>(x, y));
                    crop[y][x] = get_rect(img).contains(p) ? img[p.y()][p.x()] : rgb_pixel(0, 0, 0);
                }
            for (const rectangle& r : detector(crop, -0.5))
                std::printf("%s detector on crop %.3f %.3f %.3f %.3f\n", argv[i], r.left() / double(size),
                            r.top() / double(size), (r.right() + 1) / double(size), (r.bottom() + 1) / double(size));
        }
        return 0;
    }

    int detect(int argc, char** argv)
    {
        frontal_face_detector detector = get_frontal_face_detector();
        for (int i = 0; i < argc; ++i)
        {
            array2d<rgb_pixel> img;
            load_image(img, argv[i]);
            for (const rectangle& r : detector(img))
                std::printf("%s %ld %ld %ld %ld\n", argv[i], r.left(), r.top(), r.right(), r.bottom());
        }
        return 0;
    }
}

int main(int argc, char** argv)
{
    try
    {
        if (argc == 5 && std::string(argv[1]) == "predict")
            return predict(argv[2], argv[3], argv[4]);
        if (argc >= 4 && std::string(argv[1]) == "calibrate")
            return calibrate(argv[2], argc - 3, argv + 3);
        if (argc >= 3 && std::string(argv[1]) == "detect")
            return detect(argc - 2, argv + 2);
        if (argc == 8 && std::string(argv[1]) == "time")
            return time_predictor(argv[2], argv[3], std::stol(argv[4]), std::stol(argv[5]), std::stol(argv[6]),
                                  std::stol(argv[7]));
        std::cerr << "usage: dlib-reference predict MODEL CASES IMAGE_DIR > fixture.txt\n"
                     "       dlib-reference detect IMAGE...\n"
                     "       dlib-reference calibrate MODEL IMAGE...\n"
                     "       dlib-reference time MODEL FACES_FILE REPEATS BATCH_SIZE THREADS LOADS\n";
        return 2;
    }
    catch (const std::exception& e)
    {
        std::cerr << "dlib-reference: " << e.what() << "\n";
        return 1;
    }
}
