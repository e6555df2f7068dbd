// `gridatlas sample build`: derives the bundled sample (data/sample/) from the OpenStreetMap extract
// (data/osm/monaco.gpkg): dwellings and their floors, stairwell units and households, a synthetic roster, grids
// drawn along the roads and grouped into communities, and facilities. Deterministic: a rebuild is byte-identical.
// The method is documented in data/README.md.
#pragma once
#include <filesystem>
#include <string>

namespace gridatlas::pipeline {

struct SampleConfig {
    std::filesystem::path osm_gpkg;          // buildings, roads, pois layers as in data/osm/
    std::filesystem::path out_dir;           // writes sample.gpkg and households.csv
    std::string admin_code = "999001";       // fictional county code: grid codes start with it
    double grid_min_households = 300;
    double grid_max_households = 500;
    double community_min_households = 1500;
    double community_max_households = 3000;
};

struct SampleReport {
    std::size_t buildings = 0, residential = 0, units = 0, households = 0, roster_rows = 0;
    std::size_t communities = 0, grids = 0, facilities = 0, roads = 0;
};

SampleReport build_sample(const SampleConfig& config);

}  // namespace gridatlas::pipeline
