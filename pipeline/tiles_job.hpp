// `gridatlas tiles`: XYZ tile pyramids (Web Mercator) of the overview's public, aggregate content for a zoom range and
// an area, 256 px or 512 px (@2x), into a directory (z/x/y.png) or an MBTiles 1.3 file.
//
// How: the project is measured once (as `run` does) and turned into a TileScene; metatiles (n × n tiles, one Mapnik
// render each) are planned zoom by zoom in Hilbert order and handed to a pool of threads, each with its own
// TileRenderer (its own mapnik::Map). A metatile whose buffered area holds no feature is skipped without rendering
// (R-tree test); a tile that comes out fully transparent is not written. Every metatile's tiles are committed
// together with a progress mark, so an interrupted run (Ctrl-C, a kill, a crash) resumes where it stopped; the MBTiles
// file is built as "<file>.partial" and renamed into place only when complete.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "project_state.hpp"
#include "model/diagnostics.hpp"
#include "tile_math.hpp"

namespace gridatlas::render {
class TileScene;
}

namespace gridatlas::pipeline {

enum class ProgressBar { automatic, always, never };   // automatic: when stderr is a terminal

struct TilesConfig {
    std::filesystem::path project_file;
    std::filesystem::path output;               // "*.mbtiles": an MBTiles file; anything else: a directory
    int min_zoom = 12, max_zoom = 17;
    std::optional<render::LonLatBox> area;      // default: the project's grids, padded by 3 %
    int metatile = 0;                           // n: metatiles of n × n tiles; 0: 8 at 256 px, 4 at 512 px
    int scale = 1;                              // 1: 256 px; 2: 512 px tiles (@2x; directory files named y@2x.png)
    int threads = 0;                            // 0: one per core
    int buffer_px = 0;                          // 0: the style's buffer-size
    std::string image_format = "png8";          // see render::TileRenderOptions: "png8", "png8:z=N", "png32", "png8:m=h" …
    std::filesystem::path style_file;           // empty: styles/tiles.xml
    std::string name;                           // tile set name; default: the project's name
    std::string attribution;   // empty: the project's [map] attribution
    ProgressBar progress = ProgressBar::automatic;
    std::size_t max_metatiles = 0;              // stop after this many metatiles (0: all); re-running resumes
};

struct TilesReport {
    std::filesystem::path output;               // where the finished tile set is (or will be, once resumed)
    std::filesystem::path work_file;            // MBTiles: the .partial being built; empty for directories
    bool mbtiles = false;
    bool complete = false;                      // false: stopped early; run the same command again to resume
    bool interrupted = false;                   // stopped by SIGINT / SIGTERM
    bool resumed = false;
    std::string note;                           // e.g. why an old .partial was not resumed
    render::LonLatBox area;
    int min_zoom = 0, max_zoom = 0, tile_px = 256, metatile = 8, threads = 1;
    std::uint64_t metatiles_total = 0;          // in the plan
    std::uint64_t metatiles_already_done = 0;   // by an earlier run (resume)
    std::uint64_t metatiles_rendered = 0;       // this run, one Mapnik render each
    std::uint64_t metatiles_skipped = 0;        // this run, nothing in their buffered area: no render
    std::uint64_t tiles_planned = 0;            // tile slots in the plan (every zoom, the whole area)
    std::uint64_t tiles_written = 0;            // this run
    std::uint64_t tiles_empty = 0;              // this run: transparent tiles (rendered, not written) + skipped metatiles' slots
    std::uint64_t tiles_uniform = 0;            // this run: one-colour tiles (encoded once per colour)
    double seconds = 0;                         // rendering and writing, this run
    double tiles_per_second() const { return seconds > 0 ? static_cast<double>(tiles_written) / seconds : 0; }
};

// Loads and measures the project, then renders. Throws DataError for bad input, std::invalid_argument for bad options,
// std::runtime_error when rendering or writing fails.
TilesReport tiles_job(const TilesConfig& config, Diagnostics& diag);

// The aggregate content of a measured project for the tiles: grids (finest level: names, codes, household counts;
// top level: names), buildings by minutes to the project's headline kind, roads, facilities. Nothing per household;
// a grid with fewer than `min_households` households (k of the privacy policy) is labelled without its count.
std::shared_ptr<const render::TileScene> build_tile_scene(const MeasuredProject& project, std::size_t min_households = 5);
std::shared_ptr<const render::TileScene> build_tile_scene(ProjectState& project, std::size_t min_households = 5);

// Renders and writes from a scene (tiles_job without the loading; benchmarks and tests use it directly).
TilesReport render_tiles(const TilesConfig& config, std::shared_ptr<const render::TileScene> scene,
                         const std::string& default_name = "GridAtlas");

// The default area of a scene: its grids' extent padded by 3 % (in degrees, WGS 84).
render::LonLatBox default_tile_area(const render::TileScene& scene);

// Human-readable lines for the CLI.
std::string format_tiles(const TilesReport& report);

}  // namespace gridatlas::pipeline
