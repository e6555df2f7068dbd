// Checks the grid documents' organisation rules (party organisation form, cadres, household ranges, central
// households) against the per-grid tallies and lists each grid, community and building that breaks one.
#include "assign/organisation_rules.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace gridatlas::assign {

const char* to_string(OrganisationForm f) {
    switch (f) {
        case OrganisationForm::standalone: return "standalone";
        case OrganisationForm::joint: return "joint";
        case OrganisationForm::instructor: return "instructor";
    }
    return "unknown";
}

const char* to_string(OrganisationType t) {
    switch (t) {
        case OrganisationType::party_group: return "party_group";
        case OrganisationType::branch: return "branch";
        case OrganisationType::general_branch: return "general_branch";
        case OrganisationType::committee: return "committee";
    }
    return "unknown";
}

const RuleCheck* OrganisationReport::rule(std::string_view key) const {
    for (const auto& r : rules)
        if (r.key == key) return &r;
    return nullptr;
}

OrganisationType organisation_type(std::size_t party_members, const OrganisationRules& rules) {
    if (party_members >= rules.committee_min_party_members) return OrganisationType::committee;
    if (party_members >= rules.general_branch_min_party_members) return OrganisationType::general_branch;
    if (party_members >= rules.branch_min_party_members) return OrganisationType::branch;
    return OrganisationType::party_group;
}

int required_cadres(std::size_t persons, const OrganisationRules& rules) {
    if (persons >= rules.cadres_large_min_persons) return rules.cadres_large;
    if (persons >= rules.cadres_medium_min_persons) return rules.cadres_medium;
    return rules.cadres_small;
}

