#pragma once
// Writes phantom cases to disk in the AMOS / Decathlon layout (imagesTr/, labelsTr/,
// dataset.json), the form `ipnp import` reads: the demo and the tests start from it.
#include <string>

#include "PhantomGenerator.h"
#include "Progress.h"

namespace ipnp {

struct PhantomDatasetOptions {
    PhantomOptions phantom;
    int count = 20;
    unsigned threads = 0;  // 0: one per core
    ProgressCallback progress;
};

// Throws ipnp::Error when the folder cannot be written or already holds a dataset.json.
void writePhantomDataset(const std::string& folder, const PhantomDatasetOptions& options);

}  // namespace ipnp
