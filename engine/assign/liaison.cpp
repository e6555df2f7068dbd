// Party-member liaison (党员联系户): per grid, an exact min-cost flow from households to party-member contacts on a
// sparse network of nearest contact groups, grown until no missing arc would lower the cost (see liaison.hpp).
#include "assign/liaison.hpp"

#include <algorithm>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace gridatlas::assign {

const char* to_string(LiaisonShortfall s) {
    switch (s) {
        case LiaisonShortfall::none: return "none";
        case LiaisonShortfall::not_enough_party_members: return "not_enough_party_members";
        case LiaisonShortfall::beyond_nearest_contacts: return "beyond_nearest_contacts";
    }
    return "unknown";
}

namespace {

namespace bgi = boost::geometry::index;

// A cost compared lexicographically: first the over-minimum units, then the distance in centimetres. Keeping the two
// apart (rather than one number with a large multiplier) cannot overflow, whatever the grid's size and extent.
struct Cost {
    std::int64_t over = 0;
    std::int64_t dist = 0;
    friend Cost operator+(Cost a, Cost b) { return {a.over + b.over, a.dist + b.dist}; }
    friend Cost operator-(Cost a, Cost b) { return {a.over - b.over, a.dist - b.dist}; }
    friend auto operator<=>(const Cost&, const Cost&) = default;
};

// An arc location → contact group: its distance and the households it carries.
struct Arc {
    std::uint32_t group = 0;
    std::int64_t dist = 0;
    std::int64_t flow = 0;
    bool listed = false;   // in the group's list of arcs carrying flow (kept lazily: flow may since have fallen to 0)
};

// The min-cost max-flow of one grid on a sparse network: source → location (supply) → contact group (the location's
// arcs) → sink (two tiers per group: `first` households at no extra cost, then up to `capacity` at one over-minimum
// unit each). Successive shortest paths with potentials; each Dijkstra runs on a binary heap over the nodes it
// reaches and stops at the sink, and only the nodes it settled change potential (the others keep theirs: potentials
// are shifted by the sink's distance, which leaves reduced costs as the textbook update would). The source's arcs are
// scanned in order of reduced cost from an ordered set, so a search costs what it explores, not the grid's size.
class GridFlow {
public:
    GridFlow(std::vector<std::int64_t> supply, std::vector<std::int64_t> first, std::vector<std::int64_t> capacity,
             std::vector<std::vector<Arc>>& arcs)
        : nl_(supply.size()), ng_(first.size()), t_(nl_ + ng_), s_(t_ + 1), supply_(std::move(supply)),
          first_(std::move(first)), capacity_(std::move(capacity)), served_(ng_, 0), arcs_(arcs),
          carrying_(ng_), pot_(s_ + 1), dist_(s_ + 1), prev_(s_ + 1), via_(s_ + 1), reached_(s_ + 1, 0),
          settled_(s_ + 1, 0) {
        for (auto& list : arcs_)
            for (Arc& a : list) a.flow = 0, a.listed = false;
        for (std::size_t l = 0; l < nl_; ++l)
            if (supply_[l] > 0) source_.insert({Cost{} - pot_[l], l});
    }

    Cost potential(std::size_t node) const { return pot_[node]; }
    std::size_t group_node(std::size_t g) const { return nl_ + g; }
    std::int64_t served(std::size_t g) const { return served_[g]; }

    // Augments until no path is left; returns the households routed.
    std::int64_t run() {
        std::int64_t total = 0;
        while (search()) total += augment();
        return total;
    }

private:
    struct Entry {
        Cost cost;
        std::size_t rank;   // 0 for the sink (settled first among equals: stops the search early), else node + 1
        std::size_t node;
        bool operator>(const Entry& o) const { return std::tie(cost, rank) > std::tie(o.cost, o.rank); }
    };
    using Heap = std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>>;
    static constexpr std::size_t none = static_cast<std::size_t>(-1);

    void relax(Heap& heap, std::size_t v, Cost d, std::size_t from, std::size_t via) {
        if (settled_[v] == stamp_ || (reached_[v] == stamp_ && !(d < dist_[v]))) return;
        reached_[v] = stamp_;
        dist_[v] = d;
        prev_[v] = from;
        via_[v] = via;
        heap.push({d, v == t_ ? 0 : v + 1, v});
    }

