// `gridatlas run`: load → validate → grid tree → assign households → walking access → coverage → outputs → map.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/diagnostics.hpp"

namespace gridatlas::layers { struct PostgisPublishReport; }

namespace gridatlas::pipeline {

struct RunConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_dir;
    bool render = true;
    // Results also into a PostGIS schema (layers/postgis_store.hpp): a "PG:…" connection without password; empty: no.
    std::string to_postgis{};
    std::string pg_schema{"gridatlas"};
    // One grid (e.g. a county or community code) and the grids below it, with the whole run's numbers for them
    // (pipeline/within_scope.hpp); empty: the whole project.
    std::string within{};
};

struct RunReport {
    std::filesystem::path gpkg;
    std::filesystem::path summary_json;
    std::filesystem::path overview_png;     // empty when not rendered
    nlohmann::json summary;                 // what summary.json holds
    std::vector<Diagnostic> warnings;
    bool balanced = false;                  // every household counted once at every level
};

// Throws DataError for input that stops the run (exit code 2 in the CLI). Warnings found before that are in `diag`
// either way, so the caller can show them with the error.
RunReport run_job(const RunConfig& config, Diagnostics& diag);
RunReport run_job(const RunConfig& config);

// summary.json's "postgis": schema, scope_code, rows per table, load and swap seconds.
nlohmann::json postgis_json(const layers::PostgisPublishReport& r);

// The human-readable summary printed by the CLI (aggregates only; no personal data).
std::string format_summary(const RunReport& report);

}  // namespace gridatlas::pipeline
