// The settled area to draw grids in: every dwelling footprint grown by a margin, unioned and smoothed, so grids
// follow where people live instead of filling the sea or the empty hills of a bounding box.
#pragma once
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::sample {

geo::MultiPolygon settled_area(const std::vector<geo::MultiPolygon>& footprints, double margin_m);

// `area` with the land between its pieces added where they lie less than `gap_m` apart, so hamlets (自然村)
// separated by fields make one connected area whose grids may group several of them, as rural grids do: first a
// morphological closing (grown by gap_m / 2, shrunk by gap_m / 2, 2 segments a quadrant) unioned with `area`, which
// fills the field between wide pieces; then the pieces still apart but under gap_m from each other are joined along
// the edges of a minimum spanning forest (shortest distance between pieces, Kruskal, ties by piece order) by strips
// of field gap_m / 10 wide around the shortest segment. Nothing of `area` is lost; pieces at gap_m or more from every
// other stay apart. gap_m = 0 returns `area` unchanged. Throws std::invalid_argument for a negative or non-finite gap_m.
geo::MultiPolygon join_close_pieces(const geo::MultiPolygon& area, double gap_m);

}  // namespace gridatlas::sample

namespace gridatlas::sample {

// Indices of `regions` merged so that no region lighter than `min_weight` stands alone: each light region, lightest
// first, joins the nearest other region (by distance between their areas; ties to the lower index). This keeps a
// hamlet cut off from the rest by fields or a motorway from becoming a community of its own: an office would
// attach it to the nearest community. Returns groups of indices, in the order of their lowest index.
// The union of `areas` (GEOSUnaryUnion).
geo::MultiPolygon union_areas(const std::vector<geo::MultiPolygon>& areas);

std::vector<std::vector<std::size_t>> absorb_light_regions(const std::vector<geo::MultiPolygon>& areas,
                                                           const std::vector<double>& weights, double min_weight);

}  // namespace gridatlas::sample
