#include "ScanImporter.h"

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <set>

#include "AtomicFile.h"
#include "Error.h"
#include "GzipIntegrity.h"
#include "ImageFile.h"
#include "LabelMaskOps.h"
#include "Sha256.h"
#include "StagedFiles.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

bool isValidScanName(const std::string& name) {
    if (name.empty() || name.size() > 200 || name[0] == '.') return false;
    for (unsigned char c : name)
        if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
    return true;
}

namespace {

// Formats whose bytes the project stores as they are; others are converted to .nii.gz.
bool storedAsIs(const std::string& extension) {
    return extension == ".nii.gz" || extension == ".nii" || extension == ".nrrd" || extension == ".mha";
}

// Geometry agreement between a label map and its image: NIfTI stores float32, so allow rounding.
constexpr double kGeometryTolerance = 1e-3;

struct StagedLabel {
    int organIndex;
    std::string file;  // relative
    std::string sha256;
    std::size_t voxelCount;
    VoxelBox box;
};

struct StagedScan {
    std::string name;
    std::string modality;
    std::string sourcePath;
    std::string sourceSha256;
    std::string file;  // relative
    std::string fileSha256;
    ImageGeometry geometry;
    std::string voxelType;
    std::vector<StagedLabel> labels;
};

std::string describeOrgans(const OrganSchema& schema) {
    std::string text;
    for (const Organ& organ : schema.organs())
        text += (text.empty() ? "" : ", ") + std::to_string(organ.index) + " " + organ.name;
    return text;
}

LabelMap checkedLabelMap(const std::string& path, const ImageGeometry& imageGeometry, const std::string& imagePath) {
    LabelMap labels = readLabelMap(path);
    const std::string difference = imageGeometry.describeDifference(labels.geometry(), kGeometryTolerance);
    if (!difference.empty())
        throw Error(path, "geometry differs from its image " + fs::path(imagePath).filename().string() + " (" +
                              difference + ")");
    return labels;
}

}  // namespace

