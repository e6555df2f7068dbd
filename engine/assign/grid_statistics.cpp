// Per building and per grid tallies of households, persons and party members, and service coverage per kind.
#include "assign/grid_statistics.hpp"

namespace gridatlas::assign {

void Tally::add(const Household& h) {
    ++households;
    persons += static_cast<std::size_t>(std::max(h.persons, 0));
    if (h.party_members > 0) {
        ++party_households;
        party_members += static_cast<std::size_t>(h.party_members);
    }
    if (const std::size_t slot = status_slot(h.status); slot < status_count) ++status[slot];
}

bool covered(const access::AccessResult& access, std::size_t kind, BuildingId b) {
    const auto& k = access.kinds[kind];
    return k.minutes[b.index()] <= k.threshold_minutes;
}

Statistics compute_statistics(const Dataset& ds, const hierarchy::GridTree& tree, const AssignmentResult& assignment,
                              const access::AccessResult& access) {
    const std::size_t nkinds = access.kinds.size();
    Statistics s;
    s.buildings.resize(ds.buildings.size());
    s.grids.resize(ds.grids.size());
    for (auto& g : s.grids) {
        g.covered_households.assign(nkinds, 0);
        g.covered_persons.assign(nkinds, 0);
    }
    for (std::size_t k = 0; k < nkinds; ++k) s.kinds.push_back({access.kinds[k].kind, 0, 0, 0});

    std::vector<bool> circle(nkinds, false);
    for (std::size_t k = 0; k < nkinds; ++k)
        for (const auto& sk : ds.service_kinds)
            if (sk.key == access.kinds[k].kind) circle[k] = sk.in_life_circle;

    for (const Household& h : ds.households) {
        if (h.status != HouseholdStatus::not_given) s.household_status = true;
        const HouseholdPlacement& p = assignment.households[h.id.index()];
        if (p.placed_by == PlacedBy::point_in_grid) {   // grids-only project: counted in its grids, access unmeasured
            for (GridId g : p.grids)
                if (g.valid()) s.grids[g.index()].people.add(h);
            continue;
        }
        if (p.building_reason != Reason::assigned) continue;
        ++s.households_in_buildings;
        s.buildings[p.building.index()].add(h);
        bool complete = true;
        std::vector<bool> cov(nkinds);
        for (std::size_t k = 0; k < nkinds; ++k) {
            cov[k] = covered(access, k, p.building);
            ++s.kinds[k].households;
            if (cov[k]) ++s.kinds[k].covered_households;
            if (circle[k] && !cov[k]) complete = false;
        }
        if (complete) ++s.complete_circle_households;
        for (GridId g : p.grids) {
            if (!g.valid()) continue;
            GridStatistics& gs = s.grids[g.index()];
            gs.people.add(h);
            for (std::size_t k = 0; k < nkinds; ++k)
                if (cov[k]) {
                    ++gs.covered_households[k];
                    gs.covered_persons[k] += static_cast<std::size_t>(std::max(h.persons, 0));
                }
            if (complete) ++gs.complete_circle_households;
        }
    }
    for (const Building& b : ds.buildings) {
        if (!b.residential) continue;
        for (std::size_t l = 0; l < tree.building_grid.size(); ++l) {
            GridId g = tree.building_grid[l][b.id.index()];
            if (g.valid()) ++s.grids[g.index()].buildings;
        }
        for (std::size_t k = 0; k < nkinds; ++k)
            if (!covered(access, k, b.id)) ++s.kinds[k].gap_buildings;
    }
    return s;
}

}  // namespace gridatlas::assign
