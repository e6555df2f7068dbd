// Where a printed overview names its grids: every community and every finest grid gets its name inside its polygon
// when the name fits there (at one of a few sizes, with or without its household count), else a short code (A, B …
// for communities, 1, 2 … for grids) inside the polygon or, when even that is crowded, beside it with a leader line,
// and an index of codes → names for the page to print beside the map. Labels are placed here, in page points, with
// sizes estimated from the characters (CJK one em, others 0.6 em), so that no two labels overlap and the page knows
// exactly what is named where; the style then draws them at these points without its own collision test.
// No label hides the grid it names: a label covers at most half of its polygon's visible area, and a finest grid too
// small for even its code is kept clear of every label (its code goes beside it on a leader line).
// No Mapnik here: the result is a Scene for styles/overview.xml's plan-* layers.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "geometry/types.hpp"
#include "map_setup.hpp"
#include "model/dataset.hpp"

namespace gridatlas::render {

struct OverviewLabelInput {
    const Dataset* dataset = nullptr;
    std::vector<std::int64_t> grid_households;   // per grid index; may be empty
    std::string headline_kind;                   // its facilities are obstacles: no label covers them
    geo::Box view;                               // the map's extent (working CRS), with the aspect of the frame
    double map_w_pt = 0, map_h_pt = 0;           // the map frame on paper
    double style_scale = 1;                      // overview.xml's nominal sizes × style_scale = points
};

// One placed label: whose it is, its estimated box with halo (map metres), a code or a name, beside on a leader.
struct PlacedLabel {
    std::size_t grid;   // index into the dataset's grids
    geo::Box box;
    bool code;          // a code of the index (else the name itself)
    bool leader;        // placed beside its polygon, joined to it by a leader line
};

struct OverviewLabelPlan {
    // plan-top-labels (label, size), plan-grid-labels (name, details, mode), plan-codes (code, rank, size),
    // plan-leaders (lines from a polygon to its code placed beside it): points at the labels' centres.
    Scene layers;
    std::vector<std::pair<std::string, std::string>> index;   // code → full name; communities first, then grids
    int top_named = 0, top_coded = 0;
    int fine_named = 0, fine_coded = 0;
    int leaders = 0;      // codes placed beside their polygon
    int crowded = 0;      // codes that found no free place and overlap another label
    std::vector<geo::Box> boxes;   // every label's and code's estimated box, with its halo (map metres)
    std::vector<PlacedLabel> placed;   // the same labels, in the same order, with their grid
};

// Throws std::invalid_argument when the dataset is null, the frame has no size or grid_households has the wrong size.
OverviewLabelPlan plan_overview_labels(const OverviewLabelInput& in);

// Estimated advance width of `text` (one line) in ems of Noto Sans CJK: 1 for wide characters, 0.6 for others.
double estimated_ems(const std::string& text);

}  // namespace gridatlas::render
