// `gridatlas coverage`: the 15-minute circle in depth — isochrones per kind (and per facility on request), the
// straight-line circles planners draw today and what they hide, and the gaps as layers and CSV.
#pragma once
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

struct CoverageConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_dir;
    std::vector<double> bands{5, 10, 15};   // isochrone bands in minutes
    double buffer_m = 50;                   // isochrone width either side of a reachable path
    bool per_facility = false;              // also one isochrone set per facility (slower)
    std::string profile;                    // walking profile, e.g. "elderly"; empty: the project's speed
};

struct CoverageReport {
    std::filesystem::path gpkg, gap_buildings_csv, gap_households_csv, json;
    nlohmann::json summary;
};

CoverageReport coverage_job(const CoverageConfig& config, Diagnostics& diag);
std::string format_coverage(const CoverageReport& report);

}  // namespace gridatlas::pipeline
