// `--within <code>`: one county (or any grid) of a project run on its own, with exactly the whole run's numbers for its
// grids. The whole project's grid tree and household placement (the cheap stages) decide which households and
// buildings are the county's: those the whole run places in that grid, border households included. The county's
// dataset keeps every grid (so every building falls in the same grids as in the whole run), the county's buildings
// with their units and entrances and households, and the facilities and roads within a walking margin of them: the
// search limit's distance at the project's speed plus the snap distance (every path the whole run could measure from
// a county building lies inside it), or all of them when the search is unlimited. The expensive stages (walking
// network and access, statistics, rules, liaison) then run on that dataset only.
#pragma once
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/dataset.hpp"
#include "project_state.hpp"

namespace gridatlas::pipeline {

struct WithinScope {
    std::string code;                   // the grid's code
    int level = 0;                      // its level index
    std::string level_key;              // "community"
    std::set<std::string> grid_codes;   // the grid and every grid below it: the grids whose numbers the run gives
    std::size_t households = 0;         // roster rows the whole run places in the grid
    std::size_t households_elsewhere = 0;   // placed in another grid of the level
    std::size_t households_unplaced = 0;    // in no grid of the level (each run of the level leaves them out; the
                                            // whole-project run reports them)
    std::size_t buildings = 0, facilities = 0, road_lines = 0;
    double margin_m = 0;                // +infinity: every road and facility kept
};

// The county's dataset cut from `whole` (its tree and assignment are computed here). Throws DataError naming the
// project file when no grid, or more than one, has `code`.
Dataset within_dataset(ProjectState& whole, const std::string& code, WithinScope& scope);

// summary.json's "within" object.
nlohmann::json within_json(const WithinScope& scope);

// The summary's levels[] limited to the scope's grids (per_grid filtered, totals summed again); levels above the
// scope's keep no grid.
void limit_levels_to_scope(nlohmann::json& levels, const WithinScope& scope);

// Adds the warnings of `county` that `diag` does not hold yet (same code, place and message): a cut keeps every grid,
// so its grid warnings repeat the whole project's.
void add_new_warnings(const Diagnostics& county, Diagnostics& diag);

}  // namespace gridatlas::pipeline
