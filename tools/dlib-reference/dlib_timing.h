// The timing mode of tools/dlib-reference: dlib's own shape_predictor timed on faces that the C# side chose and
// decoded, so that both predictors see the same grey pixels and boxes (see dlib_timing.cpp).
#pragma once

#include <string>

// Times loading MODEL, predicting each face of FACES_FILE on one thread, and predicting a batch of BATCH_SIZE faces
// (the faces in turn) on THREADS threads; prints one JSON object on stdout. Returns the process exit code.
int time_predictor(const std::string& model_path, const std::string& faces_path, long repeats, long batch_size,
                   long threads, long loads);
