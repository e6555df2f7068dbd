// `gridatlas assign`: every household of the roster placed in its unit, building and grid at every level — by building
// id, by address or by coordinates — and the conservation report: at every level, roster = assigned + unassigned,
// per reason. No walking network, no map: this is the job to run after each roster update.
//
// Writes, in the output directory:
//   assignment.gpkg   households (the assignment table: how each row was placed, its unit, building and grid at every
//                     level, a status per level), unassigned_households (one row per household and level it could not
//                     be placed at, with the reason), conservation (one row per level, a column per reason), grids
//                     (polygons of every level with households, persons, party-member households and members)
//   households.csv    the assignment table again, for spreadsheets
//   conservation.csv  the conservation report again
//   assignment.json   totals, how households were placed, conservation and per-level counts
// Only ids, codes, statuses and counts: no name, phone, address or coordinate of a household.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

struct AssignConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_dir;
    std::string within{};                    // one grid and the grids below it (as run --within); empty: all
    std::string to_postgis{};                // also into PostGIS (as run --to-postgis); empty: no
    std::string pg_schema{"gridatlas_assign"};
};

struct AssignReport {
    std::filesystem::path gpkg, households_csv, conservation_csv, json;
    nlohmann::json summary;     // what assignment.json holds
    bool balanced = false;      // roster = assigned + unassigned at every level
};

// Throws DataError for input that stops the job; warnings go to `diag`.
AssignReport assign_job(const AssignConfig& config, Diagnostics& diag);

// The summary the CLI prints (counts only).
std::string format_assign_summary(const AssignReport& report);

}  // namespace gridatlas::pipeline
