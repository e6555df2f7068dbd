// The officer atlas (网格工作图册): one multi-page PDF a grid office prints. Index page(s) first, listing every grid
// with its counts and page number; then, for every grid of the chosen level, a page with its officer map (the
// officer style of print_map.hpp: numbered buildings with households, units, party-member households and central
// households, neighbours faded), legend, scale bar and north arrow, and its building table — 编号, 楼栋, 单元, 户数,
// 人数, 党员户, 党员中心户 (unit-floor-room) — continued on following pages when the grid has more buildings than fit.
// Every residential building carries its number on a map of its grid, legibly: the numbers are placed by
// atlas_placement.hpp (on the building, else beside it on a leader line, never over another number or a mark); those
// the grid's map has no room for go on detail maps (局部图, a page each after the map page), each fitted to its
// buildings and split again while it still lacks room. The placement of every map is returned (AtlasResult::maps).
// Household-level facts appear only as counts and unit/floor/room numbers: no names, no phones.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "atlas_placement.hpp"
#include "print_map.hpp"

namespace gridatlas::render {

struct AtlasRequest {
    const MapData* data = nullptr;       // with per-building facts (MapData::buildings)
    int level = -1;                      // grid level index; -1: the finest
    std::vector<GridId> grids;           // empty: every grid of the level, in code order
    PageSpec page{"A4", false};          // paper only (no pixel pages)
    std::string title;                   // default: "<project> 网格工作图册"
    std::string date;                    // default today
    std::string attribution;             // the project's [map] attribution; empty: none
    std::filesystem::path styles;        // default styles_dir()
};

struct AtlasEntry {
    GridId grid;
    int first_page = 0;                  // 1-based page number in the PDF
    int pages = 0;                       // the map page, its detail maps and its table continuations
    std::size_t buildings = 0;           // numbered residential buildings
};

// The placement log of one map: where its numbers are (page points from the map's top-left corner), the marks they
// avoid, the numbers it was to carry but had no room for (the grid's next detail map carries them), and its unit digits.
struct AtlasMapLog {
    int page = 0;                        // 1-based
    GridId grid;
    int detail = 0;                      // 0: the grid's map; k: its detail map k
    double width = 0, height = 0;        // the map's frame, points
    std::vector<PlacedNumber> numbers;
    std::vector<geo::Box> obstacles;
    std::vector<std::size_t> deferred;
    std::vector<geo::Box> unit_labels{};   // the stairwell-unit digits drawn (place_unit_labels), page points
};

struct AtlasResult {
    int pages = 0;
    int index_pages = 0;
    std::vector<AtlasEntry> entries;
    std::vector<AtlasMapLog> maps;       // every map of a grid, in page order
};

// Throws std::invalid_argument for a bad request (no grids, pixel page, level out of range), std::runtime_error
// naming the file, style or font on failure.
AtlasResult render_atlas_pdf(const AtlasRequest& request, const std::filesystem::path& out_pdf);

}  // namespace gridatlas::render
