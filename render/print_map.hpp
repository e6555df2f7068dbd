// Print maps: one page as PNG (map by Mapnik's AGG renderer), PDF or SVG (map by mapnik::cairo_renderer), on paper
// A4–A0 portrait or landscape at a chosen DPI, or at a pixel size; a Cairo frame around the map with title,
// legend (its samples drawn by the map's own style), scale bar, north arrow, date and attribution.
//
// Three styles share one palette and legend vocabulary (styles/shared/, style_palette.hpp):
//   overview  every grid level with names, codes and households, buildings by minutes to the headline kind
//             (styles/overview.xml; aggregates only);
//   officer   one grid for its grid officer (styles/officer.xml): buildings numbered with their households,
//             stairwell units, party-member households as a red badge with their count, a gold star on the
//             building of each party-member central household (党员中心户), neighbouring grids faded; with a
//             status field, each building's households by status as a row of four coloured cells with their counts
//             (常住 / 租住 / 空置 / 经营, a fifth for 未知), and key-group households (重点人群) as a teal mark;
//   planner   one service kind (styles/planner.xml): buildings by walking minutes banded 5/10/15/beyond, the
//             kind's isochrones, facilities by kind, the gaps (beyond the kind's threshold) outlined.
// Personal data never reaches this module: only counts, building ids and unit/floor/room numbers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frame.hpp"
#include "geometry/types.hpp"
#include "map_setup.hpp"
#include "model/dataset.hpp"

namespace gridatlas::render {

enum class MapStyle { overview, officer, planner };
enum class PrintFormat { png, pdf, svg };

const char* to_string(MapStyle s);
const char* to_string(PrintFormat f);
std::optional<MapStyle> parse_style(const std::string& s);      // "overview" | "wall" (an overview) | "officer" | "planner"
std::optional<PrintFormat> parse_format(const std::string& s);  // "png" | "pdf" | "svg" (case-insensitive)

// A page: paper at a DPI, or a pixel size (then its physical size is pixels / dpi).
struct PageSpec {
    std::string paper = "A3";     // A0 … A4 (case-insensitive)
    bool landscape = false;
    bool auto_orientation = false;  // paper pages: landscape when the map's extent is wider than tall
    double dpi = 150;             // PNG resolution; for pixel pages, the pixels per inch of the layout
    int width_px = 0;             // both > 0: a pixel page
    int height_px = 0;

