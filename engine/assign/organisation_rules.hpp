// The organisation rules of the grid documents, checked against the per-grid tallies: which party organisation each
// grid (at every level) can have, how many cadres it needs, and which grids, communities and buildings break a rule.
//
// Why these rules and numbers (see /work/shared/docs/domain.md for the sources):
//   - standalone / joint / instructor (seed 000): 300+ households set up their own party organisation; below that the
//     grid joins or attaches to a neighbour's; where no neighbour makes it possible, an instructor (党建指导员) is sent.
//   - branch / general branch / committee by party members (3+ / 50+ / 100+): the reading of the Party's
//     branch work regulations (支部工作条例); below 3 no branch can be formed, only a party group or nothing.
//   - cadres by population (seed 004): 2000+ people → 5, 1000+ → 3, else 2.
//   - at most 3000 households per community (seed 003).
//   - 300–500 households per finest-level grid: the figure (common grid-management practice).
//   - a party-member central household (党员中心户) in every building (seeds 000, 003): a building whose households
//     include no party-member household cannot have one.
// Every number lives in OrganisationRules so a project can change it; the defaults are the documents'.
// Only counts and ids leave this module: no personal data, and party membership only as per-grid/building counts.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "assign/grid_statistics.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

struct OrganisationRules {
    // Party organisation form (seed 000).
    std::size_t standalone_min_households = 300;     // ≥ this: own party organisation (独立建立党组织)
    double adjacency_tolerance_m = 1.0;              // sibling grids closer than this count as neighbours
    // Organisation type by party members (党支部 / 党总支 / 党委).
    std::size_t branch_min_party_members = 3;
    std::size_t general_branch_min_party_members = 50;
    std::size_t committee_min_party_members = 100;
    // Cadre staffing by persons (seed 004).
    std::size_t cadres_large_min_persons = 2000;
    int cadres_large = 5;
    std::size_t cadres_medium_min_persons = 1000;
    int cadres_medium = 3;
    int cadres_small = 2;
    // Community size (seed 003): households per grid of the community level.
    std::size_t community_max_households = 3000;
    std::string community_level;                     // a GridLevel key; empty: the top level (0)
    // Grid size at the finest level (or grid_level).
    std::size_t grid_min_households = 300;
    std::size_t grid_max_households = 500;
    std::string grid_level;                          // a GridLevel key; empty: the finest level
};

enum class OrganisationForm : std::uint8_t {
    standalone,   // 独立建立党组织: households ≥ standalone_min_households
    joint,        // 联合/挂靠: with an adjacent sibling grid the sum reaches the threshold
    instructor,   // 选派党建指导员: no adjacent sibling makes it reach the threshold
};
const char* to_string(OrganisationForm f);

enum class OrganisationType : std::uint8_t {
    party_group,      // 党员不足3人: cannot form a branch (党小组 under a neighbour, or none)
    branch,           // 党支部
    general_branch,   // 党总支
    committee,        // 党委 (基层委员会)
};
const char* to_string(OrganisationType t);

// What the rules make of one grid.
struct GridOrganisation {
    GridId grid;
    int level = 0;
    std::size_t households = 0;
    std::size_t persons = 0;
    std::size_t party_households = 0;
    std::size_t party_members = 0;
    OrganisationForm form = OrganisationForm::standalone;
    GridId joint_with;                  // joint: the neighbour it joins; invalid otherwise
    std::size_t joint_households = 0;   // joint: households of both grids together
    OrganisationType type = OrganisationType::party_group;
    int required_cadres = 0;
};

// One grid (or building) that breaks a rule, with the value that breaks it (households, party members …).
struct RuleBreach {
    GridId grid;            // the grid; for building rules the building's grid at the finest level (may be invalid)
    BuildingId building;    // building rules only; invalid otherwise
    std::size_t value = 0;
};

struct RuleCheck {
    std::string key;        // stable: standalone_organisation, party_branch, cadre_staffing, community_size,
                            // grid_size, central_household
    std::string name_zh;
    std::string name_en;
    std::string threshold;  // e.g. "households ≥ 300", built from the rules in force
    std::string note;       // how the breaches are chosen, or why there are none to find
    std::vector<RuleBreach> breaches;   // by level, then grid index (building rules: building index)
};

struct OrganisationReport {
    std::vector<GridOrganisation> grids;    // per grid index
    std::vector<RuleCheck> rules;           // in the order of the keys above
    // The rule with this key, or nullptr.
    const RuleCheck* rule(std::string_view key) const;
};

// Pure rule helpers (the thresholds in one place; used by check_organisation and usable on their own).
OrganisationType organisation_type(std::size_t party_members, const OrganisationRules& rules = {});
int required_cadres(std::size_t persons, const OrganisationRules& rules = {});

// Checks every rule. Uses stats.grids[i].people and stats.buildings (tallies of placed households) and the grid
// polygons of `ds` for adjacency. Joint partner: among the grid's adjacent siblings (same parent; top-level grids
// are each other's siblings) whose households added to the grid's reach the standalone threshold, the one with the
// fewest households (ties: lower grid index) — the smallest partner that suffices, keeping grids comparable in size.
// Throws std::invalid_argument if a configured level key names no level.
OrganisationReport check_organisation(const Dataset& ds, const hierarchy::GridTree& tree, const Statistics& stats,
                                      const OrganisationRules& rules = {});

}  // namespace gridatlas::assign
