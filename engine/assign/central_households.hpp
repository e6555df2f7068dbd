// The party-member central household (党员中心户) of every building — of every stairwell unit in large buildings —
// chosen by a fixed, documented rule so that two runs on the same roster name the same households.
//
// Why: the documents put a central household at the bottom of the grid (seed 000: 楼栋党员中心户; seed 003: per
// building unit, 单元党员责任岗) and the grid officer's map shows it. Seed 001 builds mutual-help groups per unit, so a
// large building (≥ per_unit_min_households households, default 60) gets one per unit instead of one for the whole.
//
// The rule, among the party-member households (party_members > 0) of the building or unit:
//   1. the most party members (more people to share the work);
//   2. then the lowest floor (easiest to reach; an unknown floor counts as above every known floor);
//   3. then the lowest household index (roster order).
// Only households placed in a building count. In a large building, households whose unit is not known (no unit
// given, unknown unit) form one extra seat of the building with an invalid unit, so nobody is dropped.
// A seat without any party-member household has no central household and is listed as such.
// Only ids and counts leave this module.
#pragma once
#include <vector>

#include "assign/household_assignment.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

struct CentralHouseholdOptions {
    std::size_t per_unit_min_households = 60;   // buildings with at least this many households: one per unit
};

// One seat: a building, or one unit of a large building.
struct CentralSeat {
    BuildingId building;
    UnitId unit;                    // valid: the seat is this unit; invalid: the whole building (or, in a large
                                    // building, its households of unknown unit)
    bool per_unit = false;          // the building is large: its seats are units
    std::size_t households = 0;     // households of the seat
    std::size_t party_households = 0;
    HouseholdId central;            // the chosen central household; invalid when the seat has no party household
};

struct CentralHouseholdResult {
    std::vector<CentralSeat> seats;             // by building index, then unit number (unknown-unit seat last)
    std::vector<std::size_t> without_central;   // indices into seats whose households include no party household
    std::vector<HouseholdId> central_of;        // per household index: its seat's central household (or invalid)
};

CentralHouseholdResult choose_central_households(const Dataset& ds, const AssignmentResult& assignment,
                                                 const CentralHouseholdOptions& options = {});

}  // namespace gridatlas::assign