namespace {

int level_index(const Dataset& ds, const std::string& key, int fallback, const char* what) {
    if (key.empty()) return fallback;
    for (std::size_t l = 0; l < ds.levels.size(); ++l)
        if (ds.levels[l].key == key) return static_cast<int>(l);
    throw std::invalid_argument(std::string("organisation rules: ") + what + " level '" + key +
                                "' is not a grid level");
}

std::string n(std::size_t v) { return std::to_string(v); }

// Adjacent siblings per grid index: same resolved parent (or both top-level), polygons within the tolerance.
std::vector<std::vector<GridId>> sibling_neighbours(const Dataset& ds, const hierarchy::GridTree& tree, double tol) {
    const std::size_t ng = ds.grids.size();
    std::vector<geo::Box> boxes(ng);
    std::vector<bool> has_area(ng, false);
    for (std::size_t g = 0; g < ng; ++g) {
        if (ds.grids[g].area.empty()) continue;
        boxes[g] = geo::bg::return_envelope<geo::Box>(ds.grids[g].area);
        has_area[g] = true;
    }
    // Group by (level, parent): top-level grids and orphans of one level share the invalid parent.
    std::vector<std::vector<std::size_t>> groups;
    {
        std::vector<std::size_t> order(ng);
        for (std::size_t g = 0; g < ng; ++g) order[g] = g;
        auto key = [&](std::size_t g) {
            const GridId p = g < tree.parent.size() ? tree.parent[g] : GridId{};
            return std::pair<int, std::uint32_t>(ds.grids[g].level, p.value);
        };
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
        for (std::size_t i = 0; i < ng; ++i) {
            if (i == 0 || key(order[i]) != key(order[i - 1])) groups.emplace_back();
            groups.back().push_back(order[i]);
        }
    }
    std::vector<std::vector<GridId>> out(ng);
    for (const auto& group : groups)
        for (std::size_t i = 0; i < group.size(); ++i)
            for (std::size_t j = i + 1; j < group.size(); ++j) {
                const std::size_t a = group[i], b = group[j];
                if (!has_area[a] || !has_area[b]) continue;
                const geo::Box& ba = boxes[a];
                const geo::Box& bb = boxes[b];
                const bool apart_x = ba.min_corner().x() > bb.max_corner().x() + tol ||
                                     bb.min_corner().x() > ba.max_corner().x() + tol;
                const bool apart_y = ba.min_corner().y() > bb.max_corner().y() + tol ||
                                     bb.min_corner().y() > ba.max_corner().y() + tol;
                if (apart_x || apart_y) continue;
                if (geo::bg::distance(ds.grids[a].area, ds.grids[b].area) > tol) continue;
                out[a].push_back(GridId{b});
                out[b].push_back(GridId{a});
            }
    return out;
}

// Each grid's counts, organisation type and required cadres (stats.grids may be shorter: missing grids count zero).
std::vector<GridOrganisation> grid_organisations(const Dataset& ds, const Statistics& stats, const OrganisationRules& rules) {
    static const Tally empty;
    std::vector<GridOrganisation> out(ds.grids.size());
    for (std::size_t g = 0; g < out.size(); ++g) {
        GridOrganisation& o = out[g];
        const Tally& t = g < stats.grids.size() ? stats.grids[g].people : empty;
        o.grid = GridId{g};
        o.level = ds.grids[g].level;
        o.households = t.households;
        o.persons = t.persons;
        o.party_households = t.party_households;
        o.party_members = t.party_members;
        o.type = organisation_type(t.party_members, rules);
        o.required_cadres = required_cadres(t.persons, rules);
    }
    return out;
}

// Standalone at the threshold; below it, joint with the smallest adjacent sibling that brings the pair to the
// threshold (ties: the lower index), else an instructor.
void assign_forms(std::vector<GridOrganisation>& grids, const std::vector<std::vector<GridId>>& neighbours,
                  const OrganisationRules& rules) {
    for (std::size_t g = 0; g < grids.size(); ++g) {
        GridOrganisation& o = grids[g];
        if (o.households >= rules.standalone_min_households) {
            o.form = OrganisationForm::standalone;
            continue;
        }
        GridId best;
        for (GridId nb : neighbours[g]) {
            const std::size_t h = grids[nb.index()].households;
            if (o.households + h < rules.standalone_min_households) continue;
            if (!best.valid() || h < grids[best.index()].households || (h == grids[best.index()].households && nb < best))
                best = nb;
        }
        if (best.valid()) {
            o.form = OrganisationForm::joint;
            o.joint_with = best;
            o.joint_households = o.households + grids[best.index()].households;
        } else {
            o.form = OrganisationForm::instructor;
        }
    }
}

// A grid rule: every grid (in level order) for which `breach` gives a value.
template <typename Breach>
RuleCheck grid_rule(RuleCheck r, const std::vector<std::size_t>& by_level, Breach breach) {
    for (std::size_t g : by_level)
        if (const std::optional<std::size_t> v = breach(g)) r.breaches.push_back({GridId{g}, BuildingId{}, *v});
    return r;
}

// Grid indices in level order (then index), the order every grid rule lists its breaches in.
std::vector<std::size_t> in_level_order(const Dataset& ds, std::size_t grid_count) {
    std::vector<std::size_t> by_level(grid_count);
    for (std::size_t g = 0; g < by_level.size(); ++g) by_level[g] = g;
    std::stable_sort(by_level.begin(), by_level.end(),
                     [&](std::size_t a, std::size_t b) { return ds.grids[a].level < ds.grids[b].level; });
    return by_level;
}

RuleCheck central_household_rule(const Dataset& ds, const hierarchy::GridTree& tree, const Statistics& stats) {
    RuleCheck r{"central_household", "楼栋党员中心户", "party-member central household per building",
                "party-member households ≥ 1 per building with households",
                "buildings with households but no party-member household (value: households); grid: the "
                "building's finest grid",
                {}};
    const int finest = static_cast<int>(ds.levels.size()) - 1;
    for (std::size_t b = 0; b < stats.buildings.size() && b < ds.buildings.size(); ++b) {
        const Tally& t = stats.buildings[b];
        if (t.households == 0 || t.party_households > 0) continue;
        GridId g;
        if (finest >= 0 && static_cast<std::size_t>(finest) < tree.building_grid.size()) g = tree.grid_of(BuildingId{b}, finest);
        r.breaches.push_back({g, BuildingId{b}, t.households});
    }
    return r;
}

}  // namespace