    // Dijkstra from the source with reduced costs; true when the sink was reached.
    bool search() {
        ++stamp_;
        settled_list_.clear();
        Heap heap;
        settled_[s_] = stamp_;
        dist_[s_] = Cost{};
        settled_list_.push_back(s_);
        auto cursor = source_.begin();   // the source's arcs, cheapest first: one pending in the heap at a time
        const auto push_cursor = [&] {
            if (cursor != source_.end()) heap.push({cursor->first + pot_[s_], s_ + 1, none});
        };
        push_cursor();
        while (!heap.empty()) {
            const Entry e = heap.top();
            heap.pop();
            if (e.node == none) {
                const std::size_t l = cursor->second;
                ++cursor;
                push_cursor();
                relax(heap, l, e.cost, s_, none);
                continue;
            }
            const std::size_t u = e.node;
            if (settled_[u] == stamp_ || e.cost != dist_[u]) continue;
            settled_[u] = stamp_;
            settled_list_.push_back(u);
            if (u == t_) return true;
            if (u < nl_) {
                for (std::size_t i = 0; i < arcs_[u].size(); ++i) {
                    const Arc& a = arcs_[u][i];
                    const std::size_t g = nl_ + a.group;
                    relax(heap, g, dist_[u] + Cost{0, a.dist} + pot_[u] - pot_[g], u, i);
                }
                continue;
            }
            const std::size_t g = u - nl_;
            if (served_[g] < capacity_[g])
                relax(heap, t_, dist_[u] + Cost{served_[g] < first_[g] ? 0 : 1, 0} + pot_[u] - pot_[t_], u, none);
            for (const auto& [l, i] : carrying_[g]) {
                const Arc& a = arcs_[l][i];
                if (a.flow > 0) relax(heap, l, dist_[u] + Cost{0, -a.dist} + pot_[u] - pot_[l], u, i);
            }
        }
        return false;
    }

    // Moves the most households the path found allows; updates potentials of the settled nodes.
    std::int64_t augment() {
        const Cost dt = dist_[t_];
        for (std::size_t v : settled_list_) {
            if (v == t_) continue;
            const bool in_source = v < nl_ && supply_[v] > 0;
            if (in_source) source_.erase({Cost{} - pot_[v], v});
            pot_[v] = pot_[v] - (dt - dist_[v]);
            if (in_source) source_.insert({Cost{} - pot_[v], v});
        }
        std::size_t g = prev_[t_] - nl_;
        std::int64_t x = served_[g] < first_[g] ? first_[g] - served_[g] : capacity_[g] - served_[g];
        for (std::size_t v = prev_[t_];;) {   // v: a group; prev_[v]: the location sending to it
            const std::size_t l = prev_[v];
            if (prev_[l] == s_) {
                x = std::min(x, supply_[l]);
                break;
            }
            x = std::min(x, arcs_[l][via_[l]].flow);   // l takes a household back from the group before it
            v = prev_[l];
        }
        served_[g] += x;
        for (std::size_t v = prev_[t_];;) {
            const std::size_t l = prev_[v];
            Arc& a = arcs_[l][via_[v]];
            a.flow += x;
            if (!a.listed) {
                a.listed = true;
                carrying_[a.group].push_back({l, via_[v]});
            }
            if (prev_[l] == s_) {
                source_.erase({Cost{} - pot_[l], l});
                supply_[l] -= x;
                if (supply_[l] > 0) source_.insert({Cost{} - pot_[l], l});
                break;
            }
            arcs_[l][via_[l]].flow -= x;
            v = prev_[l];
        }
        return x;
    }

