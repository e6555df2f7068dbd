// Coverage sets by bounded Dijkstra per candidate, then greedy selection over them.
//
// Demand points are indexed by edge, so a search looks only at the points on the edges around the nodes it settled
// (and on the candidate's own edge), never at the whole city: the work per candidate is the network within the
// threshold walk. Each candidate's set is found independently, so threads only split the candidates between them.
#include "access/siting.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <string>

#include "access/network_distance.hpp"
#include "model/parallel.hpp"

namespace gridatlas::access {

namespace {

double share(std::size_t covered, std::size_t total) { return total ? double(covered) / double(total) : 0.0; }

std::size_t gain(const CoverageModel& model, std::size_t c, const std::vector<bool>& covered) {
    std::size_t g = 0;
    for (std::uint32_t d : model.covers(c))
        if (!covered[d]) g += model.households[d];
    return g;
}

void check_model(const CoverageModel& model) {
    const std::size_t n = model.candidate_count();
    if (model.start.size() != n + 1 || model.start.back() != model.cover.size() ||
        model.initially_covered.size() != model.households.size())
        throw std::invalid_argument("inconsistent coverage model");
    for (std::uint32_t d : model.cover)
        if (d >= model.households.size()) throw std::invalid_argument("coverage model names an unknown demand point");
}

// Shared by every selection: state before the first site, and the bookkeeping of adding one.
struct Selection {
    const CoverageModel& model;
    std::vector<bool> covered;
    SitingResult result;

    explicit Selection(const CoverageModel& m) : model(m), covered(m.initially_covered) {
        check_model(m);
        result.total_households = m.total_households();
        result.covered_before = result.covered_after = m.initially_covered_households();
        result.share_before = result.share_after = share(result.covered_after, result.total_households);
    }

