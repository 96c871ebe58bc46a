// The timing mode of tools/dlib-reference: how fast dlib's own shape_predictor is, for the side-by-side benchmark
// of PrivilegedAttribution.Landmarks (benchmarks/PrivilegedAttribution.Landmarks.Benchmarks, command versus-dlib).
//
//   dlib-reference time MODEL FACES_FILE REPEATS BATCH_SIZE THREADS LOADS
//
// FACES_FILE is written by the C# benchmark, so that both predictors run on the same grey pixels and boxes (no JPEG
// decoder difference between them): little-endian, the 8 bytes "PAFACES1", a uint32 face count, then per face an
// int32 width and height, four int64 box corners (left, top, right, bottom: a dlib::rectangle) and width·height grey
// bytes, row by row. The grey image is what dlib's predictor reads from an RGB image ((r+g+b)/3), so an
// array2d<unsigned char> gives it the same pixels.
//
// Measured, all wall-clock (std::chrono::steady_clock), printed as one JSON object on stdout:
//   load_ms        LOADS times `deserialize(MODEL) >> predictor` (the first from a possibly cold page cache)
//   face_ms        per face, REPEATS predictions on this thread: one untimed pass over all faces first, then
//                  REPEATS passes, each face timed alone
//   batch_ms       REPEATS times, BATCH_SIZE predictions (face i % count) spread over a dlib::thread_pool of THREADS
//                  threads with dlib::parallel_for (one untimed batch first)
//   points         each face's 68 points as dlib returns them (rounded), so that the C# side can check that both
//                  computed the same thing
// The predictor is const and thread-safe in dlib, as ShapePredictor is in C#.

#include "dlib_timing.h"

#include <dlib/image_processing.h>
#include <dlib/array2d.h>
#include <dlib/revision.h>
#include <dlib/threads.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <utility>
#include <vector>

#ifndef DLIB_REFERENCE_FLAVOUR
#define DLIB_REFERENCE_FLAVOUR "baseline x86-64, -ffp-contract=off"
#endif

using namespace dlib;

namespace
{
    struct face
    {
        array2d<unsigned char> image;
        rectangle box;
    };

    template <typename T>
    T read_value(std::ifstream& in, const std::string& path)
    {
        T value;
        in.read(reinterpret_cast<char*>(&value), sizeof value);
        if (!in)
            throw std::runtime_error("truncated faces file " + path);
        return value;
    }

    std::vector<face> read_faces(const std::string& path)
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot read " + path);
        char magic[8];
        in.read(magic, 8);
        if (!in || std::memcmp(magic, "PAFACES1", 8) != 0)
            throw std::runtime_error(path + " is not a PAFACES1 faces file");
        const uint32_t count = read_value<uint32_t>(in, path);
        std::vector<face> faces(count);
        for (face& f : faces)
        {
            const int32_t width = read_value<int32_t>(in, path);
            const int32_t height = read_value<int32_t>(in, path);
            const int64_t left = read_value<int64_t>(in, path);
            const int64_t top = read_value<int64_t>(in, path);
            const int64_t right = read_value<int64_t>(in, path);
            const int64_t bottom = read_value<int64_t>(in, path);
            if (width <= 0 || height <= 0 || width > (1 << 16) || height > (1 << 16))
                throw std::runtime_error("bad image size in " + path);
            f.image.set_size(height, width);
            for (long y = 0; y < height; ++y)
            {
                in.read(reinterpret_cast<char*>(&f.image[y][0]), width);
                if (!in)
                    throw std::runtime_error("truncated faces file " + path);
            }
            f.box = rectangle(left, top, right, bottom);
        }
        return faces;
    }

    double milliseconds_since(std::chrono::steady_clock::time_point start)
    {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }

    void print_array(const char* name, const std::vector<double>& values, bool last = false)
    {
        std::printf("\"%s\": [", name);
        for (size_t i = 0; i < values.size(); ++i)
            std::printf("%s%.6f", i == 0 ? "" : ", ", values[i]);
        std::printf("]%s", last ? "" : ", ");
    }

    std::string instruction_sets()
    {
        std::string sets = "sse2";
#ifdef __AVX2__
        sets += " avx2";
#endif
#ifdef __FMA__
        sets += " fma";
#endif
#ifdef __AVX512F__
        sets += " avx512f";
#endif
        return sets;
    }
}