    std::size_t nl_, ng_, t_, s_;
    std::vector<std::int64_t> supply_, first_, capacity_, served_;
    std::vector<std::vector<Arc>>& arcs_;
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> carrying_;   // per group: (location, arc index)
    std::vector<Cost> pot_, dist_;
    std::vector<std::size_t> prev_, via_;
    std::vector<std::uint64_t> reached_, settled_;
    std::uint64_t stamp_ = 0;
    std::vector<std::size_t> settled_list_;
    std::set<std::pair<Cost, std::size_t>> source_;   // locations with households left, by −potential
};

geo::Point position(const Dataset& ds, const Household& h, const HouseholdPlacement& p) {
    if (h.location) return *h.location;
    if (p.building.valid()) return ds.building(p.building).anchor;
    return geo::Point(0, 0);
}

std::int64_t distance_cm(const geo::Point& a, const geo::Point& b) {
    return std::llround(std::hypot(a.x() - b.x(), a.y() - b.y()) * 100.0);
}

struct Location {
    geo::Point at;
    std::vector<HouseholdId> households;   // roster order
};

// Contacts at one position: interchangeable for the flow (same distance to every location), so one node whose tiers
// are the sum of theirs. Grouped only when every contact is a candidate (with K nearest, the K-th may split a group).
struct ContactGroup {
    geo::Point at;
    std::vector<HouseholdId> contacts;   // household order
};

struct GridPeople {
    std::vector<HouseholdId> contacts;
    std::vector<Location> locations;
    std::vector<ContactGroup> groups;
};

GridPeople gather(const Dataset& ds, const AssignmentResult& assignment, const std::vector<HouseholdId>& members,
                  bool group_contacts) {
    GridPeople p;
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> location_of;
    std::map<std::pair<double, double>, std::size_t> group_of;
    for (HouseholdId id : members) {
        const Household& h = ds.households[id.index()];
        const geo::Point at = position(ds, h, assignment.households[id.index()]);
        if (h.party_members > 0) {
            p.contacts.push_back(id);
            std::size_t g = p.groups.size();
            if (group_contacts) g = group_of.try_emplace({at.x(), at.y()}, g).first->second;
            if (g == p.groups.size()) p.groups.push_back({at, {}});
            p.groups[g].contacts.push_back(id);
            continue;
        }
        const std::pair<std::int64_t, std::int64_t> key{std::llround(at.x() * 100.0), std::llround(at.y() * 100.0)};
        auto [it, fresh] = location_of.try_emplace(key, p.locations.size());
        if (fresh) p.locations.push_back({at, {}});
        p.locations[it->second].households.push_back(id);
    }
    return p;
}

using GroupIndex = bgi::rtree<std::pair<geo::Point, std::uint32_t>, bgi::rstar<16>>;

// The k nearest groups of `at` as arcs, nearest first (ties: lower group index).
std::vector<Arc> nearest_arcs(const GroupIndex& index, const std::vector<ContactGroup>& groups, const geo::Point& at,
                              std::size_t k) {
    std::vector<Arc> arcs;
    for (auto it = index.qbegin(bgi::nearest(at, static_cast<unsigned>(k))); it != index.qend(); ++it)
        arcs.push_back({it->second, distance_cm(at, groups[it->second].at)});
    std::sort(arcs.begin(), arcs.end(), [](const Arc& a, const Arc& b) { return std::tie(a.dist, a.group) < std::tie(b.dist, b.group); });
    return arcs;
}

// Arcs of the full network that the sparse one lacks and that would lower its cost: those of negative reduced cost
// under the flow's potentials (none: the flow is optimal on the full network too). A location's missing arcs are all
// at least as long as its `reach` (the distance of the farthest of its k nearest), so a location passes at once when
// even the group of highest potential is no cheaper from there; otherwise its groups are walked nearest first until
// that bound holds.
std::size_t add_cheaper_arcs(const GroupIndex& index, const GridPeople& p, const GridFlow& flow,
                             const std::vector<std::int64_t>& reach, std::vector<std::vector<Arc>>& arcs) {
    Cost top = flow.potential(flow.group_node(0));
    for (std::size_t g = 1; g < p.groups.size(); ++g) top = std::max(top, flow.potential(flow.group_node(g)));
    std::size_t added = 0;
    for (std::size_t l = 0; l < p.locations.size(); ++l) {
        const Cost pl = flow.potential(l);
        if (!(Cost{0, reach[l]} + pl - top < Cost{})) continue;
        std::vector<Arc> extra;
        for (auto it = index.qbegin(bgi::nearest(p.locations[l].at, static_cast<unsigned>(p.groups.size())));
             it != index.qend(); ++it) {
            const std::int64_t d = distance_cm(p.locations[l].at, p.groups[it->second].at);
            if (!(Cost{0, d} + pl - top < Cost{})) break;
            if (Cost{0, d} + pl - flow.potential(flow.group_node(it->second)) >= Cost{}) continue;
            const bool present = std::any_of(arcs[l].begin(), arcs[l].end(), [&](const Arc& a) { return a.group == it->second; });
            if (!present) extra.push_back({it->second, d});
        }
        if (extra.empty()) continue;
        added += extra.size();
        arcs[l].insert(arcs[l].end(), extra.begin(), extra.end());
        std::sort(arcs[l].begin(), arcs[l].end(), [](const Arc& a, const Arc& b) { return std::tie(a.dist, a.group) < std::tie(b.dist, b.group); });
    }
    return added;
}

// The sparse network's arcs: with every contact a candidate, the `k` nearest groups of each location (the rest are
// priced afterwards); with the K nearest only, exactly those K contacts, nearest first (ties: lower household index).
std::vector<std::vector<Arc>> candidate_arcs(const GroupIndex& index, const GridPeople& p, std::size_t k, bool full,
                                             std::vector<std::int64_t>& reach) {
    std::vector<std::vector<Arc>> arcs(p.locations.size());
    reach.assign(p.locations.size(), 0);
    std::vector<Arc> all(p.groups.size());
    for (std::size_t l = 0; l < p.locations.size(); ++l) {
        if (full) {
            arcs[l] = nearest_arcs(index, p.groups, p.locations[l].at, k);
            reach[l] = arcs[l].empty() ? 0 : arcs[l].back().dist;
            continue;
        }
        for (std::size_t g = 0; g < p.groups.size(); ++g)
            all[g] = {static_cast<std::uint32_t>(g), distance_cm(p.locations[l].at, p.groups[g].at)};
        const auto by = [](const Arc& a, const Arc& b) { return std::tie(a.dist, a.group) < std::tie(b.dist, b.group); };
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end(), by);
        arcs[l].assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k));
    }
    return arcs;
}

