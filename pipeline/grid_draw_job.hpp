// `gridatlas grid draw`: draws grids from a project's buildings and roads — road blocks grouped into contiguous,
// compact grids of a target range of households (the engine path the bundled sample's grids come from) — inside
// each grid of a parent level, or inside the settled area when no parent level is given. Micro-grids split heavy
// blocks by building; --per-building draws one grid per building. Codes are the parent's code plus a 3-digit serial
// in reading order (west→east, north→south). Reports balance and compactness against a naive square lattice of the
// same mean area clipped to the same parents. Writes grids.gpkg, quality.json and quality.txt.
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

struct GridDrawConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_dir;
    double min_households = 300;
    double max_households = 500;
    bool micro = false;              // blocks heavier than max are first cut by building (micro-grids, e.g. 30–50)
    bool per_building = false;       // one grid per building (per building location)
    std::string parent_level;        // key of a [[grid_levels]] entry to draw inside; empty: the settled area
    std::string households_field;    // buildings field with an estimate of households; empty: count the roster
    std::string code_prefix;         // before the serials when there is no parent (county + street + community code)
    double settled_margin_m = 100;   // without a parent: dwellings grown by this, unioned, shrunk by half
    double join_within_m = 1000;     // without a parent: settled pieces closer than this are one area, fields between
    double reading_band = 500;       // height of the west→east rows of the reading order, metres
    bool resplit = true;             // re-split light groups with a neighbour (hierarchy::GroupingOptions::resplit)
};

struct GridDrawReport {
    std::filesystem::path gpkg, json, table;
    nlohmann::json summary;          // what quality.json holds
    std::string overview;            // the comparison with the baseline, as printed
    std::string table_text;          // what quality.txt holds: the overview and a table per parent
};

// Throws DataError for input that stops the job (unknown parent level, missing households field …).
GridDrawReport grid_draw_job(const GridDrawConfig& config, Diagnostics& diag);

std::string format_grid_draw(const GridDrawReport& report);

}  // namespace gridatlas::pipeline
