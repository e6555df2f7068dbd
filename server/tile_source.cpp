// The server's tile sources (tile_source.hpp): an MBTiles file read through layers/sqlite_db.hpp with a small pool of
// read-only connections, or tiles rendered on demand into the one LRU cache (lru_cache.hpp).
#include "tile_source.hpp"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "lru_cache.hpp"
#include "sqlite_db.hpp"
#include "tile_math.hpp"
#include "tile_renderer.hpp"

namespace gridatlas::server {

const std::string& transparent_png() {
    static const std::string png(
        "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        "\x00\x1f\x15\xc4\x89\x00\x00\x00\x0b\x49\x44\x41\x54\x78\xda\x63\x60\x00\x02\x00\x00\x05\x00\x01\xe9\xfa\xdc\xd8"
        "\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
        68);
    return png;
}

namespace {

// --- MBTiles -------------------------------------------------------------------------------------------------------

constexpr const char* kTileSql = "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3";

// One read-only connection with its tile query: used by one request at a time (the pool below). SQLite's own errors
// name the file and the SQL ("file is not a database" for a file that is not one).
struct Connection {
    explicit Connection(const std::filesystem::path& file)
        : db(file, layers::sqlite::Mode::read_only, std::chrono::milliseconds(2000)), tile(db, kTileSql) {}
    layers::sqlite::Database db;
    layers::sqlite::Statement tile;   // after db: it points to it
};

class MbtilesSource final : public TileSource {
public:
    MbtilesSource(std::filesystem::path file, int connections) : file_(std::move(file)), max_connections_(std::max(1, connections)) {
        if (!std::filesystem::is_regular_file(file_)) fail("no such file");
        auto c = connect();
        const auto meta = metadata(c->db);
        min_zoom_ = zoom(c->db, meta, "minzoom", "MIN");
        max_zoom_ = zoom(c->db, meta, "maxzoom", "MAX");
        if (min_zoom_ < 0 || max_zoom_ > render::kMaxTileZoom || min_zoom_ > max_zoom_) fail("bad minzoom/maxzoom in the metadata");
        const std::string format = meta.count("format") ? meta.at("format") : "png";
        if (format == "png") content_type_ = "image/png";
        else if (format == "jpg" || format == "jpeg") content_type_ = "image/jpeg";
        else if (format == "webp") content_type_ = "image/webp";
        else fail("tile format '" + format + "' is not an image format the page can show");
        scale_ = tile_scale(meta);
        open_ = 1;
        idle_.push_back(std::move(c));
    }

    int min_zoom() const override { return min_zoom_; }
    int max_zoom() const override { return max_zoom_; }
    std::string content_type() const override { return content_type_; }
    std::string describe() const override {
        return "MBTiles " + file_.string() + " (zoom " + std::to_string(min_zoom_) + "-" + std::to_string(max_zoom_) + ", " +
               std::to_string(256 * scale_) + " px)";
    }
    bool has(const TileVariant& v) const override { return v.scale == scale_ && v.grid_names; }

    std::optional<std::string> tile(int z, int x, int y, const TileVariant& /*the file's own*/) override {
        auto c = acquire();
        std::optional<std::string> out;
        try {
            c->tile.reset();
            c->tile.bind(1, z).bind(2, x).bind(3, render::tms_row(z, y));
            if (c->tile.step()) {
                std::string blob = c->tile.column_blob(0);
                if (!blob.empty()) out = std::move(blob);
            }
            c->tile.reset();
        } catch (const std::exception& e) {   // names the file and the query
            release(std::move(c));
            throw std::runtime_error(std::string("reading a tile failed: ") + e.what());
        }
        release(std::move(c));
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw std::runtime_error(file_.string() + ": not a usable MBTiles file: " + what); }

