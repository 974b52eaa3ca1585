#include "DicomImport.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "DicomIdentity.h"
#include "DicomSeries.h"
#include "Error.h"

namespace ipnp {

namespace fs = std::filesystem;

bool holdsDicomFiles(const std::string& folder) {
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(folder, error); !error && it != fs::recursive_directory_iterator();
         it.increment(error)) {
        if (it->is_regular_file() && isDicomFile(it->path().string())) return true;
    }
    return false;
}

namespace {

// CT and most MR series hold integers: int16 files are half the size of float ones.
bool fitsInt16(const FloatVolume& image) {
    for (float v : image.voxels())
        if (v != std::round(v) || v < std::numeric_limits<std::int16_t>::min() || v > std::numeric_limits<std::int16_t>::max())
            return false;
    return true;
}

}  // namespace

DicomImportBatch::DicomImportBatch(const std::string& folder) : DicomImportBatch(folder, {}) {}

DicomImportBatch::DicomImportBatch(const std::string& folder, const std::vector<std::size_t>& chosenSeries) {
    DicomFolderContents contents = scanDicomFolder(folder);
    notes_ = contents.skipped;
    if (contents.series.empty()) throw Error(folder, "holds no DICOM image series");
    if (!chosenSeries.empty()) {
        std::vector<DicomSeries> chosen;
        for (std::size_t n : chosenSeries)
            if (n < contents.series.size()) chosen.push_back(contents.series[n]);
        contents.series = std::move(chosen);
    }
    std::set<std::string> names;
    for (const DicomSeries& series : contents.series) {
        DicomVolume volume = readDicomSeries(series);
        for (const std::string& warning : volume.warnings) notes_.push_back(warning);
        std::string name = series.suggestedName();
        for (int n = 2; names.count(name); ++n) name = series.suggestedName() + "_" + std::to_string(n);
        names.insert(name);
        ScanImportRequest request;
        request.name = name;
        request.modality = series.modality == "MR" ? "MR" : "CT";
        request.sourcePath = fs::absolute(folder).lexically_normal().string() + " (DICOM series " +
                             (series.seriesInstanceUid.empty() ? std::string("without UID") : series.seriesInstanceUid) +
                             ", " + std::to_string(series.slices.size()) + " files)";
        request.image = request.sourcePath;  // names the series in messages
        request.dicomIdentityJson = toJson(identityOf(series, volume.image.geometry().size[2]));
        if (fitsInt16(volume.image)) {
            auto ct = std::make_shared<ScanVolume>(volume.image.geometry());
            for (std::size_t v = 0; v < ct->voxelCount(); ++v) ct->data()[v] = std::int16_t(volume.image.data()[v]);
            request.int16Image = std::move(ct);
        } else {
            request.floatImage = std::make_shared<FloatVolume>(std::move(volume.image));
        }
        requests_.push_back(std::move(request));
    }
}

}  // namespace ipnp
