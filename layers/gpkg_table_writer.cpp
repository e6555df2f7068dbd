// GpkgTableWriter (gpkg_table_writer.hpp): attribute tables into a GeoPackage through one prepared INSERT each,
// registered in gpkg_contents and gpkg_ogr_contents the way GDAL registers them.
#include "gpkg_table_writer.hpp"

#include <chrono>
#include <ctime>
#include <optional>
#include <stdexcept>

#include "model/diagnostics.hpp"
#include "sql_text.hpp"
#include "sqlite_db.hpp"

namespace gridatlas::layers {

namespace {

std::string quoted(const std::string& name) { return sql_identifier(name); }
std::string literal(const std::string& text) { return sql_literal(text); }

const char* sql_type(FieldType t) { return t == FieldType::integer ? "INTEGER" : t == FieldType::real ? "REAL" : "TEXT"; }

// gpkg_contents.last_change as GDAL writes it (UTC, milliseconds); VectorWriter's fixed date when deterministic.
std::string last_change(bool deterministic) {
    if (deterministic) return "2020-01-01T00:00:00.000Z";
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
    return out;
}

// GDAL's two triggers that keep gpkg_ogr_contents.feature_count right when rows are added or deleted later.
std::string count_triggers(const std::string& table) {
    std::string sql;
    for (const auto& [when, sign] : {std::pair{"insert", "+"}, std::pair{"delete", "-"}})
        sql += "CREATE TRIGGER " + quoted(std::string("trigger_") + when + "_feature_count_" + table) + " AFTER " +
               (std::string(when) == "insert" ? "INSERT" : "DELETE") + " ON " + quoted(table) +
               " BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count " + sign +
               " 1 WHERE lower(table_name) = lower(" + literal(table) + "); END;";
    return sql;
}

}  // namespace

struct GpkgTableWriter::Impl {
    std::filesystem::path file;
    bool deterministic = false;
    sqlite::Database db;
    bool ogr_contents = false;
    std::string table;
    static constexpr std::size_t batch = 64;     // rows per INSERT: SQLite's per-statement work paid once for 64
    std::size_t columns = 0;
    std::int64_t rows = 0;
    std::string insert_head, row_marks;           // "INSERT INTO t (a, b) VALUES ", "(?, ?)"
    std::optional<sqlite::Transaction> transaction;
    std::optional<sqlite::Statement> insert;      // `batch` rows at a time
    std::vector<std::vector<FieldValue>> pending; // rows not yet inserted (the strings' buffers reused row to row)
    std::size_t used = 0;

