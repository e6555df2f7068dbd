// The one state of a loaded project. It reads the project file and the layers once, and computes every later stage
// on first use and at most once: grid tree (which also fills Grid::parent), household placement with the project's
// [household_placement] options, walking network, access, statistics, organisation rules, central households and
// liaison. Every job and the server take what they need from it; a job is "state -> product".
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "assign/central_households.hpp"
#include "assign/grid_statistics.hpp"
#include "assign/household_assignment.hpp"
#include "assign/liaison.hpp"
#include "assign/organisation_rules.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"
#include "project_config.hpp"
#include "stage_clock.hpp"

namespace gridatlas::pipeline {

// A stage the state could not compute from what the project gives (e.g. walking access without roads).
struct SkippedStage {
    std::string stage;   // e.g. "walking access"
    std::string reason;  // e.g. "the project has no roads"
};

struct MeasuredProject;

class ProjectState {
public:
    // Reads the project file and loads the layers (throws DataError for input that stops the run). Warnings go to
    // `diag`, stage times to `clock`; both must outlive the state. `profile` names a walking profile of the project
    // file ([walking.profiles]); empty: the project's walking speed.
    ProjectState(const std::filesystem::path& project_file, Diagnostics& diag, StageClock& clock,
                 const std::string& profile = {});
    // A state over a dataset already loaded and cut (one county of a project, pipeline/within_scope.hpp).
    ProjectState(layers::ProjectConfig cfg, Dataset ds, Diagnostics& diag, StageClock& clock);

    const layers::ProjectConfig& cfg() const { return cfg_; }
    const Dataset& ds() const { return ds_; }
    // Each computed once, on first call.
    const hierarchy::GridTree& tree();
    const assign::AssignmentResult& assignment();
    const access::WalkNetwork& network();
    const access::AccessResult& access();
    const assign::Statistics& stats();
    const assign::OrganisationRules& rules() const { return rules_; }
    const assign::OrganisationReport& organisation();
    const assign::CentralHouseholdResult& central();
    const assign::LiaisonResult& liaison();

    // Households placed in a building, per building index (as grid drawing, validation and the planners weigh them).
    std::vector<double> households_per_building();
    // Whether walking access can be measured: roads and facilities are both given. When not, access() and stats()
    // still answer (every building unreachable) and skipped() says why.
    bool can_measure_access() const { return !ds_.roads.empty() && !ds_.facilities.empty(); }
    const std::vector<SkippedStage>& skipped() const { return skipped_; }
    // The index of service kind `key` in ds().service_kinds; throws DataError naming the project file when unknown.
    std::size_t kind_index(const std::string& key) const;
    // Gives every grid its final code (per grid index), e.g. the codes `check` generates; later messages use them.
    void recode_grids(const std::vector<std::string>& codes);
    Diagnostics& diag() { return diag_; }
    StageClock& clock() { return clock_; }

private:
    friend MeasuredProject measured(ProjectState&& state);
    void warn_empty_measures();
    void report_off_network();

    Diagnostics& diag_;
    StageClock& clock_;
    layers::ProjectConfig cfg_;
    Dataset ds_;
    assign::OrganisationRules rules_;
    std::vector<SkippedStage> skipped_;
    std::optional<hierarchy::GridTree> tree_;
    std::optional<assign::AssignmentResult> assignment_;
    std::optional<access::WalkNetwork> network_;
    std::optional<access::AccessResult> access_;
    std::optional<assign::Statistics> stats_;
    std::optional<assign::OrganisationReport> organisation_;
    std::optional<assign::CentralHouseholdResult> central_;
    std::optional<assign::LiaisonResult> liaison_;
};

// {"stage": ..., "reason": ...} per skipped stage, for summary.json.
nlohmann::json skipped_json(const std::vector<SkippedStage>& skipped);
// The terminal's lines for skipped_json's array: a heading, then "    walking access skipped: no [roads] layer: …" per
// stage. Empty when nothing was skipped.
std::string format_skipped(const nlohmann::json& skipped);

// The roster counted against its file: records in the file = households read + records rejected at read (each one
// reported with its line). When the reader did not count the file's records, only the households read are known.
struct RosterFileCount {
    std::optional<std::size_t> records_in_file;
    std::size_t rejected_at_read = 0;
    std::size_t read = 0;
    bool balanced() const { return !records_in_file || *records_in_file == read + rejected_at_read; }
};
RosterFileCount roster_file_count(const Dataset& ds);

// The "households" object of summary.json / assignment.json: the building level's counts plus the file's count;
// balanced_at_every_level is true only when every level adds up and the file's records are all accounted for.
nlohmann::json households_json(const Dataset& ds, const assign::AssignmentResult& a);

// Every stage of a project, computed and held by value: for the long-lived consumers (the server, tiles) that keep a
// project in memory. Built from a ProjectState, so it is the same computation as every job's.
struct MeasuredProject {
    layers::ProjectConfig cfg;
    Dataset ds;
    hierarchy::GridTree tree;
    assign::AssignmentResult assignment;
    access::WalkNetwork network;
    access::AccessResult access;
    assign::Statistics stats;
    assign::CentralHouseholdResult central;
    assign::LiaisonResult liaison;
};

// Computes every stage of `state` and moves them out (the state is spent).
MeasuredProject measured(ProjectState&& state);
// ProjectState + measured(), for callers with no use for the state itself.
MeasuredProject measure_project(const std::filesystem::path& project_file, Diagnostics& diag, StageClock& clock,
                                const std::string& profile = {});

// Households per building index (assigned households only), as the access planners weigh buildings.
std::vector<std::size_t> households_per_building(const MeasuredProject& p);
std::vector<std::size_t> households_per_building(ProjectState& p);

// The index of service kind `key` in p.ds.service_kinds; throws DataError naming the project file when unknown.
std::size_t kind_index(const MeasuredProject& p, const std::string& key);

}  // namespace gridatlas::pipeline