OrganisationReport check_organisation(const Dataset& ds, const hierarchy::GridTree& tree, const Statistics& stats,
                                      const OrganisationRules& rules) {
    const int nlevels = static_cast<int>(ds.levels.size());
    const int community_level = level_index(ds, rules.community_level, 0, "community");
    const int grid_level = level_index(ds, rules.grid_level, nlevels - 1, "grid");
    OrganisationReport report;
    report.grids = grid_organisations(ds, stats, rules);
    assign_forms(report.grids, sibling_neighbours(ds, tree, rules.adjacency_tolerance_m), rules);
    const auto& grids = report.grids;
    using Value = std::optional<std::size_t>;

    const std::vector<std::size_t> by_level = in_level_order(ds, grids.size());

    report.rules.push_back(grid_rule(
        {"standalone_organisation", "独立建立党组织", "standalone party organisation",
         "households ≥ " + n(rules.standalone_min_households),
         "every grid below the threshold, at every level; its form (joint with a named adjacent grid of "
         "the same parent, else instructor) is in the grid's organisation",
         {}},
        by_level, [&](std::size_t g) { return grids[g].form != OrganisationForm::standalone ? Value(grids[g].households) : Value(); }));
    report.rules.push_back(grid_rule(
        {"party_branch", "党支部设置", "party branch",
         "party members ≥ " + n(rules.branch_min_party_members) + " → branch 支部, ≥ " +
             n(rules.general_branch_min_party_members) + " → general branch 总支, ≥ " +
             n(rules.committee_min_party_members) + " → committee 党委",
         "every grid with too few party members to form a branch (党员不足" + n(rules.branch_min_party_members) + "人), at every level",
         {}},
        by_level, [&](std::size_t g) { return grids[g].type == OrganisationType::party_group ? Value(grids[g].party_members) : Value(); }));
    report.rules.push_back({"cadre_staffing", "干部配备", "cadre staffing",
                            "persons ≥ " + n(rules.cadres_large_min_persons) + " → " + std::to_string(rules.cadres_large) +
                                " cadres, ≥ " + n(rules.cadres_medium_min_persons) + " → " + std::to_string(rules.cadres_medium) +
                                ", else " + std::to_string(rules.cadres_small),
                            "a requirement, not a check: the data holds no staffing, so no grid can be found to break it; "
                            "each grid's required cadres are in its organisation",
                            {}});
    report.rules.push_back(grid_rule(
        {"community_size", "社区规模", "community size",
         "households ≤ " + n(rules.community_max_households) + " per " +
             (community_level < nlevels ? ds.levels[community_level].key : std::string("community")),
         "grids of that level above the maximum", {}},
        by_level, [&](std::size_t g) {
            const bool over = ds.grids[g].level == community_level && grids[g].households > rules.community_max_households;
            return over ? Value(grids[g].households) : Value();
        }));
    report.rules.push_back(grid_rule(
        {"grid_size", "网格规模", "grid size",
         n(rules.grid_min_households) + " ≤ households ≤ " + n(rules.grid_max_households) + " per " +
             (grid_level >= 0 && grid_level < nlevels ? ds.levels[grid_level].key : std::string("grid")),
         "grids of that level outside the range", {}},
        by_level, [&](std::size_t g) {
            const std::size_t h = grids[g].households;
            const bool out = ds.grids[g].level == grid_level && (h < rules.grid_min_households || h > rules.grid_max_households);
            return out ? Value(h) : Value();
        }));
    report.rules.push_back(central_household_rule(ds, tree, stats));
    return report;
}

}  // namespace gridatlas::assign
