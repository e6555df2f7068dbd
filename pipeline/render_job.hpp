// `gridatlas render`: one print map — overview, officer (one grid) or planner (one service kind) — as PNG, PDF or
// SVG on paper A4–A0 at a DPI, or at a pixel size (render/print_map.hpp draws it).
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "project_state.hpp"
#include "model/diagnostics.hpp"
#include "print_map.hpp"

namespace gridatlas::pipeline {

struct RenderConfig {
    std::filesystem::path project_file;
    std::filesystem::path out_file;
    std::string style = "overview";     // overview | officer | planner
    std::string grid;                   // a grid code (or a unique grid name); officer: required
    std::string kind;                   // planner: the service kind key; default: the project's headline kind
    std::string format;                 // png | pdf | svg; empty: from out_file's extension
    render::PageSpec page;
    std::string title;                  // default from style, grid and kind
    std::string date;                   // default today
};

struct RenderReport {
    std::filesystem::path out_file;
    std::string style, format, page, grid_code, kind;
    render::PrintResult print;
    nlohmann::json timings;             // stage → seconds
    double render_seconds = 0;
};

// Throws DataError (unknown grid or kind: exit 2), std::invalid_argument (bad options: exit 1 in the CLI), other
// exceptions on failure.
RenderReport render_job(const RenderConfig& config, Diagnostics& diag);
std::string format_render(const RenderReport& report);

// What maps draw, from a measured project. `kind` (a kind key; empty: the headline kind) gives the minutes and
// coverage; `officer` adds per-building facts with the party-member central households (assign::
// choose_central_households); `isochrones` adds the kind's 5/10/15-minute isochrones. Only counts and
// unit/floor/room numbers: no names, no phones.
struct MapDataOptions {
    std::string kind;
    bool officer = false;
    bool isochrones = false;
};
render::MapData map_data(ProjectState& p, const MapDataOptions& options);

// A grid by code, else by a name no other grid has; DataError "unknown_grid" (with similar codes) otherwise.
GridId find_grid(ProjectState& p, const std::string& code_or_name);
// The project's headline kind (its [map] headline_kind, else the first kind).
std::string headline_kind(ProjectState& p);

}  // namespace gridatlas::pipeline