// Hands each location's households (roster order) to its groups nearest first, and within a group to its contacts in
// household order, each filled to the minimum before any goes beyond it (the flow's over-minimum count).
void hand_out(const GridPeople& p, const GridFlow& flow, const std::vector<std::vector<Arc>>& arcs, std::int64_t to_min,
              std::int64_t spare, LiaisonResult& out) {
    std::vector<std::vector<std::int64_t>> quota(p.groups.size());
    for (std::size_t g = 0; g < p.groups.size(); ++g) {
        std::int64_t left = flow.served(g);
        quota[g].assign(p.groups[g].contacts.size(), 0);
        for (auto& q : quota[g]) left -= (q = std::min(to_min, left));
        for (auto& q : quota[g]) {
            const std::int64_t more = std::min(spare - q, left);
            q += more;
            left -= more;
        }
    }
    std::vector<std::size_t> next_contact(p.groups.size(), 0);
    for (std::size_t l = 0; l < p.locations.size(); ++l) {
        std::size_t next = 0;
        for (const Arc& a : arcs[l])
            for (std::int64_t u = a.flow; u > 0; --u) {
                std::size_t& j = next_contact[a.group];
                while (quota[a.group][j] == 0) ++j;
                --quota[a.group][j];
                const HouseholdId contact = p.groups[a.group].contacts[j];
                const HouseholdId h = p.locations[l].households[next++];
                out.contact[h.index()] = contact;
                out.distance_cm[h.index()] = static_cast<std::int32_t>(std::min<std::int64_t>(a.dist, INT32_MAX));
                ++out.load[contact.index()];
            }
    }
}

// The flow of one grid. With every contact a candidate, it starts from the few nearest groups per location and adds
// arcs until the full network can do no better: as many households as the grid's capacity allows (else twice the
// neighbours), and no missing arc of negative reduced cost (else those arcs); the result is the full network's optimum.
void route(const GridPeople& p, const LiaisonOptions& options, LiaisonResult& out) {
    const std::size_t nl = p.locations.size(), ng = p.groups.size();
    // Each contact has already taken itself: (min − 1) free places, then up to (max − 1) in all.
    const auto spare = static_cast<std::int64_t>(options.max_households) - 1;
    const auto to_min =
        std::min(spare, std::max<std::int64_t>(static_cast<std::int64_t>(options.min_households) - 1, 0));
    std::vector<std::int64_t> supply(nl), first(ng), capacity(ng);
    std::int64_t households = 0, places = 0;
    for (std::size_t l = 0; l < nl; ++l) households += supply[l] = static_cast<std::int64_t>(p.locations[l].households.size());
    for (std::size_t g = 0; g < ng; ++g) {
        const auto n = static_cast<std::int64_t>(p.groups[g].contacts.size());
        first[g] = n * to_min;
        places += capacity[g] = n * spare;
    }
    const bool full = options.nearest_contacts == 0;
    std::vector<std::pair<geo::Point, std::uint32_t>> points;
    for (std::size_t g = 0; g < ng; ++g) points.push_back({p.groups[g].at, static_cast<std::uint32_t>(g)});
    const GroupIndex index(points.begin(), points.end());
    std::size_t k = full ? std::min<std::size_t>(ng, 8) : std::min(options.nearest_contacts, ng);
    std::vector<std::int64_t> reach;
    std::vector<std::vector<Arc>> arcs = candidate_arcs(index, p, k, full, reach);
    std::optional<GridFlow> flow;
    for (;;) {
        flow.emplace(supply, first, capacity, arcs);
        const std::int64_t routed = flow->run();
        if (!full) break;
        if (routed < std::min(households, places) && k < ng) {
            k = std::min(ng, 2 * k);
            arcs = candidate_arcs(index, p, k, full, reach);
            continue;
        }
        if (add_cheaper_arcs(index, p, *flow, reach, arcs) == 0) break;
    }
    hand_out(p, *flow, arcs, to_min, spare, out);
}

