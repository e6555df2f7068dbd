// Site selection on a hand-drawn street with coverage sets worked out below (coordinates in metres, speed 1 m/s,
// threshold 5 minutes = 300 m). The street y = 0 runs from x = 0 to 3000 in three lines (nodes at 800 and 1600).
// Demand points stand 10 m north of it, candidates 10 m south, so a candidate covers a point when
// |dx| + 10 + 10 <= 300, i.e. |dx| <= 280.
//
//   demand   d0 x=100 (5)  d1 x=300 (3)  d2 x=500 (4)  d3 x=900 (10)  d4 x=1100 (2)  d5 x=2000 (7, covered)  d6 x=2100 (1)
//   c0 x=300:  d0 d1 d2       = 12
//   c1 x=1000: d3 d4          = 12     (same gain as c0: the lower index goes first)
//   c2 x=700:  d2 d3          = 14     (d3 across the node at 800)
//   c3 x=2050: d6             = 1      (d5 is covered already and counts for nobody)
//
// Greedy: c2 (+14: d2, d3), then c0 (+8: d0, d1), then c1 (+2: d4), then c3 (+1). Of 32 households 7 are covered
// to begin with: 7 → 21 → 29 → 31 → 32.
#include "access/siting.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <random>
#include <stdexcept>

namespace gridatlas::access {
namespace {

RoadLine road(std::initializer_list<geo::Point> points) {
    RoadLine r;
    r.line.assign(points.begin(), points.end());
    return r;
}

constexpr double threshold_m = 300;

WalkNetwork street() {
    return WalkNetwork::build({road({{0, 0}, {800, 0}}), road({{800, 0}, {1600, 0}}), road({{1600, 0}, {3000, 0}})});
}

std::vector<DemandPoint> street_demand(const WalkNetwork& net) {
    std::vector<DemandPoint> out;
    const std::initializer_list<std::tuple<double, std::size_t, bool>> points{
        {100, 5, false}, {300, 3, false}, {500, 4, false}, {900, 10, false},
        {1100, 2, false}, {2000, 7, true}, {2100, 1, false}};
    for (const auto& [x, households, covered] : points) {
        DemandPoint d;
        d.building = BuildingId{out.size()};
        d.households = households;
        d.snap = net.snap({x, 10}, 250);
        d.covered = covered;
        out.push_back(d);
    }
    return out;
}

std::vector<std::pair<std::string, geo::Point>> street_candidate_points() {
    return {{"c0", {300, -10}}, {"c1", {1000, -10}}, {"c2", {700, -10}}, {"c3", {2050, -10}}};
}

CoverageModel street_model(unsigned threads = 0) {
    const auto net = street();
    return coverage_model(net, candidates_from_points(net, street_candidate_points(), 250), street_demand(net),
                          threshold_m, threads);
}

std::vector<std::uint32_t> set_of(const CoverageModel& m, std::size_t c) {
    const auto s = m.covers(c);
    return {s.begin(), s.end()};
}

TEST(Siting, CoverageSetsByBoundedSearch) {
    const auto m = street_model();
    ASSERT_EQ(m.candidate_count(), 4u);
    EXPECT_EQ(set_of(m, 0), (std::vector<std::uint32_t>{0, 1, 2}));
    EXPECT_EQ(set_of(m, 1), (std::vector<std::uint32_t>{3, 4}));
    EXPECT_EQ(set_of(m, 2), (std::vector<std::uint32_t>{2, 3}));
    EXPECT_EQ(set_of(m, 3), (std::vector<std::uint32_t>{6}));
    EXPECT_EQ(m.total_households(), 32u);
    EXPECT_EQ(m.initially_covered_households(), 7u);
    // The same sets on one thread and on several.
    const auto one = street_model(1);
    const auto three = street_model(3);
    EXPECT_EQ(one.start, m.start);
    EXPECT_EQ(one.cover, m.cover);
    EXPECT_EQ(three.cover, m.cover);
}

TEST(Siting, GreedyPicksInTheExpectedOrder) {
    const auto m = street_model();
    const SitingResult r = choose_sites(m, 10);
    EXPECT_EQ(r.total_households, 32u);
    EXPECT_EQ(r.covered_before, 7u);
    EXPECT_EQ(r.covered_after, 32u);
    EXPECT_DOUBLE_EQ(r.share_before, 7.0 / 32);
    EXPECT_DOUBLE_EQ(r.share_after, 1.0);
    ASSERT_EQ(r.sites.size(), 4u);   // stops when nothing is left to gain
    const std::vector<std::size_t> order{2, 0, 1, 3};
    const std::vector<std::size_t> gains{14, 8, 2, 1};
    const std::vector<std::size_t> points{2, 2, 1, 1};
    const std::vector<std::size_t> after{21, 29, 31, 32};
    std::size_t before = 7;
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r.sites[i].candidate, order[i]);
        EXPECT_EQ(r.sites[i].id, "c" + std::to_string(order[i]));
        EXPECT_EQ(r.sites[i].newly_covered_households, gains[i]);
        EXPECT_EQ(r.sites[i].newly_covered_points, points[i]);
        EXPECT_EQ(r.sites[i].covered_before, before);
        EXPECT_EQ(r.sites[i].covered_after, after[i]);
        EXPECT_DOUBLE_EQ(r.sites[i].share_after, after[i] / 32.0);
        before = after[i];
    }

