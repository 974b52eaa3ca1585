#include "ProjectExporter.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "AtomicFile.h"
#include "Error.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "RemoveTree.h"
#include "ScanImporter.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A label file must still be the one the database recorded: never export silently changed data.
void requireNewFolder(const std::string& folder) {
    std::error_code ec;
    if (fs::exists(folder, ec) && !(fs::is_directory(folder, ec) && fs::is_empty(folder, ec)))
        throw Error(folder, "already exists; choose a new output folder");
}

}  // namespace

LabelMap composeCurrentLabelMap(ProjectStore& store, const ScanRecord& scan,
                                const std::map<int, std::uint8_t>& organToValue) {
    return composeLabelMap(store, scan, store.currentLabels(scan.id), organToValue);
}

LabelMap composeLabelMap(ProjectStore& store, const ScanRecord& scan, const std::vector<LabelFileRecord>& records,
                         const std::map<int, std::uint8_t>& organToValue) {
    LabelMap labels(scan.geometry, 0);
    for (const LabelFileRecord& record : records) {
        const std::string path = store.pathOf(record.file);
        requireRecordedHash(path, record.sha256);
        const LabelMap mask = readLabelMap(path);
        std::uint8_t value = static_cast<std::uint8_t>(record.organIndex);
        if (!organToValue.empty()) value = organToValue.at(record.organIndex);
        pasteMask(labels, mask, {record.box[0], record.box[1], record.box[2]}, value);
    }
    return labels;
}

LabelExportSummary exportLabelMaps(ProjectStore& store, const std::string& outputFolder) {
    requireNewFolder(outputFolder);
    LabelExportSummary summary;
    fs::create_directories(outputFolder);
    for (const ScanRecord& scan : store.scans()) {
        if (store.currentLabels(scan.id).empty()) continue;
        writeVolume(composeCurrentLabelMap(store, scan), (fs::path(outputFolder) / (scan.name + ".nii.gz")).string());
        ++summary.scans;
    }
    return summary;
}

NnUNetExportSummary exportNnUNetDataset(ProjectStore& store, const NnUNetExportOptions& options) {
    if (options.datasetId < 1 || options.datasetId > 999)
        throw Error("--dataset-id must be 1..999 (nnU-Net names datasets DatasetXXX_Name)");
    if (!isValidScanName(options.datasetName) || options.datasetName.find('.') != std::string::npos)
        throw Error("--name '" + options.datasetName + "' must be letters, digits, '_' or '-'");
    std::ostringstream folderName;
    folderName << "Dataset" << std::setw(3) << std::setfill('0') << options.datasetId << "_" << options.datasetName;
    NnUNetExportSummary summary;
    summary.datasetFolder = (fs::path(options.outputFolder) / folderName.str()).string();
    requireNewFolder(summary.datasetFolder);

    const OrganSchema schema = store.schema();
    // nnU-Net v2 needs consecutive label values: organs are renumbered 1..N in schema order.
    std::map<int, std::uint8_t> organToValue;
    for (const Organ& organ : schema.organs()) {
        organToValue[organ.index] = static_cast<std::uint8_t>(organToValue.size() + 1);
        summary.organToValue[organ.index] = organToValue[organ.index];
    }

    const CoverageMatrix coverage = store.coverageMatrix();
    const std::vector<ScanRecord> scans = store.scans();
    std::vector<const ScanRecord*> chosen;
    std::string modality = "CT";
    for (std::size_t row = 0; row < scans.size(); ++row) {
        if (scans[row].split == "test") continue;  // its labels are hidden truth, not training data
        bool complete = true;
        for (std::size_t column = 0; column < coverage.organs().size(); ++column)
            complete = complete && isKnownForTraining(coverage.state(row, column));
        if (complete) {
            ++summary.complete;
        } else if (options.includePartial) {
            ++summary.partial;
        } else {
            ++summary.skipped;
            continue;
        }
        chosen.push_back(&scans[row]);
        modality = scans[row].modality;
    }
    if (chosen.empty())
        throw Error(store.folder(), "no training scan has every organ manual, accepted or absent; nothing to "
                                    "export (--include-partial exports partially labeled scans too)");

    // Build under a temporary name and rename at the end, so a half-written dataset never appears.
    const std::string building = summary.datasetFolder + ".incomplete";
    std::error_code ec;
    removeTree(building, ec);
    try {
        fs::create_directories(fs::path(building) / "imagesTr");
        fs::create_directories(fs::path(building) / "labelsTr");
        for (const ScanRecord* scan : chosen) {
            const std::string image = (fs::path(building) / "imagesTr" / (scan->name + "_0000.nii.gz")).string();
            const std::string source = store.pathOf(scan->file);
            requireRecordedHash(source, scan->fileSha256);
            if (imageExtension(source) == ".nii.gz")
                copyFileAtomically(source, image);
            else
                writeVolume(readVolume<float>(source), image);
            writeVolume(composeCurrentLabelMap(store, *scan, organToValue),
                        (fs::path(building) / "labelsTr" / (scan->name + ".nii.gz")).string());
        }
        json labels = {{"background", 0}};
        for (const Organ& organ : schema.organs()) labels[organ.name] = organToValue[organ.index];
        const json dataset = {{"channel_names", {{"0", modality}}},
                              {"labels", labels},
                              {"numTraining", chosen.size()},
                              {"file_ending", ".nii.gz"},
                              {"name", options.datasetName},
                              {"description", "Exported by IPnP Studio from " + fs::absolute(store.folder()).string()}};
        std::ofstream out(fs::path(building) / "dataset.json");
        out << dataset.dump(2) << "\n";
        if (!out.flush()) throw Error(building, "cannot write dataset.json");
        out.close();
        fs::create_directories(options.outputFolder);
        fs::remove(summary.datasetFolder, ec);  // an empty folder may stand there
        fs::rename(building, summary.datasetFolder);
    } catch (const fs::filesystem_error& error) {
        removeTree(building, ec);
        throw Error(error.path1().string(), error.code().message());
    } catch (...) {
        removeTree(building, ec);
        throw;
    }
    return summary;
}

}  // namespace ipnp