    void add(std::size_t c) {
        ChosenSite site;
        site.candidate = c;
        site.id = model.candidate_ids[c];
        site.covered_before = result.covered_after;
        for (std::uint32_t d : model.covers(c)) {
            if (covered[d]) continue;
            covered[d] = true;
            site.newly_covered_households += model.households[d];
            ++site.newly_covered_points;
        }
        site.covered_after = site.covered_before + site.newly_covered_households;
        site.share_before = share(site.covered_before, result.total_households);
        site.share_after = share(site.covered_after, result.total_households);
        result.covered_after = site.covered_after;
        result.share_after = site.share_after;
        result.sites.push_back(std::move(site));
    }
};

// Lazy greedy (CELF). Queue entries carry the gain computed in round `round`; an entry computed in the current round
// at the top of the queue is the true best, since every other entry's gain is an upper bound of its current gain.
// Order: larger gain first, then lower index, exactly as the plain greedy scans.
// `more` is asked before each round whether to continue.
template <typename More>
SitingResult lazy_greedy(const CoverageModel& model, More more) {
    Selection sel(model);
    struct Entry {
        std::size_t gain;
        std::uint32_t candidate;
        std::size_t round;
    };
    const auto worse = [](const Entry& a, const Entry& b) {
        return a.gain != b.gain ? a.gain < b.gain : a.candidate > b.candidate;
    };
    std::priority_queue<Entry, std::vector<Entry>, decltype(worse)> queue(worse);
    for (std::uint32_t c = 0; c < model.candidate_count(); ++c) {
        const std::size_t g = gain(model, c, sel.covered);
        if (g > 0) queue.push({g, c, 0});
    }
    for (std::size_t round = 0; more(sel.result); ++round) {
        while (!queue.empty() && queue.top().round != round) {
            Entry e = queue.top();
            queue.pop();
            e.gain = gain(model, e.candidate, sel.covered);
            e.round = round;
            if (e.gain > 0) queue.push(e);   // a candidate with nothing left to add never comes back
        }
        if (queue.empty()) break;
        const std::uint32_t best = queue.top().candidate;
        queue.pop();
        sel.add(best);
        // Everything left in the queue is now stale (computed in this round or earlier): next round recomputes.
    }
    return std::move(sel.result);
}

std::size_t households_needed(double target_share, std::size_t total) {
    return static_cast<std::size_t>(std::ceil(target_share * double(total) - 1e-9));
}

}  // namespace

std::size_t CoverageModel::total_households() const {
    return std::accumulate(households.begin(), households.end(), std::size_t{0});
}

std::size_t CoverageModel::initially_covered_households() const {
    std::size_t sum = 0;
    for (std::size_t d = 0; d < households.size(); ++d)
        if (initially_covered[d]) sum += households[d];
    return sum;
}

namespace {

// The model's per-candidate and per-demand columns, before any coverage set.
CoverageModel model_columns(const std::vector<SitingCandidate>& candidates, const std::vector<DemandPoint>& demand) {
    CoverageModel model;
    model.candidate_ids.reserve(candidates.size());
    for (const SitingCandidate& c : candidates) model.candidate_ids.push_back(c.id);
    model.households.reserve(demand.size());
    model.initially_covered.reserve(demand.size());
    for (const DemandPoint& d : demand) {
        model.households.push_back(d.households);
        model.initially_covered.push_back(d.covered);
    }
    return model;
}

// The demand points a new site can matter for, by edge (compressed rows, ascending demand index per edge). A building
// with several entrances is listed once per snapped entrance, each with its own snap.
struct DemandByEdge {
    struct OnEdge {
        std::uint32_t demand;
        const Snap* snap;
    };
    std::vector<std::size_t> start;   // edge e holds items[start[e] .. start[e + 1])
    std::vector<OnEdge> items;
};

DemandByEdge open_demand_by_edge(const std::vector<DemandPoint>& demand, std::size_t edge_count) {
    DemandByEdge out;
    out.start.assign(edge_count + 1, 0);
    const auto open = [&](const DemandPoint& d) { return !d.covered && d.households > 0 && d.snap; };
    const auto each_snap = [&](const DemandPoint& d, const auto& fn) {
        if (d.snap->edge < edge_count) fn(*d.snap);
        for (const Snap& s : d.other_snaps)
            if (s.edge < edge_count) fn(s);
    };
    for (const DemandPoint& d : demand)
        if (open(d)) each_snap(d, [&](const Snap& s) { ++out.start[s.edge + 1]; });
    std::partial_sum(out.start.begin(), out.start.end(), out.start.begin());
    out.items.resize(out.start.back());
    std::vector<std::size_t> fill(out.start.begin(), out.start.end() - 1);
    for (std::uint32_t d = 0; d < demand.size(); ++d)
        if (open(demand[d])) each_snap(demand[d], [&](const Snap& s) { out.items[fill[s.edge]++] = {d, &s}; });
    return out;
}

// Per thread: a search and the candidate stamp that last looked at each edge.
struct CoverScratch {
    BoundedSearch search;
    std::vector<std::uint32_t> edge_seen;
    std::uint32_t stamp = 0;
};

// The open demand points within threshold_m of one candidate's snap, ascending, each once.
std::vector<std::uint32_t> cover_set(CoverScratch& s, const WalkGraph& graph, const DemandByEdge& on_edge,
                                     const Snap& snap, double threshold_m) {
    std::vector<std::uint32_t> set;
    s.search.run(std::span<const Snap>(&snap, 1), threshold_m);
    if (++s.stamp == 0) {   // wrapped: forget every old stamp
        std::fill(s.edge_seen.begin(), s.edge_seen.end(), 0);
        s.stamp = 1;
    }
    const auto look_at = [&](std::uint32_t e) {
        if (s.edge_seen[e] == s.stamp) return;
        s.edge_seen[e] = s.stamp;
        for (std::size_t i = on_edge.start[e]; i < on_edge.start[e + 1]; ++i)
            if (s.search.distance_to(*on_edge.items[i].snap) <= threshold_m) set.push_back(on_edge.items[i].demand);
    };
    look_at(snap.edge);
    for (std::uint32_t n : s.search.settled())
        for (std::uint32_t a = graph.arc_begin(n); a < graph.arc_end(n); ++a) look_at(graph.edge(a));
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());   // a building reached at two entrances
    return set;
}

}  // namespace

CoverageModel coverage_model(const WalkNetwork& net, const std::vector<SitingCandidate>& candidates,
                             const std::vector<DemandPoint>& demand, double threshold_m, unsigned threads) {
    if (!(threshold_m >= 0) || !std::isfinite(threshold_m))
        throw std::invalid_argument("coverage threshold must be a finite distance >= 0");
    if (demand.size() >= std::numeric_limits<std::uint32_t>::max())   // demand indices are stored in 32 bits
        throw std::length_error("coverage model: more than 4,294,967,294 demand points; split the area");
    CoverageModel model = model_columns(candidates, demand);
    const std::size_t edge_count = net.edges().size();
    const DemandByEdge on_edge = open_demand_by_edge(demand, edge_count);

    const WalkGraph graph(net);
    std::vector<std::vector<std::uint32_t>> sets(candidates.size());
    parallel::for_each_index(candidates.size(), threads,
                             [&] { return CoverScratch{BoundedSearch(graph), std::vector<std::uint32_t>(edge_count, 0), 0}; },
                             [&](CoverScratch& s, std::size_t c) {
        const std::optional<Snap>& snap = candidates[c].snap;
        if (!snap || snap->edge >= edge_count || snap->offset_m > threshold_m) return;
        sets[c] = cover_set(s, graph, on_edge, *snap, threshold_m);
    });

    model.start.assign(candidates.size() + 1, 0);
    for (std::size_t c = 0; c < candidates.size(); ++c) model.start[c + 1] = model.start[c] + sets[c].size();
    model.cover.reserve(model.start.back());
    for (const auto& set : sets) model.cover.insert(model.cover.end(), set.begin(), set.end());
    return model;
}

