// Every household of the roster placed in its unit, building and grid at every level, or listed with the reason it
// could not be — and a conservation check that the counts add up at every level.
#pragma once
#include <array>
#include <map>
#include <string>
#include <vector>

#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

enum class Reason : std::uint8_t {
    assigned,
    duplicate_household_id,   // a later row repeats an earlier row's household id
    missing_building_ref,     // the roster row names no building
    unknown_building,         // the building id exists in no building layer feature
    ambiguous_building,       // the building id belongs to several features
    rejected_building,        // the building's feature was unusable (no or broken geometry), see the warnings
    no_unit_given,            // unit level only: the row names no unit
    unknown_unit,             // unit level only: the building has no unit of that number
    outside_grids,            // grid levels only: the building lies in no grid of that level
};
const char* to_string(Reason r);

struct HouseholdPlacement {
    UnitId unit;
    BuildingId building;
    Reason unit_reason = Reason::assigned;
    Reason building_reason = Reason::assigned;
    std::vector<GridId> grids;              // per level; invalid where not assigned
    std::vector<Reason> grid_reasons;       // per level
};

// Counts at one level: every roster row is either assigned or unassigned for one reason.
struct LevelConservation {
    std::string level;                      // "unit", "building", then the grid level keys
    std::size_t roster = 0;
    std::size_t assigned = 0;
    std::map<std::string, std::size_t> unassigned_by_reason;
    std::size_t unassigned() const;
    bool balanced() const { return roster == assigned + unassigned(); }
};

struct AssignmentResult {
    std::vector<HouseholdPlacement> households;     // per household index, same order as the roster
    std::vector<LevelConservation> conservation;    // unit, building, then each grid level
    bool balanced() const;
};

AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree);

}  // namespace gridatlas::assign
