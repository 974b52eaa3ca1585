#pragma once
// Turns what a user points `ipnp import` at into scan import requests: a dataset folder with a
// dataset.json (Decathlon/AMOS or nnU-Net v2; label names mapped to the project's organs through
// their synonyms), or a plain folder of images.
#include <string>
#include <vector>

#include "DatasetDescription.h"
#include "OrganSchema.h"
#include "ScanImporter.h"

namespace ipnp {

// Throws ipnp::Error naming dataset.json when a label name matches no organ of the schema.
std::vector<ScanImportRequest> requestsForDataset(const DatasetDescription& dataset, const OrganSchema& schema);

// Every image file (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd) directly in the folder, by name.
// Throws ipnp::Error when there is none.
std::vector<ScanImportRequest> requestsForImageFolder(const std::string& folder);

bool isImageFileName(const std::string& path);

}  // namespace ipnp