    std::map<std::string, std::string> metadata(const layers::sqlite::Database& db) const {
        if (!layers::sqlite::table_exists(db, "metadata")) fail("no metadata table");
        std::map<std::string, std::string> meta;
        layers::sqlite::Statement st(db, "SELECT name, value FROM metadata");
        while (st.step())
            if (!st.is_null(0) && !st.is_null(1)) meta[st.column_text(0)] = st.column_text(1);
        return meta;
    }

    // 1 for 256 px tiles, 2 for 512 px: the metadata's `tile_size` (written by layers::MbtilesWriter), else 256.
    int tile_scale(const std::map<std::string, std::string>& meta) const {
        const auto it = meta.find("tile_size");
        if (it == meta.end() || it->second == "256") return 1;
        if (it->second == "512") return 2;
        fail("metadata tile_size '" + it->second + "' is neither 256 nor 512");
    }

    // The zoom the metadata gives under `key`, else the tiles' own MIN/MAX(zoom_level); 0 for an empty file.
    int zoom(const layers::sqlite::Database& db, const std::map<std::string, std::string>& meta, const char* key, const char* aggregate) const {
        if (auto it = meta.find(key); it != meta.end()) {
            try {
                return std::stoi(it->second);
            } catch (const std::exception&) {
                fail(std::string("metadata ") + key + " '" + it->second + "' is not a number");
            }
        }
        layers::sqlite::Statement q(db, std::string("SELECT ") + aggregate + "(zoom_level) FROM tiles");
        return q.step() && !q.is_null(0) ? q.column_int(0) : 0;
    }

    std::unique_ptr<Connection> connect() const {
        {
            const layers::sqlite::Database db(file_, layers::sqlite::Mode::read_only);
            if (!layers::sqlite::table_exists(db, "tiles")) fail("no tiles table");
        }
        return std::make_unique<Connection>(file_);
    }

    std::unique_ptr<Connection> acquire() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return c;
        }
        ++open_;
        lock.unlock();
        try {
            return connect();
        } catch (...) {
            std::lock_guard relock(mutex_);
            --open_;
            cv_.notify_one();
            throw;
        }
    }

    void release(std::unique_ptr<Connection> c) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(c));
        cv_.notify_one();
    }

    std::filesystem::path file_;
    int max_connections_;
    int min_zoom_ = 0, max_zoom_ = 0, scale_ = 1;
    std::string content_type_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;
    int open_ = 0;
};

// --- rendered on demand --------------------------------------------------------------------------------------------

class RenderedSource final : public TileSource {
public:
    using Tile = std::shared_ptr<const std::string>;   // empty string: nothing there

    RenderedSource(std::shared_ptr<const render::TileScene> scene, const RenderedTilesOptions& o) : scene_(std::move(scene)), options_(o) {
        if (!scene_) throw std::invalid_argument("rendered tiles: no scene");
        if (o.min_zoom < 0 || o.max_zoom > 22 || o.min_zoom > o.max_zoom) throw std::invalid_argument("rendered tiles: zooms must satisfy 0 ≤ min ≤ max ≤ 22");
        options_.renderers = std::max(1, o.renderers);
        // Load the style once now, so that a broken style stops the start rather than the first tile.
        pools_[0].idle.push_back(make_renderer(TileVariant{}));
        pools_[0].made = 1;
    }

    int min_zoom() const override { return options_.min_zoom; }
    int max_zoom() const override { return options_.max_zoom; }
    std::string content_type() const override { return "image/png"; }
    std::string describe() const override {
        return "rendered on demand (zoom " + std::to_string(options_.min_zoom) + "-" + std::to_string(options_.max_zoom) + ", 256 and 512 px, " +
               std::to_string(options_.renderers) + " renderers per kind, cache " + std::to_string(options_.cache_bytes >> 20) + " MiB)";
    }
    bool has(const TileVariant& v) const override { return v.scale == 1 || v.scale == 2; }

