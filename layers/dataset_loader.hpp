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

Dataset load_dataset(const ProjectConfig& cfg, Diagnostics& diag);

}  // namespace gridatlas::layers