SitingResult choose_sites(const CoverageModel& model, std::size_t k) {
    return lazy_greedy(model, [k](const SitingResult& r) { return r.sites.size() < k; });
}

SitingResult choose_sites_plain_greedy(const CoverageModel& model, std::size_t k) {
    Selection sel(model);
    while (sel.result.sites.size() < k) {
        std::size_t best_gain = 0;
        std::size_t best = 0;
        for (std::size_t c = 0; c < model.candidate_count(); ++c) {
            const std::size_t g = gain(model, c, sel.covered);
            if (g > best_gain) {
                best_gain = g;
                best = c;
            }
        }
        if (best_gain == 0) break;
        sel.add(best);
    }
    return std::move(sel.result);
}

SitingResult fewest_sites_for_share(const CoverageModel& model, double target_share, std::size_t max_sites) {
    if (!(target_share >= 0 && target_share <= 1)) throw std::invalid_argument("target share must be within 0..1");
    const std::size_t needed = households_needed(target_share, model.total_households());
    SitingResult r = lazy_greedy(model, [&](const SitingResult& s) {
        return s.covered_after < needed && s.sites.size() < max_sites;
    });
    r.target_reached = r.covered_after >= needed;
    return r;
}

std::vector<SitingCandidate> candidates_from_buildings(const Dataset& ds, const AccessResult& access) {
    std::vector<SitingCandidate> out;
    for (std::size_t b = 0; b < ds.buildings.size() && b < access.building_snaps.size(); ++b)
        if (ds.buildings[b].residential && access.building_snaps[b]) {
            const std::uint32_t p = b < access.building_snap_point.size() ? access.building_snap_point[b] : KindAccess::no_point;
            const geo::Point at = p < access.points.size() ? access.points[p].location : ds.buildings[b].anchor;
            out.push_back({ds.buildings[b].source_id, at, access.building_snaps[b]});
        }
    return out;
}

std::vector<SitingCandidate> candidates_from_nodes(const WalkNetwork& net) {
    std::vector<std::optional<Snap>> at(net.nodes().size());
    for (std::uint32_t e = 0; e < net.edges().size(); ++e) {
        const auto& edge = net.edges()[e];
        if (!edge.joinable) continue;   // a tunnel's or bridge's node is no place for a door
        if (!at[edge.from]) at[edge.from] = Snap{e, 0, 0, net.nodes()[edge.from].location};
        if (!at[edge.to]) at[edge.to] = Snap{e, edge.length_m, 0, net.nodes()[edge.to].location};
    }
    std::vector<SitingCandidate> out;
    out.reserve(at.size());
    for (std::size_t n = 0; n < at.size(); ++n)
        if (at[n]) out.push_back({"node:" + std::to_string(n), net.nodes()[n].location, at[n]});
    return out;
}

std::vector<SitingCandidate> candidates_from_points(const WalkNetwork& net,
                                                    const std::vector<std::pair<std::string, geo::Point>>& points,
                                                    double max_snap_m) {
    std::vector<SitingCandidate> out;
    out.reserve(points.size());
    for (const auto& [id, p] : points) out.push_back({id, p, net.snap(p, max_snap_m)});
    return out;
}

std::vector<DemandPoint> demand_from_access(const Dataset& ds, const AccessResult& access, const KindAccess& kind,
                                            const std::vector<std::size_t>& households_per_building) {
    std::vector<DemandPoint> out;
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
        if (!ds.buildings[b].residential) continue;
        DemandPoint d;
        d.building = BuildingId{b};
        d.households = b < households_per_building.size() ? households_per_building[b] : 0;
        if (b < access.building_snaps.size()) d.snap = access.building_snaps[b];
        if (b + 1 < access.point_start.size() && b < access.building_snap_point.size())
            for (std::uint32_t p = access.point_start[b]; p < access.point_start[b + 1]; ++p)
                if (p != access.building_snap_point[b] && access.points[p].snap) d.other_snaps.push_back(*access.points[p].snap);
        d.covered = b < kind.minutes.size() && kind.reach[b] == Reach::reached &&
                    kind.minutes[b] <= kind.threshold_minutes;
        out.push_back(std::move(d));
    }
    return out;
}

}  // namespace gridatlas::access
