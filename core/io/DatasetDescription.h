#pragma once
// The dataset.json of a labeled dataset folder, in either layout IPnP Studio imports:
// - Medical Segmentation Decathlon / AMOS: "labels" maps "index" -> name, "training" lists
//   {"image": "./imagesTr/x.nii.gz", "label": "./labelsTr/x.nii.gz"};
// - nnU-Net v2 raw: "labels" maps name -> index, images are imagesTr/CASE_0000<file_ending>,
//   labels labelsTr/CASE<file_ending> (or an explicit "dataset" map).
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipnp {

enum class DatasetLayout { Decathlon, NnUNetV2 };

struct DatasetCase {
    std::string name;                  // case identifier, e.g. "amos_0001"
    std::string image;                 // absolute or folder-relative path as resolved
    std::optional<std::string> label;  // label map path, when the case has one
};

struct DatasetDescription {
    std::string jsonPath;
    DatasetLayout layout = DatasetLayout::Decathlon;
    std::string name;
    std::string modality = "CT";
    std::map<int, std::string> labels;  // label value -> name, background left out
    std::vector<DatasetCase> cases;
    std::vector<std::string> warnings;  // things a person should know, e.g. ignored channels
};

// Reads FOLDER/dataset.json. Throws ipnp::Error naming the file for malformed content.
DatasetDescription readDatasetDescription(const std::string& folder);

// Writes a Decathlon/AMOS-style dataset.json (used by make-phantoms).
void writeDecathlonDatasetJson(const std::string& path, const std::string& name, const std::string& modality,
                               const std::map<int, std::string>& labels, const std::vector<DatasetCase>& cases);

// "CT", "MR" or the text as given ("MRI", "T2", "FLAIR" -> "MR").
std::string normalizedModality(const std::string& text);

}  // namespace ipnp
