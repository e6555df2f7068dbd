// MBTiles 1.3 (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md) through the sqlite3 C API (sqlite_db.hpp).
//
// Layout: metadata(name, value) with a unique index on name; tiles(zoom_level, tile_column, tile_row, tile_data) with
// the unique index tile_index; rows are TMS (flipped). While a run is under way the file is "<path>.partial" and
// also holds gridatlas_job (the job key it was started with) and gridatlas_progress (the units written); both are
// dropped by finish(). WAL journal while writing (each unit one cheap transaction), rollback journal at the end, so
// the final file is a plain SQLite database any reader (sqlite3, GDAL) opens, read-only media included.
#include "mbtiles_writer.hpp"

#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "sqlite_db.hpp"

namespace gridatlas::layers {

namespace {

namespace fs = std::filesystem;

using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;
using sqlite::table_exists;

std::string number(double v) {
    std::ostringstream s;
    s.precision(8);
    s << v;
    return s.str();
}

void remove_database_files(const fs::path& file) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(fs::path(file.string() + suffix), ec);
}

}  // namespace

struct MbtilesWriter::Impl {
    fs::path path, partial;
    TileSetMetadata metadata;
    std::string job_key;
    Database db;
    std::unique_ptr<Statement> insert_tile, insert_unit;
    std::set<WorkKey> done;
    bool resumed = false;
    std::string note;
    std::mutex mutex;

    void write_metadata() {
        Statement put(db, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)");
        const TileSetMetadata& m = metadata;
        auto row = [&](const std::string& k, const std::string& v) { put.bind(1, k).bind(2, v).run(); };
        row("name", m.name);
        row("format", m.format);
        row("bounds", number(m.west) + "," + number(m.south) + "," + number(m.east) + "," + number(m.north));
        row("center", number(m.center_lon) + "," + number(m.center_lat) + "," + std::to_string(m.center_zoom));
        row("minzoom", std::to_string(m.min_zoom));
        row("maxzoom", std::to_string(m.max_zoom));
        row("attribution", m.attribution);
        row("description", m.description);
        row("type", m.type);
        row("version", m.version);
        row("tile_size", std::to_string(m.tile_px));   // not in the spec (allowed as an extra key); readers may use it
    }

    // Tries to pick up an existing .partial of the same job; returns false (with `note`) when it cannot.
    bool try_resume() {
        try {
            db = Database(partial, sqlite::Mode::read_write);
            if (!table_exists(db, "gridatlas_job") || !table_exists(db, "gridatlas_progress") || !table_exists(db, "tiles")) {
                note = "it is not a GridAtlas work file";
                db.close();
                return false;
            }
            Statement key(db, "SELECT value FROM gridatlas_job WHERE name = 'job_key'");
            if (!key.step() || key.column_text(0) != job_key) {
                note = "it was started with other options or data";
                key.reset();
                return false;
            }
            Statement units(db, "SELECT zoom_level, tile_column, tile_row FROM gridatlas_progress");
            while (units.step()) done.insert({units.column_int(0), units.column_int(1), units.column_int(2)});
            return true;
        } catch (const std::exception& e) {
            note = std::string("it cannot be read (") + e.what() + ")";
            done.clear();
            return false;
        }
    }

    void create() {
        db = Database(partial, sqlite::Mode::create);
        db.exec("PRAGMA application_id = 0x4d504258");   // 'MPBX', the MBTiles application id
        db.exec(
            "CREATE TABLE metadata (name TEXT, value TEXT);"
            "CREATE UNIQUE INDEX name ON metadata (name);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
            "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
            "CREATE TABLE gridatlas_job (name TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE gridatlas_progress (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
            " PRIMARY KEY (zoom_level, tile_column, tile_row));");
        Statement key(db, "INSERT INTO gridatlas_job (name, value) VALUES ('job_key', ?)");
        key.bind(1, job_key).run();
    }
};

