// `gridatlas sample build`: derives the bundled sample (data/sample/) from the OpenStreetMap extract
// (data/osm/monaco.gpkg): dwellings and their floors, stairwell units and households, a synthetic roster, grids
// drawn along the roads and grouped into communities, and facilities, and the project file that `gridatlas run` reads
// them with. Deterministic: a rebuild is byte-identical. Works on any OSM-derived GeoPackage with the three layers:
// optional columns may be absent (read as empty, listed once each), features without a usable geometry are dropped
// and listed (dropped.csv). The method is documented in data/README.md.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gridatlas::pipeline {

struct SampleConfig {
    std::filesystem::path osm_gpkg;          // buildings, roads, pois layers as in data/osm/
    std::filesystem::path out_dir;           // writes sample.gpkg, households.csv, project.toml (and dropped.csv)
    std::string name;                        // the project's name and map title; empty: the extract's file name
    std::string admin_code = "999001";       // fictional county code: grid codes start with it
    double grid_min_households = 300;
    double grid_max_households = 500;
    double community_min_households = 1500;
    double community_max_households = 3000;
};

// A feature of the extract that is not in the sample, and why.
struct DroppedFeature {
    std::string layer;      // buildings, roads, pois
    std::int64_t fid = 0;
    std::string id;         // the sample's id (W<osm_id>, R<osm_id>) or the osm_id; may be empty
    std::string reason;     // no geometry, not a polygon / line / point, invalid polygon GEOS cannot repair
};

struct SampleReport {
    std::size_t buildings = 0, residential = 0, units = 0, households = 0, roster_rows = 0;
    std::size_t communities = 0, grids = 0, facilities = 0, roads = 0;
    std::vector<std::string> absent_columns;    // "layer.column": optional columns the extract lacks, read as empty
    std::vector<DroppedFeature> dropped;        // also written to dropped.csv when not empty
    std::size_t repaired = 0;                   // invalid building polygons repaired with GEOSMakeValid and kept
    std::filesystem::path project_file;         // the project.toml written beside the outputs
};

SampleReport build_sample(const SampleConfig& config);

}  // namespace gridatlas::pipeline
