// PostgreSQL connections for layers and results: checks `PG:` strings from project files and options (libpq parses
// them; a password there is an error, credentials come from the environment or ~/.pgpass), shows them without
// secrets, and wraps libpq (PGconn, PGresult) in RAII for the DDL and transactions of the PostGIS store.
#include "postgis_connection.hpp"
#include "sql_text.hpp"

#include <libpq-fe.h>

#include <cctype>

namespace gridatlas::layers {

namespace {

std::string conninfo_of(const std::string& source) { return is_pg_source(source) ? source.substr(3) : source; }

struct OptionsDeleter {
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using Options = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Parses a conninfo; nullptr and `error` set when libpq cannot.
Options parse(const std::string& conninfo, std::string& error) {
    char* err = nullptr;
    Options opts(PQconninfoParse(conninfo.c_str(), &err));
    if (err) {
        error = err;
        while (!error.empty() && std::isspace(static_cast<unsigned char>(error.back()))) error.pop_back();
        PQfreemem(err);
    }
    return opts;
}

[[noreturn]] void fail(const std::string& display, const std::string& what, const std::string& detail) {
    std::string d = detail;
    while (!d.empty() && std::isspace(static_cast<unsigned char>(d.back()))) d.pop_back();
    throw DataError({Severity::error, "postgis_error", {display, "", "", {}, {}}, what + ": " + d,
                     "check that the server is running and reachable, and the credentials in the environment "
                     "(PGUSER, PGPASSWORD or PGSERVICE) or ~/.pgpass"});
}

}  // namespace

bool is_pg_source(const std::string& source) {
    return source.size() >= 3 && std::toupper(static_cast<unsigned char>(source[0])) == 'P' &&
           std::toupper(static_cast<unsigned char>(source[1])) == 'G' && source[2] == ':';
}

std::string checked_pg_source(const std::string& source, const SourceLocation& where) {
    std::string error;
    Options opts = parse(conninfo_of(source), error);
    if (!opts)
        throw DataError({Severity::error, "bad_pg_connection", where, "the PostgreSQL connection cannot be read: " + error,
                         "write it as \"PG:dbname=<database> host=<host> port=<port>\" (libpq keywords)"});
    for (PQconninfoOption* o = opts.get(); o->keyword; ++o)
        if (std::string(o->keyword) == "password" && o->val && *o->val)
            throw DataError({Severity::error, "password_in_project", where,
                             "the PostgreSQL connection holds a password (password=… or user:password@ in a URI); "
                             "a project file is shared and printed in messages",
                             "remove the password and give it in the environment (PGPASSWORD, or PGSERVICE with "
                             "~/.pg_service.conf) or in ~/.pgpass"});
    return source;
}

std::string pg_display(const std::string& source) {
    std::string error;
    Options opts = parse(conninfo_of(source), error);
    if (!opts) return "PG:(unreadable connection)";
    std::string out = "PG:";
    bool first = true;
    for (PQconninfoOption* o = opts.get(); o->keyword; ++o) {
        if (!o->val || !*o->val || std::string(o->keyword) == "password") continue;
        if (!first) out += ' ';
        out.append(o->keyword).append("=").append(o->val);
        first = false;
    }
    return out;
}

void PgConnection::ConnDeleter::operator()(pg_conn* c) const { PQfinish(c); }

PgConnection::PgConnection(const std::string& source) : display_(pg_display(source)) {
    conn_.reset(PQconnectdb(conninfo_of(source).c_str()));
    if (!conn_) fail(display_, "cannot connect", "out of memory");
    if (PQstatus(conn_.get()) != CONNECTION_OK) fail(display_, "cannot connect", PQerrorMessage(conn_.get()));
    // Notices (e.g. "table does not exist, skipping") are not errors and would go to stderr otherwise.
    PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() = default;

void PgConnection::exec(const std::string& sql) {
    Result r(PQexec(conn_.get(), sql.c_str()));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail(display_, "statement failed (" + sql.substr(0, 160) + (sql.size() > 160 ? "…" : "") + ")", PQerrorMessage(conn_.get()));
}

std::vector<std::vector<std::string>> PgConnection::query(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    Result r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        fail(display_, "query failed (" + sql.substr(0, 160) + (sql.size() > 160 ? "…" : "") + ")", PQerrorMessage(conn_.get()));
    std::vector<std::vector<std::string>> rows(static_cast<std::size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i)
        for (int j = 0; j < PQnfields(r.get()); ++j) rows[i].emplace_back(PQgetisnull(r.get(), i, j) ? "" : PQgetvalue(r.get(), i, j));
    return rows;
}

void require_pg_table(const std::string& source, const std::string& layer, const std::string& role) {
    PgConnection db(source);
    const auto dot = layer.find('.');
    const std::string schema = dot == std::string::npos ? "" : layer.substr(0, dot);
    const std::string table = dot == std::string::npos ? layer : layer.substr(dot + 1);
    const auto found = db.query("SELECT to_regclass(CASE WHEN $1 = '' THEN quote_ident($2) ELSE quote_ident($1) || '.' || quote_ident($2) END) IS NOT NULL",
                                {schema, table});
    if (found.at(0).at(0) == "t") return;
    const auto tables = db.query("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = "
                                 "CASE WHEN $1 = '' THEN current_schema() ELSE $1 END ORDER BY 1 LIMIT 30", {schema});
    std::string list;
    for (const auto& t : tables) list += (list.empty() ? "" : ", ") + t.at(0);
    throw DataError({Severity::error, "table_not_found", {db.display(), layer, "", {}, {}},
                     "the " + role + " table '" + layer + "' does not exist in the database",
                     list.empty() ? "check layer = \"<schema>.<table>\" in the project file: schema '" + (schema.empty() ? "(search path)" : schema) + "' has no tables"
                                  : "set layer = one of: " + list});
}

std::string pg_ident(const std::string& name) { return sql_identifier(name); }

std::string pg_literal(const std::string& text) { return sql_literal(text); }

}  // namespace gridatlas::layers
