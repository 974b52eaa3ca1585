#pragma once
// A thin RAII layer over the SQLite C API: one connection (use one per thread), prepared
// statements with bound parameters, and transactions that roll back unless committed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ipnp {

class SqliteDatabase;

class SqliteStatement {
public:
    SqliteStatement(SqliteDatabase& database, const std::string& sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;
    SqliteStatement(SqliteStatement&& other) noexcept;

    // Parameters are 1-based, as in SQL's ?1, ?2.
    SqliteStatement& bind(int position, std::int64_t value);
    SqliteStatement& bind(int position, int value) { return bind(position, static_cast<std::int64_t>(value)); }
    SqliteStatement& bind(int position, double value);
    SqliteStatement& bind(int position, const std::string& value);
    SqliteStatement& bind(int position, const char* value) { return bind(position, std::string(value)); }
    SqliteStatement& bindNull(int position);
    SqliteStatement& bind(int position, const std::optional<std::int64_t>& value) {
        return value ? bind(position, *value) : bindNull(position);
    }

    bool step();      // true while a row is available
    void run();       // steps a statement that returns no rows
    void reset();     // ready to bind and step again

    std::int64_t columnInt(int column) const;
    double columnDouble(int column) const;
    std::string columnText(int column) const;
    // Valid until the next step(): no copy, for hot loops over many rows.
    std::string_view columnTextView(int column) const;
    bool columnIsNull(int column) const;

private:
    SqliteDatabase* database_;
    sqlite3_stmt* statement_ = nullptr;
    std::string sql_;
};

class SqliteDatabase {
public:
    enum class Mode { OpenExisting, Create };
    // Throws ipnp::Error naming `path` when the file cannot be opened.
    SqliteDatabase(const std::string& path, Mode mode);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    void execute(const std::string& sql);  // one or more statements, no results
    std::int64_t queryInt(const std::string& sql);  // first column of the first row
    std::int64_t lastInsertId() const;
    const std::string& path() const { return path_; }

    sqlite3* handle() { return handle_; }
    // Throws ipnp::Error with the path, the failing statement's purpose and SQLite's message.
    [[noreturn]] void fail(const std::string& what) const;

private:
    sqlite3* handle_ = nullptr;
    std::string path_;
};

// BEGIN IMMEDIATE on construction (takes the write lock up front, so two writers never deadlock);
// ROLLBACK in the destructor unless commit() ran.
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDatabase& database);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    void commit();

private:
    SqliteDatabase& database_;
    bool done_ = false;
};

}  // namespace ipnp
