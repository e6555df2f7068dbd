// Scene layers (map_setup.hpp: plain features, no Mapnik types) as Mapnik features: the one conversion every map of
// GridAtlas goes through, whether its features end in a memory datasource (StyledMap, the overview) or in the tiles'
// R-tree-indexed datasources (tile_renderer.cpp). For render code only (includes Mapnik).
#pragma once
#include <vector>

#include <mapnik/feature.hpp>

#include "map_setup.hpp"

namespace gridatlas::render {

// One feature per scene feature, in order, with ids 1, 2, …; attributes by the layer's keys (integers as
// value_integer, doubles, strings as UTF-8). Polygons and holes with fewer than 3 points are left out.
std::vector<mapnik::feature_ptr> scene_features(const SceneLayer& layer);

}  // namespace gridatlas::render
