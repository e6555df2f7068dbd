// Loads every layer a project file names into one Dataset in the working metric CRS, checking what it reads:
// fatal problems throw DataError; per-feature problems become warnings in `diag` and nothing is dropped silently.
#pragma once
#include "model/dataset.hpp"
#include "model/diagnostics.hpp"
#include "project_config.hpp"

namespace gridatlas::layers {

// The working CRS of a project: its working_crs, or for "auto" the UTM zone of the buildings' centre (without
// buildings: of the first grid level's).
std::string resolve_working_crs(const ProjectConfig& cfg);

// True when a road with these tags may be walked under `rules`.
bool walkable(const WalkabilityRules& rules, const std::string& highway, const std::string& foot, const std::string& access);

// The vertical level of a road from OSM's layer/bridge/tunnel tags: layer when given, else +1 bridge, -1 tunnel, 0.
int vertical_level(const std::string& layer, const std::string& bridge, const std::string& tunnel);

// A road line's vertical tags as its layer gives them (OSM's layer, bridge, tunnel, covered; absent columns empty).
struct RoadTags {
    std::string layer, bridge, tunnel, covered;
};
// The values [walking] join_exclude accepts: tunnel (tunnel other than no), covered (covered=yes), bridge (bridge
// other than no), layer_below_0 and layer_above_0 (a whole-number layer below / above 0).
const std::vector<std::string>& join_exclusion_names();
// Whether buildings and facilities may join a line with these tags (none of the `join_exclude` rules matches it).
// A layer value that is not a whole number matches neither layer rule (load_dataset warns about it).
bool joinable(const std::vector<std::string>& join_exclude, const RoadTags& tags);

Dataset load_dataset(const ProjectConfig& cfg, Diagnostics& diag);

}  // namespace gridatlas::layers
