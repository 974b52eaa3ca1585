#pragma once
// The project database's tables, as a list of migrations applied in order. PRAGMA user_version
// holds the number of migrations applied; a project from a newer build is refused, not guessed at.
#include <string>
#include <vector>

namespace ipnp {

class SqliteDatabase;

// Identifies an IPnP Studio project among SQLite files (PRAGMA application_id, "IPnP").
constexpr int kProjectApplicationId = 0x49506e50;

// Number of migrations this build knows; the schema version of projects it creates.
int latestProjectSchemaVersion();

// Brings the database from its user_version to the latest, one transaction per migration.
// Throws ipnp::Error when the database is newer than this build.
void migrateProjectSchema(SqliteDatabase& database);

}  // namespace ipnp
