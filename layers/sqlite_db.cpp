// The sqlite3 RAII wrapper (sqlite_db.hpp): opening, statements, transactions, and errors that name the file and SQL.
#include "sqlite_db.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace gridatlas::layers::sqlite {

namespace {

int open_flags(Mode mode) {
    switch (mode) {
        case Mode::read_only: return SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
        case Mode::read_write: return SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
        case Mode::create: return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    }
    return SQLITE_OPEN_READONLY;
}

std::string shown(const std::string& sql) { return sql.size() <= 80 ? sql : sql.substr(0, 77) + "..."; }

}  // namespace

void Database::Closer::operator()(sqlite3* db) const {
    if (db) sqlite3_close_v2(db);
}

Database::Database(const std::filesystem::path& file, Mode mode, std::chrono::milliseconds busy) : file_(file) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, open_flags(mode), nullptr);
    db_.reset(raw);   // sqlite3_open_v2 may give a handle even when it fails: closed here either way
    if (rc != SQLITE_OK) fail("open", rc);
    sqlite3_busy_timeout(raw, static_cast<int>(busy.count()));
}

Database::~Database() = default;

void Database::exec(const std::string& sql) const {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        const std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw std::runtime_error(file_.string() + ": SQLite failed on '" + shown(sql) + "': " + msg);
    }
}

void Database::close() {
    if (!db_) return;
    const int rc = sqlite3_close(db_.get());
    if (rc != SQLITE_OK) fail("close", rc);
    (void)db_.release();
}

void Database::fail(const std::string& what, int rc, const std::string& sql) const {
    const std::string msg = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
    throw std::runtime_error(file_.string() + ": SQLite " + what + (sql.empty() ? "" : " of '" + shown(sql) + "'") + " failed: " + msg);
}

void Statement::Finalizer::operator()(sqlite3_stmt* s) const {
    if (s) sqlite3_finalize(s);
}

Statement::Statement(const Database& db, std::string sql) : db_(&db), sql_(std::move(sql)) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db.get(), sql_.c_str(), -1, &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) db.fail("prepare", rc, sql_);
}

Statement::~Statement() = default;

void Statement::check(int rc, const char* what) const {
    if (rc != SQLITE_OK) db_->fail(what, rc, sql_);
}

Statement& Statement::bind(int i, int v) {
    check(sqlite3_bind_int(stmt_.get(), i, v), "bind");
    return *this;
}
Statement& Statement::bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_.get(), i, v), "bind");
    return *this;
}
Statement& Statement::bind(int i, double v) {
    check(sqlite3_bind_double(stmt_.get(), i, v), "bind");
    return *this;
}
Statement& Statement::bind_null(int i) {
    check(sqlite3_bind_null(stmt_.get(), i), "bind");
    return *this;
}
Statement& Statement::bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT), "bind");
    return *this;
}
Statement& Statement::bind_static(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC), "bind");
    return *this;
}
Statement& Statement::bind_blob(int i, const std::string& v) {
    check(sqlite3_bind_blob(stmt_.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_->fail("step", rc, sql_);
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

bool Statement::is_null(int i) const { return sqlite3_column_type(stmt_.get(), i) == SQLITE_NULL; }
int Statement::column_int(int i) const { return sqlite3_column_int(stmt_.get(), i); }
std::int64_t Statement::column_int64(int i) const { return sqlite3_column_int64(stmt_.get(), i); }

std::string Statement::column_text(int i) const {
    const auto* p = sqlite3_column_text(stmt_.get(), i);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), i))) : std::string();
}

std::string Statement::column_blob(int i) const {
    const void* p = sqlite3_column_blob(stmt_.get(), i);
    const int n = sqlite3_column_bytes(stmt_.get(), i);
    return p && n > 0 ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}

Transaction::Transaction(const Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

bool table_exists(const Database& db, const std::string& name) {
    Statement s(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, name);
    return s.step();
}

}  // namespace gridatlas::layers::sqlite
