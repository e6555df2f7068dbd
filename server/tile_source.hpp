// Where the server's map tiles come from: an MBTiles file (read-only through layers/sqlite_db.hpp, a small pool of
// connections), or the project rendered on demand (render::TileRenderer, a pool of renderers, an LRU cache of
// encoded tiles bounded in bytes, one render per tile however many ask at once). Both hold only the public overview's
// aggregate content: nothing per household ever enters a tile. Callers check the address (0 ≤ z ≤ max_zoom(),
// 0 ≤ x, y < 2^z) before asking.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace gridatlas::render {
class TileScene;
}

namespace gridatlas::server {

// Which tiles: 256 × `scale` px (1: 256 px; 2: 512 px "@2x" for wall screens and high-density displays, the same
// content and zoom rules), with or without the grid and community names (a page that names grids itself, the wall).
struct TileVariant {
    int scale = 1;
    bool grid_names = true;
};

class TileSource {
public:
    virtual ~TileSource() = default;
    virtual int min_zoom() const = 0;
    virtual int max_zoom() const = 0;
    virtual std::string content_type() const = 0;
    virtual std::string describe() const = 0;   // one line for the start-up message
    // Whether the source has tiles of that variant. An MBTiles file has the one size its metadata `tile_size` names,
    // with grid names; tiles rendered on demand come in every variant.
    virtual bool has(const TileVariant& variant) const = 0;
    // The encoded tile, or nullopt when there is nothing at that address (the caller answers with a transparent
    // tile). Callers ask only for a variant the source has. Thread-safe. Throws std::runtime_error when the source
    // fails.
    virtual std::optional<std::string> tile(int z, int x, int y, const TileVariant& variant) = 0;
};

// A 1 × 1 transparent PNG: the answer for an address with nothing on it.
const std::string& transparent_png();

// Opens an MBTiles 1.3 file read-only; zooms and format from its metadata (minzoom/maxzoom, else the tiles table).
// Throws std::runtime_error naming the file when it cannot be opened or is not an MBTiles file.
std::unique_ptr<TileSource> open_mbtiles(const std::filesystem::path& file, int connections = 4);

struct RenderedTilesOptions {
    int min_zoom = 0;
    int max_zoom = 19;
    int renderers = 2;                          // Mapnik maps per tile size, i.e. tiles rendered at once
    std::size_t cache_bytes = 64u << 20;        // encoded tiles kept (least recently used are dropped)
    std::filesystem::path style_file;           // empty: styles/tiles.xml
};

// Renders tiles of `scene` on demand. Throws std::runtime_error when the style cannot be loaded.
std::unique_ptr<TileSource> rendered_tiles(std::shared_ptr<const render::TileScene> scene, const RenderedTilesOptions& options);

}  // namespace gridatlas::server
