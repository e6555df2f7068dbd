// `gridatlas plan`: where new facilities of one kind would close the most gaps — k sites by maximal covering, or
// the fewest sites that reach a target share — with each site's newly covered households and the share before/after.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "layer_source.hpp"
#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

struct PlanConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_dir;
    std::string kind;                           // a service kind key
    std::size_t sites = 5;                      // k, when no target share is given
    std::optional<double> target_share;         // 0..1: the fewest sites that reach it
    std::string candidates = "buildings";       // "buildings", "nodes", or "layer" (then candidate_layer)
    std::optional<layers::LayerSource> candidate_layer;   // points; field "id" optional
    std::string profile;                        // walking profile, e.g. "elderly"; empty: the project's speed
};

struct PlanReport {
    std::filesystem::path csv, gpkg;
    nlohmann::json summary;
};

PlanReport plan_job(const PlanConfig& config, Diagnostics& diag);
std::string format_plan(const PlanReport& report);

}  // namespace gridatlas::pipeline
