// Access by multi-source Dijkstra (the shared core of network_distance.hpp), one pass per service kind, bounded by the
// search limit.
//
// A snapped point splits its edge conceptually: a facility seeds both end nodes of its edge with its access leg plus
// the distance along the edge to that node, and a building's point reads the distance at both end nodes of its own
// edge the same way. The one path this misses is along a shared edge without touching a node, so facilities on the
// point's own edge are also compared directly; the result equals routing on the network with that edge split at both
// points. A building with several points (entrances) takes the shortest of them.
//
// Where points join: buildings and facilities at street edges only (not tunnels, bridges, covered or underground ways:
// RoadLine::joinable, decided by [walking] join_exclude), falling back to any edge when no street edge is within reach;
// entrances at any edge, since a mapped door says where it opens.
//
// Every label is (metres, facility index) compared lexicographically, so equal distances go to the lowest facility
// index whatever the order of relaxation: results are deterministic, and independent kinds run on separate threads.
//
// The bound: labels beyond the search limit are never stored, so the search stops by itself once everything within
// the limit is settled. A distance within the limit is exact (every node on its shortest path is within the limit
// too); beyond it the building is told apart from a disconnected one by connected components, which need no search.
#include "access/service_access.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>
#include <stdexcept>
#include <tuple>

#include "access/network_distance.hpp"
#include "model/parallel.hpp"

