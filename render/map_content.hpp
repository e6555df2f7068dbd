// What GridAtlas maps draw, built once from the measured project as scene layers (no Mapnik): the public, aggregate
// content shared by the overview image (overview_map.cpp), the print maps (print_map.cpp) and the tile pyramids
// (tile_renderer.cpp), and the small pieces the officer and planner scenes build theirs from.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "geometry/types.hpp"
#include "map_setup.hpp"
#include "model/dataset.hpp"

namespace gridatlas::render {

// The grid levels a dataset has: its coarsest (top) and finest (fine) level, and a level's rank for the styles.
struct GridLevels {
    explicit GridLevels(const Dataset& ds);
    int top = -1;    // -1 for both when there are no grids
    int fine = -1;
    const char* rank(int level) const;   // "top" | "fine" | "mid" (a single level is "top")
    std::vector<int> present;            // every level with a grid, coarse to fine
};

// The boundary of a multipolygon as closed lines: boundaries are drawn as lines so that styles can dash them.
std::vector<geo::LineString> boundary_lines(const geo::MultiPolygon& mp);

// The extent of the grids, else of the buildings, else of the roads and facilities. Throws std::invalid_argument
// when the dataset has nothing to draw.
geo::Box content_box(const Dataset& ds);

// The roads with a line (whose envelope meets `within`, when given), in drawing order: footways first, motorways
// last.
std::vector<std::size_t> roads_by_class(const Dataset& ds, const geo::Box* within = nullptr);

// Grid indices, the larger area first: larger grids place their labels before smaller neighbours compete.
std::vector<std::size_t> largest_first(const Dataset& ds, std::vector<std::size_t> grids);

struct MapContentInput {
    const Dataset* dataset = nullptr;
    std::vector<std::int64_t> grid_households;   // per grid index, for the finest grids' labels (< 0: no count); may be empty
    std::vector<double> building_minutes;        // per building index: minutes to the headline kind; NaN/inf: none
    double headline_threshold_minutes = 15;
    std::string headline_kind;                   // its key or name: its facilities take marker slot 0, on top
    bool labels = true;                          // false: the label layers are declared but empty
};

// Throws std::invalid_argument (its message starting with `who`) when the dataset is null or a per-grid /
// per-building vector has the wrong size.
void check_content_input(const MapContentInput& in, const char* who);

// The overview's content, every layer in drawing order of its features:
//   grid-fill        finest grids (tone: 0..5, touching grids differ)
//   roads            (highway, name), footways first
//   road-labels      named roads but footways (highway, name), the larger first
//   buildings        (band: le5 | le10 | le_thr | beyond | unknown | nonres)
//   building-labels  named buildings at their anchor (name)
//   grid-lines       every grid's boundary (rank, level), the finest first so coarser ones draw over them
//   facilities       (slot, kind, name), the headline kind last (on top)
//   facility-labels  named facilities (slot, name), the headline kind first
//   grid-labels      finest grids, the larger first (name, details, code_line, label, code): polygons
//   top-labels       the top level's grids when it is not the finest, the larger first (label): polygons
// Aggregates only: no household-level data. Throws as check_content_input.
Scene public_map_content(const MapContentInput& in);

}  // namespace gridatlas::render
