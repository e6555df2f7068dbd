// Where the sample puts the facilities OSM does not map (party-mass service centres, elderly day care, mediation):
// at the household-weighted medoid of the buildings they serve — the dwelling from which the households' summed
// straight-line distance is least, a fair stand-in for "the centre of the community" that is always a real building.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "geometry/types.hpp"

namespace gridatlas::sample {

// Index of the weighted medoid of `points`; ties go to the lower index. `points` must not be empty.
std::size_t weighted_medoid(const std::vector<geo::Point>& points, const std::vector<double>& weights);

// The category of an OSM point for an extract without a `category` column, from its tags: shop supermarket,
// convenience or greengrocer → grocery; amenity pharmacy, hospital, school, kindergarten, police → the same word;
// highway bus_stop → bus_stop; anything else → other. (data/osm/monaco.gpkg's own category column agrees with this
// on every point of those categories.)
std::string poi_category(const std::string& amenity, const std::string& shop, const std::string& highway);

}  // namespace gridatlas::sample
