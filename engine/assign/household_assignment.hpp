// Every household of the roster placed in its unit, building and grid at every level, or listed with the reason it
// could not be — and a conservation check that the counts add up at every level. How a row finds its building (id,
// address, coordinates) is in household_placement.hpp.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "assign/household_placement.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

// Reason, PlacedBy, PlacementOptions: see household_placement.hpp.

struct HouseholdPlacement {
    UnitId unit;
    BuildingId building;
    Reason unit_reason = Reason::assigned;
    Reason building_reason = Reason::assigned;
    std::vector<GridId> grids;              // per level; invalid where not assigned
    std::vector<Reason> grid_reasons;       // per level
    PlacedBy placed_by = PlacedBy::none;    // how the building was found (none: not placed)
    double distance_m = 0;                  // nearest_building: metres from the point to the footprint; else 0
    std::optional<int> unit_number;         // as used: the roster's unit, else the address's
    std::optional<int> floor;               // the roster's floor, else the address's
    std::string room;                       // the roster's room, else the address's
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
    std::map<std::string, std::size_t> placed_by;   // households per PlacedBy (to_string), not_placed included:
                                                    // they add up to the roster
    bool balanced() const;
};

AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree, const PlacementOptions& options = {});

}  // namespace gridatlas::assign
