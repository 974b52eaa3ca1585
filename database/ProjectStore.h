#pragma once
// A project folder: project.ipnp (SQLite, the truth) plus the files it names (volumes/, labels/,
// truth/, candidates/, checkpoints/, reports/). One ProjectStore is one connection: use one per
// thread. Writes that span several rows happen in one transaction in the class that makes them.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CoverageMatrix.h"
#include "ImageFile.h"
#include "ImageGeometry.h"
#include "OrganSchema.h"
#include "SqliteDatabase.h"

namespace ipnp {

struct ScanRecord {
    std::int64_t id = 0;
    std::string name;
    std::string modality;
    std::string sourcePath;
    std::string sourceSha256;
    std::string file;  // relative to the project folder
    std::string fileSha256;
    ImageGeometry geometry;
    std::string voxelType;
    std::string split;  // "train" or "test"
};

// Voxel box [first, end) in the scan's index space.
using VoxelBox = std::array<long, 6>;

struct LabelFileRecord {
    std::int64_t id = 0;  // label_versions.id (0 for truth files)
    std::int64_t scanId = 0;
    int organIndex = 0;
    std::string file;  // relative to the project folder
    std::string sha256;
    std::int64_t voxelCount = 0;
    VoxelBox box{};
};

class ProjectStore {
public:
    static constexpr const char* kDatabaseFileName = "project.ipnp";
    static const std::vector<std::string>& dataFolders();  // volumes, labels, truth, ...

    // Creates the folder (and its parents) and an empty project with this organ schema.
    // Throws ipnp::Error when the path cannot be created or already holds a project.
    static std::unique_ptr<ProjectStore> create(const std::string& folder, const OrganSchema& schema);
    // Throws ipnp::Error when the folder holds no project, a foreign or corrupt file, or a
    // project from a newer build.
    static std::unique_ptr<ProjectStore> open(const std::string& folder);
    static bool holdsProject(const std::string& folder);

    const std::string& folder() const { return folder_; }
    std::string pathOf(const std::string& relative) const;  // folder/relative
    SqliteDatabase& database() { return database_; }

    OrganSchema schema();
    std::vector<ScanRecord> scans();
    std::optional<ScanRecord> scanById(std::int64_t id);
    // The scan with this id; throws ipnp::Error naming the project when there is none.
    ScanRecord requireScan(std::int64_t id);
    std::optional<ScanRecord> scanBySourceHash(const std::string& sha256);
    // The DICOM identity JSON of a scan imported from DICOM (DicomIdentity.h); none for others.
    std::optional<std::string> dicomIdentity(std::int64_t scanId);
    std::optional<ScanRecord> scanByName(const std::string& name);
    CoverageMatrix coverageMatrix();
    // The label files coverage points at (manual and accepted organs), and hidden truth files.
    std::vector<LabelFileRecord> currentLabels(std::int64_t scanId);
    std::vector<LabelFileRecord> truthLabels(std::int64_t scanId);

    // Appends to the event log; call inside the transaction of the change it records.
    void addEvent(const std::string& kind, const std::string& detailJson);

    // ISO 8601 UTC, to the millisecond.
    static std::string now();

private:
    ProjectStore(std::string folder, SqliteDatabase::Mode mode);
    std::string folder_;
    SqliteDatabase database_;
};

// Replaces the organ schema in one transaction. Organs may be renamed, recoloured, added (their
// coverage starts `unknown`) or dropped when nothing refers to them; an organ with labels, truth
// or a known state must keep its index and stay the same organ (its old name is the new one's
// name or synonym, or the reverse). Throws ipnp::Error (project unchanged) otherwise.
void replaceProjectSchema(ProjectStore& store, const OrganSchema& schema);

// Throws ipnp::Error naming the file when its content no longer has the SHA-256 the project recorded.
void requireRecordedHash(const std::string& path, const std::string& sha256);
// The scan's voxels as its file stores them, after checking the file against its recorded SHA-256.
// Every reader of a scan image goes through here; throws ipnp::Error naming the file.
RawImage readScanVoxels(const ProjectStore& store, const ScanRecord& scan);
template <typename T>
Volume<T> readScanVolume(const ProjectStore& store, const ScanRecord& scan) {
    return toVolume<T>(readScanVoxels(store, scan), store.pathOf(scan.file));
}

// JSON text for geometry and boxes as the database stores them.
std::string geometryToJson(const ImageGeometry& geometry);
ImageGeometry geometryFromJson(const std::string& json);
std::string boxToJson(const VoxelBox& box);
VoxelBox boxFromJson(const std::string& json);

}  // namespace ipnp