namespace gridatlas::access {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

struct Label {
    double metres = infinity;
    std::uint32_t facility = FacilityId::invalid_value;
    friend bool operator<(const Label& a, const Label& b) {
        return std::tie(a.metres, a.facility) < std::tie(b.metres, b.facility);
    }
};

Label extend(const Label& l, double arc_m) { return {l.metres + arc_m, l.facility}; }

struct Source {
    std::uint32_t edge;
    std::uint32_t facility;
    friend bool operator<(const Source& a, const Source& b) {
        return std::tie(a.edge, a.facility) < std::tie(b.edge, b.facility);
    }
};

// A building's anchor or a facility: the nearest street edge, else (nothing nearer than max_snap_m is a street) the
// nearest edge of any kind, flagged as a fallback — a building over a tunnel with no street nearby is still reached,
// from the way it lies on, and said so.
std::pair<std::optional<Snap>, bool> join_street(const WalkNetwork& net, const geo::Point& p, double max_snap_m) {
    if (auto snap = net.snap(p, max_snap_m, JoinTo::street)) return {snap, false};
    auto any = net.snap(p, max_snap_m, JoinTo::any_way);
    return {any, any.has_value()};
}

// The snapped facilities of one kind, by edge so that a point finds those on its own edge, and the connected
// components that hold one.
struct KindSources {
    std::vector<Source> by_edge;
    std::vector<bool> component_has_facility;
};

KindSources kind_sources(const Dataset& ds, const WalkNetwork& net, const AccessResult& snaps, const std::string& kind) {
    KindSources out{{}, std::vector<bool>(net.component_count(), false)};
    for (std::size_t f = 0; f < ds.facilities.size(); ++f)
        if (ds.facilities[f].kind == kind && snaps.facility_snaps[f]) {
            out.by_edge.push_back({snaps.facility_snaps[f]->edge, static_cast<std::uint32_t>(f)});
            out.component_has_facility[net.nodes()[net.edges()[snaps.facility_snaps[f]->edge].from].component] = true;
        }
    std::sort(out.by_edge.begin(), out.by_edge.end());
    return out;
}

// Every node's label from the nearest facility, by a multi-source Dijkstra bounded by bound_m.
std::vector<Label> settle_nodes(const WalkNetwork& net, const WalkGraph& g, const AccessResult& snaps,
                                const std::vector<Source>& sources, double bound_m) {
    std::vector<Label> labels(net.nodes().size());
    Frontier<Label> frontier;
    const auto seed = [&](std::uint32_t node, Label label) {
        if (!(label.metres <= bound_m) || !(label < labels[node])) return;
        labels[node] = label;
        frontier.push(label, node);
    };
    for (const Source& s : sources) {
        const Snap& snap = *snaps.facility_snaps[s.facility];
        const auto& edge = net.edges()[snap.edge];
        seed(edge.from, Label{snap.offset_m + snap.along_m, s.facility});
        seed(edge.to, Label{snap.offset_m + (edge.length_m - snap.along_m), s.facility});
    }
    dijkstra(g, frontier, labels, seed, [](std::uint32_t) {});
    return labels;
}

// The shortest way from a facility to a snapped point, its access leg included.
Label to_point(const WalkNetwork& net, const AccessResult& snaps, const std::vector<Source>& sources,
               const std::vector<Label>& labels, const Snap& snap) {
    const auto& edge = net.edges()[snap.edge];
    const Label& from = labels[edge.from];
    const Label& to = labels[edge.to];
    Label best = std::min(Label{from.metres + snap.along_m, from.facility},
                          Label{to.metres + (edge.length_m - snap.along_m), to.facility});
    const auto on_edge = std::equal_range(sources.begin(), sources.end(), Source{snap.edge, 0},
                                          [](const Source& a, const Source& b) { return a.edge < b.edge; });
    for (auto s = on_edge.first; s != on_edge.second; ++s) {
        const Snap& f = *snaps.facility_snaps[s->facility];
        best = std::min(best, Label{std::abs(snap.along_m - f.along_m) + f.offset_m, s->facility});
    }
    best.metres += snap.offset_m;
    return best;
}

KindAccess unreached_access(std::size_t building_count, const ServiceKind& kind, const WalkingOptions& options) {
    KindAccess out;
    out.kind = kind.key;
    out.threshold_minutes = kind.minutes;
    out.search_limit_minutes = options.search_limit_min;
    out.minutes.assign(building_count, infinity);
    out.nearest.assign(building_count, FacilityId{});
    out.reach.assign(building_count, Reach::not_residential);
    out.via.assign(building_count, KindAccess::no_point);
    return out;
}

KindAccess access_for_kind(const Dataset& ds, const WalkNetwork& net, const WalkGraph& g, const AccessResult& snaps,
                           const ServiceKind& kind, const WalkingOptions& options) {
    const double bound_m = options.search_limit_min * 60.0 * options.speed_m_per_s;
    KindAccess out = unreached_access(ds.buildings.size(), kind, options);
    const KindSources sources = kind_sources(ds, net, snaps, kind.key);
    const std::vector<Label> labels = settle_nodes(net, g, snaps, sources.by_edge, bound_m);
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
        if (!ds.buildings[b].residential) continue;
        bool snapped = false, connected = false;
        Label best;
        std::uint32_t via = KindAccess::no_point;
        for (std::uint32_t p = snaps.point_start[b]; p < snaps.point_start[b + 1]; ++p) {
            const std::optional<Snap>& snap = snaps.points[p].snap;
            if (!snap) continue;
            snapped = true;
            connected = connected ||
                        sources.component_has_facility[net.nodes()[net.edges()[snap->edge].from].component];
            const Label l = to_point(net, snaps, sources.by_edge, labels, *snap);
            if (l < best) {   // strictly shorter: ties stay with the earlier point
                best = l;
                via = p;
            }
        }
        if (!snapped) out.reach[b] = Reach::no_road_nearby;
        else if (sources.by_edge.empty()) out.reach[b] = Reach::no_facility_of_kind;
        else if (!connected) out.reach[b] = Reach::disconnected;
        else if (!(best.metres <= bound_m)) out.reach[b] = Reach::beyond_search_limit;
        else {
            out.minutes[b] = best.metres / options.speed_m_per_s / 60.0;
            out.nearest[b] = FacilityId{best.facility};
            out.via[b] = via;
            out.reach[b] = Reach::reached;
        }
    }
    return out;
}

}  // namespace

