#include "measured_project.hpp"

#include "dataset_loader.hpp"

namespace gridatlas::pipeline {

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