    bool pixel_page() const { return width_px > 0 && height_px > 0; }
    // Points (1/72 inch). Throws std::invalid_argument for an unknown paper, a DPI outside 36..1200 or a pixel size
    // outside 200..20000.
    std::pair<double, double> size_pt() const;
    std::string describe() const;   // "A3 landscape, 300 dpi" or "2400 × 1600 px"
};

// "2400x1600" (also "2400×1600") → {2400, 1600}; throws std::invalid_argument.
std::pair<int, int> parse_pixel_size(const std::string& s);

// ---------------------------------------------------------------------------------------------------------------
// What the maps draw: the dataset plus facts computed by the pipeline. Only counts leave the engine.

// One stairwell unit's households by status, as the officer list has them (pipeline::listed_unit).
struct UnitStatus {
    std::string unit;                       // "2单元"; "2单元?" a unit the roster names but the building lacks; "单元未知"
    StatusCounts status{};
};

struct BuildingFacts {
    std::int64_t households = 0;
    std::int64_t persons = 0;
    std::int64_t party_households = 0;      // 党员户
    int units = 0;                          // stairwell units known for the building
    // The party-member central households (党员中心户) seated in the building, one per building or per unit of a
    // large building: "unit-floor-room" (e.g. "2-3-302"; "?" for a part the roster does not give).
    std::vector<std::string> central_places;
    StatusCounts status{};                  // households by status (常住 / 租住 / 空置 / 经营 / 未知), when MapData says
    std::vector<UnitStatus> unit_status{};  // the same per unit, in the officer list's order (with a status field)
    std::int64_t key_group_households = 0;  // officer products only: households in a key group (重点人群)
};

struct GridFacts {
    std::int64_t households = 0;
    std::int64_t persons = 0;
    std::int64_t party_households = 0;
    std::int64_t residential_buildings = 0;
    std::int64_t covered_households = -1;   // reaching the mapped kind within its threshold; -1: not known
};

struct MapData {
    const Dataset* dataset = nullptr;
    std::string project_name;
    std::vector<std::vector<GridId>> building_grid;   // [level][building index], as hierarchy::GridTree
    std::vector<BuildingFacts> buildings;             // per building index; may be empty (overview, planner)
    std::vector<GridFacts> grids;                     // per grid index
    // The service kind the map is about: the headline kind (overview, officer) or --kind (planner).
    std::string kind_key;
    std::string kind_name;
    double kind_threshold_minutes = 15;
    std::vector<double> building_minutes;             // per building; +inf / NaN: not reached
    std::vector<std::pair<double, geo::MultiPolygon>> isochrones;   // planner: (minutes, area reached), e.g. 5/10/15
    bool household_status = false;    // the roster has a status field: the officer map draws each building's cells
    bool key_groups = false;          // the officer map was given key-group counts (重点人群): draws their marks
};

// Throws std::invalid_argument when vectors do not match the dataset's sizes.
void check_map_data(const MapData& data);

// The officer's numbering of a grid's residential buildings (1, 2, … in reading order: north to south in bands of
// about 60 m, then west to east), shared by the map labels and the atlas table.
std::vector<BuildingId> numbered_buildings(const MapData& data, GridId grid);

// One row per numbered building: 编号, 楼栋, 单元, 户数, 人数, 党员户, 党员中心户 (unit-floor-room).
std::vector<std::vector<std::string>> officer_table_rows(const MapData& data, GridId grid);
std::vector<std::string> officer_table_totals(const MapData& data, GridId grid);

// ---------------------------------------------------------------------------------------------------------------

struct PrintRequest {
    MapStyle style = MapStyle::overview;
    const MapData* data = nullptr;
    GridId focus;                         // officer: required; overview, planner: optional (zooms to the grid)
    PageSpec page;
    PrintFormat format = PrintFormat::png;
    std::string title;                    // default from the style, grid and kind
    std::string date;                     // default: today, YYYY-MM-DD
    std::string attribution;             // the project's [map] attribution; empty: none
    std::filesystem::path styles;         // default styles_dir()
    // overview only: a wall print (`--style wall`), read from 2–3 m: on A0 every map label and code at least
    // kWallGlyphMm tall (smaller paper in proportion to its text scale; symbols and lines grow with the labels), and
    // the names that no longer fit in the index.
    bool wall = false;
};

// The height on A0 paper of the smallest label's CJK glyphs on a wall print, in millimetres.
inline constexpr double kWallGlyphMm = 8;
// Whether a --style value asks for the wall print ("wall", any case).
bool is_wall_style(const std::string& s);

struct PrintResult {
    std::string page;                     // as printed, e.g. "A3 landscape, 300 dpi"
    double width_pt = 0, height_pt = 0;
    int width_px = 0, height_px = 0;      // PNG only
    double scale_denominator = 0;         // 1 : N on paper (0 for pixel pages)
    double metres_per_pt = 0;
    // Overview: community and grid names drawn on the map, names given by code in the index under it, and codes that
    // found no free place (drawn over another label); -1, 0, 0 for other styles.
    int names_on_map = -1, names_in_index = 0, crowded_labels = 0;
    // Overview: the height on paper of the CJK glyphs of the smallest map label (names at their smallest, codes), mm.
    double smallest_label_mm = 0;
};

// Writes one page to `out`. Throws std::invalid_argument for a bad request (officer without a focus grid, page
// out of range …), std::runtime_error naming the file, style or font on failure.
PrintResult render_print_map(const PrintRequest& request, const std::filesystem::path& out);

// Today's date as YYYY-MM-DD (local time).
std::string today();

// ---------------------------------------------------------------------------------------------------------------
// Building blocks shared with the atlas (atlas.cpp).
namespace print {

// Text scale of a page: 1 on A4, growing with the square root of its shorter side (A3 1.19, A0 2).
double text_scale(double width_pt, double height_pt);
// The bounding box of a grid (of everything: content_box in map_content.hpp). Throws std::invalid_argument when the
// grid has no area.
geo::Box grid_box(const Dataset& ds, GridId grid);

// The officer map of `grid` over `view` (the fitted extent), its legend and its subtitle line.
Scene officer_scene(const MapData& data, GridId grid, const geo::Box& view);
std::vector<frame::LegendSection> officer_legend(const MapData& data, GridId grid, const geo::Box& view);
std::string officer_subtitle(const MapData& data, GridId grid);
std::string grid_title(const Dataset& ds, GridId grid);   // "海景社区第1网格（999001001001001）"
// The name of a grid's ancestor at the level above, or "".
std::string parent_name(const MapData& data, GridId grid);

// "约 1 : 2 500" for a map of `metres_per_pt` on paper.
std::string scale_text(double metres_per_pt);

}  // namespace print

}  // namespace gridatlas::render