// Liaison within one grid; writes the per-household vectors of `out` and returns the grid's summary.
GridLiaison solve_grid(const Dataset& ds, const AssignmentResult& assignment, GridId grid,
                       const std::vector<HouseholdId>& members, const LiaisonOptions& options, LiaisonResult& out) {
    GridLiaison gl;
    gl.grid = grid;
    gl.households = members.size();
    const GridPeople p = gather(ds, assignment, members, options.nearest_contacts == 0);
    for (HouseholdId c : p.contacts) {
        out.contact[c.index()] = c;   // a contact serves itself
        out.distance_cm[c.index()] = 0;
        out.load[c.index()] = 1;
    }
    gl.contacts = p.contacts.size();
    gl.capacity = p.contacts.size() * options.max_households;
    if (!p.locations.empty() && !p.groups.empty()) route(p, options, out);

    for (HouseholdId id : members)
        if (out.contact[id.index()].valid()) {
            ++gl.covered;
            gl.total_distance_cm += out.distance_cm[id.index()];
        }
    gl.uncovered = gl.households - gl.covered;
    for (HouseholdId c : p.contacts)
        if (out.load[c.index()] < options.min_households) {
            ++gl.underloaded_contacts;
            out.underloaded.push_back(c);
        }
    if (gl.uncovered > 0)
        gl.shortfall = gl.capacity < gl.households ? LiaisonShortfall::not_enough_party_members
                                                   : LiaisonShortfall::beyond_nearest_contacts;
    return gl;
}

}  // namespace

LiaisonResult assign_liaison(const Dataset& ds, const AssignmentResult& assignment, const LiaisonOptions& options) {
    if (options.max_households == 0) throw std::invalid_argument("liaison: max_households must be at least 1");
    if (options.min_households > options.max_households)
        throw std::invalid_argument("liaison: min_households exceeds max_households");
    int level = static_cast<int>(ds.levels.size()) - 1;
    if (!options.level.empty()) {
        level = -1;
        for (std::size_t l = 0; l < ds.levels.size(); ++l)
            if (ds.levels[l].key == options.level) level = static_cast<int>(l);
        if (level < 0) throw std::invalid_argument("liaison: level '" + options.level + "' is not a grid level");
    }

    LiaisonResult out;
    out.level = level;
    const std::size_t nh = ds.households.size();
    out.contact.assign(nh, HouseholdId{});
    out.distance_cm.assign(nh, -1);
    out.load.assign(nh, 0);

    std::vector<std::vector<HouseholdId>> members(ds.grids.size());
    for (std::size_t i = 0; i < nh; ++i) {
        const HouseholdPlacement& p = assignment.households[i];
        GridId g;
        const auto l = static_cast<std::size_t>(level);
        if (level >= 0 && l < p.grids.size()) g = p.grids[l];
        if (g.valid()) members[g.index()].push_back(HouseholdId{i});
        else ++out.outside_grids;
    }
    for (std::size_t g = 0; g < ds.grids.size(); ++g) {
        if (members[g].empty()) continue;
        out.grids.push_back(solve_grid(ds, assignment, GridId{g}, members[g], options, out));
        if (out.grids.back().shortfall != LiaisonShortfall::none) out.short_grids.push_back(out.grids.size() - 1);
    }
    return out;
}

}  // namespace gridatlas::assign