MbtilesWriter::MbtilesWriter(const fs::path& path, const TileSetMetadata& metadata, const std::string& job_key)
    : impl_(std::make_unique<Impl>()) {
    Impl& d = *impl_;
    d.path = path;
    d.partial = fs::path(path.string() + ".partial");
    d.metadata = metadata;
    d.job_key = job_key;
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);

    if (fs::exists(d.partial, ec)) {
        d.resumed = d.try_resume();
        if (!d.resumed) {
            d.note = "did not resume " + d.partial.string() + ": " + d.note + "; starting it afresh";
            if (d.db) d.db.close();
            remove_database_files(d.partial);
        }
    } else {
        remove_database_files(d.partial);   // stray -wal/-journal of a vanished file
    }
    if (!d.resumed) d.create();
    d.db.exec("PRAGMA journal_mode = WAL");
    d.db.exec("PRAGMA synchronous = NORMAL");
    {
        Transaction t(d.db);
        d.write_metadata();
        t.commit();
    }
    d.insert_tile = std::make_unique<Statement>(
        d.db, "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)");
    d.insert_unit = std::make_unique<Statement>(
        d.db, "INSERT OR REPLACE INTO gridatlas_progress (zoom_level, tile_column, tile_row) VALUES (?, ?, ?)");
}

MbtilesWriter::~MbtilesWriter() {
    if (!impl_) return;
    impl_->insert_tile.reset();
    impl_->insert_unit.reset();
    try {
        if (impl_->db) impl_->db.close();   // checkpoints the WAL into the .partial
    } catch (...) {
    }
}

const fs::path& MbtilesWriter::path() const { return impl_->path; }
const fs::path& MbtilesWriter::partial_path() const { return impl_->partial; }
bool MbtilesWriter::resumed() const { return impl_->resumed; }
const std::string& MbtilesWriter::open_note() const { return impl_->note; }

std::size_t MbtilesWriter::done_units() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->done.size();
}

bool MbtilesWriter::is_done(const WorkKey& unit) const {
    std::lock_guard lock(impl_->mutex);
    return impl_->done.count(unit) != 0;
}

std::uint64_t MbtilesWriter::tiles_in_file() const {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->db) throw std::runtime_error(impl_->path.string() + ": the MBTiles writer is closed");
    Statement count(impl_->db, "SELECT count(*) FROM tiles");
    count.step();
    return static_cast<std::uint64_t>(count.column_int64(0));
}

void MbtilesWriter::write(const WorkKey& unit, const std::vector<TileBlob>& tiles) {
    Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (!d.db) throw std::runtime_error(d.path.string() + ": write after finish()");
    Transaction t(d.db);
    for (const auto& tile : tiles) {
        if (tile.z < 0 || tile.z > 30 || tile.x < 0 || tile.y < 0 || tile.x >= (1 << tile.z) || tile.y >= (1 << tile.z))
            throw std::invalid_argument(d.path.string() + ": tile " + std::to_string(tile.z) + "/" + std::to_string(tile.x) +
                                        "/" + std::to_string(tile.y) + " is outside the tile grid");
        const int tms = (1 << tile.z) - 1 - tile.y;
        d.insert_tile->bind(1, tile.z).bind(2, tile.x).bind(3, tms).bind_blob(4, tile.data).run();
    }
    d.insert_unit->bind(1, unit.z).bind(2, unit.x).bind(3, unit.y).run();
    t.commit();
    d.done.insert(unit);
}

void MbtilesWriter::finish() {
    Impl& d = *impl_;
    std::lock_guard lock(d.mutex);
    if (!d.db) throw std::runtime_error(d.path.string() + ": finish() called twice");
    d.insert_tile.reset();
    d.insert_unit.reset();
    d.db.exec("PRAGMA synchronous = FULL");
    {
        Transaction t(d.db);
        d.write_metadata();
        d.db.exec("DROP TABLE gridatlas_progress; DROP TABLE gridatlas_job;");
        t.commit();
    }
    d.db.exec("PRAGMA journal_mode = DELETE");   // checkpoints and removes the WAL; plain file from here on
    d.db.close();
    std::error_code ec;
    fs::rename(d.partial, d.path, ec);
    if (ec) throw std::runtime_error("cannot move " + d.partial.string() + " to " + d.path.string() + ": " + ec.message());
}

}  // namespace gridatlas::layers