    [[noreturn]] void fail(const std::string& what) const {
        throw DataError({Severity::error, "write_failed", {file.string(), table, "", {}, {}}, what,
                         "check free space and that the folder is writable"});
    }
    template <class F>
    void guarded(const F& f) {
        try {
            f();
        } catch (const DataError&) {
            throw;
        } catch (const std::runtime_error& e) {   // SQLite's, naming the SQL
            fail(e.what());
        }
    }
    void begin(const std::string& name, const std::vector<FieldSpec>& fields);
    void add(const std::vector<FieldValue>& values);
    void flush();
    void end();
};

void GpkgTableWriter::Impl::begin(const std::string& name, const std::vector<FieldSpec>& fields) {
    table = name;
    if (sqlite::table_exists(db, name)) fail("the GeoPackage already has a table '" + name + "'");
    transaction.emplace(db);
    std::string create = "CREATE TABLE " + quoted(name) + " (\"fid\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL";
    insert_head = "INSERT INTO " + quoted(name) + " (";
    row_marks.assign(1, '(');
    for (std::size_t i = 0; i < fields.size(); ++i) {
        create += ", " + quoted(fields[i].name) + " " + sql_type(fields[i].type);
        if (i) insert_head += ", ";
        insert_head += quoted(fields[i].name);
        row_marks += i ? ", ?" : "?";
    }
    insert_head += ") VALUES ";
    row_marks += ")";
    db.exec(create + ")");
    sqlite::Statement contents(db, "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
                                   "VALUES (?, 'attributes', ?, '', ?, 0)");
    contents.bind(1, name).bind(2, name).bind(3, last_change(deterministic)).run();
    columns = fields.size();
    rows = 0;
    used = 0;
    insert.reset();
}

void GpkgTableWriter::Impl::add(const std::vector<FieldValue>& values) {
    if (pending.size() <= used) pending.emplace_back();
    auto& row = pending[used++];
    row.resize(columns);
    for (std::size_t i = 0; i < columns; ++i) row[i] = i < values.size() ? values[i] : FieldValue{};
    if (used == batch) flush();
}

// The pending rows in one INSERT (the `batch`-row statement, prepared once; a shorter last one once a table).
void GpkgTableWriter::Impl::flush() {
    if (used == 0) return;
    std::optional<sqlite::Statement> tail;
    auto make = [&](std::size_t n) {
        std::string sql = insert_head;
        for (std::size_t r = 0; r < n; ++r) {
            if (r) sql += ", ";
            sql += row_marks;
        }
        return sqlite::Statement(db, sql);
    };
    if (used < batch) tail.emplace(make(used));
    else if (!insert) insert.emplace(make(batch));
    sqlite::Statement& st = used < batch ? *tail : *insert;
    int at = 1;
    for (std::size_t r = 0; r < used; ++r)
        for (const FieldValue& v : pending[r]) {
            if (std::holds_alternative<std::monostate>(v)) st.bind_null(at);
            else if (const auto* s = std::get_if<std::string>(&v)) st.bind_static(at, *s);   // pending outlives run()
            else if (const auto* n = std::get_if<std::int64_t>(&v)) st.bind(at, *n);
            else st.bind(at, std::get<double>(v));
            ++at;
        }
    st.run();
    rows += static_cast<std::int64_t>(used);
    used = 0;
}

void GpkgTableWriter::Impl::end() {
    if (!transaction) return;
    flush();
    insert.reset();
    if (ogr_contents) {
        sqlite::Statement count(db, "INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, ?)");
        count.bind(1, table).bind(2, rows).run();
        db.exec(count_triggers(table));
    }
    transaction->commit();
    transaction.reset();
}

GpkgTableWriter::GpkgTableWriter(const std::filesystem::path& gpkg, bool deterministic) : impl_(std::make_unique<Impl>()) {
    impl_->file = gpkg;
    impl_->deterministic = deterministic;
    impl_->guarded([&] {
        impl_->db = sqlite::Database(gpkg, sqlite::Mode::read_write);
        if (!sqlite::table_exists(impl_->db, "gpkg_contents")) impl_->fail("not a GeoPackage (no gpkg_contents table)");
        impl_->ogr_contents = sqlite::table_exists(impl_->db, "gpkg_ogr_contents");
        // The file is an output's temporary, synced by the output set before it replaces anything: a crash halfway
        // leaves a temporary that is thrown away, so SQLite need not sync each transaction itself.
        impl_->db.exec("PRAGMA synchronous = OFF");
    });
}

GpkgTableWriter::~GpkgTableWriter() = default;   // an unfinished table's transaction rolls back

void GpkgTableWriter::begin_table(const std::string& name, std::vector<FieldSpec> fields) {
    impl_->guarded([&] {
        impl_->end();
        impl_->begin(name, fields);
    });
}

void GpkgTableWriter::add(const std::vector<FieldValue>& values) {
    if (!impl_->transaction) impl_->fail("a row before begin_table");
    impl_->guarded([&] { impl_->add(values); });
}

void GpkgTableWriter::end_table() {
    impl_->guarded([&] { impl_->end(); });
}

void GpkgTableWriter::close() {
    impl_->guarded([&] {
        impl_->end();
        impl_->db.close();
    });
}

void write_issues_table(GpkgTableWriter& t, const Diagnostics& diag) {
    t.begin_table("issues", {{"severity"}, {"code"}, {"file"}, {"layer"}, {"feature"}, {"message"}, {"hint"}});
    for (const auto& d : diag.items())
        t.add({std::string(d.severity == Severity::error ? "error" : "warning"), d.code, d.where.file, d.where.layer, d.where.feature,
               d.message, d.hint});
}

}  // namespace gridatlas::layers
