// Limits a written GeoPackage layer to a set of codes: a `run --within` county keeps only its own grids (the others
// were kept in its dataset for the placement to be exact, with partial numbers that must not be published).
#pragma once
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace gridatlas::layers {

// Deletes the features of `layer` in `gpkg` whose `column` is not one of `codes`. Throws DataError naming the file.
void keep_grids(const std::filesystem::path& gpkg, const std::string& layer, const std::string& column, const std::set<std::string>& codes);

// A `run --within` county's walking network ends at its margin: a building it does not reach can be beyond the search
// limit, cut off or without a facility of the kind in the whole project, which the county cannot tell apart. Their
// reach (buildings.reach_<kind> for each of `kinds`, gap_buildings.reach and note) becomes "beyond_margin", with
// `note` in gap_buildings. Buildings reached, or with no road nearby, keep theirs: those are the whole run's.
void relabel_unreached(const std::filesystem::path& gpkg, const std::vector<std::string>& kinds, const std::string& note);

}  // namespace gridatlas::layers
