// One RAII wrapper over the sqlite3 C API, for every SQLite file the project touches: MBTiles written by
// mbtiles_writer.cpp and read by the server (server/tile_source.cpp). A Database owns its connection, a Statement its
// prepared statement, a Transaction rolls back unless committed. Every error is a std::runtime_error naming the file
// and, for a statement, its SQL (never the values bound to it).
//
// Connections are opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX): one connection, and the statements on
// it, must be used by one thread at a time — the caller's lock or pool sees to that. A Statement points to its
// Database: the Database must not move while a Statement made from it lives.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace gridatlas::layers::sqlite {

enum class Mode { read_only, read_write, create };   // create: read-write, making the file if it is missing

class Database {
public:
    Database() = default;
    // Opens `file`; waits up to `busy` for another connection's lock before a statement fails.
    Database(const std::filesystem::path& file, Mode mode, std::chrono::milliseconds busy = std::chrono::milliseconds(5000));
    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;
    ~Database();

    explicit operator bool() const { return db_ != nullptr; }
    sqlite3* get() const { return db_.get(); }
    const std::filesystem::path& file() const { return file_; }

    // Runs one or more statements without results (`sql` is named in the error, cut to 80 characters).
    void exec(const std::string& sql) const;
    // Closes now (throws when SQLite cannot, e.g. a statement is still open); the destructor closes quietly.
    void close();
    [[noreturn]] void fail(const std::string& what, int rc, const std::string& sql = {}) const;

private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };
    std::filesystem::path file_;
    std::unique_ptr<sqlite3, Closer> db_;
};

class Statement {
public:
    Statement(const Database& db, std::string sql);
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    ~Statement();

    Statement& bind(int i, int v);
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, double v);
    Statement& bind(int i, const std::string& v);        // copied by SQLite
    Statement& bind_null(int i);
    Statement& bind_static(int i, const std::string& v); // not copied: must outlive the next step()/reset()
    Statement& bind_blob(int i, const std::string& v);   // must outlive the next step()/reset()
    bool step();    // true while there is a row
    void run();     // steps to the end, then reset()
    void reset();   // ready to run again, bindings cleared
    bool is_null(int i) const;
    int column_int(int i) const;
    std::int64_t column_int64(int i) const;
    std::string column_text(int i) const;   // "" for NULL
    std::string column_blob(int i) const;   // "" for NULL or empty
    const std::string& sql() const { return sql_; }

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const;
    };
    void check(int rc, const char* what) const;
    const Database* db_;
    std::string sql_;
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// BEGIN IMMEDIATE now; COMMIT on commit(); ROLLBACK when destroyed before (an exception in the middle).
class Transaction {
public:
    explicit Transaction(const Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    const Database& db_;
    bool done_ = false;
};

// Whether the database has a table of that name.
bool table_exists(const Database& db, const std::string& name);

}  // namespace gridatlas::layers::sqlite
