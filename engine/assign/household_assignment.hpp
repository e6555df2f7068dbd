// Every household of the roster placed in its unit, building and grid at every level, or listed with the reason it
// could not be — and a conservation check that the counts add up at every level. How a row finds its building (id,
// address, coordinates) is in household_placement.hpp.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "assign/grid_locator.hpp"
#include "assign/household_placement.hpp"
#include "assign/level_values.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

// Reason, PlacedBy, PlacementOptions: see household_placement.hpp.

// Per level, held inline up to a few levels (see level_values.hpp); reads like a std::vector.
using LevelGrids = LevelValues<GridId, 4>;
using LevelReasons = LevelValues<Reason, 8>;
using LevelFlags = LevelValues<GridFlag, 8>;

struct HouseholdPlacement {
    UnitId unit;
    BuildingId building;
    Reason unit_reason = Reason::assigned;
    Reason building_reason = Reason::assigned;
    PlacedBy placed_by = PlacedBy::none;    // how the building was found (none: not placed)
    std::optional<int> unit_number;         // as used: the roster's unit, else the address's
    std::optional<int> floor;               // the roster's floor, else the address's
    double distance_m = 0;                  // nearest_building: metres from the point to the footprint; else 0
    LevelGrids grids;                       // per level; invalid where not assigned
    LevelReasons grid_reasons;              // per level
    LevelFlags grid_flags;                  // per level: point_in_grid only, how clear-cut the grid was (none for
                                            // placements through a building)
    std::string room;                       // the roster's room, else the address's
};

// Counts at one level: every roster row is either assigned or unassigned for one reason.
struct LevelConservation {
    std::string level;                      // "unit", "building", then the grid level keys
    std::size_t roster = 0;
    std::size_t assigned = 0;
    std::map<std::string, std::size_t> unassigned_by_reason;
    std::map<std::string, std::size_t> flagged;    // grid levels: assigned rows per GridFlag (to_string), none left out
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

// A project without buildings (Dataset::buildings empty, grids given) is placed by point in grid: rows with
// coordinates go into the grid of every level that covers them (GridLocator: boundary and overlap cases flagged in
// HouseholdPlacement::grid_flags and counted in LevelConservation::flagged); rows with only a building id or an
// address are unassigned with Reason::no_buildings_layer at every level.
//
// Rows are independent once duplicates are known (the first row with a household id keeps it, later ones are
// duplicate_household_id), so the work is split over `threads` threads (0: as many as the machine has cores, fewer for
// a small roster); the result is the same, bit for bit, whatever the number.
AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree, const PlacementOptions& options = {},
                                   unsigned threads = 0);

}  // namespace gridatlas::assign