    const SitingResult two = choose_sites(m, 2);
    ASSERT_EQ(two.sites.size(), 2u);
    EXPECT_EQ(two.covered_after, 29u);
    EXPECT_TRUE(choose_sites(m, 0).sites.empty());
}

TEST(Siting, FewestSitesForAShare) {
    const auto m = street_model();
    const SitingResult ninety = fewest_sites_for_share(m, 0.9);   // 28.8 → 29 households
    EXPECT_TRUE(ninety.target_reached);
    ASSERT_EQ(ninety.sites.size(), 2u);
    EXPECT_EQ(ninety.sites[1].candidate, 0u);
    EXPECT_EQ(ninety.covered_after, 29u);

    const SitingResult all = fewest_sites_for_share(m, 1.0);
    EXPECT_TRUE(all.target_reached);
    EXPECT_EQ(all.sites.size(), 4u);

    const SitingResult capped = fewest_sites_for_share(m, 1.0, 3);
    EXPECT_FALSE(capped.target_reached);
    EXPECT_EQ(capped.sites.size(), 3u);
    EXPECT_EQ(capped.covered_after, 31u);

    const SitingResult already = fewest_sites_for_share(m, 0.2);   // 7 of 32 ≥ 6.4
    EXPECT_TRUE(already.target_reached);
    EXPECT_TRUE(already.sites.empty());

    EXPECT_THROW(fewest_sites_for_share(m, 1.5), std::invalid_argument);
}

TEST(Siting, UnreachableTargetStillReportsTheSitesThatHelp) {
    const auto net = street();
    auto demand = street_demand(net);
    DemandPoint stranded;            // no road nearby: counts in the total, no site can reach it
    stranded.households = 100;
    demand.push_back(stranded);
    const auto m = coverage_model(net, candidates_from_points(net, street_candidate_points(), 250), demand, threshold_m);
    const SitingResult r = fewest_sites_for_share(m, 0.5);
    EXPECT_FALSE(r.target_reached);
    EXPECT_EQ(r.sites.size(), 4u);
    EXPECT_EQ(r.covered_after, 32u);
    EXPECT_EQ(r.total_households, 132u);
}

