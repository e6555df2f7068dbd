#include "measured_project.hpp"

#include <algorithm>

#include "dataset_loader.hpp"

namespace gridatlas::pipeline {

namespace {

// An entrance farther than max_snap_m from every walkable road is reported like a building so far: it is not used,
// and a building none of whose entrances joins the network has no road nearby.
void report_unsnapped_entrances(const MeasuredProject& p, Diagnostics& diag) {
    const std::string limit = std::to_string(static_cast<int>(p.cfg.walking.max_snap_m));
    for (std::size_t b = 0; b < p.ds.buildings.size(); ++b) {
        const auto points = p.access.points_of(BuildingId{b});
        const bool none_snapped = std::none_of(points.begin(), points.end(), [](const access::AccessPoint& a) { return a.snap.has_value(); });
        for (const access::AccessPoint& a : points) {
            if (a.snap || a.entrance == access::AccessPoint::anchor) continue;
            diag.warn("entrance_off_network", p.ds.entrances[a.entrance].origin,
                      "entrance of building '" + p.ds.buildings[b].source_id + "' is farther than " + limit +
                          " m from every walkable road; it is not used" +
                          (none_snapped ? " and the building, with no other entrance on the network, is unreachable (no_road_nearby)" : ""),
                      "move the entrance next to the path it opens onto, add that path to the roads, or raise [walking] max_snap_m");
        }
    }
}

}  // namespace

MeasuredProject measure_project(const std::filesystem::path& project_file, Diagnostics& diag, StageClock& clock,
                                const std::string& profile) {
    MeasuredProject p;
    p.cfg = clock.time("read project file", [&] { return layers::read_project_config(project_file); });
    if (!profile.empty()) {
        auto it = p.cfg.walking_profiles.find(profile);
        if (it == p.cfg.walking_profiles.end()) {
            std::string known;
            for (const auto& [name, speed] : p.cfg.walking_profiles) known += (known.empty() ? "" : ", ") + name;
            throw DataError({Severity::error, "unknown_profile", {p.cfg.file.string(), "", "", {}, {}},
                             "'" + profile + "' is not a walking profile of this project", "use one of: " + known +
                             ", or add it under [walking.profiles]"});
        }
        p.cfg.walking.speed_m_per_s = it->second;
    }
    p.ds = clock.time("load layers", [&] { return layers::load_dataset(p.cfg, diag); });
    p.tree = clock.time("grid hierarchy", [&] { return hierarchy::build_grid_tree(p.ds, diag); });
    p.assignment = clock.time("assign households", [&] { return assign::assign_households(p.ds, p.tree, p.cfg.household_placement); });
    p.network = clock.time("walk network", [&] { return access::WalkNetwork::build(p.ds.roads); });
    p.access = clock.time("walking access", [&] { return access::compute_access(p.ds, p.network, p.cfg.walking); });
    p.stats = clock.time("coverage statistics", [&] { return assign::compute_statistics(p.ds, p.tree, p.assignment, p.access); });
    for (const Facility& f : p.ds.facilities)
        if (!p.access.facility_snaps[f.id.index()])
            diag.warn("facility_off_network", f.origin,
                      "facility is farther than " + std::to_string(static_cast<int>(p.cfg.walking.max_snap_m)) +
                          " m from every walkable road; it is not used",
                      "move it next to a path, or add the footpath that leads to it");
    report_unsnapped_entrances(p, diag);
    return p;
}

std::vector<std::size_t> households_per_building(const MeasuredProject& p) {
    std::vector<std::size_t> out(p.ds.buildings.size());
    for (std::size_t b = 0; b < out.size(); ++b) out[b] = p.stats.buildings[b].households;
    return out;
}

std::size_t kind_index(const MeasuredProject& p, const std::string& key) {
    for (std::size_t k = 0; k < p.ds.service_kinds.size(); ++k)
        if (p.ds.service_kinds[k].key == key) return k;
    std::string known;
    for (const auto& k : p.ds.service_kinds) known += (known.empty() ? "" : ", ") + k.key;
    throw DataError({Severity::error, "unknown_kind", {p.cfg.file.string(), "", "", {}, {}},
                     "'" + key + "' is not a service kind of this project", "use one of: " + known});
}

}  // namespace gridatlas::pipeline
