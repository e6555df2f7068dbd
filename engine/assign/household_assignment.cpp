#include "assign/household_assignment.hpp"

#include <unordered_set>

namespace gridatlas::assign {

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

void count(LevelConservation& c, Reason r) {
    ++c.roster;
    if (r == Reason::assigned) ++c.assigned;
    else ++c.unassigned_by_reason[to_string(r)];
}

}  // namespace

AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree, const PlacementOptions& options) {
    const std::size_t nlevels = ds.levels.size();
    AssignmentResult result;
    result.households.resize(ds.households.size());
    result.conservation.push_back({"unit", 0, 0, {}});
    result.conservation.push_back({"building", 0, 0, {}});
    for (const auto& l : ds.levels) result.conservation.push_back({l.key, 0, 0, {}});

    const BuildingResolver resolver(ds, options);
    std::unordered_set<std::string> seen_ids;
    seen_ids.reserve(ds.households.size());
    for (const Household& h : ds.households) {
        HouseholdPlacement& p = result.households[h.id.index()];
        p.grids.assign(nlevels, GridId{});
        p.grid_reasons.assign(nlevels, Reason::assigned);

        const bool duplicate = !h.source_id.empty() && !seen_ids.insert(h.source_id).second;
        if (duplicate) {
            p.building_reason = Reason::duplicate_household_id;
            p.unit_number = h.unit_number;
            p.floor = h.floor;
            p.room = h.room;
        } else {
            BuildingMatch m = resolver.resolve(h);
            p.building_reason = m.reason;
            p.building = m.building;
            p.placed_by = m.placed_by;
            p.distance_m = m.distance_m;
            p.unit_number = m.unit_number;
            p.floor = m.floor;
            p.room = std::move(m.room);
        }
        if (p.building_reason != Reason::assigned) {
            p.building = BuildingId{};
            p.placed_by = PlacedBy::none;
            p.unit_reason = p.building_reason;
            p.grid_reasons.assign(nlevels, p.building_reason);
        } else {
            if (!p.unit_number) p.unit_reason = Reason::no_unit_given;
            else {
                p.unit = ds.find_unit(p.building, *p.unit_number);
                p.unit_reason = p.unit.valid() ? Reason::assigned : Reason::unknown_unit;
            }
            for (std::size_t l = 0; l < nlevels; ++l) {
                p.grids[l] = tree.grid_of(p.building, static_cast<int>(l));
                p.grid_reasons[l] = p.grids[l].valid() ? Reason::assigned : Reason::outside_grids;
            }
        }
        ++result.placed_by[to_string(p.placed_by)];
        count(result.conservation[0], p.unit_reason);
        count(result.conservation[1], p.building_reason);
        for (std::size_t l = 0; l < nlevels; ++l) count(result.conservation[2 + l], p.grid_reasons[l]);
    }
    return result;
}

}  // namespace gridatlas::assign