int time_predictor(const std::string& model_path, const std::string& faces_path, long repeats, long batch_size,
                   long threads, long loads)
{
    if (repeats < 1 || batch_size < 1 || threads < 1 || loads < 1)
    {
        std::cerr << "time: REPEATS, BATCH_SIZE, THREADS and LOADS must be positive\n";
        return 2;
    }

    std::vector<double> load_ms;
    shape_predictor predictor;
    for (long i = 0; i < loads; ++i)
    {
        const auto start = std::chrono::steady_clock::now();
        shape_predictor loaded;
        deserialize(model_path) >> loaded;
        load_ms.push_back(milliseconds_since(start));
        predictor = std::move(loaded);
    }

    const std::vector<face> faces = read_faces(faces_path);
    if (faces.empty())
    {
        std::cerr << "time: " << faces_path << " holds no face\n";
        return 2;
    }

    // One untimed pass: page faults on the model's 65 MB and the first touch of every face happen here.
    std::vector<full_object_detection> shapes;
    for (const face& f : faces)
        shapes.push_back(predictor(f.image, f.box));

    std::vector<std::vector<double>> face_ms(faces.size());
    for (long r = 0; r < repeats; ++r)
    {
        for (size_t i = 0; i < faces.size(); ++i)
        {
            const auto start = std::chrono::steady_clock::now();
            const full_object_detection shape = predictor(faces[i].image, faces[i].box);
            face_ms[i].push_back(milliseconds_since(start));
            if (shape.num_parts() != shapes[i].num_parts())
                throw std::runtime_error("a repeated prediction changed its number of parts");
        }
    }

    thread_pool pool(threads);
    std::vector<full_object_detection> batch(batch_size);
    const long face_count = static_cast<long>(faces.size());
    auto predict_batch = [&](long i) { batch[i] = predictor(faces[i % face_count].image, faces[i % face_count].box); };
    parallel_for(pool, 0, batch_size, predict_batch);
    std::vector<double> batch_ms;
    for (long r = 0; r < repeats; ++r)
    {
        const auto start = std::chrono::steady_clock::now();
        parallel_for(pool, 0, batch_size, predict_batch);
        batch_ms.push_back(milliseconds_since(start));
    }

    std::printf("{\"tool\": \"dlib %d.%d.%d\", \"flavour\": \"%s\", \"compiler\": \"%s\", "
                "\"instruction_sets\": \"%s\", ",
                DLIB_MAJOR_VERSION, DLIB_MINOR_VERSION, DLIB_PATCH_VERSION, DLIB_REFERENCE_FLAVOUR, __VERSION__,
                instruction_sets().c_str());
    std::printf("\"faces\": %zu, \"repeats\": %ld, \"batch_size\": %ld, \"threads\": %lu, ", faces.size(), repeats,
                batch_size, pool.num_threads_in_pool());
    print_array("load_ms", load_ms);
    std::printf("\"face_ms\": [");
    for (size_t i = 0; i < face_ms.size(); ++i)
    {
        std::printf("%s", i == 0 ? "" : ", ");
        std::printf("[");
        for (size_t k = 0; k < face_ms[i].size(); ++k)
            std::printf("%s%.6f", k == 0 ? "" : ", ", face_ms[i][k]);
        std::printf("]");
    }
    std::printf("], ");
    print_array("batch_ms", batch_ms);
    std::printf("\"points\": [");
    for (size_t i = 0; i < shapes.size(); ++i)
    {
        std::printf("%s[", i == 0 ? "" : ", ");
        for (unsigned long p = 0; p < shapes[i].num_parts(); ++p)
            std::printf("%s%ld, %ld", p == 0 ? "" : ", ", shapes[i].part(p).x(), shapes[i].part(p).y());
        std::printf("]");
    }
    std::printf("]}\n");
    return 0;
}
