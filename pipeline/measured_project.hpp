// The stages every job shares: read the project file, load and check the layers, build the grid tree, assign the
// households, build the walking network and measure access, and tally per grid. `run`, `coverage` and `plan` start
// from this and differ only in what they do next.
#pragma once
#include <filesystem>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "assign/grid_statistics.hpp"
#include "assign/household_assignment.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"
#include "project_config.hpp"
#include "stage_clock.hpp"

namespace gridatlas::pipeline {

struct MeasuredProject {
    layers::ProjectConfig cfg;
    Dataset ds;
    hierarchy::GridTree tree;
    assign::AssignmentResult assignment;
    access::WalkNetwork network;
    access::AccessResult access;
    assign::Statistics stats;
};

// Throws DataError for input that stops the run; warnings go to `diag`, stage times to `clock`. `profile` names a
// walking profile of the project file ([walking.profiles], e.g. "elderly"); empty: the project's walking speed.
MeasuredProject measure_project(const std::filesystem::path& project_file, Diagnostics& diag, StageClock& clock,
                                const std::string& profile = {});

// Households per building index (assigned households only), as the access planners weigh buildings.
std::vector<std::size_t> households_per_building(const MeasuredProject& p);

// The index of service kind `key` in p.ds.service_kinds; throws DataError naming the project file when unknown.
std::size_t kind_index(const MeasuredProject& p, const std::string& key);

}  // namespace gridatlas::pipeline
