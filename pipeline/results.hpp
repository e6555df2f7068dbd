// The results of one run, gathered for the writers: plain references to what the engine computed.
#pragma once
#include <filesystem>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "assign/grid_statistics.hpp"
#include "assign/household_assignment.hpp"
#include "assign/liaison.hpp"
#include "assign/organisation_rules.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"
#include "model/diagnostics.hpp"

namespace gridatlas::pipeline {

struct Results {
    const Dataset& ds;
    const hierarchy::GridTree& tree;
    const assign::AssignmentResult& assignment;
    const access::WalkNetwork& network;
    const access::AccessResult& access;
    const assign::Statistics& stats;
    const assign::OrganisationReport& organisation;
    const assign::LiaisonResult& liaison;
    const Diagnostics& diagnostics;
};

// Writes gridatlas.gpkg: buildings, grids, households (assignment table, no personal fields), unassigned_households,
// gap_buildings, facilities, walk_network, issues.
void write_results_gpkg(const Results& r, const std::filesystem::path& file);

}  // namespace gridatlas::pipeline
