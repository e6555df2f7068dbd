// Every household of the roster placed in its unit, building and grid at every level, or listed with the reason it
// could not be — and a conservation check that the counts add up at every level. How a row finds its building (id,
// address, coordinates) is in household_placement.hpp.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "assign/grid_locator.hpp"
#include "assign/household_placement.hpp"
#include "assign/level_values.hpp"
#include "hierarchy/grid_tree.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

// Reason, PlacedBy, PlacementOptions: see household_placement.hpp.

// Per level, held inline up to a few levels (see level_values.hpp); reads like a std::vector.
using LevelGrids = LevelValues<GridId, 3>;
using LevelReasons = LevelValues<Reason, 7>;

// One roster row's placement. A run holds one per household, so it is kept compact (64 bytes, 3 levels inline); what
// only some rows have is in AssignmentResult: the room an address gave (room()) and how clear-cut a point's grid was
// (grid_flag()).
struct HouseholdPlacement {
    UnitId unit;
    BuildingId building;
    OptionalInt unit_number;                // as used: the roster's unit, else the address's
    OptionalInt floor;                      // the roster's floor, else the address's
    float distance_m = 0;                   // nearest_building: metres from the point to the footprint (a float: to
                                            // a few micrometres within max_nearest_m; written to 0.1 m); else 0
    Reason unit_reason = Reason::assigned;
    Reason building_reason = Reason::assigned;
    PlacedBy placed_by = PlacedBy::none;    // how the building was found (none: not placed)
    LevelGrids grids;                       // per level; invalid where not assigned
    LevelReasons grid_reasons;              // per level
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
    // Rows placed by their point (point_in_grid): how clear-cut the grid was at each level, levels per row in a row;
    // empty when the project has buildings (then every row's flag is none).
    std::vector<GridFlag> grid_flags;
    std::size_t levels = 0;
    // Rows whose room came from their address (the roster gave none): (household, room), by household.
    std::vector<std::pair<HouseholdId, ShortString>> address_rooms;
    bool balanced() const;
    // Household h's room as used: the roster's, else its address's (empty when neither gives one).
    const ShortString& room(const Household& h) const;
    // Household index i's flag at level l (GridFlag::none for placements through a building).
    GridFlag grid_flag(std::size_t i, std::size_t l) const {
        return grid_flags.empty() ? GridFlag::none : grid_flags[i * levels + l];
    }
};

// A project without buildings (Dataset::buildings empty, grids given) is placed by point in grid: rows with
// coordinates go into the grid of every level that covers them (GridLocator: boundary and overlap cases flagged in
// AssignmentResult::grid_flags and counted in LevelConservation::flagged); rows with only a building id or an
// address are unassigned with Reason::no_buildings_layer at every level.
//
// Rows are independent once duplicates are known (the first row with a household id keeps it, later ones are
// duplicate_household_id), so the work is split over `threads` threads (0: as many as the machine has cores, fewer for
// a small roster); the result is the same, bit for bit, whatever the number.
AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree, const PlacementOptions& options = {},
                                   unsigned threads = 0);

}  // namespace gridatlas::assign