TEST(Siting, ThresholdIsInclusiveAndLegsCount) {
    const auto net = street();
    std::vector<DemandPoint> demand(2);
    demand[0].households = 1;
    demand[0].snap = net.snap({580, 10}, 250);     // 280 + 10 + 10 = 300: covered
    demand[1].households = 1;
    demand[1].snap = net.snap({580.5, 10}, 250);   // 300.5: not
    const std::vector<std::pair<std::string, geo::Point>> points{{"near", {300, -10}}, {"far", {300, -301}},
                                                                   {"nowhere", {300, -5000}}};
    const auto candidates = candidates_from_points(net, points, 500);
    EXPECT_FALSE(candidates[2].snap);
    const auto m = coverage_model(net, candidates, demand, threshold_m);
    EXPECT_EQ(set_of(m, 0), std::vector<std::uint32_t>{0});
    EXPECT_TRUE(set_of(m, 1).empty());   // its own leg alone is 301 m
    EXPECT_TRUE(set_of(m, 2).empty());
}

TEST(Siting, CandidatesFromBuildingsNodesAndDemandFromAccess) {
    Dataset ds;
    ds.roads = {road({{0, 0}, {800, 0}}), road({{800, 0}, {1600, 0}})};
    ds.service_kinds = {{"clinic", "卫生服务站", 5}};
    for (auto [x, residential] : {std::pair{100.0, true}, std::pair{1500.0, true}, std::pair{700.0, false}}) {
        Building b;
        b.id = BuildingId{ds.buildings.size()};
        b.source_id = "b" + std::to_string(ds.buildings.size());
        b.anchor = {x, 10};
        b.residential = residential;
        ds.buildings.push_back(b);
    }
    Facility f;
    f.id = FacilityId{std::size_t{0}};
    f.kind = "clinic";
    f.location = {0, -10};
    ds.facilities.push_back(f);
    const auto net = WalkNetwork::build(ds.roads);
    const auto access = compute_access(ds, net, WalkingOptions{1.0, 250});

    const auto from_buildings = candidates_from_buildings(ds, access);
    ASSERT_EQ(from_buildings.size(), 2u);
    EXPECT_EQ(from_buildings[1].id, "b1");
    const auto from_nodes = candidates_from_nodes(net);
    ASSERT_EQ(from_nodes.size(), 3u);
    EXPECT_EQ(from_nodes[1].id, "node:1");
    ASSERT_TRUE(from_nodes[1].snap);
    EXPECT_DOUBLE_EQ(from_nodes[1].snap->offset_m, 0);
    EXPECT_EQ(from_nodes[1].snap->on_edge.x(), 800);

    const auto demand = demand_from_access(ds, access, access.kinds[0], {4, 6});
    ASSERT_EQ(demand.size(), 2u);                 // residential only
    EXPECT_TRUE(demand[0].covered);               // 10 + 100 + 10 = 120 m: 2 min
    EXPECT_FALSE(demand[1].covered);              // 1520 m
    EXPECT_EQ(demand[1].households, 6u);
    EXPECT_EQ(demand[1].building, BuildingId{std::size_t{1}});

    // Building b1 itself is the only candidate that reaches b1; the node at 1600 does too (100 + 10 m).
    const auto m = coverage_model(net, from_buildings, demand, 5 * 60.0);
    const SitingResult r = choose_sites(m, 1);
    ASSERT_EQ(r.sites.size(), 1u);
    EXPECT_EQ(r.sites[0].id, "b1");
    EXPECT_EQ(r.covered_before, 4u);
    EXPECT_EQ(r.covered_after, 10u);
    const auto by_node = choose_sites(coverage_model(net, from_nodes, demand, 5 * 60.0), 1);
    ASSERT_EQ(by_node.sites.size(), 1u);
    EXPECT_EQ(by_node.sites[0].id, "node:2");
}

