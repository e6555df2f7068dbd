// Chooses the party-member central household of every building (per unit in large buildings) by the fixed rule in
// central_households.hpp: most party members, then lowest floor, then roster order.
#include "assign/central_households.hpp"

#include <algorithm>
#include <climits>

namespace gridatlas::assign {

namespace {

// True when household a is the better central household than b under the documented rule.
bool better(const Household& a, const Household& b) {
    if (a.party_members != b.party_members) return a.party_members > b.party_members;
    const int fa = a.floor.value_or(INT_MAX);
    const int fb = b.floor.value_or(INT_MAX);
    if (fa != fb) return fa < fb;
    return a.id < b.id;
}

// Closes one seat over `members`: its central household (the best with party members), counts, and each member's
// central household.
void close_seat(const Dataset& ds, CentralSeat seat, const std::vector<HouseholdId>& members,
                CentralHouseholdResult& result) {
    for (HouseholdId id : members) {
        const Household& h = ds.households[id.index()];
        if (h.party_members <= 0) continue;
        ++seat.party_households;
        if (!seat.central.valid() || better(h, ds.households[seat.central.index()])) seat.central = id;
    }
    seat.households = members.size();
    for (HouseholdId id : members) result.central_of[id.index()] = seat.central;
    if (!seat.central.valid()) result.without_central.push_back(result.seats.size());
    result.seats.push_back(seat);
}

// A building's households by unit: known units ordered by number (then unit index), those of no known unit apart.
struct UnitSplit {
    std::vector<std::pair<UnitId, std::vector<HouseholdId>>> units;
    std::vector<HouseholdId> unknown;
};

UnitSplit split_by_unit(const Dataset& ds, const AssignmentResult& assignment, const std::vector<HouseholdId>& members) {
    UnitSplit split;
    for (HouseholdId id : members) {
        const HouseholdPlacement& p = assignment.households[id.index()];
        if (p.unit_reason != Reason::assigned || !p.unit.valid()) {
            split.unknown.push_back(id);
            continue;
        }
        auto it = std::find_if(split.units.begin(), split.units.end(), [&](const auto& u) { return u.first == p.unit; });
        if (it == split.units.end()) split.units.push_back({p.unit, {id}});
        else it->second.push_back(id);
    }
    std::sort(split.units.begin(), split.units.end(), [&](const auto& x, const auto& y) {
        const int nx = ds.unit(x.first).number, ny = ds.unit(y.first).number;
        return nx != ny ? nx < ny : x.first < y.first;
    });
    return split;
}

}  // namespace

CentralHouseholdResult choose_central_households(const Dataset& ds, const AssignmentResult& assignment,
                                                 const CentralHouseholdOptions& options) {
    const std::size_t nb = ds.buildings.size();
    // Households per building, in roster order.
    std::vector<std::vector<HouseholdId>> of_building(nb);
    for (const Household& h : ds.households) {
        const HouseholdPlacement& p = assignment.households[h.id.index()];
        if (p.building_reason != Reason::assigned || !p.building.valid()) continue;
        of_building[p.building.index()].push_back(h.id);
    }

    CentralHouseholdResult result;
    result.central_of.assign(ds.households.size(), HouseholdId{});
    for (std::size_t b = 0; b < nb; ++b) {
        const auto& members = of_building[b];
        if (members.empty()) continue;
        CentralSeat seat;
        seat.building = BuildingId{b};
        if (members.size() < options.per_unit_min_households) {
            close_seat(ds, seat, members, result);
            continue;
        }
        seat.per_unit = true;
        const UnitSplit split = split_by_unit(ds, assignment, members);
        for (const auto& [u, hs] : split.units) {
            CentralSeat s = seat;
            s.unit = u;
            close_seat(ds, s, hs, result);
        }
        if (!split.unknown.empty()) close_seat(ds, seat, split.unknown, result);
    }
    return result;
}

}  // namespace gridatlas::assign
