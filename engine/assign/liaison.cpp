#include "assign/liaison.hpp"

#include <algorithm>
#include <cmath>
#include <compare>
#include <map>
#include <queue>
#include <stdexcept>
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

// A cost compared lexicographically: first the over-minimum units, then the distance in centimetres. Keeping the two
// apart (rather than one number with a large multiplier) cannot overflow, whatever the grid's size and extent.
struct Cost {
    std::int64_t over = 0;
    std::int64_t dist = 0;
    friend Cost operator+(Cost a, Cost b) { return {a.over + b.over, a.dist + b.dist}; }
    friend Cost operator-(Cost a, Cost b) { return {a.over - b.over, a.dist - b.dist}; }
    friend auto operator<=>(const Cost&, const Cost&) = default;
};

// The min-cost max-flow of one grid: source → location (supply) → contact (distance) → sink (two tiers), solved by
// successive shortest paths with potentials, with Dijkstra run on the contacts only.
// A residual path alternates contact → location → contact (moving a household of that location from the first
// contact to the second), so the cheapest such step between two contacts is the cheapest over the locations that
// currently send flow to the first: one lazy heap per contact pair keeps it. The source's step to a contact is the
// nearest location with households left (a sorted list, since supplies only shrink). Dijkstra is then O(contacts²)
// per augmentation, independent of the number of locations; shortest-path distances and thus the result are those
// of the full network.
class ContactFlow {
public:
    // supply[l]: households at location l; distance[l * contacts + c]: cost of l → c, or −1 when c is not one of l's
    // candidates. Each contact takes up to `to_min` households at no extra cost, then up to `spare` in all.
    ContactFlow(std::vector<std::int64_t> supply, std::size_t contacts, std::vector<std::int64_t> distance,
                std::int64_t to_min, std::int64_t spare)
        : m_(contacts), nl_(supply.size()), supply_(std::move(supply)), distance_(std::move(distance)),
          flow_(nl_ * m_, 0), served_(m_, 0), to_min_(to_min), spare_(spare), from_source_(m_), source_next_(m_, 0),
          exchange_(m_ * m_) {
        for (std::size_t l = 0; l < nl_; ++l)
            for (std::size_t c = 0; c < m_; ++c)
                if (d(l, c) >= 0 && supply_[l] > 0) from_source_[c].push_back({d(l, c), l});
        for (auto& list : from_source_) std::sort(list.begin(), list.end());
    }

    std::int64_t flow(std::size_t l, std::size_t c) const { return flow_[l * m_ + c]; }

    void run() {
        const std::size_t s = m_, t = m_ + 1;
        std::vector<Cost> pot(m_ + 2), dist(m_ + 2);
        std::vector<char> reached(m_ + 2), settled(m_ + 2);
        std::vector<std::size_t> prev(m_ + 2), via(m_ + 2);
        for (;;) {
            std::fill(reached.begin(), reached.end(), 0);
            std::fill(settled.begin(), settled.end(), 0);
            dist[s] = Cost{};
            for (std::size_t c = 0; c < m_; ++c)
                if (const Entry* e = source_top(c)) {
                    reached[c] = 1;
                    dist[c] = Cost{0, e->first} + pot[s] - pot[c];
                    prev[c] = s;
                    via[c] = e->second;
                }
            // Dijkstra with an early stop: the sink's step from a contact costs at least 0 (reduced), so once the next
            // contact to settle is no nearer than the best way to the sink found so far, nothing settled later can
            // beat it. (Reduced costs make long plateaus of equal distance: settling them too cost most of the time.)
            std::size_t last = m_;
            const auto to_sink = [&](std::size_t c) {
                if (served_[c] >= spare_) return;
                const Cost nd = dist[c] + Cost{served_[c] < to_min_ ? 0 : 1, 0} + pot[c] - pot[t];
                if (last == m_ || nd < dist[t] || (nd == dist[t] && c < last)) {
                    last = c;
                    dist[t] = nd;
                }
            };
            for (;;) {
                std::size_t u = m_;
                for (std::size_t c = 0; c < m_; ++c)
                    if (reached[c] && !settled[c] && (u == m_ || dist[c] < dist[u])) u = c;
                if (u == m_ || (last != m_ && !(dist[u] < dist[t]))) break;
                settled[u] = 1;
                to_sink(u);
                for (std::size_t c = 0; c < m_; ++c) {
                    if (settled[c]) continue;
                    const Entry* e = exchange_top(u, c);
                    if (!e) continue;
                    const Cost nd = dist[u] + Cost{0, e->first} + pot[u] - pot[c];
                    if (!reached[c] || nd < dist[c]) {
                        reached[c] = 1;
                        dist[c] = nd;
                        prev[c] = u;
                        via[c] = e->second;
                    }
                }
            }
            if (last == m_) return;
            // Potentials: settled contacts move by their distance, the others by the sink's (they are at least that
            // far), which keeps every reduced cost non-negative.
            for (std::size_t c = 0; c < m_; ++c) pot[c] = pot[c] + (settled[c] ? dist[c] : dist[t]);
            pot[t] = pot[t] + dist[t];

            // The bottleneck: the sink tier of the last contact, the source's location, each moved location's flow.
            std::int64_t x = served_[last] < to_min_ ? to_min_ - served_[last] : spare_ - served_[last];
            for (std::size_t c = last;; c = prev[c]) {
                const std::size_t l = via[c];
                if (prev[c] == s) {
                    x = std::min(x, supply_[l]);
                    break;
                }
                x = std::min(x, flow(l, prev[c]));
            }
            served_[last] += x;
            for (std::size_t c = last;; c = prev[c]) {
                const std::size_t l = via[c];
                add_flow(l, c, x);
                if (prev[c] == s) {
                    supply_[l] -= x;
                    break;
                }
                add_flow(l, prev[c], -x);
            }
        }
    }

private:
    using Entry = std::pair<std::int64_t, std::size_t>;   // cost, location
    using Heap = std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>>;