// A building with entrances is one demand point with a snap per entrance: a site covers it when any of them is within
// reach, and it is counted once. Demand x=2600 (6 households) has entrances at x=400 and 380 too, 100 and 80 m from c0.
TEST(Siting, ADemandPointIsCoveredThroughAnyOfItsEntrances) {
    const auto net = street();
    auto demand = street_demand(net);
    DemandPoint d;
    d.building = BuildingId{demand.size()};
    d.households = 6;
    d.snap = net.snap({2600, 10}, 250);
    d.other_snaps = {*net.snap({400, 10}, 250), *net.snap({380, 10}, 250)};   // 320 m and more from c2
    demand.push_back(d);
    const auto m = coverage_model(net, candidates_from_points(net, street_candidate_points(), 250), demand, threshold_m);
    EXPECT_EQ(set_of(m, 0), (std::vector<std::uint32_t>{0, 1, 2, 7}));   // once, though two entrances are in reach
    EXPECT_EQ(set_of(m, 3), (std::vector<std::uint32_t>{6}));            // 2600 is 550 m from c3
    const SitingResult r = choose_sites(m, 1);
    ASSERT_EQ(r.sites.size(), 1u);
    EXPECT_EQ(r.sites[0].id, "c0");
    EXPECT_EQ(r.sites[0].newly_covered_households, 18u);
}

// demand_from_access and candidates_from_buildings take a building's entrances from compute_access: the snap nearest
// the network first, the others after it, and a building as a candidate stands at that nearest entrance.
TEST(Siting, DemandAndCandidatesFromABuildingWithEntrances) {
    Dataset ds;
    ds.roads = {road({{0, 0}, {800, 0}}), road({{800, 0}, {1600, 0}})};
    ds.service_kinds = {{"clinic", "卫生服务站", 5}};
    Building b;
    b.id = BuildingId{std::size_t{0}};
    b.source_id = "b0";
    b.anchor = {700, 100};
    ds.buildings.push_back(b);
    for (auto [x, y] : {std::pair{100.0, 30.0}, std::pair{1500.0, 8.0}}) {
        Entrance e;
        e.source_id = "door" + std::to_string(ds.entrances.size());
        e.building = b.id;
        e.location = {x, y};
        ds.entrances.push_back(e);
    }
    Facility f;
    f.id = FacilityId{std::size_t{0}};
    f.kind = "clinic";
    f.location = {0, -10};
    ds.facilities.push_back(f);
    const auto net = WalkNetwork::build(ds.roads);
    const auto access = compute_access(ds, net, WalkingOptions{1.0, 250});
    // Reached at door0: 30 + 100 + 10.
    EXPECT_NEAR(access.kinds[0].minutes[0], 140 / 60.0, 1e-9);

    const auto demand = demand_from_access(ds, access, access.kinds[0], {3});
    ASSERT_EQ(demand.size(), 1u);
    ASSERT_TRUE(demand[0].snap);
    EXPECT_DOUBLE_EQ(demand[0].snap->offset_m, 8);          // door1 is nearer the network
    ASSERT_EQ(demand[0].other_snaps.size(), 1u);
    EXPECT_DOUBLE_EQ(demand[0].other_snaps[0].offset_m, 30);
    EXPECT_TRUE(demand[0].covered);

    const auto candidates = candidates_from_buildings(ds, access);
    ASSERT_EQ(candidates.size(), 1u);
    EXPECT_EQ(candidates[0].location.x(), 1500);
    EXPECT_EQ(candidates[0].location.y(), 8);
}

