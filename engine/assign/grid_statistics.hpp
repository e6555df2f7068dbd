// Aggregates per building and per grid at every level: households, persons, party-member households, households by
// status (常住 / 租住 / 空置 / 经营 / 未知, when the roster has a status field), and how many of them reach each service
// kind within its threshold. Only aggregates leave this module.
#pragma once
#include <vector>

#include "access/service_access.hpp"
#include "assign/household_assignment.hpp"

namespace gridatlas::assign {

struct Tally {
    std::size_t households = 0;
    std::size_t persons = 0;
    std::size_t party_households = 0;   // 党员户: households with at least one party member
    std::size_t party_members = 0;
    StatusCounts status{};              // per counted_statuses; all zero when the roster has no status field
    void add(const Household& h);
};

struct GridStatistics {
    Tally people;                               // households placed in the grid (in a building, or by point in a
                                                // grids-only project: those reach no service kind, access unmeasured)
    std::size_t buildings = 0;                  // residential buildings whose grid at this level is this one
    std::vector<std::size_t> covered_households; // per service kind
    std::vector<std::size_t> covered_persons;    // per service kind
    std::size_t complete_circle_households = 0;  // covered by every kind of the life circle
};

struct KindTotals {
    std::string kind;
    std::size_t covered_households = 0;
    std::size_t households = 0;                  // households placed in a building
    std::size_t gap_buildings = 0;               // residential buildings beyond the threshold
    double share() const { return households ? double(covered_households) / double(households) : 0.0; }
};

struct Statistics {
    std::vector<Tally> buildings;                // per building index
    std::vector<GridStatistics> grids;           // per grid index
    std::vector<KindTotals> kinds;               // per service kind
    std::size_t complete_circle_households = 0;
    std::size_t households_in_buildings = 0;
    bool household_status = false;               // the roster has a status field: the status counts mean something
};

// True when building `b` reaches kind `k` within the kind's threshold.
bool covered(const access::AccessResult& access, std::size_t kind, BuildingId b);

Statistics compute_statistics(const Dataset& ds, const hierarchy::GridTree& tree, const AssignmentResult& assignment,
                              const access::AccessResult& access);

}  // namespace gridatlas::assign