ScanImportSummary ScanImporter::importScans(const std::vector<ScanImportRequest>& requests,
                                            const ScanImportOptions& options) {
    const OrganSchema schema = store_.schema();
    StagedFiles staged;
    std::vector<StagedScan> scans;
    std::set<std::string> batchNames, batchHashes;
    ScanImportSummary summary;

    // A source already in the project, or twice in this batch, is refused by its SHA-256.
    const auto requireNewSource = [&](const StagedScan& scan, const ScanImportRequest& request) {
        if (const auto existing = store_.scanBySourceHash(scan.sourceSha256))
            throw Error(request.image, "already imported as scan '" + existing->name + "' (same SHA-256)");
        if (!batchHashes.insert(scan.sourceSha256).second)
            throw Error(request.image, "is listed twice in this import (same SHA-256)");
        batchNames.insert(scan.name);
    };
    for (std::size_t n = 0; n < requests.size(); ++n) {
        const ScanImportRequest& request = requests[n];
        StagedScan scan;
        scan.name = request.name.empty() ? imageStem(request.image) : request.name;
        scan.modality = request.modality;
        scan.sourcePath = !request.sourcePath.empty() ? request.sourcePath : fs::absolute(request.image).lexically_normal().string();
        if (options.progress) options.progress(n, requests.size(), "importing " + scan.name);

        const bool inMemory = request.int16Image || request.floatImage;
        if (!inMemory && !fs::exists(request.image)) throw Error(request.image, "no such file");
        if (!isValidScanName(scan.name))
            throw Error(request.image, "'" + scan.name + "' cannot be a scan name (use letters, digits, '.', '_', '-'; "
                                       "pass --name)");
        if (const auto existing = store_.scanByName(scan.name); existing || batchNames.count(scan.name)) {
            const std::string hash = inMemory ? std::string() : Sha256::ofFile(request.image);
            if (existing && existing->sourceSha256 == hash)
                throw Error(request.image, "already imported as scan '" + scan.name + "' (same SHA-256)");
            throw Error(request.image, "a scan named '" + scan.name + "' is already in the project; pass --name");
        }

        if (inMemory) {
            // Written once, into the project; the file's hash doubles as the source's (the same
            // series imported twice gives the same bytes, and is refused below).
            scan.file = "volumes/" + scan.name + ".nii.gz";
            const std::string destination = store_.pathOf(scan.file);
            staged.add(destination);
            if (request.int16Image) {
                writeVolume(*request.int16Image, destination);
                scan.geometry = request.int16Image->geometry();
                scan.voxelType = toString(ComponentType::Int16);
            } else {
                writeVolume(*request.floatImage, destination);
                scan.geometry = request.floatImage->geometry();
                scan.voxelType = toString(ComponentType::Float32);
            }
            scan.sourceSha256 = scan.fileSha256 = Sha256::ofFile(destination);
            requireNewSource(scan, request);
            scans.push_back(std::move(scan));
            continue;
        }

        // Decode the image (validates every byte) while its bytes are copied and hashed.
        const std::string extension = imageExtension(request.image);
        scan.file = "volumes/" + scan.name + (storedAsIs(extension) ? extension : ".nii.gz");
        const std::string destination = store_.pathOf(scan.file);
        // The copy's pass over the bytes also checks a gzip stream is whole (ITK would not notice).
        std::future<std::string> copied;
        GzipIntegrity gzip;
        const bool gzipped = GzipIntegrity::isGzipFileName(request.image);
        if (storedAsIs(extension)) {
            staged.add(destination);
            copied = std::async(std::launch::async, [&] {
                return copyFileAtomically(request.image, destination, [&](const char* data, std::size_t size) {
                    if (gzipped) gzip.update(data, size);
                });
            });
        }
        RawImage raw;
        try {
            raw = readRawImage(request.image, copied.valid() ? GzipCheck::Skip : GzipCheck::Verify);
        } catch (...) {
            if (copied.valid()) copied.wait();
            throw;
        }
        scan.geometry = raw.header.geometry;
        scan.voxelType = toString(raw.header.componentType);
        if (copied.valid()) {
            scan.sourceSha256 = scan.fileSha256 = copied.get();
            if (const std::string problem = gzip.problem(); gzipped && !problem.empty())
                throw Error(request.image, problem);
        } else {
            scan.sourceSha256 = Sha256::ofFile(request.image);
            staged.add(destination);
            if (isIntegerType(raw.header.componentType) && byteSize(raw.header.componentType) <= 2 &&
                raw.header.componentType != ComponentType::UInt16)
                writeVolume(toVolume<std::int16_t>(raw, request.image), destination);
            else
                writeVolume(toVolume<float>(raw, request.image), destination);
            scan.fileSha256 = Sha256::ofFile(destination);
        }
        requireNewSource(scan, request);
        raw = RawImage();  // free the voxels before the label map is read

        if (request.labelMap) {
            const std::string& labelPath = *request.labelMap;
            const LabelMap labels = checkedLabelMap(labelPath, scan.geometry, request.image);
            const std::vector<LabelExtent> extents = labelExtents(labels);
            const std::string labelFolder = store_.pathOf("labels/" + scan.name);
            fs::create_directories(labelFolder);
            staged.addFolder(labelFolder);
            for (const LabelExtent& extent : extents) {
                int organIndex = extent.label;
                if (!request.labelToOrgan.empty()) {
                    const auto mapped = request.labelToOrgan.find(extent.label);
                    if (mapped == request.labelToOrgan.end())
                        throw Error(labelPath, "label value " + std::to_string(extent.label) + " is not listed in " +
                                                   request.labelMappingSource);
                    organIndex = mapped->second;
                }
                const Organ* organ = schema.byIndex(organIndex);
                if (!organ)
                    throw Error(labelPath, "label value " + std::to_string(extent.label) +
                                               " is not in the project's organ schema (" + describeOrgans(schema) +
                                               "); change the schema with `ipnp schema --set`");
                StagedLabel label;
                label.organIndex = organIndex;
                label.file = "labels/" + scan.name + "/" + std::to_string(organIndex) + "_v1.nii.gz";
                label.voxelCount = extent.voxelCount;
                label.box = {extent.first[0],     extent.first[1],     extent.first[2],
                             extent.last[0] + 1, extent.last[1] + 1, extent.last[2] + 1};
                const std::string labelDestination = store_.pathOf(label.file);
                staged.add(labelDestination);
                writeVolume(cropMask(labels, extent), labelDestination);
                label.sha256 = Sha256::ofFile(labelDestination);
                scan.labels.push_back(std::move(label));
            }
        }
        summary.labelFiles += scan.labels.size();
        scans.push_back(std::move(scan));
    }
    if (options.progress) options.progress(requests.size(), requests.size(), "recording the scans in the project");

    // Every file is in place: record them all at once, hashes included.
    SqliteDatabase& database = store_.database();
    SqliteTransaction transaction(database);
    const std::string now = ProjectStore::now();
    SqliteStatement insertScan(database,
                               "INSERT INTO scans (name, modality, source_path, source_sha256, file, file_sha256, "
                               "geometry, voxel_type, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    SqliteStatement insertLabel(database,
                                "INSERT INTO label_versions (scan_id, organ_id, version, file, sha256, voxel_count, "
                                "box, source, provenance, created_at) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, 'import', ?7, ?8)");
    SqliteStatement insertCoverage(database,
                                   "INSERT INTO coverage (scan_id, organ_id, state, label_version_id, updated_at) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5)");
    for (std::size_t n = 0; n < scans.size(); ++n) {
        const StagedScan& scan = scans[n];
        insertScan.bind(1, scan.name).bind(2, scan.modality).bind(3, scan.sourcePath).bind(4, scan.sourceSha256)
            .bind(5, scan.file).bind(6, scan.fileSha256).bind(7, geometryToJson(scan.geometry))
            .bind(8, scan.voxelType).bind(9, now);
        insertScan.run();
        const std::int64_t scanId = database.lastInsertId();
        if (!requests[n].dicomIdentityJson.empty()) {
            SqliteStatement identity(database, "INSERT INTO dicom_sources (scan_id, identity) VALUES (?1, ?2)");
            identity.bind(1, scanId).bind(2, requests[n].dicomIdentityJson);
            identity.run();
        }
        std::map<int, std::int64_t> versionOf;
        for (const StagedLabel& label : scan.labels) {
            const json provenance = {{"source_file", fs::absolute(*requests[n].labelMap).lexically_normal().string()}};
            insertLabel.bind(1, scanId).bind(2, label.organIndex).bind(3, label.file).bind(4, label.sha256)
                .bind(5, static_cast<std::int64_t>(label.voxelCount)).bind(6, boxToJson(label.box))
                .bind(7, provenance.dump()).bind(8, now);
            insertLabel.run();
            versionOf[label.organIndex] = database.lastInsertId();
        }
        for (const Organ& organ : schema.organs()) {
            const auto version = versionOf.find(organ.index);
            const CoverageState state = version != versionOf.end() ? CoverageState::Manual
                                        : options.fullyLabeled    ? CoverageState::Absent
                                                                  : CoverageState::Unknown;
            insertCoverage.bind(1, scanId).bind(2, organ.index).bind(3, toString(state))
                .bind(4, version != versionOf.end() ? std::optional<std::int64_t>(version->second) : std::nullopt)
                .bind(5, now);
            insertCoverage.run();
        }
    }
    store_.addEvent("import", json{{"scans", scans.size()}, {"label_files", summary.labelFiles},
                                   {"fully_labeled", options.fullyLabeled}}.dump());
    transaction.commit();
    staged.commit();
    summary.scans = scans.size();
    return summary;
}

}  // namespace ipnp