    std::int64_t d(std::size_t l, std::size_t c) const { return distance_[l * m_ + c]; }

    const Entry* source_top(std::size_t c) {
        auto& list = from_source_[c];
        std::size_t& i = source_next_[c];
        while (i < list.size() && supply_[list[i].second] == 0) ++i;
        return i < list.size() ? &list[i] : nullptr;
    }

    // Cheapest move of a household from contact a to contact b: over the locations sending flow to a.
    const Entry* exchange_top(std::size_t a, std::size_t b) {
        Heap& h = exchange_[a * m_ + b];
        while (!h.empty() && flow(h.top().second, a) == 0) h.pop();
        return h.empty() ? nullptr : &h.top();
    }

    void add_flow(std::size_t l, std::size_t c, std::int64_t x) {
        std::int64_t& f = flow_[l * m_ + c];
        if (f == 0 && x > 0)
            for (std::size_t b = 0; b < m_; ++b)
                if (b != c && d(l, b) >= 0) exchange_[c * m_ + b].push({d(l, b) - d(l, c), l});
        f += x;
    }

    std::size_t m_, nl_;
    std::vector<std::int64_t> supply_, distance_, flow_, served_;
    std::int64_t to_min_, spare_;
    std::vector<std::vector<Entry>> from_source_;
    std::vector<std::size_t> source_next_;
    std::vector<Heap> exchange_;
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

// Liaison within one grid; writes the per-household vectors of `out` and returns the grid's summary.
GridLiaison solve_grid(const Dataset& ds, const AssignmentResult& assignment, GridId grid,
                       const std::vector<HouseholdId>& members, const LiaisonOptions& options, LiaisonResult& out) {
    GridLiaison gl;
    gl.grid = grid;
    gl.households = members.size();

    std::vector<HouseholdId> contacts;
    std::vector<Location> locations;
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> location_of;
    for (HouseholdId id : members) {
        const Household& h = ds.households[id.index()];
        if (h.party_members > 0) {
            contacts.push_back(id);
            out.contact[id.index()] = id;     // a contact serves itself
            out.distance_cm[id.index()] = 0;
            out.load[id.index()] = 1;
            continue;
        }
        const geo::Point p = position(ds, h, assignment.households[id.index()]);
        const std::pair<std::int64_t, std::int64_t> key{std::llround(p.x() * 100.0), std::llround(p.y() * 100.0)};
        auto [it, fresh] = location_of.try_emplace(key, locations.size());
        if (fresh) locations.push_back({p, {}});
        locations[it->second].households.push_back(id);
    }
    gl.contacts = contacts.size();
    gl.capacity = contacts.size() * options.max_households;

    std::vector<geo::Point> contact_at;
    for (HouseholdId c : contacts)
        contact_at.push_back(position(ds, ds.households[c.index()], assignment.households[c.index()]));

    const std::size_t nl = locations.size();
    const std::size_t nc = contacts.size();
    if (nl > 0 && nc > 0) {
        // Candidates per location, nearest contact first (ties: lower household index), the K nearest if asked;
        // kept flat, k per location.
        const std::size_t k = options.nearest_contacts > 0 ? std::min(options.nearest_contacts, nc) : nc;
        std::vector<std::pair<std::int64_t, std::size_t>> candidates(nl * k), all(nc);
        std::vector<std::int64_t> distance(nl * nc, -1);
        std::vector<std::int64_t> supply(nl);
        for (std::size_t l = 0; l < nl; ++l) {
            for (std::size_t c = 0; c < nc; ++c) all[c] = {distance_cm(locations[l].at, contact_at[c]), c};
            const auto first_k = all.begin() + static_cast<std::ptrdiff_t>(k);
            std::partial_sort(all.begin(), first_k, all.end());
            std::copy(all.begin(), first_k, candidates.begin() + static_cast<std::ptrdiff_t>(l * k));
            for (std::size_t i = 0; i < k; ++i) distance[l * nc + all[i].second] = all[i].first;
            supply[l] = static_cast<std::int64_t>(locations[l].households.size());
        }
        // Each contact has already taken itself: (min − 1) free places, then up to (max − 1) in all.
        const auto spare = static_cast<std::int64_t>(options.max_households) - 1;
        const auto to_min =
            std::min(spare, std::max<std::int64_t>(static_cast<std::int64_t>(options.min_households) - 1, 0));
        ContactFlow flow(std::move(supply), nc, std::move(distance), to_min, spare);
        flow.run();

        for (std::size_t l = 0; l < nl; ++l) {
            std::size_t next = 0;
            for (std::size_t i = 0; i < k; ++i) {
                const auto [dcm, c] = candidates[l * k + i];
                const HouseholdId contact = contacts[c];
                for (std::int64_t u = flow.flow(l, c); u > 0; --u) {
                    const HouseholdId h = locations[l].households[next++];
                    out.contact[h.index()] = contact;
                    out.distance_cm[h.index()] = dcm;
                    ++out.load[contact.index()];
                }
            }
        }
    }

    for (HouseholdId id : members)
        if (out.contact[id.index()].valid()) {
            ++gl.covered;
            gl.total_distance_cm += out.distance_cm[id.index()];
        }
    gl.uncovered = gl.households - gl.covered;
    for (HouseholdId c : contacts)
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
