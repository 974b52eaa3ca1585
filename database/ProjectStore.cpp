#include "ProjectStore.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "AtomicFile.h"
#include "Error.h"
#include "OrganSchemaFile.h"
#include "ProjectSchema.h"
#include "Sha256.h"

namespace ipnp {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string databasePathIn(const std::string& folder) {
    return (fs::path(folder) / ProjectStore::kDatabaseFileName).string();
}

// Pragmas every connection needs. WAL lets readers (the GUI) run beside one writer (a worker);
// synchronous=FULL makes a commit survive power loss, not just a crash.
void configureConnection(SqliteDatabase& database) {
    database.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
    SqliteStatement journal(database, "PRAGMA journal_mode = WAL");
    journal.step();
}

// Refuses files that are not (our) SQLite databases before anything writes to them.
void requireProjectDatabase(SqliteDatabase& database) {
    std::int64_t applicationId = 0;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(database.handle(), "PRAGMA application_id", -1, &statement, nullptr) != SQLITE_OK ||
        sqlite3_step(statement) != SQLITE_ROW) {
        const std::string reason = sqlite3_errmsg(database.handle());
        sqlite3_finalize(statement);
        throw Error(database.path(), "not an IPnP Studio project database (" + reason + ")");
    }
    applicationId = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    if (applicationId != kProjectApplicationId)
        throw Error(database.path(), "an SQLite database, but not an IPnP Studio project");
    const std::int64_t version = database.queryInt("PRAGMA user_version");
    if (version > latestProjectSchemaVersion()) migrateProjectSchema(database);  // throws the clear message
}

void insertSchema(SqliteDatabase& database, const OrganSchema& schema) {
    SqliteStatement insert(database, "INSERT INTO organs (id, name, colour, synonyms) VALUES (?1, ?2, ?3, ?4)");
    for (const Organ& organ : schema.organs()) {
        insert.bind(1, organ.index).bind(2, organ.name).bind(3, toHexColour(organ.colour))
            .bind(4, json(organ.synonyms).dump());
        insert.run();
    }
    SqliteStatement info(database, "INSERT OR REPLACE INTO schema_info (key, value) VALUES ('name', ?1)");
    info.bind(1, schema.name());
    info.run();
}

LabelFileRecord labelFileFrom(SqliteStatement& row) {
    LabelFileRecord record;
    record.id = row.columnInt(0);
    record.scanId = row.columnInt(1);
    record.organIndex = static_cast<int>(row.columnInt(2));
    record.file = row.columnText(3);
    record.sha256 = row.columnText(4);
    record.voxelCount = row.columnInt(5);
    record.box = boxFromJson(row.columnText(6));
    return record;
}

}  // namespace

const std::vector<std::string>& ProjectStore::dataFolders() {
    static const std::vector<std::string> folders{"volumes", "labels", "truth", "candidates", "checkpoints", "reports"};
    return folders;
}

ProjectStore::ProjectStore(std::string folder, SqliteDatabase::Mode mode)
    : folder_(std::move(folder)), database_(databasePathIn(folder_), mode) {}

bool ProjectStore::holdsProject(const std::string& folder) {
    std::error_code ec;
    return fs::is_regular_file(databasePathIn(folder), ec);
}

std::unique_ptr<ProjectStore> ProjectStore::create(const std::string& folder, const OrganSchema& schema) {
    std::error_code ec;
    if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
        throw Error(folder, "cannot create the project here: a file of that name exists");
    if (holdsProject(folder)) throw Error(folder, "already holds a project (project.ipnp exists)");
    fs::create_directories(folder, ec);
    if (ec) throw Error(folder, "cannot create the project folder: " + ec.message());
    for (const std::string& sub : dataFolders()) {
        fs::create_directories(fs::path(folder) / sub, ec);
        if (ec) throw Error((fs::path(folder) / sub).string(), "cannot create folder: " + ec.message());
    }
    // Build the database under a temporary name so a crash never leaves a half-made project.ipnp.
    const std::string finalPath = databasePathIn(folder);
    const std::string tempPath = finalPath + ".creating";
    fs::remove(tempPath, ec);
    try {
        SqliteDatabase database(tempPath, SqliteDatabase::Mode::Create);
        database.execute("PRAGMA application_id = " + std::to_string(kProjectApplicationId));
        migrateProjectSchema(database);
        SqliteTransaction transaction(database);
        insertSchema(database, schema);
        transaction.commit();
    } catch (...) {
        fs::remove(tempPath, ec);
        throw;
    }
    syncFile(tempPath);
    fs::rename(tempPath, finalPath, ec);
    if (ec) throw Error(finalPath, "cannot put the project database in place: " + ec.message());
    syncDirectory(folder);
    auto store = open(folder);
    SqliteTransaction transaction(store->database());
    store->addEvent("create", json{{"schema", schema.name()}}.dump());
    transaction.commit();
    return store;
}

