// Liaison (党员联系户) on hand-placed households: each household sits in its own 2 m building centred where the test
// says, so distances between building anchors are the test's numbers. One grid G = (−1000,−1000)–(1000,1000) unless
// a test adds more.
#include "assign/liaison.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <stdexcept>

#include "../tiny_world.hpp"

namespace gridatlas::assign {
namespace {

// "H12", "B3": built by appending (GCC 12 warns falsely on "literal" + std::string).
std::string id_of(char prefix, std::size_t n) {
    std::string s(1, prefix);
    s += std::to_string(n);
    return s;
}

struct World {
    Dataset ds;
    Diagnostics diag;
    AssignmentResult assignment;
    World() {
        ds.levels = {{"grid", "网格"}};
        test::grid(ds, 0, "G", "", test::rect(-1000, -1000, 1000, 1000));
    }
    // A household at (x, y); party > 0 makes it a party-member household. Returns its index.
    std::size_t at(double x, double y, int party = 0) {
        const std::string id = id_of('B', ds.buildings.size());
        test::building(ds, id, test::rect(x - 1, y - 1, x + 1, y + 1));
        test::household(ds, id_of('H', ds.households.size()), id, std::nullopt, 2, party);
        return ds.households.size() - 1;
    }
    // n households in one building at (x, y).
    void many(double x, double y, std::size_t n) {
        const std::string id = id_of('B', ds.buildings.size());
        test::building(ds, id, test::rect(x - 1, y - 1, x + 1, y + 1));
        for (std::size_t i = 0; i < n; ++i)
            test::household(ds, id_of('H', ds.households.size()), id, std::nullopt, 2, 0);
    }
    LiaisonResult run(const LiaisonOptions& o = {}) {
        ds.index_buildings();
        ds.index_units();
        const auto tree = hierarchy::build_grid_tree(ds, diag);
        assignment = assign_households(ds, tree);
        return assign_liaison(ds, assignment, o);
    }
};

HouseholdId hid(std::size_t i) { return HouseholdId{i}; }

LiaisonOptions range(std::size_t min, std::size_t max) {
    LiaisonOptions o;
    o.min_households = min;
    o.max_households = max;
    return o;
}

// Two contacts P (x=0) and Q (x=100), each serving itself and two more. Households in roster order at 40, 10, 20, 90.
// First-come to the nearest contact with room: 40→P, 10→P, 20→Q (P full, 80 m), 90→Q = 40+10+80+10 = 140 m.
// The minimum: P takes 10 and 20, Q takes 40 and 90 = 10+20+60+10 = 100 m.
TEST(Liaison, MinimumCostBeatsFirstCome) {
    World w;
    const auto p = w.at(0, 0, 1);
    const auto q = w.at(100, 0, 1);
    const auto h40 = w.at(40, 0);
    const auto h10 = w.at(10, 0);
    const auto h20 = w.at(20, 0);
    const auto h90 = w.at(90, 0);
    const auto r = w.run(range(1, 3));
    EXPECT_EQ(r.contact[h10], hid(p));
    EXPECT_EQ(r.contact[h20], hid(p));
    EXPECT_EQ(r.contact[h40], hid(q));
    EXPECT_EQ(r.contact[h90], hid(q));
    EXPECT_EQ(r.distance_cm[h40], 6000);
    ASSERT_EQ(r.grids.size(), 1u);
    EXPECT_EQ(r.grids[0].total_distance_cm, 10000);
    EXPECT_EQ(r.grids[0].covered, 6u);
    EXPECT_EQ(r.grids[0].shortfall, LiaisonShortfall::none);
    EXPECT_EQ(r.load[p], 3u);
    EXPECT_EQ(r.load[q], 3u);
}

// Cheapest pair first is no better: P (x=0) and Q (x=20) take one other each; a at 9 (P 9, Q 11), b at −10 (P 10,
// Q 30). Greedy by distance (and first-come) gives a→P, b→Q = 39 m; the minimum is a→Q, b→P = 21 m, which needs the
// flow to move a from P to Q once b arrives.
TEST(Liaison, MinimumCostBeatsCheapestPairFirst) {
    World w;
    const auto p = w.at(0, 0, 1);
    const auto q = w.at(20, 0, 1);
    const auto a = w.at(9, 0);
    const auto b = w.at(-10, 0);
    const auto r = w.run(range(1, 2));
    EXPECT_EQ(r.contact[a], hid(q));
    EXPECT_EQ(r.contact[b], hid(p));
    EXPECT_EQ(r.grids[0].total_distance_cm, 2100);
}

TEST(Liaison, ContactServesItselfAndCountsItInItsLoad) {
    World w;
    const auto p = w.at(0, 0, 2);
    const auto h = w.at(5, 0);
    const auto r = w.run(range(1, 15));
    EXPECT_EQ(r.contact[p], hid(p));
    EXPECT_EQ(r.distance_cm[p], 0);
    EXPECT_EQ(r.contact[h], hid(p));
    EXPECT_EQ(r.distance_cm[h], 500);
    EXPECT_EQ(r.load[p], 2u);
    EXPECT_EQ(r.load[h], 0u);
}

TEST(Liaison, ContactNeverExceedsMaxAndTheShortfallIsExact) {
    World w;
    const auto p = w.at(0, 0, 1);
    w.many(10, 0, 19);   // 20 households, one contact of at most 15
    const auto r = w.run();
    EXPECT_EQ(r.load[p], 15u);
    const GridLiaison& g = r.grids[0];
    EXPECT_EQ(g.households, 20u);
    EXPECT_EQ(g.contacts, 1u);
    EXPECT_EQ(g.capacity, 15u);
    EXPECT_EQ(g.covered, 15u);
    EXPECT_EQ(g.uncovered, 5u);
    EXPECT_EQ(g.shortfall, LiaisonShortfall::not_enough_party_members);
    ASSERT_EQ(r.short_grids.size(), 1u);
    std::size_t without = 0;
    for (std::size_t i = 0; i < w.ds.households.size(); ++i)
        if (!r.contact[i].valid()) {
            ++without;
            EXPECT_EQ(r.distance_cm[i], -1);
        }
    EXPECT_EQ(without, 5u);
}

TEST(Liaison, CapacityBoundaryThirtyAndThirtyOne) {
    for (const std::size_t others : {28u, 29u}) {   // 2 contacts × 15 = 30 against 30 and 31 households
        World w;
        const auto p = w.at(0, 0, 1);
        const auto q = w.at(500, 0, 1);
        w.many(250, 0, others);
        const auto r = w.run();
        EXPECT_LE(r.load[p], 15u);
        EXPECT_LE(r.load[q], 15u);
        const GridLiaison& g = r.grids[0];
        EXPECT_EQ(g.households, others + 2);
        EXPECT_EQ(g.uncovered, others == 28 ? 0u : 1u);
        EXPECT_EQ(g.shortfall, others == 28 ? LiaisonShortfall::none : LiaisonShortfall::not_enough_party_members);
        EXPECT_EQ(r.short_grids.size(), others == 28 ? 0u : 1u);
    }
}

TEST(Liaison, GridWithoutPartyMembersIsEntirelyUncovered) {
    World w;
    w.many(0, 0, 4);
    const auto r = w.run();
    EXPECT_EQ(r.grids[0].contacts, 0u);
    EXPECT_EQ(r.grids[0].uncovered, 4u);
    EXPECT_EQ(r.grids[0].shortfall, LiaisonShortfall::not_enough_party_members);
}

// Eight households next to P; Q 100 m away. Without the minimum all would go to P (total 8 m); with min 5 Q must
// take four of them so that both reach 5.
TEST(Liaison, MinimumIsHonouredWhenTheGridAllowsIt) {
    World w;
    const auto p = w.at(0, 0, 1);
    const auto q = w.at(100, 0, 1);
    w.many(1, 0, 8);
    auto r = w.run(range(5, 15));
    EXPECT_EQ(r.load[p], 5u);
    EXPECT_EQ(r.load[q], 5u);
    EXPECT_TRUE(r.underloaded.empty());
    EXPECT_EQ(r.grids[0].total_distance_cm, 4 * 100 + 4 * 9900);
    // With min 1 the distance decides alone.
    r = w.run(range(1, 15));
    EXPECT_EQ(r.load[p], 9u);
    EXPECT_EQ(r.load[q], 1u);
    EXPECT_EQ(r.grids[0].total_distance_cm, 8 * 100);
}

TEST(Liaison, ContactsBelowMinimumAreListedWhenTheGridCannotMeetIt) {
    World w;
    const auto p = w.at(0, 0, 1);
    const auto q = w.at(100, 0, 1);
    w.many(1, 0, 4);   // 6 households, 2 × 5 needed
    const auto r = w.run(range(5, 15));
    EXPECT_EQ(r.load[p], 5u);   // the four fill P up to the minimum, the nearer choice
    EXPECT_EQ(r.load[q], 1u);
    ASSERT_EQ(r.underloaded.size(), 1u);
    EXPECT_EQ(r.underloaded[0], hid(q));
    EXPECT_EQ(r.grids[0].underloaded_contacts, 1u);
    EXPECT_EQ(r.grids[0].uncovered, 0u);
}

TEST(Liaison, NearestContactsRestrictionIsReportedApart) {
    World w;
    const auto p = w.at(0, 0, 1);
    w.at(100, 0, 1);
    w.many(1, 0, 3);   // 5 households, capacity 2 × 3 = 6
    LiaisonOptions o = range(1, 3);
    o.nearest_contacts = 1;   // the three only see P, which takes two
    auto r = w.run(o);
    EXPECT_EQ(r.load[p], 3u);
    EXPECT_EQ(r.grids[0].uncovered, 1u);
    EXPECT_EQ(r.grids[0].shortfall, LiaisonShortfall::beyond_nearest_contacts);
    o.nearest_contacts = 0;
    r = w.run(o);
    EXPECT_EQ(r.grids[0].uncovered, 0u);
}

TEST(Liaison, ContactsStayInTheirGrid) {
    World w;
    w.ds.grids.clear();
    test::grid(w.ds, 0, "W", "", test::rect(-1000, -1000, 50, 1000));
    test::grid(w.ds, 0, "E", "", test::rect(50, -1000, 1000, 1000));
    const auto p = w.at(0, 0, 1);      // W
    const auto h = w.at(60, 0);        // E: 60 m from P, but P is in another grid
    const auto q = w.at(900, 0, 1);    // E
    w.at(5000, 0);                     // in no grid
    const auto r = w.run();
    EXPECT_EQ(r.contact[h], hid(q));
    EXPECT_EQ(r.load[p], 1u);
    EXPECT_EQ(r.grids.size(), 2u);
    EXPECT_EQ(r.outside_grids, 1u);
}

TEST(Liaison, MatchesBruteForceOnASmallInstance) {
    // 3 contacts of at most 3 (two others each), 6 others: every household fits; enumerate all 3^6 assignments.
    World w;
    const std::vector<std::pair<double, double>> contacts{{0, 0}, {300, 40}, {120, 260}};
    const std::vector<std::pair<double, double>> others{{50, 80}, {210, 10}, {140, 150}, {20, 200}, {260, 210},
                                                        {100, 30}};
    std::vector<std::size_t> c_idx, o_idx;
    for (auto [x, y] : contacts) c_idx.push_back(w.at(x, y, 1));
    for (auto [x, y] : others) o_idx.push_back(w.at(x, y));
    const auto r = w.run(range(1, 3));

    auto d = [&](std::size_t o, std::size_t c) {
        const double dx = others[o].first - contacts[c].first, dy = others[o].second - contacts[c].second;
        return std::llround(std::hypot(dx, dy) * 100);
    };
    std::int64_t best = INT64_MAX;
    std::vector<int> pick(others.size());
    std::function<void(std::size_t, std::vector<int>&, std::int64_t)> go = [&](std::size_t i, std::vector<int>& load,
                                                                               std::int64_t cost) {
        if (i == others.size()) {
            best = std::min(best, cost);
            return;
        }
        for (std::size_t c = 0; c < contacts.size(); ++c) {
            if (load[c] == 2) continue;
            ++load[c];
            go(i + 1, load, cost + d(i, c));
            --load[c];
        }
    };
    std::vector<int> load(contacts.size(), 0);
    go(0, load, 0);
    EXPECT_EQ(r.grids[0].total_distance_cm, best);
    for (std::size_t c : c_idx) EXPECT_LE(r.load[c], 3u);
    for (std::size_t o : o_idx) EXPECT_TRUE(r.contact[o].valid());
}

// A plain reference: min-cost max-flow on the full network, one node per household, Bellman-Ford shortest paths,
// the two objectives folded into one number (safe at this size). The solver must reach the same optimum.
struct Reference {
    std::size_t covered = 0;
    std::int64_t over = 0;       // households served beyond (min − 1) others, summed over contacts
    std::int64_t distance = 0;
};

Reference reference_flow(const std::vector<std::pair<double, double>>& contacts,
                         const std::vector<std::pair<double, double>>& others, const LiaisonOptions& o) {
    struct Arc { int to, rev; std::int64_t cap, cost; };
    const int nh = static_cast<int>(others.size()), nc = static_cast<int>(contacts.size());
    const int s = nh + nc, t = s + 1;
    std::vector<std::vector<Arc>> g(static_cast<std::size_t>(t + 1));
    auto add = [&](int u, int v, std::int64_t cap, std::int64_t cost) {
        g[u].push_back({v, static_cast<int>(g[v].size()), cap, cost});
        g[v].push_back({u, static_cast<int>(g[u].size()) - 1, 0, -cost});
    };
    const std::int64_t big = 1'000'000'000'000;
    auto dist = [&](int h, int c) {
        const double dx = others[h].first - contacts[c].first, dy = others[h].second - contacts[c].second;
        return static_cast<std::int64_t>(std::llround(std::hypot(dx, dy) * 100));
    };
    for (int h = 0; h < nh; ++h) {
        add(s, h, 1, 0);
        std::vector<std::pair<std::int64_t, int>> cand;
        for (int c = 0; c < nc; ++c) cand.push_back({dist(h, c), c});
        std::sort(cand.begin(), cand.end());
        if (o.nearest_contacts > 0 && cand.size() > o.nearest_contacts) cand.resize(o.nearest_contacts);
        for (auto [d, c] : cand) add(h, nh + c, 1, d);
    }
    const auto spare = static_cast<std::int64_t>(o.max_households) - 1;
    const auto to_min = std::min(spare, std::max<std::int64_t>(static_cast<std::int64_t>(o.min_households) - 1, 0));
    for (int c = 0; c < nc; ++c) {
        add(nh + c, t, to_min, 0);
        add(nh + c, t, spare - to_min, big);
    }
    Reference r;
    std::int64_t total = 0;
    for (;;) {
        std::vector<std::int64_t> d(g.size(), INT64_MAX);
        std::vector<std::pair<int, int>> prev(g.size(), {-1, -1});
        d[s] = 0;
        for (bool changed = true; changed;) {
            changed = false;
            for (int u = 0; u <= t; ++u) {
                if (d[u] == INT64_MAX) continue;
                for (int i = 0; i < static_cast<int>(g[u].size()); ++i) {
                    const Arc& a = g[u][i];
                    if (a.cap > 0 && d[u] + a.cost < d[a.to]) {
                        d[a.to] = d[u] + a.cost;
                        prev[a.to] = {u, i};
                        changed = true;
                    }
                }
            }
        }
        if (d[t] == INT64_MAX) break;
        for (int v = t; v != s; v = prev[v].first) {
            Arc& a = g[prev[v].first][prev[v].second];
            --a.cap;
            ++g[a.to][a.rev].cap;
        }
        ++r.covered;
        total += d[t];
    }
    r.over = total / big;
    r.distance = total % big;
    return r;
}

TEST(Liaison, MatchesAReferenceMinCostFlow) {
    struct Case { std::size_t contacts, others, min, max, nearest; };
    const std::vector<Case> cases{
        {4, 30, 5, 8, 0},    // 34 households, 32 places: short by 2
        {6, 20, 5, 15, 0},   // 26 households, 6 × 5 wanted: the minimum binds
        {5, 40, 3, 10, 2},   // only the two nearest contacts per location
        {3, 10, 1, 15, 0},   // plenty of room
        {7, 60, 5, 9, 3},
    };
    std::uint32_t seed = 12345;
    auto next = [&seed](std::uint32_t range) {
        seed = seed * 1664525u + 1013904223u;
        return static_cast<double>((seed >> 8) % range);
    };
    for (const Case& k : cases) {
        World w;
        std::vector<std::pair<double, double>> contacts, others;
        std::vector<std::size_t> c_idx;
        for (std::size_t i = 0; i < k.contacts; ++i) {
            contacts.push_back({next(300), next(300)});
            c_idx.push_back(w.at(contacts.back().first, contacts.back().second, 1));
        }
        // Several households share a position (a building with more than one household).
        std::vector<std::pair<double, double>> buildings;
        for (std::size_t i = 0; i < k.others / 2; ++i) buildings.push_back({next(300), next(300)});
        for (std::size_t i = 0; i < k.others; ++i) {
            others.push_back(buildings[static_cast<std::size_t>(next(static_cast<std::uint32_t>(buildings.size())))]);
            w.at(others.back().first, others.back().second);
        }
        LiaisonOptions o = range(k.min, k.max);
        o.nearest_contacts = k.nearest;
        const auto r = w.run(o);
        const Reference ref = reference_flow(contacts, others, o);
        const auto to_min = static_cast<std::int64_t>(k.min > 0 ? k.min - 1 : 0);   // min ≤ max in every case
        std::int64_t over = 0;
        for (std::size_t c : c_idx) {
            EXPECT_LE(r.load[c], k.max);
            over += std::max<std::int64_t>(0, static_cast<std::int64_t>(r.load[c]) - 1 - to_min);
        }
        SCOPED_TRACE(testing::Message() << "case " << k.contacts << "/" << k.others << "/" << k.nearest);
        EXPECT_EQ(r.grids[0].covered, ref.covered + k.contacts);
        EXPECT_EQ(over, ref.over);
        EXPECT_EQ(r.grids[0].total_distance_cm, ref.distance);
    }
}

TEST(Liaison, MatchesAReferenceMinCostFlowOnManyRandomGrids) {
    // The solver stops each shortest-path search early; on 40 random grids of every shape (short of contacts, minimum
    // binding, plenty of room, few nearest contacts) it must still reach the reference optimum.
    std::uint32_t seed = 2026;
    auto next = [&seed](std::uint32_t range) {
        seed = seed * 1664525u + 1013904223u;
        return (seed >> 8) % range;
    };
    for (int round = 0; round < 40; ++round) {
        World w;
        const std::size_t nc = 1 + next(6), no = 1 + next(35);
        const std::size_t max = 2 + next(10), min = 1 + next(static_cast<std::uint32_t>(max));
        std::vector<std::pair<double, double>> contacts, others;
        std::vector<std::size_t> c_idx;
        for (std::size_t i = 0; i < nc; ++i) {
            contacts.push_back({double(next(400)), double(next(400))});
            c_idx.push_back(w.at(contacts.back().first, contacts.back().second, 1));
        }
        for (std::size_t i = 0; i < no; ++i) {
            others.push_back({double(next(400)), double(next(400))});
            w.at(others.back().first, others.back().second);
        }
        LiaisonOptions o = range(min, max);
        o.nearest_contacts = next(4) == 0 ? 1 + next(3) : 0;
        const auto r = w.run(o);
        const Reference ref = reference_flow(contacts, others, o);
        std::int64_t over = 0;
        for (std::size_t c : c_idx)
            over += std::max<std::int64_t>(0, static_cast<std::int64_t>(r.load[c]) - 1 - static_cast<std::int64_t>(min - 1));
        SCOPED_TRACE(testing::Message() << "round " << round << ": " << nc << " contacts, " << no << " others, "
                                        << min << "–" << max << ", nearest " << o.nearest_contacts);
        EXPECT_EQ(r.grids[0].covered, ref.covered + nc);
        EXPECT_EQ(over, ref.over);
        EXPECT_EQ(r.grids[0].total_distance_cm, ref.distance);
    }
}

TEST(Liaison, SparseNetworkReachesTheFullOptimumOnLargerGrids) {
    // More contacts than the solver's first neighbours (8 per location), contacts sharing positions (grouped into one
    // node), contacts in buildings with other households, clustered households that need far contacts: the arcs added
    // by pricing must bring the sparse network to the full network's optimum, in every regime (short of places,
    // minimum binding, plenty of room).
    std::uint32_t seed = 77;
    auto next = [&seed](std::uint32_t range) {
        seed = seed * 1664525u + 1013904223u;
        return (seed >> 8) % range;
    };
    for (int round = 0; round < 24; ++round) {
        World w;
        const std::size_t spots = 6 + next(10), nc = 9 + next(16), no = 20 + next(70);
        const std::size_t max = 2 + next(8), min = 1 + next(static_cast<std::uint32_t>(max));
        std::vector<std::pair<double, double>> positions, contacts, others;
        for (std::size_t i = 0; i < spots; ++i) positions.push_back({double(next(500)), double(next(500))});
        const auto pick = [&](std::size_t bias) {
            // Half the households crowd the first few positions: the nearest contacts fill and the rest must travel.
            if (next(2) == 0) return positions[next(static_cast<std::uint32_t>(std::min(bias, positions.size())))];
            return std::pair<double, double>{double(next(500)), double(next(500))};
        };
        std::vector<std::size_t> c_idx;
        for (std::size_t i = 0; i < nc; ++i) {
            contacts.push_back(pick(positions.size()));
            c_idx.push_back(w.at(contacts.back().first, contacts.back().second, 1));
        }
        for (std::size_t i = 0; i < no; ++i) {
            others.push_back(pick(2));
            w.at(others.back().first, others.back().second);
        }
        const LiaisonOptions o = range(min, max);
        const auto r = w.run(o);
        const Reference ref = reference_flow(contacts, others, o);
        std::int64_t over = 0;
        for (std::size_t c : c_idx) {
            EXPECT_LE(r.load[c], max);
            over += std::max<std::int64_t>(0, static_cast<std::int64_t>(r.load[c]) - static_cast<std::int64_t>(min));
        }
        SCOPED_TRACE(testing::Message() << "round " << round << ": " << nc << " contacts, " << no << " others, " << min
                                        << "–" << max);
        EXPECT_EQ(r.grids[0].covered, ref.covered + nc);
        EXPECT_EQ(over, ref.over);
        EXPECT_EQ(r.grids[0].total_distance_cm, ref.distance);
        std::int64_t sum = 0;   // the per-household distances add up to the grid's total
        for (std::size_t i = 0; i < w.ds.households.size(); ++i) sum += std::max<std::int64_t>(r.distance_cm[i], 0);
        EXPECT_EQ(sum, r.grids[0].total_distance_cm);
    }
}

TEST(Liaison, DeterministicAcrossRuns) {
    World w;
    for (int i = 0; i < 5; ++i) w.at(i * 37.0, (i * 53) % 200, 1);
    for (int i = 0; i < 60; ++i) w.at((i * 97) % 400, (i * 61) % 300);
    const auto a = w.run();
    const auto b = w.run();
    EXPECT_EQ(a.contact, b.contact);
    EXPECT_EQ(a.distance_cm, b.distance_cm);
    EXPECT_EQ(a.grids[0].uncovered, 0u);   // 65 households, 5 × 15 places
}

TEST(Liaison, RejectsImpossibleOptions) {
    World w;
    w.at(0, 0, 1);
    EXPECT_THROW(w.run(range(0, 0)), std::invalid_argument);
    EXPECT_THROW(w.run(range(6, 5)), std::invalid_argument);
    LiaisonOptions o;
    o.level = "street";
    EXPECT_THROW(w.run(o), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::assign
