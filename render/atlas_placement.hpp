// Where the atlas writes each residential building's number ("12号楼", with "48户" under it where there is room):
// placed here, in page points, so that no number covers another number, a leader line or a mark the officer style
// draws at a building (star, party badge, status cells, key-group mark), and none leaves the map's frame; the
// atlas's style then draws the numbers at these points without its own collision test (layers atlas-numbers and
// atlas-leaders of styles/officer.xml). A number goes on or beside its building, else on a free spot nearby joined to
// it by a thin leader line, else it is reported missing (the atlas then draws the building on a detail map).
// Sizes are estimated from the characters (estimated_ems), with the halo: boxes are a little larger than the ink.
// No Mapnik here.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "geometry/types.hpp"
#include "map_setup.hpp"
#include "print_map.hpp"

namespace gridatlas::render {

// A map on the page: `view` (map coordinates, with the aspect of the frame) drawn into width × height points;
// `ts` multiplies the style's nominal sizes (the page's text scale).
struct MapFrame {
    geo::Box view;
    double width = 0, height = 0;
    double ts = 1;
    geo::Point to_page(const geo::Point& p) const;   // points from the frame's top-left corner, y down
    geo::Point to_map(const geo::Point& p) const;
};

// A building to number: its number as the table has it, its anchor (map coordinates) and its households line.
struct NumberSite {
    std::size_t number = 0;
    geo::Point anchor;
    std::string details;     // "48户"; empty: the number alone
    bool required = true;    // false: only on its building where space is left after every required number (no leader)
    geo::Box marks{{0, 0}, {0, 0}};   // the extent of its building's marks (building_marks): a number may go just outside
};

struct NumberPlacementInput {
    MapFrame frame;
    std::vector<NumberSite> sites;       // in the order they get the space
    std::vector<geo::Box> obstacles;     // page points: what no number may cover
};

// One number on the page: its box with halo (page points), its building's anchor, and how it is drawn.
struct PlacedNumber {
    std::size_t number = 0;
    geo::Box box;
    geo::Point anchor;
    std::string details;    // the households line under the number ("48户"); empty: the number alone
    bool leader = false;    // beside its building, joined by a leader line from the anchor to the box
};

struct NumberPlacement {
    std::vector<PlacedNumber> placed;
    std::vector<std::size_t> missing;    // required numbers that found no free place (not drawn)
};

// Throws std::invalid_argument when the frame has no size.
NumberPlacement place_numbers(const NumberPlacementInput& in);

// The marks officer.xml draws at a building's anchor — the star of a central household, the party badge, the status
// cells, the key-group mark — as boxes in the style's nominal units from the anchor, y down. Keep in step with the
// style.
std::vector<geo::Box> building_marks(const MapData& data, BuildingId building);
// Their envelope (an empty box at the anchor when there are none).
geo::Box marks_extent(const MapData& data, BuildingId building);
// The marks of `buildings` whose anchors lie in or near the frame, in page points.
std::vector<geo::Box> mark_boxes(const MapData& data, const std::vector<BuildingId>& buildings, const MapFrame& frame);

// The leader's end on the number's box: the point of the box nearest the anchor.
geo::Point leader_end(const PlacedNumber& n);

// Fills the layers atlas-numbers (name "12号楼", details "\n48户" or "") at the boxes' centres and atlas-leaders
// (anchor to box) of `scene`, in map coordinates.
void add_number_layers(Scene& scene, const NumberPlacement& p, const MapFrame& frame);

// Stairwell-unit digits: each beside its dot (NE, SE, NW, SW, as officer.xml's unit-labels, then E, W, N, S; then
// the same twice as far), where its box keeps kUnitClearance × ts points from every number and leader, and meets no
// mark, no other unit's digit and not the frame's edge; a digit with no such place is left out (its dot stays). None
// at scales smaller than the style draws them at (kUnitLabelMaxScale). The atlas draws them (layer atlas-unit-labels)
// instead of Mapnik's unit-labels, whose collision test lets a digit touch a number.
inline constexpr double kUnitClearance = 1;       // points at ts = 1, beyond the number's halo
inline constexpr double kUnitLabelMaxScale = 6500;   // officer.xml unit-labels: MaxScaleDenominator (Mapnik's)
struct UnitSite {
    geo::Point at;           // the unit's dot, map coordinates
    std::string label;       // "2"
};
struct PlacedUnit {
    geo::Box box;            // the digit's text box, page points (no halo)
    std::string label;
};
std::vector<PlacedUnit> place_unit_labels(const std::vector<UnitSite>& units, const NumberPlacement& numbers,
                                          const std::vector<geo::Box>& obstacles, const MapFrame& frame);
// Fills the layer atlas-unit-labels (label) of `scene` at the boxes' centres, in map coordinates.
void add_unit_label_layer(Scene& scene, const std::vector<PlacedUnit>& units, const MapFrame& frame);
// The gap between two boxes: negative when they overlap (by the smaller of the two overlaps).
double box_gap(const geo::Box& a, const geo::Box& b);

// Whether two boxes overlap (sharing an edge is not overlapping).
bool boxes_overlap(const geo::Box& a, const geo::Box& b);

}  // namespace gridatlas::render