std::unique_ptr<ProjectStore> ProjectStore::open(const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw Error(folder, "no such project folder");
    if (!holdsProject(folder))
        throw Error(folder, "not an IPnP Studio project (no project.ipnp; create one with `ipnp init " + folder + "`)");
    std::unique_ptr<ProjectStore> store(new ProjectStore(folder, SqliteDatabase::Mode::OpenExisting));
    requireProjectDatabase(store->database_);
    configureConnection(store->database_);
    migrateProjectSchema(store->database_);
    return store;
}

std::string ProjectStore::pathOf(const std::string& relative) const {
    return (fs::path(folder_) / relative).string();
}

std::string ProjectStore::now() {
    using namespace std::chrono;
    const auto time = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(time);
    const auto millis = duration_cast<milliseconds>(time.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
    return text;
}

OrganSchema ProjectStore::schema() {
    std::string name = "project";
    {
        SqliteStatement info(database_, "SELECT value FROM schema_info WHERE key = 'name'");
        if (info.step()) name = info.columnText(0);
    }
    SqliteStatement rows(database_, "SELECT id, name, colour, synonyms FROM organs ORDER BY id");
    std::vector<Organ> organs;
    while (rows.step()) {
        Organ organ;
        organ.index = static_cast<int>(rows.columnInt(0));
        organ.name = rows.columnText(1);
        organ.colour = parseHexColour(rows.columnText(2));
        organ.synonyms = json::parse(rows.columnText(3)).get<std::vector<std::string>>();
        organs.push_back(std::move(organ));
    }
    return OrganSchema(name, std::move(organs));
}

namespace {
const char* kScanColumns =
    "SELECT id, name, modality, source_path, source_sha256, file, file_sha256, geometry, voxel_type, split FROM scans ";

ScanRecord scanFrom(SqliteStatement& row) {
    ScanRecord scan;
    scan.id = row.columnInt(0);
    scan.name = row.columnText(1);
    scan.modality = row.columnText(2);
    scan.sourcePath = row.columnText(3);
    scan.sourceSha256 = row.columnText(4);
    scan.file = row.columnText(5);
    scan.fileSha256 = row.columnText(6);
    scan.geometry = geometryFromJson(row.columnText(7));
    scan.voxelType = row.columnText(8);
    scan.split = row.columnText(9);
    return scan;
}
}  // namespace

std::vector<ScanRecord> ProjectStore::scans() {
    SqliteStatement rows(database_, std::string(kScanColumns) + "ORDER BY id");
    std::vector<ScanRecord> out;
    while (rows.step()) out.push_back(scanFrom(rows));
    return out;
}

std::optional<ScanRecord> ProjectStore::scanById(std::int64_t id) {
    SqliteStatement row(database_, std::string(kScanColumns) + "WHERE id = ?1");
    row.bind(1, id);
    if (!row.step()) return std::nullopt;
    return scanFrom(row);
}

ScanRecord ProjectStore::requireScan(std::int64_t id) {
    if (std::optional<ScanRecord> scan = scanById(id)) return *scan;
    throw Error(folder_, "no scan with id " + std::to_string(id));
}

void requireRecordedHash(const std::string& path, const std::string& sha256) {
    if (Sha256::ofFile(path) != sha256)
        throw Error(path, "content does not match the SHA-256 the project recorded (changed or damaged on disk)");
}

RawImage readScanVoxels(const ProjectStore& store, const ScanRecord& scan) {
    const std::string path = store.pathOf(scan.file);
    requireRecordedHash(path, scan.fileSha256);
    return readRawImage(path);
}

std::optional<std::string> ProjectStore::dicomIdentity(std::int64_t scanId) {
    SqliteStatement row(database_, "SELECT identity FROM dicom_sources WHERE scan_id = ?1");
    row.bind(1, scanId);
    if (!row.step()) return std::nullopt;
    return row.columnText(0);
}

std::optional<ScanRecord> ProjectStore::scanBySourceHash(const std::string& sha256) {
    SqliteStatement row(database_, std::string(kScanColumns) + "WHERE source_sha256 = ?1");
    row.bind(1, sha256);
    if (!row.step()) return std::nullopt;
    return scanFrom(row);
}

std::optional<ScanRecord> ProjectStore::scanByName(const std::string& name) {
    SqliteStatement row(database_, std::string(kScanColumns) + "WHERE name = ?1");
    row.bind(1, name);
    if (!row.step()) return std::nullopt;
    return scanFrom(row);
}

CoverageMatrix ProjectStore::coverageMatrix() {
    std::vector<CoverageMatrix::ScanRow> rows;
    std::vector<std::int64_t> scanIds;
    {
        SqliteStatement scanRows(database_, "SELECT id, name, split FROM scans ORDER BY id");
        while (scanRows.step()) {
            scanIds.push_back(scanRows.columnInt(0));
            rows.push_back({scanRows.columnText(1), scanRows.columnText(2)});
        }
    }
    CoverageMatrix matrix(schema().organs(), std::move(rows));
    // Hot loop (300,000 rows for 10,000 scans x 30 organs): table lookups, no string copies.
    std::array<std::size_t, 256> columnOfOrgan;
    columnOfOrgan.fill(matrix.organs().size());
    for (std::size_t column = 0; column < matrix.organs().size(); ++column)
        columnOfOrgan[matrix.organs()[column].index] = column;
    // Scan ids ascend with their rows, so a merge walk places each cell without a lookup table.
    SqliteStatement cells(database_, "SELECT scan_id, organ_id, state FROM coverage ORDER BY scan_id");
    std::size_t row = 0;
    while (cells.step()) {
        const std::int64_t scanId = cells.columnInt(0);
        while (row < scanIds.size() && scanIds[row] < scanId) ++row;
        if (row == scanIds.size()) break;
        const std::int64_t organ = cells.columnInt(1);
        const std::size_t column = organ >= 0 && organ < 256 ? columnOfOrgan[organ] : matrix.organs().size();
        if (column == matrix.organs().size()) continue;
        matrix.setState(row, column, coverageStateFromText(cells.columnTextView(2)));
    }
    return matrix;
}

std::vector<LabelFileRecord> ProjectStore::currentLabels(std::int64_t scanId) {
    SqliteStatement rows(database_,
                         "SELECT l.id, l.scan_id, l.organ_id, l.file, l.sha256, l.voxel_count, l.box "
                         "FROM coverage c JOIN label_versions l ON l.id = c.label_version_id "
                         "WHERE c.scan_id = ?1 AND c.state IN ('manual', 'pseudo-accepted') "
                         // manual last: composing paints it over any pseudo-label that overlaps it
                         "ORDER BY c.state = 'manual', l.organ_id");
    rows.bind(1, scanId);
    std::vector<LabelFileRecord> out;
    while (rows.step()) out.push_back(labelFileFrom(rows));
    return out;
}

std::vector<LabelFileRecord> ProjectStore::truthLabels(std::int64_t scanId) {
    SqliteStatement rows(database_,
                         "SELECT 0, scan_id, organ_id, file, sha256, voxel_count, box FROM truth "
                         "WHERE scan_id = ?1 ORDER BY organ_id");
    rows.bind(1, scanId);
    std::vector<LabelFileRecord> out;
    while (rows.step()) out.push_back(labelFileFrom(rows));
    return out;
}

void ProjectStore::addEvent(const std::string& kind, const std::string& detailJson) {
    SqliteStatement insert(database_, "INSERT INTO events (time, kind, detail) VALUES (?1, ?2, ?3)");
    insert.bind(1, now()).bind(2, kind).bind(3, detailJson);
    insert.run();
}

namespace {
// Same organ under another spelling: a name of one is the name or a synonym of the other.
bool sameOrgan(const Organ& a, const Organ& b) {
    const OrganSchema first("a", {a}), second("b", {b});
    if (second.byName(a.name)) return true;
    return first.byName(b.name) != nullptr;
}
}  // namespace

void replaceProjectSchema(ProjectStore& store, const OrganSchema& schema) {
    SqliteDatabase& database = store.database();
    SqliteTransaction transaction(database);
    const OrganSchema old = store.schema();
    SqliteStatement inUse(database,
                          "SELECT (SELECT count(*) FROM label_versions WHERE organ_id = ?1) + "
                          "(SELECT count(*) FROM truth WHERE organ_id = ?1) + "
                          "(SELECT count(*) FROM coverage WHERE organ_id = ?1 AND state <> 'unknown')");
    for (const Organ& organ : old.organs()) {
        inUse.bind(1, organ.index);
        inUse.step();
        const std::int64_t uses = inUse.columnInt(0);
        inUse.reset();
        const Organ* successor = schema.byIndex(organ.index);
        if (uses > 0 && !successor)
            throw Error(schema.name(), "drops organ " + std::to_string(organ.index) + " '" + organ.name +
                                           "', which the project still uses (" + std::to_string(uses) +
                                           " labels or known states); keep its index");
        // The labels stay under their index: the organ there must still be the same organ.
        if (uses > 0 && !sameOrgan(organ, *successor))
            throw Error(schema.name(), "calls index " + std::to_string(organ.index) + " '" + successor->name +
                                           "', but the project's labels there are '" + organ.name +
                                           "'; keep the name or list it as a synonym");
        if (!successor)
            database.execute("DELETE FROM coverage WHERE organ_id = " + std::to_string(organ.index) +
                             "; DELETE FROM organs WHERE id = " + std::to_string(organ.index));
    }
    // Park every name first, so that organs may swap names without tripping UNIQUE.
    database.execute("UPDATE organs SET name = '#renaming ' || id");
    SqliteStatement update(database, "UPDATE organs SET name = ?2, colour = ?3, synonyms = ?4 WHERE id = ?1");
    SqliteStatement insert(database, "INSERT INTO organs (id, name, colour, synonyms) VALUES (?1, ?2, ?3, ?4)");
    SqliteStatement addCoverage(database, "INSERT INTO coverage (scan_id, organ_id, state, updated_at) "
                                          "SELECT id, ?1, 'unknown', ?2 FROM scans");
    for (const Organ& organ : schema.organs()) {
        SqliteStatement& statement = old.byIndex(organ.index) ? update : insert;
        statement.bind(1, organ.index).bind(2, organ.name).bind(3, toHexColour(organ.colour)).bind(4, json(organ.synonyms).dump());
        statement.run();
        if (!old.byIndex(organ.index)) {
            addCoverage.bind(1, organ.index).bind(2, ProjectStore::now());
            addCoverage.run();
        }
    }
    SqliteStatement info(database, "INSERT OR REPLACE INTO schema_info (key, value) VALUES ('name', ?1)");
    info.bind(1, schema.name());
    info.run();
    store.addEvent("schema", json{{"schema", schema.name()}, {"organs", schema.size()}}.dump());
    transaction.commit();
}

std::string geometryToJson(const ImageGeometry& g) {
    return json{{"size", g.size}, {"spacing", g.spacing}, {"origin", g.origin}, {"direction", g.direction}}.dump();
}

ImageGeometry geometryFromJson(const std::string& text) {
    const json document = json::parse(text);
    ImageGeometry g;
    g.size = document.at("size").get<std::array<std::size_t, 3>>();
    g.spacing = document.at("spacing").get<Vec3>();
    g.origin = document.at("origin").get<Vec3>();
    g.direction = document.at("direction").get<Mat3>();
    return g;
}

std::string boxToJson(const VoxelBox& box) { return json(box).dump(); }
VoxelBox boxFromJson(const std::string& text) { return json::parse(text).get<VoxelBox>(); }

}  // namespace ipnp
