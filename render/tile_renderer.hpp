// XYZ map tiles (Web Mercator) of the public, aggregate content of the overview map — finest grids with names,
// codes and household counts, community names, buildings coloured by walking minutes to the headline service kind,
// roads, facilities — rendered with Mapnik and styles/tiles.xml. No household-level data ever enters a tile.
//
// A TileScene is built once: every feature is projected to EPSG:3857 and kept in R-tree-indexed in-memory
// datasources, shared read-only by every thread. Each thread owns a TileRenderer (its own mapnik::Map loaded from
// the style, as toolchain.md advises) and renders one metatile — up to n × n tiles — per Mapnik render, then cuts it.
// Labels are placed over the metatile plus a buffer (the style's buffer-size), with avoid-edges off, so a label that
// crosses a tile or metatile edge is drawn the same way on both sides.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/dataset.hpp"
#include "tile_math.hpp"

namespace gridatlas::render {

struct TileSceneInput {
    const Dataset* dataset = nullptr;
    std::vector<std::int64_t> grid_households;   // per grid index (finest-level labels: "412户"; < 0: no count); may be empty
    std::vector<double> building_minutes;        // per building index: minutes to the headline kind; NaN/inf = none
    double headline_threshold_minutes = 15;
    std::string headline_kind;                   // service kind key whose facilities are drawn largest, on top
};

// The prepared features of one project, immutable once built and safe to share between threads.
class TileScene {
public:
    // Throws std::invalid_argument when the dataset is null, has nothing to draw or a vector has the wrong size;
    // std::runtime_error when its working CRS cannot be projected to Web Mercator.
    static std::shared_ptr<const TileScene> build(const TileSceneInput& input);
    ~TileScene();
    TileScene(const TileScene&) = delete;
    TileScene& operator=(const TileScene&) = delete;

    MercatorBox bounds() const;        // every feature
    MercatorBox grid_bounds() const;   // the grids (the project's extent); bounds() when there are none
    // True when some feature's envelope intersects `box` (an R-tree query; no rendering).
    bool has_data_in(const MercatorBox& box) const;
    std::size_t feature_count() const;
    // Feature counts and extent as one line: a fingerprint for resuming, and for logs.
    std::string summary() const;

    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    TileScene();
    std::unique_ptr<Impl> impl_;
};

struct TileRenderOptions {
    std::filesystem::path style_file;        // empty: styles_dir()/tiles.xml
    int scale = 1;                            // 1: 256 px tiles; 2: 512 px tiles (@2x), same content and zoom rules
    bool grid_names = true;                   // false: no grid or community names (the layers top-labels and
                                              // grid-labels are off), for a page that names the grids itself (the wall)
    int buffer_px = 0;                        // nominal px around a render where features and labels count; 0: the style's buffer-size
    // "png8" (or "png8:z=N", zlib level N): 8-bit paletted PNG with one palette (Mapnik's hextree quantizer) per
    // render — per metatile, so a colour is the same in every tile of it; any other "png…" is Mapnik's encoder per
    // tile, e.g. "png32" (full colour) or "png8:m=h".
    std::string image_format = "png8";
};

struct EncodedTile {
    TileId id;
    std::string png;
};

struct MetatileResult {
    std::vector<EncodedTile> tiles;   // the tiles with something on them, row by row
    std::size_t empty_tiles = 0;      // fully transparent: neither encoded nor returned
    std::size_t uniform_tiles = 0;    // one colour throughout (inside a grid): encoded once per colour and reused
};

// One per thread. Not thread-safe itself; any number may share one scene.
class TileRenderer {
public:
    // Loads the style strictly (a missing font is an error); throws std::runtime_error naming the file.
    TileRenderer(std::shared_ptr<const TileScene> scene, TileRenderOptions options);
    ~TileRenderer();
    TileRenderer(const TileRenderer&) = delete;
    TileRenderer& operator=(const TileRenderer&) = delete;

    int tile_px() const;   // 256 × scale
    int buffer_px() const; // nominal, as used (the option or the style's buffer-size)

    // One Mapnik render of the whole metatile, cut into tiles.
    MetatileResult render_metatile(const Metatile& m);
    // The naive way, for comparison: one Mapnik render of one tile with the same style and buffer.
    // std::nullopt when the tile is fully transparent.
    std::optional<std::string> render_tile(const TileId& t);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gridatlas::render
