// Publishes a run's GeoPackage into a PostGIS schema of tables partitioned by scope (see postgis_store.hpp): GDAL's
// PostgreSQL driver loads the rows by COPY into a staging schema, libpq does the DDL, and one short transaction swaps
// the run's partitions so that readers never see a half-written county.
#include "postgis_store.hpp"

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <cpl_conv.h>

#include <chrono>
#include <random>
#include <set>
#include <sstream>

#include "gdal_session.hpp"
#include "model/diagnostics.hpp"
#include "postgis_connection.hpp"

namespace gridatlas::layers {

namespace {

constexpr std::size_t max_identifier = 63;   // PostgreSQL's NAMEDATALEN - 1

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

[[noreturn]] void fail(const std::string& display, const std::string& table, const std::string& message, const std::string& hint) {
    throw DataError({Severity::error, "postgis_output", {display, table, "", {}, {}}, message, hint});
}

std::string q(const std::string& schema, const std::string& table) { return pg_ident(schema) + "." + pg_ident(table); }

bool plain_identifier(const std::string& s) {
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return !s.empty();
}

// A fresh name for this run's staging schema: pid and random bits, so that runs on several machines never share one.
std::string staging_name() {
    std::random_device rd;
    std::ostringstream out;
    out << std::hex << rd() << rd();
    return ("gridatlas_stage_" + out.str()).substr(0, max_identifier);
}

// The staging schema lives until the run's partitions are in place; on any failure it is dropped with its tables.
class Staging {
public:
    Staging(PgConnection& db, std::string name) : db_(db), name_(std::move(name)) { db_.exec("CREATE SCHEMA " + pg_ident(name_)); }
    ~Staging() {
        try {
            db_.exec("ROLLBACK");   // a failed swap leaves its transaction open: roll it back first
            db_.exec("DROP SCHEMA IF EXISTS " + pg_ident(name_) + " CASCADE");
        } catch (...) {   // the connection is gone: the server dropped the transaction; the schema stays, named by run
        }
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;
    const std::string& name() const { return name_; }

private:
    PgConnection& db_;
    std::string name_;
};

// GDAL's PostgreSQL driver writes every layer of the GeoPackage into the staging schema, by COPY, without indexes.
void load_layers(const std::filesystem::path& gpkg, const std::string& connection, const std::string& stage, const std::string& display) {
    ensure_gdal();
    GDALDatasetUniquePtr src(GDALDataset::Open(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!src) fail(display, "", "cannot read the results " + gpkg.string() + " (" + last_gdal_error() + ")", "run again");
    const std::vector<std::string> args = {"-f", "PostgreSQL", "-lco", "SCHEMA=" + stage, "-lco", "GEOMETRY_NAME=geom",
                                           "-lco", "FID=fid", "-lco", "SPATIAL_INDEX=NONE", "-lco", "LAUNDER=NO"};
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::unique_ptr<GDALVectorTranslateOptions, decltype(&GDALVectorTranslateOptionsFree)> options(
        GDALVectorTranslateOptionsNew(argv.data(), nullptr), &GDALVectorTranslateOptionsFree);
    if (!options) fail(display, "", "GDAL refused the translation options (" + last_gdal_error() + ")", "report this as a bug");
    const std::string conninfo = connection;
    GDALDatasetH srcs[] = {GDALDataset::ToHandle(src.get())};
    int usage_error = 0;
    CPLSetThreadLocalConfigOption("PG_USE_COPY", "YES");
    GDALDatasetH out = GDALVectorTranslate(conninfo.c_str(), nullptr, 1, srcs, options.get(), &usage_error);
    CPLSetThreadLocalConfigOption("PG_USE_COPY", nullptr);
    const std::string error = last_gdal_error();
    if (!out) fail(display, "", "GDAL could not write the results into schema " + stage + " (" + error + ")",
                   "check that the user may create schemas and tables in the database, and the server's log");
    GDALDatasetUniquePtr written(GDALDataset::FromHandle(out));   // closed here: the last COPY ends
}

// The partition of `table` for `scope`: "<table>__<code>" when that is a plain identifier of ≤ 63 bytes, else
// "<table>__h<md5 of the code>" (the server computes it), so that two scopes never share a name.
std::string partition_name(PgConnection& db, const std::string& table, const std::string& code) {
    const std::string plain = table + "__" + code;
    if (plain_identifier(code) && plain.size() <= max_identifier) return plain;
    return (table.substr(0, 24) + "__h" + db.query("SELECT md5($1)", {code}).at(0).at(0)).substr(0, max_identifier);
}

std::vector<std::string> column_signature(PgConnection& db, const std::string& schema, const std::string& table) {
    std::vector<std::string> cols;
    for (const auto& r : db.query("SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                                  "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1",
                                  {q(schema, table)}))
        cols.push_back(r.at(0));
    return cols;
}

std::vector<std::string> code_columns(PgConnection& db, const std::string& schema, const std::string& table) {
    std::vector<std::string> cols;
    for (const auto& r : db.query("SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
                                  "AND (column_name = 'code' OR column_name LIKE '%\\_code' OR column_name LIKE '%\\_id') "
                                  "AND column_name <> 'scope_code' ORDER BY ordinal_position", {schema, table}))
        cols.push_back(r.at(0));
    return cols;
}

std::string geometry_column(PgConnection& db, const std::string& schema, const std::string& table) {
    const auto r = db.query("SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = $1 AND f_table_name = $2", {schema, table});
    return r.empty() ? "" : r.at(0).at(0);
}

std::string index_name(const std::string& table, const std::string& suffix) {
    return (table.substr(0, max_identifier - suffix.size() - 1) + "_" + suffix);
}

// One staged table made ready to be a partition: the scope column and its CHECK (so ATTACH needs no scan), fid without
// its sequence, every index named after the partition (index names are unique per schema), GiST and btree indexes.
std::int64_t prepare_partition(PgConnection& db, const std::string& stage, const std::string& table, const std::string& part,
                               const std::string& code) {
    const std::string t = q(stage, table);
    db.exec("ALTER TABLE " + t + " ADD COLUMN scope_code text NOT NULL DEFAULT " + pg_literal(code) + "; ALTER TABLE " + t +
            " ALTER COLUMN scope_code DROP DEFAULT; ALTER TABLE " + t + " ADD CONSTRAINT scope_check CHECK (scope_code = " +
            pg_literal(code) + ")");
    const auto seq = db.query("SELECT pg_get_serial_sequence($1, 'fid')", {t});
    if (!seq.empty() && !seq.at(0).at(0).empty())
        db.exec("ALTER TABLE " + t + " ALTER COLUMN fid DROP DEFAULT; DROP SEQUENCE " + seq.at(0).at(0));
    for (const auto& r : db.query("SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2", {stage, table}))
        db.exec("ALTER INDEX " + q(stage, r.at(0)) + " RENAME TO " + pg_ident(index_name(part, r.at(0) == table + "_pkey" ? "pkey" : r.at(0))));
    if (const std::string g = geometry_column(db, stage, table); !g.empty())
        db.exec("CREATE INDEX " + pg_ident(index_name(part, "geom_gist")) + " ON " + t + " USING gist (" + pg_ident(g) + ")");
    for (const auto& c : code_columns(db, stage, table))
        db.exec("CREATE INDEX " + pg_ident(index_name(part, c + "_btree")) + " ON " + t + " (" + pg_ident(c) + ")");
    db.exec("ANALYZE " + t);
    return std::stoll(db.query("SELECT count(*) FROM " + t).at(0).at(0));
}

// The partitioned table for a layer, created from the staged table on first use, with the same indexes (each
// partition's own is attached to them, not built again).
void ensure_parent(PgConnection& db, const std::string& schema, const std::string& stage, const std::string& table) {
    const std::string p = q(schema, table);
    db.exec("CREATE TABLE " + p + " (LIKE " + q(stage, table) + ") PARTITION BY LIST (scope_code)");
    if (const std::string g = geometry_column(db, stage, table); !g.empty())
        db.exec("CREATE INDEX " + pg_ident(index_name(table, "geom_gist")) + " ON " + p + " USING gist (" + pg_ident(g) + ")");
    for (const auto& c : code_columns(db, stage, table))
        db.exec("CREATE INDEX " + pg_ident(index_name(table, c + "_btree")) + " ON " + p + " (" + pg_ident(c) + ")");
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// Columns of one list not in the other, for the message when a schema holds another project's tables.
std::string difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out;
    const std::set<std::string> in_b(b.begin(), b.end());
    for (const auto& x : a) if (!in_b.count(x)) out.push_back(x);
    return out.empty() ? "none" : joined(out);
}

void check_scope_level(PgConnection& db, const PostgisTarget& target, const PostgisScope& scope) {
    const auto other = db.query("SELECT scope_level, string_agg(scope_code, ', ' ORDER BY scope_code) FROM " + q(target.schema, "gridatlas_runs") +
                                " WHERE scope_level <> $1 GROUP BY 1 LIMIT 1", {scope.level});
    if (other.empty()) return;
    fail(db.display(), target.schema + ".gridatlas_runs",
         "schema " + target.schema + " holds partitions of level '" + other.at(0).at(0) + "' (" + other.at(0).at(1) +
             "); this run's scope " + scope.code + " is of level '" + scope.level + "' and would overlap them",
         "write runs of one level into one schema (e.g. one --within per county), or use another --pg-schema");
}

// The one short transaction: previous partitions out, this run's in, the run recorded.
void swap_partitions(PgConnection& db, const PostgisTarget& target, const PostgisScope& scope, const std::string& stage,
                     const std::vector<std::pair<std::string, std::string>>& tables) {
    const std::string& s = target.schema;
    db.exec("BEGIN");
    db.exec("SELECT pg_advisory_xact_lock(hashtext(" + pg_literal("gridatlas:" + s) + "))");
    check_scope_level(db, target, scope);
    for (const auto& [table, part] : tables) {
        if (db.query("SELECT to_regclass($1) IS NULL", {q(s, table)}).at(0).at(0) == "t") {
            ensure_parent(db, s, stage, table);
        } else {
            const auto have = column_signature(db, s, table), want = column_signature(db, stage, table);
            if (have != want)
                fail(db.display(), s + "." + table,
                     "the table's columns differ from this run's (only in the table: " + difference(have, want) +
                         "; only in this run: " + difference(want, have) + ")",
                     "the schema holds results of a project with other grid levels or service kinds: use another "
                     "--pg-schema, or drop the schema's tables to start anew");
            if (db.query("SELECT to_regclass($1) IS NOT NULL", {q(s, part)}).at(0).at(0) == "t")
                db.exec("ALTER TABLE " + q(s, table) + " DETACH PARTITION " + q(s, part) + "; DROP TABLE " + q(s, part));
        }
        db.exec("ALTER TABLE " + q(stage, table) + " RENAME TO " + pg_ident(part) + "; ALTER TABLE " + q(stage, part) +
                " SET SCHEMA " + pg_ident(s) + "; ALTER TABLE " + q(s, table) + " ATTACH PARTITION " + q(s, part) +
                " FOR VALUES IN (" + pg_literal(scope.code) + ")");
    }
    // A table of the schema this run no longer writes (an older version's layer): its partition of this scope goes too,
    // so that nothing stale of the scope stays readable.
    std::set<std::string> written;
    for (const auto& t : tables) written.insert(t.first);
    for (const auto& r : db.query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                  "WHERE n.nspname = $1 AND c.relkind = 'p'", {s})) {
        if (written.count(r.at(0))) continue;
        const std::string part = partition_name(db, r.at(0), scope.code);
        if (db.query("SELECT to_regclass($1) IS NOT NULL", {q(s, part)}).at(0).at(0) == "t")
            db.exec("ALTER TABLE " + q(s, r.at(0)) + " DETACH PARTITION " + q(s, part) + "; DROP TABLE " + q(s, part));
    }
    std::string names;
    for (const auto& t : tables) names += (names.empty() ? "" : ",") + t.first;
    db.query("INSERT INTO " + q(s, "gridatlas_runs") + " (scope_code, scope_level, project, tables, written_at) VALUES ($1, $2, $3, $4, now()) "
             "ON CONFLICT (scope_code) DO UPDATE SET scope_level = EXCLUDED.scope_level, project = EXCLUDED.project, "
             "tables = EXCLUDED.tables, written_at = EXCLUDED.written_at", {scope.code, scope.level, scope.project, names});
    db.exec("COMMIT");
}

// The schema, the postgis extension and the run register, made once under the schema's advisory lock.
void prepare_schema(PgConnection& db, const PostgisTarget& target) {
    db.exec("BEGIN");
    db.exec("SELECT pg_advisory_xact_lock(hashtext(" + pg_literal("gridatlas:" + target.schema) + "))");
    db.exec("CREATE SCHEMA IF NOT EXISTS " + pg_ident(target.schema));
    db.exec("CREATE TABLE IF NOT EXISTS " + q(target.schema, "gridatlas_runs") +
            " (scope_code text PRIMARY KEY, scope_level text NOT NULL, project text, tables text, written_at timestamptz)");
    db.exec("COMMIT");
}

}  // namespace

namespace {

// The connection checked (no password) and the schema name usable; returns the connection.
std::string checked_target(const PostgisTarget& target) {
    const std::string connection = checked_pg_source(target.connection, {pg_display(target.connection), "", "--to-postgis", {}, {}});
    if (target.schema.empty() || target.schema.size() > 40 || target.schema.rfind("pg_", 0) == 0)
        fail(pg_display(connection), "", "the schema name '" + target.schema + "' cannot be used",
             "give --pg-schema a name of 1 to 40 characters not starting with pg_, e.g. gridatlas");
    return connection;
}

void require_postgis(PgConnection& db) {
    if (db.query("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").empty())
        fail(db.display(), "", "the database has no postgis extension",
             "run CREATE EXTENSION postgis; in the database (as its owner or a superuser)");
}

}  // namespace

void check_postgis_target(const PostgisTarget& target) {
    PgConnection db(checked_target(target));
    require_postgis(db);
}

PostgisPublishReport publish_to_postgis(const std::filesystem::path& gpkg, const PostgisTarget& target, const PostgisScope& scope) {
    const std::string connection = checked_target(target);
    if (scope.code.empty()) fail(pg_display(connection), "", "the run's scope code is empty", "give --within a grid code");
    PostgisPublishReport report{target.schema, scope.code, {}, 0, 0};
    const auto start = std::chrono::steady_clock::now();
    PgConnection db(connection);
    require_postgis(db);
    prepare_schema(db, target);
    check_scope_level(db, target, scope);   // early, before loading; checked again under the lock
    Staging stage(db, staging_name());
    load_layers(gpkg, connection, stage.name(), db.display());
    std::vector<std::pair<std::string, std::string>> tables;   // table → partition
    for (const auto& r : db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", {stage.name()})) {
        const std::string part = partition_name(db, r.at(0), scope.code);
        report.tables.push_back({r.at(0), prepare_partition(db, stage.name(), r.at(0), part, scope.code)});
        tables.emplace_back(r.at(0), part);
    }
    report.load_seconds = seconds_since(start);
    const auto swap_start = std::chrono::steady_clock::now();
    swap_partitions(db, target, scope, stage.name(), tables);
    report.swap_seconds = seconds_since(swap_start);
    return report;
}

}  // namespace gridatlas::layers
