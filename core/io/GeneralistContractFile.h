#pragma once
// The contract JSON next to a TorchScript generalist (FILE.pt -> FILE.json), docs/generalists.md:
//   {"contract": "point3d", "crop_size": [128, 128, 128], "crop_spacing_mm": [1.5, 1.5, 1.5],
//    "normalization": "zscore", "threshold": 0, "max_points": 1, "pad_points": false,
//    "box_input": false}
//   {"contract": "box2d", "input_size": [1024, 1024], "channels": 3, "output_size": [256, 256],
//    "normalization": "minmax", "threshold": 0}
// plus "window": [low, high] exactly when "normalization" is "ct_window", and an optional
// "description". Strict: an unknown key, a missing key or a bad value is an ipnp::Error naming the
// file and the key.
#include <string>

#include "GeneralistContract.h"

namespace ipnp {

GeneralistContract readGeneralistContractFile(const std::string& path);  // throws ipnp::Error naming the file
GeneralistContract generalistContractFromJson(const std::string& jsonText, const std::string& sourceForMessages);
std::string generalistContractToJson(const GeneralistContract& contract);  // pretty-printed, round-trips

// Where the contract of a model file lives: the same path with its extension replaced by ".json"
// ("models/medsam.pt" -> "models/medsam.json"; a name without extension gets ".json" appended).
std::string generalistContractPathFor(const std::string& modelPath);

}  // namespace ipnp
