#include "assign/household_assignment.hpp"

#include <unordered_set>

namespace gridatlas::assign {

const char* to_string(Reason r) {
    switch (r) {
        case Reason::assigned: return "assigned";
        case Reason::duplicate_household_id: return "duplicate_household_id";
        case Reason::missing_building_ref: return "missing_building_ref";
        case Reason::unknown_building: return "unknown_building";
        case Reason::ambiguous_building: return "ambiguous_building";
        case Reason::rejected_building: return "rejected_building";
        case Reason::no_unit_given: return "no_unit_given";
        case Reason::unknown_unit: return "unknown_unit";
        case Reason::outside_grids: return "outside_grids";
    }
    return "unknown";
}

std::size_t LevelConservation::unassigned() const {
    std::size_t n = 0;
    for (const auto& [_, c] : unassigned_by_reason) n += c;
    return n;
}

bool AssignmentResult::balanced() const {
    for (const auto& c : conservation)
        if (!c.balanced()) return false;
    return true;
}

namespace {

Reason resolve_building(const Dataset& ds, const Household& h, BuildingId& out) {
    if (h.building_ref.empty()) return Reason::missing_building_ref;
    if (ds.ambiguous_building_ids.count(h.building_ref)) return Reason::ambiguous_building;
    if (ds.rejected_buildings.count(h.building_ref)) return Reason::rejected_building;
    auto it = ds.building_by_source_id.find(h.building_ref);
    if (it == ds.building_by_source_id.end()) return Reason::unknown_building;
    out = it->second;
    return Reason::assigned;
}

void count(LevelConservation& c, Reason r) {
    ++c.roster;
    if (r == Reason::assigned) ++c.assigned;
    else ++c.unassigned_by_reason[to_string(r)];
}

}  // namespace

AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree) {
    const std::size_t nlevels = ds.levels.size();
    AssignmentResult result;
    result.households.resize(ds.households.size());
    result.conservation.push_back({"unit", 0, 0, {}});
    result.conservation.push_back({"building", 0, 0, {}});
    for (const auto& l : ds.levels) result.conservation.push_back({l.key, 0, 0, {}});

    std::unordered_set<std::string> seen_ids;
    seen_ids.reserve(ds.households.size());
    for (const Household& h : ds.households) {
        HouseholdPlacement& p = result.households[h.id.index()];
        p.grids.assign(nlevels, GridId{});
        p.grid_reasons.assign(nlevels, Reason::assigned);

        const bool duplicate = !h.source_id.empty() && !seen_ids.insert(h.source_id).second;
        p.building_reason = duplicate ? Reason::duplicate_household_id : resolve_building(ds, h, p.building);
        if (p.building_reason != Reason::assigned) {
            p.building = BuildingId{};
            p.unit_reason = p.building_reason;
            p.grid_reasons.assign(nlevels, p.building_reason);
        } else {
            if (!h.unit_number) p.unit_reason = Reason::no_unit_given;
            else {
                p.unit = ds.find_unit(p.building, *h.unit_number);
                p.unit_reason = p.unit.valid() ? Reason::assigned : Reason::unknown_unit;
            }
            for (std::size_t l = 0; l < nlevels; ++l) {
                p.grids[l] = tree.grid_of(p.building, static_cast<int>(l));
                p.grid_reasons[l] = p.grids[l].valid() ? Reason::assigned : Reason::outside_grids;
            }
        }
        count(result.conservation[0], p.unit_reason);
        count(result.conservation[1], p.building_reason);
        for (std::size_t l = 0; l < nlevels; ++l) count(result.conservation[2 + l], p.grid_reasons[l]);
    }
    return result;
}

}  // namespace gridatlas::assign
