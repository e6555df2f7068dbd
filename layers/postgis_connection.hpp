// PostgreSQL/PostGIS connections: the `PG:` strings a project file may give in place of a file, checked so that no
// secret sits in a project file or a message, and a small RAII wrapper of libpq for DDL and transactions.
// Credentials come from the environment (PGUSER, PGPASSWORD, PGSERVICE, …) or ~/.pgpass, as libpq reads them.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "model/diagnostics.hpp"

struct pg_conn;
struct pg_result;

namespace gridatlas::layers {

// True when `source` is a GDAL PostgreSQL connection ("PG:dbname=… host=…", "PG:postgresql://…"), case-insensitive.
bool is_pg_source(const std::string& source);

// Checks a `PG:` connection string: libpq must parse it and it must hold no password (password=…, or user:secret@
// in a URI). `where` names the place for messages (file and key). Throws DataError (code bad_pg_connection /
// password_in_project) saying what to do. Returns the string unchanged.
std::string checked_pg_source(const std::string& source, const SourceLocation& where);

// The connection for messages: its keywords except any password, "PG:dbname=gridatlas host=127.0.0.1 port=5432".
std::string pg_display(const std::string& source);

// One libpq connection. Every failure is a DataError naming the connection (without secrets) and the statement.
class PgConnection {
public:
    // `source`: "PG:…" or a bare libpq conninfo. Connects now.
    explicit PgConnection(const std::string& source);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Runs one or more statements without parameters; throws on error.
    void exec(const std::string& sql);
    // Runs a query with text parameters ($1, $2, …); returns its rows as text (NULL as "").
    std::vector<std::vector<std::string>> query(const std::string& sql, const std::vector<std::string>& params = {});
    // The connection as pg_display shows it.
    const std::string& display() const { return display_; }

private:
    struct ConnDeleter { void operator()(pg_conn* c) const; };
    std::unique_ptr<pg_conn, ConnDeleter> conn_;
    std::string display_;
};

// Checks that table `layer` ("schema.table", or "table" on the search path) exists in the database of `source`;
// throws DataError (table_not_found) naming the connection and listing the schema's tables otherwise. `role` names
// the layer in messages ("roads").
void require_pg_table(const std::string& source, const std::string& layer, const std::string& role);

// "name" → "\"name\"" (doubling inner quotes): an SQL identifier.
std::string pg_ident(const std::string& name);
// 'text' → "'text'" (doubling inner quotes): an SQL string literal (standard_conforming_strings is on since 9.1).
std::string pg_literal(const std::string& text);

}  // namespace gridatlas::layers
