#include "PhantomDataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "DatasetDescription.h"
#include "Error.h"
#include "ImageFile.h"
#include "ParallelJobs.h"

namespace ipnp {

namespace fs = std::filesystem;

namespace {
std::string caseName(int index) {
    char name[32];
    std::snprintf(name, sizeof name, "phantom_%04d", index);
    return name;
}
}  // namespace

void writePhantomDataset(const std::string& folder, const PhantomDatasetOptions& options) {
    if (options.count < 1) throw Error("--count must be at least 1");
    for (int axis = 0; axis < 3; ++axis) {
        if (options.phantom.size[axis] < 16 || options.phantom.size[axis] > 1024)
            throw Error("--size must be 16..1024 voxels");
        if (!(options.phantom.spacing[axis] > 0)) throw Error("--spacing must be positive");
    }
    std::error_code ec;
    if (fs::exists(fs::path(folder) / "dataset.json", ec))
        throw Error(folder, "already holds a dataset (dataset.json exists); choose a new folder");
    for (const char* sub : {"imagesTr", "labelsTr"}) {
        fs::create_directories(fs::path(folder) / sub, ec);
        if (ec) throw Error((fs::path(folder) / sub).string(), "cannot create folder: " + ec.message());
    }

    const PhantomGenerator generator(options.phantom);
    std::vector<DatasetCase> cases(options.count);
    int finished = 0;
    std::mutex reporting;
    const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    runInParallel(std::size_t(options.count), threads, [&](std::size_t index) {
        const PhantomCase phantom = generator.generate(int(index));
        DatasetCase& item = cases[index];
        item.name = caseName(int(index));
        item.image = (fs::path(folder) / "imagesTr" / (item.name + ".nii.gz")).string();
        item.label = (fs::path(folder) / "labelsTr" / (item.name + ".nii.gz")).string();
        writeVolume(phantom.image, item.image);
        writeVolume(phantom.truth, *item.label);
        const std::lock_guard<std::mutex> lock(reporting);
        if (options.progress) options.progress(++finished, options.count, "generated " + item.name);
    });

    std::map<int, std::string> labels;
    for (const auto& [index, name] : PhantomGenerator::organs()) labels[index] = name;
    writeDecathlonDatasetJson((fs::path(folder) / "dataset.json").string(), "IPnP phantoms", "CT", labels, cases);
}

}  // namespace ipnp