std::vector<double> minutes_for_bands(const KindAccess& kind) {
    std::vector<double> out = kind.minutes;
    const double past_limit = std::nextafter(kind.search_limit_minutes, std::numeric_limits<double>::infinity());
    for (std::size_t b = 0; b < out.size() && b < kind.reach.size(); ++b)
        if (kind.reach[b] == Reach::beyond_search_limit) out[b] = past_limit;
    return out;
}

const char* to_string(Reach r) {
    switch (r) {
        case Reach::reached: return "reached";
        case Reach::no_road_nearby: return "no_road_nearby";
        case Reach::no_facility_of_kind: return "no_facility_of_kind";
        case Reach::disconnected: return "disconnected";
        case Reach::not_residential: return "not_residential";
        case Reach::beyond_search_limit: return "beyond_search_limit";
    }
    return "unknown";
}

const KindAccess* AccessResult::find(const std::string& kind) const {
    for (const KindAccess& k : kinds)
        if (k.kind == kind) return &k;
    return nullptr;
}

AccessResult compute_access(const Dataset& ds, const WalkNetwork& net, const WalkingOptions& options, unsigned threads) {
    if (!(options.speed_m_per_s > 0) || !std::isfinite(options.speed_m_per_s))
        throw std::invalid_argument("walking speed must be a positive number of metres per second");
    if (!(options.search_limit_min > 0))
        throw std::invalid_argument("the search limit must be a positive number of minutes (+infinity: unbounded)");

    AccessResult result;
    // Each residential building's points: its entrances when it has any, else its anchor.
    std::vector<std::vector<std::uint32_t>> entrances_of(ds.buildings.size());
    for (std::size_t e = 0; e < ds.entrances.size(); ++e) {
        const BuildingId b = ds.entrances[e].building;
        if (b.valid() && b.index() < ds.buildings.size()) entrances_of[b.index()].push_back(static_cast<std::uint32_t>(e));
    }
    result.point_start.assign(ds.buildings.size() + 1, 0);
    result.building_snaps.resize(ds.buildings.size());
    result.building_snap_point.assign(ds.buildings.size(), KindAccess::no_point);
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
        result.point_start[b] = static_cast<std::uint32_t>(result.points.size());
        if (!ds.buildings[b].residential) continue;
        const BuildingId id{b};
        if (entrances_of[b].empty()) {
            const auto [snap, fallback] = join_street(net, ds.buildings[b].anchor, options.max_snap_m);
            result.points.push_back({id, AccessPoint::anchor, ds.buildings[b].anchor, snap, fallback});
        }
        for (std::uint32_t e : entrances_of[b])
            result.points.push_back({id, e, ds.entrances[e].location,
                                     net.snap(ds.entrances[e].location, options.max_snap_m, JoinTo::any_way), false});
        for (std::size_t p = result.point_start[b]; p < result.points.size(); ++p) {
            const std::optional<Snap>& snap = result.points[p].snap;
            if (snap && (!result.building_snaps[b] || snap->offset_m < result.building_snaps[b]->offset_m)) {
                result.building_snaps[b] = snap;
                result.building_snap_point[b] = static_cast<std::uint32_t>(p);
            }
        }
    }
    result.point_start[ds.buildings.size()] = static_cast<std::uint32_t>(result.points.size());
    result.facility_snaps.resize(ds.facilities.size());
    result.facility_fallback.assign(ds.facilities.size(), false);
    for (std::size_t f = 0; f < ds.facilities.size(); ++f) {
        const auto [snap, fallback] = join_street(net, ds.facilities[f].location, options.max_snap_m);
        result.facility_snaps[f] = snap;
        result.facility_fallback[f] = fallback;
    }

    const WalkGraph g(net);
    result.kinds.resize(ds.service_kinds.size());
    // Kinds are independent and each writes only its own slot; a failure in any is rethrown here.
    parallel::for_each_index(ds.service_kinds.size(), threads, [&](std::size_t k) {
        result.kinds[k] = access_for_kind(ds, net, g, result, ds.service_kinds[k], options);
    });
    return result;
}

}  // namespace gridatlas::access