// Lazy greedy chooses exactly what plain greedy chooses, on random covering problems with many equal gains.
TEST(Siting, LazyGreedyEqualsPlainGreedyOnRandomInstances) {
    for (unsigned seed = 1; seed <= 40; ++seed) {
        std::mt19937 rng(seed);
        const std::size_t n_demand = 30 + rng() % 120;
        const std::size_t n_candidates = 5 + rng() % 60;
        CoverageModel m;
        for (std::size_t d = 0; d < n_demand; ++d) {
            m.households.push_back(rng() % 4);
            m.initially_covered.push_back(rng() % 5 == 0);
        }
        m.start.push_back(0);
        for (std::size_t c = 0; c < n_candidates; ++c) {
            m.candidate_ids.push_back(std::to_string(c));
            for (std::uint32_t d = 0; d < n_demand; ++d)
                if (rng() % 10 == 0 && !m.initially_covered[d] && m.households[d] > 0) m.cover.push_back(d);
            m.start.push_back(static_cast<std::uint32_t>(m.cover.size()));
        }
        const SitingResult lazy = choose_sites(m, n_candidates);
        const SitingResult plain = choose_sites_plain_greedy(m, n_candidates);
        ASSERT_EQ(lazy.sites.size(), plain.sites.size()) << "seed " << seed;
        for (std::size_t i = 0; i < lazy.sites.size(); ++i) {
            EXPECT_EQ(lazy.sites[i].candidate, plain.sites[i].candidate) << "seed " << seed << " site " << i;
            EXPECT_EQ(lazy.sites[i].newly_covered_households, plain.sites[i].newly_covered_households);
        }
        EXPECT_EQ(lazy.covered_after, plain.covered_after);
        // Gains never grow: coverage is submodular and greedy takes the largest first.
        for (std::size_t i = 1; i < lazy.sites.size(); ++i)
            EXPECT_LE(lazy.sites[i].newly_covered_households, lazy.sites[i - 1].newly_covered_households);
        // Everything any candidate can reach ends up covered.
        std::size_t reachable = m.initially_covered_households();
        std::vector<bool> seen(n_demand, false);
        for (std::uint32_t d : m.cover)
            if (!seen[d]) {
                seen[d] = true;
                reachable += m.households[d];
            }
        EXPECT_EQ(lazy.covered_after, reachable);
    }
}

// Coverage sets agree with compute_access run with each candidate as the only facility, on a 20 × 20 grid of 50 m
// blocks (distances go through many nodes).
TEST(Siting, CoverageSetsAgreeWithComputeAccess) {
    Dataset ds;
    for (int i = 0; i <= 20; ++i) {
        RoadLine h, v;
        for (int j = 0; j <= 20; ++j) {
            h.line.push_back({j * 50.0, i * 50.0});
            v.line.push_back({i * 50.0, j * 50.0});
        }
        ds.roads.push_back(h);
        ds.roads.push_back(v);
    }
    for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 20; ++j) {
            Building b;
            b.id = BuildingId{ds.buildings.size()};
            b.anchor = {i * 50.0 + 17, j * 50.0 + 29};
            ds.buildings.push_back(b);
        }
    const double minutes = 333.3 / 60;   // 333.3 m at 1 m/s: no distance on this grid falls on it
    ds.service_kinds = {{"clinic", "卫生服务站", minutes}};
    const auto net = WalkNetwork::build(ds.roads);
    const WalkingOptions walking{1.0, 250};
    const auto base = compute_access(ds, net, walking);
    std::vector<DemandPoint> demand;
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) demand.push_back({BuildingId{b}, 1, base.building_snaps[b], false, {}});

    std::vector<std::pair<std::string, geo::Point>> points;
    for (int k = 0; k < 12; ++k)
        points.push_back({"p" + std::to_string(k), {(97 * k + 13) % 1000 + 3.5, (217 * k + 7) % 1000 + 0.0}});
    const auto candidates = candidates_from_points(net, points, 250);
    const auto m = coverage_model(net, candidates, demand, minutes * 60, 2);
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        Dataset one = ds;
        Facility f;
        f.id = FacilityId{std::size_t{0}};
        f.kind = "clinic";
        f.location = points[c].second;
        one.facilities = {f};
        const auto access = compute_access(one, net, walking);
        std::vector<std::uint32_t> expected;
        for (std::size_t b = 0; b < ds.buildings.size(); ++b)
            if (access.kinds[0].minutes[b] <= minutes) expected.push_back(static_cast<std::uint32_t>(b));
        EXPECT_EQ(set_of(m, c), expected) << "candidate " << c;
        EXPECT_FALSE(expected.empty());
    }
}

}  // namespace
}  // namespace gridatlas::access
