#include "ProjectSchema.h"

#include "Error.h"
#include "SqliteDatabase.h"

namespace ipnp {

namespace {

// Never edit a migration that has shipped: add a new one.
const std::vector<std::string>& migrations() {
    static const std::vector<std::string> list = {
        // 1: organ schema, scans, coverage matrix, label versions, hidden truth, event log.
        R"sql(
CREATE TABLE organs (
    id        INTEGER PRIMARY KEY,              -- the label value in label maps
    name      TEXT NOT NULL UNIQUE,
    colour    TEXT NOT NULL,                    -- #rrggbb
    synonyms  TEXT NOT NULL DEFAULT '[]'        -- JSON list of other names
);
CREATE TABLE schema_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE scans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    modality      TEXT NOT NULL,
    source_path   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL UNIQUE,         -- detects importing the same scan twice
    file          TEXT NOT NULL UNIQUE,         -- relative to the project folder
    file_sha256   TEXT NOT NULL,
    geometry      TEXT NOT NULL,                -- JSON: size, spacing, origin, direction (LPS)
    voxel_type    TEXT NOT NULL,
    split         TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'test')),
    imported_at   TEXT NOT NULL
);
CREATE TABLE label_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scan_id      INTEGER NOT NULL REFERENCES scans(id),
    organ_id     INTEGER NOT NULL REFERENCES organs(id),
    version      INTEGER NOT NULL,
    file         TEXT NOT NULL UNIQUE,          -- a 0/1 mask cropped to `box`
    sha256       TEXT NOT NULL,
    voxel_count  INTEGER NOT NULL,
    box          TEXT NOT NULL,                 -- JSON [i0, j0, k0, i1, j1, k1], end exclusive
    source       TEXT NOT NULL CHECK (source IN ('import', 'edit', 'pseudo')),
    provenance   TEXT NOT NULL DEFAULT '{}',    -- JSON
    created_at   TEXT NOT NULL,
    UNIQUE (scan_id, organ_id, version)
);
CREATE TABLE coverage (
    scan_id          INTEGER NOT NULL REFERENCES scans(id),
    organ_id         INTEGER NOT NULL REFERENCES organs(id),
    state            TEXT NOT NULL CHECK (state IN ('manual', 'pseudo-accepted', 'pseudo-pending',
                                                    'rejected', 'absent', 'unknown')),
    label_version_id INTEGER REFERENCES label_versions(id),
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (scan_id, organ_id)
) WITHOUT ROWID;
CREATE TABLE truth (                            -- hidden truth of a simulated protocol: scoring only
    scan_id      INTEGER NOT NULL REFERENCES scans(id),
    organ_id     INTEGER NOT NULL REFERENCES organs(id),
    file         TEXT NOT NULL UNIQUE,
    sha256       TEXT NOT NULL,
    voxel_count  INTEGER NOT NULL,
    box          TEXT NOT NULL,
    PRIMARY KEY (scan_id, organ_id)
);
CREATE TABLE events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    time    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '{}'          -- JSON
);
CREATE INDEX label_versions_by_scan ON label_versions (scan_id, organ_id);
)sql",
        // 2: specialist training runs and their checkpoints (the latest one of each run is kept).
        R"sql(
CREATE TABLE training_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    settings    TEXT NOT NULL,                  -- JSON: everything needed to resume identically
    scans       INTEGER NOT NULL,               -- training scans used
    status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed'))
);
CREATE TABLE checkpoints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL REFERENCES training_runs(id),
    file        TEXT NOT NULL UNIQUE,           -- relative to the project folder
    sha256      TEXT NOT NULL,
    iteration   INTEGER NOT NULL,
    iterations  INTEGER NOT NULL,
    loss        REAL NOT NULL,
    metrics     TEXT NOT NULL DEFAULT '{}',     -- JSON: validation Dice per organ on the test split
    created_at  TEXT NOT NULL
);
)sql",
        // 3: IPnP rounds, their candidates (pseudo-labels with selection masks), the decisions on them
        // and every coverage change a round made (so that a rollback can undo exactly those).
        R"sql(