    std::optional<std::string> tile(int z, int x, int y, const TileVariant& v) override {
        if (!has(v)) throw std::invalid_argument("rendered tiles: scale must be 1 or 2");
        const std::uint64_t key = (std::uint64_t(slot(v)) << 56) | (std::uint64_t(z) << 48) | (std::uint64_t(x) << 24) | std::uint64_t(y);
        // One render per tile however many ask at once; 64 bytes for the key and list links, roughly.
        return answer(cache_.get_or_make(
            key, [&] { return render(render::TileId{z, x, y}, v); },
            [](const Tile& t) -> std::optional<std::size_t> { return (t ? t->size() : 0) + 64; }));
    }

private:
    // Renderers of one variant: idle ones, and how many exist (at most options_.renderers).
    struct Pool {
        std::vector<std::unique_ptr<render::TileRenderer>> idle;
        int made = 0;
    };

    static std::optional<std::string> answer(const Tile& t) {
        if (!t || t->empty()) return std::nullopt;
        return *t;
    }

    static int slot(const TileVariant& v) { return (v.scale - 1) * 2 + (v.grid_names ? 0 : 1); }

    std::unique_ptr<render::TileRenderer> make_renderer(const TileVariant& v) const {
        render::TileRenderOptions ro;
        ro.style_file = options_.style_file;
        ro.scale = v.scale;
        ro.grid_names = v.grid_names;
        return std::make_unique<render::TileRenderer>(scene_, ro);
    }

    // An idle renderer of that variant, a new one while fewer than options_.renderers exist, else waits for one.
    std::unique_ptr<render::TileRenderer> acquire(const TileVariant& v) {
        Pool& pool = pools_[slot(v)];
        {
            std::unique_lock lock(pool_mutex_);
            pool_cv_.wait(lock, [&] { return !pool.idle.empty() || pool.made < options_.renderers; });
            if (!pool.idle.empty()) {
                auto r = std::move(pool.idle.back());
                pool.idle.pop_back();
                return r;
            }
            ++pool.made;
        }
        try {
            return make_renderer(v);
        } catch (...) {
            std::lock_guard lock(pool_mutex_);
            --pool.made;
            pool_cv_.notify_all();
            throw;
        }
    }

    void release(std::unique_ptr<render::TileRenderer> r, const TileVariant& v) {
        std::lock_guard lock(pool_mutex_);
        pools_[slot(v)].idle.push_back(std::move(r));
        pool_cv_.notify_all();
    }

    Tile render(const render::TileId& t, const TileVariant& v) {
        // Nothing near the tile (a quarter tile around it, for symbols and labels that reach in): no render.
        const double pad = render::tile_span_m(t.z) * 0.25;
        if (!scene_->has_data_in(render::tile_bounds(t).padded(pad))) return std::make_shared<const std::string>();
        std::unique_ptr<render::TileRenderer> r = acquire(v);
        std::optional<std::string> png;
        try {
            png = r->render_tile(t);
        } catch (...) {
            release(std::move(r), v);
            throw;
        }
        release(std::move(r), v);
        return std::make_shared<const std::string>(png ? std::move(*png) : std::string());
    }

    std::shared_ptr<const render::TileScene> scene_;
    RenderedTilesOptions options_;
    std::mutex pool_mutex_;
    std::condition_variable pool_cv_;
    Pool pools_[4];   // by slot(): 256 px, 256 px without grid names, 512 px, 512 px without grid names
    LruCache<std::uint64_t, Tile> cache_{options_.cache_bytes};
};

}  // namespace

std::unique_ptr<TileSource> open_mbtiles(const std::filesystem::path& file, int connections) {
    return std::make_unique<MbtilesSource>(file, connections);
}

std::unique_ptr<TileSource> rendered_tiles(std::shared_ptr<const render::TileScene> scene, const RenderedTilesOptions& options) {
    return std::make_unique<RenderedSource>(std::move(scene), options);
}

}  // namespace gridatlas::server
