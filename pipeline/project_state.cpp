// The project state: loads a project once and computes each later stage on first use, at most once, always with the
// project's own options. Also the one place that warns about measures that cannot mean anything (a service kind
// with no facility, a layer with nothing in it) and about facilities and entrances the network cannot reach.
#include "project_state.hpp"

#include <algorithm>

#include "dataset_loader.hpp"

namespace gridatlas::pipeline {

namespace {

layers::ProjectConfig read_config(const std::filesystem::path& project_file, const std::string& profile) {
    layers::ProjectConfig cfg = layers::read_project_config(project_file);
    if (profile.empty()) return cfg;
    auto it = cfg.walking_profiles.find(profile);
    if (it == cfg.walking_profiles.end()) {
        std::string known;
        for (const auto& [name, speed] : cfg.walking_profiles) known += (known.empty() ? "" : ", ") + name;
        throw DataError({Severity::error, "unknown_profile", {cfg.file.string(), "", "", {}, {}},
                         "'" + profile + "' is not a walking profile of this project",
                         "use one of: " + known + ", or add it under [walking.profiles]"});
    }
    cfg.walking.speed_m_per_s = it->second;
    return cfg;
}

assign::OrganisationRules organisation_rules(const layers::ProjectConfig& cfg) {
    assign::OrganisationRules rules;
    rules.standalone_min_households = static_cast<std::size_t>(cfg.rules.standalone_party_org_households);
    rules.community_max_households = static_cast<std::size_t>(cfg.rules.community_max_households);
    rules.grid_min_households = static_cast<std::size_t>(cfg.rules.grid_min_households);
    rules.grid_max_households = static_cast<std::size_t>(cfg.rules.grid_max_households);
    return rules;
}

SourceLocation where(const layers::LayerSource& s) { return {s.file.string(), s.layer, "", {}, {}}; }

}  // namespace

ProjectState::ProjectState(const std::filesystem::path& project_file, Diagnostics& diag, StageClock& clock,
                           const std::string& profile)
    : diag_(diag), clock_(clock) {
    cfg_ = clock_.time("read project file", [&] { return read_config(project_file, profile); });
    ds_ = clock_.time("load layers", [&] { return layers::load_dataset(cfg_, diag_); });
    rules_ = organisation_rules(cfg_);
    warn_empty_measures();
}

ProjectState::ProjectState(layers::ProjectConfig cfg, Dataset ds, Diagnostics& diag, StageClock& clock)
    : diag_(diag), clock_(clock), cfg_(std::move(cfg)), ds_(std::move(ds)) {
    rules_ = organisation_rules(cfg_);
    warn_empty_measures();
}

// Said once, here, so that a 0 % coverage or an empty map never reads as a finding about the area. One line per stage
// the project cannot have, naming the table it lacks.
void ProjectState::warn_empty_measures() {
    if (!cfg_.has_roads())
        skipped_.push_back({"walking access", "no [roads] layer: no walking route can be measured"});
    else if (!cfg_.has_facilities())
        skipped_.push_back({"walking access", "no [facilities] layer: there is nothing to walk to"});
    if (!cfg_.has_buildings())
        skipped_.push_back({"building placement", "no [buildings] layer: households are placed by their points (x, y) straight "
                                                  "into the grids; rows with only a building id or an address stay unplaced "
                                                  "(no_buildings_layer), and building numbers and central households per "
                                                  "building are not made"});
    for (const SkippedStage& s : skipped_)
        diag_.warn("stage_skipped", {cfg_.file.string(), "", "", {}, {}}, s.stage + " skipped: " + s.reason,
                   "add the missing layer to the project file to get this measure");
    if (!ds_.roads.empty() && ds_.facilities.empty() && !cfg_.facilities.file.empty())
        diag_.warn("empty_layer", where(cfg_.facilities), "the facilities layer holds no facility in the study area",
                   "check the layer and its CRS; every service kind will show 0 % coverage");
    if (ds_.facilities.empty()) return;
    for (const ServiceKind& k : ds_.service_kinds) {
        const bool any = std::any_of(ds_.facilities.begin(), ds_.facilities.end(), [&](const Facility& f) { return f.kind == k.key; });
        if (!any)
            diag_.warn("kind_without_facility", where(cfg_.facilities),
                       "no facility is of service kind '" + k.key + "' (" + k.name + "): its coverage is 0 % everywhere",
                       "add its facilities, check the kind field's values, or remove the kind from [[service_kinds]]");
    }
}

const hierarchy::GridTree& ProjectState::tree() {
    if (!tree_) {
        tree_ = clock_.time("grid hierarchy", [&] { return hierarchy::build_grid_tree(ds_, diag_); });
        // One source for a grid's parent: the tree's (by parent code, else by overlap).
        for (std::size_t g = 0; g < ds_.grids.size(); ++g) ds_.grids[g].parent = tree_->parent[g];
    }
    return *tree_;
}

const assign::AssignmentResult& ProjectState::assignment() {
    if (!assignment_) {
        const auto& t = tree();
        assignment_ = clock_.time("assign households", [&] { return assign::assign_households(ds_, t, cfg_.household_placement); });
    }
    return *assignment_;
}

const access::WalkNetwork& ProjectState::network() {
    if (!network_) network_ = clock_.time("walk network", [&] { return access::WalkNetwork::build(ds_.roads); });
    return *network_;
}

const access::AccessResult& ProjectState::access() {
    if (!access_) {
        const auto& net = network();
        access_ = clock_.time("walking access", [&] { return access::compute_access(ds_, net, cfg_.walking); });
        if (can_measure_access()) report_off_network();
    }
    return *access_;
}

const assign::Statistics& ProjectState::stats() {
    if (!stats_) {
        const auto& t = tree();
        const auto& a = assignment();
        const auto& acc = access();
        stats_ = clock_.time("coverage statistics", [&] { return assign::compute_statistics(ds_, t, a, acc); });
    }
    return *stats_;
}

const assign::OrganisationReport& ProjectState::organisation() {
    if (!organisation_) {
        const auto& t = tree();
        const auto& s = stats();
        organisation_ = clock_.time("organisation rules", [&] { return assign::check_organisation(ds_, t, s, rules_); });
    }
    return *organisation_;
}

const assign::CentralHouseholdResult& ProjectState::central() {
    if (!central_) {
        const auto& a = assignment();
        central_ = clock_.time("central households", [&] { return assign::choose_central_households(ds_, a); });
    }
    return *central_;
}

const assign::LiaisonResult& ProjectState::liaison() {
    if (!liaison_) {
        const auto& a = assignment();
        liaison_ = clock_.time("liaison", [&] { return assign::assign_liaison(ds_, a); });
    }
    return *liaison_;
}

std::vector<double> ProjectState::households_per_building() {
    std::vector<double> out(ds_.buildings.size(), 0.0);
    for (const auto& h : assignment().households)
        if (h.building_reason == assign::Reason::assigned && h.building.valid()) out[h.building.index()] += 1;
    return out;
}

void ProjectState::recode_grids(const std::vector<std::string>& codes) {
    for (std::size_t g = 0; g < ds_.grids.size() && g < codes.size(); ++g) ds_.grids[g].code = codes[g];
}

std::size_t ProjectState::kind_index(const std::string& key) const {
    for (std::size_t k = 0; k < ds_.service_kinds.size(); ++k)
        if (ds_.service_kinds[k].key == key) return k;
    std::string known;
    for (const auto& k : ds_.service_kinds) known += (known.empty() ? "" : ", ") + k.key;
    throw DataError({Severity::error, "unknown_kind", {cfg_.file.string(), "", "", {}, {}},
                     "'" + key + "' is not a service kind of this project", "use one of: " + known});
}

// A facility or entrance farther than max_snap_m from every walkable road is not used; a building none of whose
// entrances joins the network has no road nearby. A building or facility with no street within max_snap_m that joined
// an excluded way instead (a tunnel, bridge, …) is reported, one warning each.
void ProjectState::report_off_network() {
    const std::string limit = std::to_string(static_cast<int>(cfg_.walking.max_snap_m));
    for (const Facility& f : ds_.facilities)
        if (!access_->facility_snaps[f.id.index()])
            diag_.warn("facility_off_network", f.origin, "facility is farther than " + limit + " m from every walkable road; it is not used",
                       "move it next to a path, or add the footpath that leads to it");
    const auto building_at = [&](std::size_t b) {
        SourceLocation w = where(cfg_.buildings);
        w.feature = "'" + ds_.buildings[b].source_id + "'";
        return w;
    };
    const auto way = [&](const access::Snap& s) { return "'" + ds_.roads[network().edges()[s.edge].road].source_id + "'"; };
    const std::string why = " that [walking] join_exclude keeps buildings and facilities from joining (a tunnel, bridge, covered or "
                            "underground way)";
    for (const Facility& f : ds_.facilities)
        if (access_->facility_fallback[f.id.index()])
            diag_.warn("joined_excluded_way", f.origin, "facility has no street within " + limit + " m; it joins way " +
                           way(*access_->facility_snaps[f.id.index()]) + why,
                       "check its location, add the footpath that leads to it, or map an entrance");
    for (std::size_t b = 0; b < ds_.buildings.size(); ++b) {
        const auto points = access_->points_of(BuildingId{b});
        for (const access::AccessPoint& a : points)
            if (a.fallback)
                diag_.warn("joined_excluded_way", building_at(b), "building has no street within " + limit + " m; it joins way " +
                               way(*a.snap) + why + ", and its minutes start there",
                           "add the path its door opens onto, or map its entrance ([entrances]) to say where it is entered");
        const bool none_snapped = std::none_of(points.begin(), points.end(), [](const access::AccessPoint& a) { return a.snap.has_value(); });
        for (const access::AccessPoint& a : points) {
            if (a.snap || a.entrance == access::AccessPoint::anchor) continue;
            diag_.warn("entrance_off_network", ds_.entrances[a.entrance].origin,
                       "entrance of building '" + ds_.buildings[b].source_id + "' is farther than " + limit +
                           " m from every walkable road; it is not used" +
                           (none_snapped ? " and the building, with no other entrance on the network, is unreachable (no_road_nearby)" : ""),
                       "move the entrance next to the path it opens onto, add that path to the roads, or raise [walking] max_snap_m");
        }
    }
}

RosterFileCount roster_file_count(const Dataset& ds) {
    return {ds.roster_records_in_file, ds.roster_rejected_at_read, ds.households.size()};
}

nlohmann::json households_json(const Dataset& ds, const assign::AssignmentResult& a) {
    const RosterFileCount file = roster_file_count(ds);
    const auto& building = a.conservation[1];
    nlohmann::json j = {{"roster", building.roster},
                        {"assigned", building.assigned},
                        {"unassigned", building.unassigned()},
                        {"unassigned_by_reason", building.unassigned_by_reason},
                        {"rejected_at_read", file.rejected_at_read},
                        {"records_in_file", file.records_in_file ? nlohmann::json(*file.records_in_file) : nlohmann::json()},
                        {"file_balanced", file.balanced()},
                        {"balanced_at_every_level", a.balanced() && file.balanced()}};
    return j;
}

std::string format_skipped(const nlohmann::json& skipped) {
    std::string out;
    if (!skipped.is_array() || skipped.empty()) return out;
    out += "\nSkipped (the project does not give what they need):\n";
    for (const auto& s : skipped)
        out += "    " + s["stage"].get<std::string>() + " skipped: " + s["reason"].get<std::string>() + "\n";
    return out;
}

nlohmann::json skipped_json(const std::vector<SkippedStage>& skipped) {
    nlohmann::json out = nlohmann::json::array();
    for (const SkippedStage& s : skipped) out.push_back({{"stage", s.stage}, {"reason", s.reason}});
    return out;
}

MeasuredProject measured(ProjectState&& s) {
    s.stats();
    s.central();
    s.liaison();
    MeasuredProject p;
    p.cfg = s.cfg_;
    p.ds = std::move(s.ds_);
    p.tree = std::move(*s.tree_);
    p.assignment = std::move(*s.assignment_);
    p.network = std::move(*s.network_);
    p.access = std::move(*s.access_);
    p.stats = std::move(*s.stats_);
    p.central = std::move(*s.central_);
    p.liaison = std::move(*s.liaison_);
    return p;
}

MeasuredProject measure_project(const std::filesystem::path& project_file, Diagnostics& diag, StageClock& clock,
                                const std::string& profile) {
    return measured(ProjectState(project_file, diag, clock, profile));
}

std::vector<std::size_t> households_per_building(const MeasuredProject& p) {
    std::vector<std::size_t> out(p.ds.buildings.size());
    for (std::size_t b = 0; b < out.size(); ++b) out[b] = p.stats.buildings[b].households;
    return out;
}

std::vector<std::size_t> households_per_building(ProjectState& p) {
    const auto counts = p.households_per_building();
    std::vector<std::size_t> out(counts.size());
    for (std::size_t b = 0; b < counts.size(); ++b) out[b] = static_cast<std::size_t>(counts[b]);
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
