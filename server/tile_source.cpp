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
        open_ = 1;
        idle_.push_back(std::move(c));
    }

    int min_zoom() const override { return min_zoom_; }
    int max_zoom() const override { return max_zoom_; }
    std::string content_type() const override { return content_type_; }
    std::string describe() const override {
        return "MBTiles " + file_.string() + " (zoom " + std::to_string(min_zoom_) + "-" + std::to_string(max_zoom_) + ")";
    }

    std::optional<std::string> tile(int z, int x, int y) override {
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
    int min_zoom_ = 0, max_zoom_ = 0;
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
        renderers_.push_back(make_renderer());
        made_ = 1;
    }

    int min_zoom() const override { return options_.min_zoom; }
    int max_zoom() const override { return options_.max_zoom; }
    std::string content_type() const override { return "image/png"; }
    std::string describe() const override {
        return "rendered on demand (zoom " + std::to_string(options_.min_zoom) + "-" + std::to_string(options_.max_zoom) + ", " +
               std::to_string(options_.renderers) + " renderers, cache " + std::to_string(options_.cache_bytes >> 20) + " MiB)";
    }

    std::optional<std::string> tile(int z, int x, int y) override {
        const std::uint64_t key = (std::uint64_t(z) << 48) | (std::uint64_t(x) << 24) | std::uint64_t(y);
        // One render per tile however many ask at once; 64 bytes for the key and list links, roughly.
        return answer(cache_.get_or_make(
            key, [&] { return render(render::TileId{z, x, y}); },
            [](const Tile& t) -> std::optional<std::size_t> { return (t ? t->size() : 0) + 64; }));
    }

private:
    static std::optional<std::string> answer(const Tile& t) {
        if (!t || t->empty()) return std::nullopt;
        return *t;
    }

    std::unique_ptr<render::TileRenderer> make_renderer() const {
        render::TileRenderOptions ro;
        ro.style_file = options_.style_file;
        return std::make_unique<render::TileRenderer>(scene_, ro);
    }

    Tile render(const render::TileId& t) {
        // Nothing near the tile (a quarter tile around it, for symbols and labels that reach in): no render.
        const double pad = render::tile_span_m(t.z) * 0.25;
        if (!scene_->has_data_in(render::tile_bounds(t).padded(pad))) return std::make_shared<const std::string>();
        std::unique_ptr<render::TileRenderer> r;
        {
            std::unique_lock lock(pool_mutex_);
            pool_cv_.wait(lock, [&] { return !renderers_.empty() || made_ < options_.renderers; });
            if (!renderers_.empty()) {
                r = std::move(renderers_.back());
                renderers_.pop_back();
            } else {
                ++made_;
            }
        }
        if (!r) {
            try {
                r = make_renderer();
            } catch (...) {
                std::lock_guard lock(pool_mutex_);
                --made_;
                pool_cv_.notify_one();
                throw;
            }
        }
        std::optional<std::string> png;
        try {
            png = r->render_tile(t);
        } catch (...) {
            std::lock_guard lock(pool_mutex_);
            renderers_.push_back(std::move(r));
            pool_cv_.notify_one();
            throw;
        }
        {
            std::lock_guard lock(pool_mutex_);
            renderers_.push_back(std::move(r));
            pool_cv_.notify_one();
        }
        return std::make_shared<const std::string>(png ? std::move(*png) : std::string());
    }

    std::shared_ptr<const render::TileScene> scene_;
    RenderedTilesOptions options_;
    std::mutex pool_mutex_;
    std::condition_variable pool_cv_;
    std::vector<std::unique_ptr<render::TileRenderer>> renderers_;
    int made_ = 0;
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