CREATE TABLE rounds (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    number            INTEGER NOT NULL UNIQUE,  -- shown to people; never reused, even after a rollback
    stage             TEXT NOT NULL CHECK (stage IN ('training', 'prompting', 'review', 'closed', 'rolled-back')),
    settings          TEXT NOT NULL,            -- JSON: training, prompt and policy settings
    generalist        TEXT NOT NULL,            -- JSON: name, sha256, contract
    run_id            INTEGER REFERENCES training_runs(id),
    checkpoint_sha256 TEXT,
    started_at        TEXT NOT NULL,
    finished_at       TEXT
);
CREATE TABLE candidates (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id          INTEGER NOT NULL REFERENCES rounds(id),
    scan_id           INTEGER NOT NULL REFERENCES scans(id),
    organ_id          INTEGER NOT NULL REFERENCES organs(id),
    kind              TEXT NOT NULL CHECK (kind IN ('mask', 'absent')),
    file              TEXT UNIQUE,               -- G: 0/1 mask cropped to `box` (NULL when absent)
    sha256            TEXT,
    selection_file    TEXT UNIQUE,               -- M: 1 where specialist and generalist agree
    selection_sha256  TEXT,
    voxel_count       INTEGER NOT NULL DEFAULT 0,
    box               TEXT,                      -- JSON [i0, j0, k0, i1, j1, k1]: the prompt region B
    prompts           TEXT NOT NULL,             -- JSON
    scores            TEXT NOT NULL,             -- JSON
    generalist        TEXT NOT NULL,             -- JSON identity
    checkpoint_sha256 TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'superseded')),
    created_at        TEXT NOT NULL,
    UNIQUE (round_id, scan_id, organ_id)
);
CREATE TABLE decisions (                      -- never deleted, not even by a rollback
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id     INTEGER NOT NULL REFERENCES candidates(id),
    action           TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'accept-edited', 'auto-accept')),
    user             TEXT NOT NULL,
    time             TEXT NOT NULL,
    label_version_id INTEGER REFERENCES label_versions(id)
);
CREATE TABLE coverage_changes (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id                  INTEGER NOT NULL REFERENCES rounds(id),
    scan_id                   INTEGER NOT NULL,
    organ_id                  INTEGER NOT NULL,
    previous_state            TEXT NOT NULL,
    previous_label_version_id INTEGER,
    new_state                 TEXT NOT NULL,
    time                      TEXT NOT NULL
);
CREATE INDEX candidates_by_cell ON candidates (scan_id, organ_id);
ALTER TABLE label_versions ADD COLUMN candidate_id INTEGER REFERENCES candidates(id);
ALTER TABLE label_versions ADD COLUMN superseded_at TEXT;  -- set by a rollback
ALTER TABLE training_runs ADD COLUMN purpose TEXT NOT NULL DEFAULT 'specialist';  -- specialist, round, reference
)sql",
        // 4: settings that belong to the project (every machine, the CLI and the app run its rounds
        // alike): the rounds' training settings, the generalist.
        R"sql(
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
)sql",
        // 5: the DICOM identity of scans imported from DICOM (UIDs, patient and study, source
        // instances), for the SEG and RTSTRUCT objects exported for them.
        R"sql(
CREATE TABLE dicom_sources (
    scan_id  INTEGER PRIMARY KEY REFERENCES scans(id),
    identity TEXT NOT NULL
);
)sql",
    };
    return list;
}

}  // namespace

int latestProjectSchemaVersion() { return static_cast<int>(migrations().size()); }

void migrateProjectSchema(SqliteDatabase& database) {
    const int current = static_cast<int>(database.queryInt("PRAGMA user_version"));
    const int latest = latestProjectSchemaVersion();
    if (current > latest)
        throw Error(database.path(), "this project was written by a newer IPnP Studio (schema version " +
                                         std::to_string(current) + "; this build reads up to version " +
                                         std::to_string(latest) + "). Update IPnP Studio to open it.");
    for (int version = current; version < latest; ++version) {
        SqliteTransaction transaction(database);
        database.execute(migrations()[version]);
        database.execute("PRAGMA user_version = " + std::to_string(version + 1));
        transaction.commit();
    }
}

}  // namespace ipnp
