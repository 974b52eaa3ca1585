#pragma once
// What the JSON file next to a TorchScript generalist (FILE.pt -> FILE.json) says: which of the two
// contracts the model meets and the numbers that contract needs (docs/generalists.md has the whole
// story). core/io reads and writes it (GeneralistContractFile); models/TorchScriptGeneralist runs it.
//
// Axis order: every size and spacing here is in TENSOR order, the order of the model's input
// dimensions: (D, H, W) = (k, j, i) for 3D and (H, W) = (j, i) for 2D, where (i, j, k) are the
// scan's voxel indices (i fastest in memory). A 128^3 crop at 1.5 mm is the same either way.
#include <array>
#include <string>

namespace ipnp {

struct GeneralistContract {
    enum class Kind {
        // SAM-Med3D-like: one fixed-size 3D crop around the prompt box's centre, point prompts (and
        // optionally the box) in crop voxel coordinates, logits on the crop.
        Point3d,
        // MedSAM-like: every axial slice k that has a SliceBox, resized to the model's input, with
        // that slice's box; logits (maybe smaller) resized back to the slice.
        Box2d,
    };
    // Intensity normalisation of the model's input, computed on the resampled input (the crop for
    // point3d, the resized slice for box2d), after resampling:
    enum class Normalization {
        None,      // intensities as stored (HU for CT)
        ZScore,    // (v - mean) / sd over the input's voxels (population SD); sd < 1e-6 only subtracts the mean
        // As ZScore, but mean and SD come from the input's voxels whose value is > 0 as stored (all
        // voxels when none is): SAM-Med3D's torchio ZNormalization(masking_method=lambda x: x > 0).
        ZScorePositive,
        MinMax,    // (v - min) / (max - min) to [0, 1]; a constant input becomes 0
        CtWindow,  // clip to [window[0], window[1]], then (v - window[0]) / (window[1] - window[0])
    };

    // JSON "contract": "point3d" | "box2d".
    Kind kind = Kind::Point3d;
    // JSON "normalization": "none" | "zscore" | "zscore_positive" | "minmax" | "ct_window".
    Normalization normalization = Normalization::ZScore;
    // JSON "window": [low, high] in stored units (HU), low < high. Present exactly when
    // normalization is ct_window.
    std::array<double, 2> window{0.0, 0.0};
    // JSON "threshold": a voxel is "organ" where its logit is > threshold (0 for logits; a model
    // that outputs probabilities would say 0.5).
    double threshold = 0.0;

    // ---- point3d only (JSON keys of the other contract are unknown keys, hence errors) ----
    // JSON "crop_size": [D, H, W] voxels of the crop (along k, j, i), each > 0, e.g. [128, 128, 128].
    std::array<long, 3> cropSize{128, 128, 128};
    // JSON "crop_spacing_mm": [sz, sy, sx] mm between crop voxel centres along k, j, i, each > 0.
    std::array<double, 3> cropSpacingMm{1.5, 1.5, 1.5};
    // JSON "max_points": at most this many points go to the model (>= 1): positives first, then
    // negatives, each in the prompt's order, those outside the crop left out.
    long maxPoints = 1;
    // JSON "pad_points": true -> the points tensor always has exactly max_points rows, the missing
    // ones at (0, 0, 0) with label -1 (SAM's "not a point"); false -> only the real points.
    bool padPoints = false;
    // JSON "box_input": true -> forward(image, points, labels, box) with the prompt box [1, 6];
    // false -> forward(image, points, labels).
    bool boxInput = false;

    // ---- box2d only ----
    // JSON "input_size": [H, W] pixels of the model's input image (along j, i), each > 0, e.g. [1024, 1024].
    std::array<long, 2> inputSize{1024, 1024};
    // JSON "channels": the slice is repeated into this many channels (>= 1; 3 for MedSAM).
    long channels = 3;
    // JSON "output_size": [h, w] pixels of the model's output logits (along j, i), each > 0; the
    // output covers the same extent as the input (e.g. [256, 256] for MedSAM).
    std::array<long, 2> outputSize{256, 256};

    // JSON "description" (optional, free text): shown to people, never interpreted.
    std::string description;
};

// "point3d" / "box2d"; "none" / "zscore" / "zscore_positive" / "minmax" / "ct_window".
inline const char* contractName(GeneralistContract::Kind kind) {
    return kind == GeneralistContract::Kind::Point3d ? "point3d" : "box2d";
}
inline const char* normalizationName(GeneralistContract::Normalization normalization) {
    switch (normalization) {
        case GeneralistContract::Normalization::None: return "none";
        case GeneralistContract::Normalization::ZScore: return "zscore";
        case GeneralistContract::Normalization::ZScorePositive: return "zscore_positive";
        case GeneralistContract::Normalization::MinMax: return "minmax";
        case GeneralistContract::Normalization::CtWindow: return "ct_window";
    }
    return "none";
}

}  // namespace ipnp
