#include "DatasetImporter.h"

#include <algorithm>
#include <filesystem>

#include "AtomicFile.h"
#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;

bool isImageFileName(const std::string& path) {
    const std::string extension = imageExtension(path);
    for (const char* known : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"})
        if (extension == known) return true;
    return false;
}

std::vector<ScanImportRequest> requestsForDataset(const DatasetDescription& dataset, const OrganSchema& schema) {
    std::map<int, int> labelToOrgan;
    for (const auto& [value, name] : dataset.labels) {
        const Organ* organ = schema.byName(name);
        if (!organ)
            throw Error(dataset.jsonPath, "label '" + name + "' (value " + std::to_string(value) +
                                              ") matches no organ of the project's schema '" + schema.name() +
                                              "'; add it as a synonym or choose another schema (`ipnp schema --set`)");
        labelToOrgan[value] = organ->index;
    }
    std::vector<ScanImportRequest> requests;
    for (const DatasetCase& item : dataset.cases) {
        ScanImportRequest request;
        request.image = item.image;
        request.labelMap = item.label;
        request.name = item.name;
        request.modality = dataset.modality;
        request.labelToOrgan = labelToOrgan;
        request.labelMappingSource = dataset.jsonPath;
        requests.push_back(std::move(request));
    }
    return requests;
}

std::vector<ScanImportRequest> requestsForImageFolder(const std::string& folder) {
    std::vector<std::string> images;
    for (const auto& entry : fs::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name[0] != '.' && isImageFileName(name)) images.push_back(entry.path().string());
    }
    std::sort(images.begin(), images.end());
    if (images.empty())
        throw Error(folder, "holds no image files (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd) and no dataset.json");
    std::vector<ScanImportRequest> requests;
    for (const std::string& image : images) {
        ScanImportRequest request;
        request.image = image;
        requests.push_back(std::move(request));
    }
    return requests;
}

}  // namespace ipnp
