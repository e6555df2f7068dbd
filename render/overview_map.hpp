// The overview map: every grid level with codes and Chinese names, buildings, roads and facilities, rendered with
// Mapnik from in-memory data and styles/overview.xml. Aggregates only: no household-level data is drawn.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "map_setup.hpp"
#include "model/dataset.hpp"

namespace gridatlas::render {

struct OverviewRequest {
    const Dataset* dataset = nullptr;
    std::vector<std::int64_t> grid_households;   // per grid index, for labels ("网格 001\n 412户")
    std::vector<double> building_minutes;        // per building index: minutes to `headline_kind`; NaN/inf = none
    double headline_threshold_minutes = 15;
    std::string headline_kind_name;              // e.g. "党群服务中心", for the legend
    std::string title;
    std::string attribution;             // the project's [map] attribution; empty: none
    int width_px = 2400;                          // height follows the data's aspect ratio
    std::filesystem::path style_file;             // defaults to styles_dir()/overview.xml
    bool draw_labels = true;                      // grid name/code/household labels on the map (not the legend)
};

// Renders a PNG (32-bit RGBA), width_px wide: a title band, the map frame (its height follows the data's aspect
// ratio), a legend sidebar (minute bands, grid levels, facility kinds, scale bar) and an attribution line.
// Throws std::invalid_argument when request.dataset is null, has nothing to draw, or a per-grid / per-building vector
// has the wrong size; std::runtime_error naming the file or font on failure (style missing, font missing …).
void render_overview_png(const OverviewRequest& request, const std::filesystem::path& out_png);

// The map proper of the overview as a scene for styles/overview.xml's map layers (grid-fill, roads, buildings,
// grid-lines, facilities, grid-labels, top-labels): what render_overview_png draws inside its frame, and what the
// print maps (print_map.hpp) draw with the overview style. Throws std::invalid_argument as render_overview_png.
Scene overview_scene(const OverviewRequest& request);

// Where styles/ is: $GRIDATLAS_STYLES if set, else the source tree's styles/ (compiled in).
std::filesystem::path styles_dir();

}  // namespace gridatlas::render
