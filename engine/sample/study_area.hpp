// The settled area to draw grids in: every dwelling footprint grown by a margin, unioned and smoothed, so grids
// follow where people live instead of filling the sea or the empty hills of a bounding box.
#pragma once
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::sample {

geo::MultiPolygon settled_area(const std::vector<geo::MultiPolygon>& footprints, double margin_m);

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
