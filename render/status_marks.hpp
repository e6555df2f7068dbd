// The household-status map (网格图) on the officer map and the atlas: for each numbered building a row of cells
// coloured by status, each holding its count, below the building's number — 常住 / 租住 / 空置 / 经营 / 未知 always in
// these five places, a status the building lacks left empty; households of key groups (重点人群) as a teal diamond with their count, above-left of the
// building. Scene layers only (no Mapnik): styles/officer.xml draws them, style_palette.hpp holds words and colours.
#pragma once
#include <optional>
#include <vector>

#include "frame.hpp"
#include "print_map.hpp"

namespace gridatlas::render {

// Declares the layers "status-cells" (status, count, label, legend) and "key-groups" (count, label, legend) in `s`,
// and fills them for `buildings` when the data has status counts / key-group counts.
void add_status_marks(Scene& s, const MapData& data, const std::vector<BuildingId>& buildings);

// Legend entries for the statuses (and key groups) that `buildings` have, to join the officer legend's 楼栋与住户
// section: no heading of their own and no entry for a status the map does not show, so that the atlas legend still
// fits beside its map. Empty when the data has neither status nor key groups.
std::vector<frame::LegendEntry> status_legend(const MapData& data, const std::vector<BuildingId>& buildings);

// status_summary (model/household_status.hpp) gives the status part of a subtitle or a table cell.

}  // namespace gridatlas::render
