#include "SqliteDatabase.h"

#include <sqlite3.h>

#include "Error.h"

namespace ipnp {

SqliteDatabase::SqliteDatabase(const std::string& path, Mode mode) : path_(path) {
    // NOMUTEX: a connection belongs to one thread (DESIGN.md), so SQLite's own locking is waste.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (mode == Mode::Create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &handle_, flags, nullptr) != SQLITE_OK) {
        const std::string reason = handle_ ? sqlite3_errmsg(handle_) : "out of memory";
        sqlite3_close(handle_);
        handle_ = nullptr;
        throw Error(path, "cannot open the project database: " + reason);
    }
    sqlite3_extended_result_codes(handle_, 1);
    // Another thread or process may hold the write lock for a moment (WAL allows one writer).
    sqlite3_busy_timeout(handle_, 10000);
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(handle_); }

void SqliteDatabase::fail(const std::string& what) const {
    throw Error(path_, what + ": " + sqlite3_errmsg(handle_));
}

void SqliteDatabase::execute(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(handle_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string reason = message ? message : sqlite3_errmsg(handle_);
        sqlite3_free(message);
        throw Error(path_, "database statement failed (" + reason + ")");
    }
}

std::int64_t SqliteDatabase::queryInt(const std::string& sql) {
    SqliteStatement statement(*this, sql);
    if (!statement.step()) fail("query returned no row: " + sql);
    return statement.columnInt(0);
}

std::int64_t SqliteDatabase::lastInsertId() const { return sqlite3_last_insert_rowid(handle_); }

SqliteStatement::SqliteStatement(SqliteDatabase& database, const std::string& sql)
    : database_(&database), sql_(sql) {
    if (sqlite3_prepare_v2(database.handle(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK)
        database.fail("cannot prepare \"" + sql + "\"");
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : database_(other.database_), statement_(other.statement_), sql_(std::move(other.sql_)) {
    other.statement_ = nullptr;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

SqliteStatement& SqliteStatement::bind(int position, std::int64_t value) {
    sqlite3_bind_int64(statement_, position, value);
    return *this;
}
SqliteStatement& SqliteStatement::bind(int position, double value) {
    sqlite3_bind_double(statement_, position, value);
    return *this;
}
SqliteStatement& SqliteStatement::bind(int position, const std::string& value) {
    sqlite3_bind_text(statement_, position, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}
SqliteStatement& SqliteStatement::bindNull(int position) {
    sqlite3_bind_null(statement_, position);
    return *this;
}

bool SqliteStatement::step() {
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    database_->fail("statement failed \"" + sql_ + "\"");
}

void SqliteStatement::run() {
    while (step()) {
    }
    reset();
}

void SqliteStatement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

std::int64_t SqliteStatement::columnInt(int column) const { return sqlite3_column_int64(statement_, column); }
double SqliteStatement::columnDouble(int column) const { return sqlite3_column_double(statement_, column); }
std::string SqliteStatement::columnText(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string(text, sqlite3_column_bytes(statement_, column)) : std::string();
}
std::string_view SqliteStatement::columnTextView(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string_view(text, sqlite3_column_bytes(statement_, column)) : std::string_view();
}
bool SqliteStatement::columnIsNull(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& database) : database_(database) {
    database_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
    if (!done_) sqlite3_exec(database_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
    database_.execute("COMMIT");
    done_ = true;
}

}  // namespace ipnp
