// Isochrones on hand-drawn networks whose reachable lengths and areas are worked out below (coordinates in metres,
// speed 1 m/s unless stated, so a budget of B metres is B / 60 minutes).
#include "access/isochrones.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <numbers>
#include <stdexcept>

#include "access/network_distance.hpp"

namespace gridatlas::access {
namespace {

RoadLine road(std::initializer_list<geo::Point> points) {
    RoadLine r;
    r.line.assign(points.begin(), points.end());
    return r;
}

IsochroneOptions options(double buffer_m, BufferCap cap = BufferCap::round) {
    IsochroneOptions o;
    o.speed_m_per_s = 1.0;
    o.buffer_m = buffer_m;
    o.cap = cap;
    return o;
}

double minutes(double metres) { return metres / 60.0; }

Snap snap_at(const WalkNetwork& net, double x, double y) {
    const auto s = net.snap({x, y}, 250);
    EXPECT_TRUE(s);
    return *s;
}

// Area of GEOS's circle approximation: a regular polygon of 4 × quadrant_segments sides.
double polygon_circle_area(double r, int quadrant_segments = 8) {
    const double n = 4.0 * quadrant_segments;
    return n / 2 * r * r * std::sin(2 * std::numbers::pi / n);
}

bool covers(const geo::MultiPolygon& area, double x, double y) { return boost::geometry::covered_by(geo::Point(x, y), area); }

// A straight 1000 m road, the facility at its west end, a 500 m budget: the reachable part is (0,0)–(500,0).
// Buffered by w = 20 with flat caps that is a 500 × 40 rectangle; with round caps two half circles are added, which
// GEOS draws as the halves of a 32-gon.
TEST(Isochrones, StraightRoadIsCutAtTheExactDistance) {
    const auto net = WalkNetwork::build({road({{0, 0}, {1000, 0}})});
    const std::vector<Snap> sources{snap_at(net, 0, 0)};

    const auto flat = isochrones(net, sources, {minutes(500)}, options(20, BufferCap::flat));
    ASSERT_EQ(flat.size(), 1u);
    EXPECT_NEAR(flat[0].budget_m, 500, 1e-9);
    EXPECT_NEAR(flat[0].reachable_length_m, 500, 1e-9);
    ASSERT_EQ(flat[0].reachable.size(), 1u);
    ASSERT_EQ(flat[0].reachable[0].size(), 2u);
    EXPECT_NEAR(flat[0].reachable[0][1].x(), 500, 1e-9);
    EXPECT_NEAR(boost::geometry::area(flat[0].area), 500 * 2 * 20, 1e-6);

    const auto round = isochrones(net, sources, {minutes(500)}, options(20));
    ASSERT_EQ(round[0].area.size(), 1u);
    EXPECT_NEAR(boost::geometry::area(round[0].area), 500 * 2 * 20 + polygon_circle_area(20), 1e-6);
    // The round-cap approximation is within 1 % of the true πw².
    EXPECT_NEAR(polygon_circle_area(20), std::numbers::pi * 400, 0.01 * std::numbers::pi * 400);
    EXPECT_TRUE(covers(round[0].area, 519, 0));
    EXPECT_FALSE(covers(round[0].area, 521, 0));
}

// The facility 10 m off the middle of the road: its leg counts against the budget, and it spreads both ways.
TEST(Isochrones, SourceOnAnEdgeSpreadsBothWaysAfterItsLeg) {
    const auto net = WalkNetwork::build({road({{0, 0}, {1000, 0}})});
    const auto bands = isochrones(net, {snap_at(net, 500, 10)}, {minutes(300), minutes(5), minutes(2000)}, options(20));
    ASSERT_EQ(bands.size(), 3u);
    EXPECT_NEAR(bands[0].reachable_length_m, 2 * 290, 1e-9);   // 210..790
    ASSERT_EQ(bands[0].reachable.size(), 1u);
    EXPECT_NEAR(bands[0].reachable[0].front().x(), 210, 1e-9);
    EXPECT_NEAR(bands[0].reachable[0].back().x(), 790, 1e-9);
    // The leg alone exceeds 5 m: nothing is reachable, the area is empty.
    EXPECT_TRUE(bands[1].reachable.empty());
    EXPECT_TRUE(bands[1].area.empty());
    // Bands keep the order they were asked in; a budget beyond the road takes the whole road once.
    EXPECT_NEAR(bands[2].reachable_length_m, 1000, 1e-9);
    EXPECT_EQ(bands[2].reachable.size(), 1u);
}

// A T: A(0,0)–B(400,0)–C(800,0) with a stem B–D(400,300); the facility on A–B at x = 100, budget 500.
// A–B is reached whole (100 west, 300 east), B is at 300, so B–C and B–D are each reached for their first 200 m.
TEST(Isochrones, TJunctionCutsEveryBranchWhereTheBudgetRunsOut) {
    const auto net = WalkNetwork::build(
        {road({{0, 0}, {400, 0}}), road({{400, 0}, {800, 0}}), road({{400, 0}, {400, 300}})});
    ASSERT_EQ(net.edges().size(), 3u);
    const auto iso = isochrones(net, {snap_at(net, 100, 0)}, {minutes(500)}, options(20));
    ASSERT_EQ(iso.size(), 1u);
    EXPECT_NEAR(iso[0].reachable_length_m, 400 + 200 + 200, 1e-9);
    ASSERT_EQ(iso[0].reachable.size(), 3u);   // by edge index
    EXPECT_EQ(iso[0].reachable[0].size(), 2u);
    EXPECT_NEAR(iso[0].reachable[1].back().x(), 600, 1e-9);
    EXPECT_NEAR(iso[0].reachable[2].back().y(), 200, 1e-9);
    const geo::MultiPolygon& a = iso[0].area;
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(covers(a, 619, 0));
    EXPECT_FALSE(covers(a, 621, 0));
    EXPECT_TRUE(covers(a, 400, 219));
    EXPECT_FALSE(covers(a, 400, 221));
    EXPECT_TRUE(covers(a, -19, 0));
}

// Polylines are cut at the right vertex: an L-shaped road of 300 + 300, budget 450, ends at (300, 150).
TEST(Isochrones, PartialEdgeFollowsTheEdgeGeometry) {
    const auto net = WalkNetwork::build({road({{0, 0}, {300, 0}, {300, 300}})});
    const auto iso = isochrones(net, {snap_at(net, 0, 0)}, {minutes(450)}, options(10));
    ASSERT_EQ(iso[0].reachable.size(), 1u);
    const geo::LineString& piece = iso[0].reachable[0];
    ASSERT_EQ(piece.size(), 3u);
    EXPECT_NEAR(piece[1].x(), 300, 1e-9);
    EXPECT_NEAR(piece[1].y(), 0, 1e-9);
    EXPECT_NEAR(piece[2].x(), 300, 1e-9);
    EXPECT_NEAR(piece[2].y(), 150, 1e-9);
    EXPECT_NEAR(boost::geometry::length(piece), 450, 1e-9);
}

// A river: the south bank road y = 0 and the north bank road y = 60 meet only over a bridge at x = 1000. The
// facility at the south-west end with 500 m reaches 500 m of the south road and nothing of the north one, although the
// north road is 60 m away. An island road that joins nothing is never reached at all.
TEST(Isochrones, NeverJumpsAcrossWaterOrToAnIsland) {
    const auto net = WalkNetwork::build({
        road({{0, 0}, {1000, 0}}),          // south bank
        road({{1000, 0}, {1000, 60}}),      // bridge
        road({{0, 60}, {1000, 60}}),        // north bank
        road({{200, 30}, {300, 30}}),       // island between them, joins nothing
    });
    const auto bands = isochrones(net, {snap_at(net, 0, 0)}, {minutes(500), minutes(5000)}, options(20));
    EXPECT_NEAR(bands[0].reachable_length_m, 500, 1e-9);
    EXPECT_TRUE(covers(bands[0].area, 250, 0));
    EXPECT_FALSE(covers(bands[0].area, 250, 60));
    EXPECT_FALSE(covers(bands[0].area, 250, 45));
    // With all the budget in the world: both banks and the bridge, never the island's middle.
    EXPECT_NEAR(bands[1].reachable_length_m, 2060, 1e-9);
    EXPECT_TRUE(covers(bands[1].area, 250, 60));
    EXPECT_FALSE(covers(bands[1].area, 250, 30));
}

// A square ring road of side 400 (one closed line: a loop edge at (0,0)), the facility 5 m off the middle of the
// south side (along 200). Any budget of at least 5 + 800 reaches the whole ring: buffered by 20 that is a frame with
// a 360 × 360 hole (inner corners are sharp). With 705 the ring is reached from the facility both ways up to 700 m
// and from the corner node (at 205) for 500 m each way: everything but along 900..1100, the middle 200 m of the north
// side, so the frame is open and has no hole.
TEST(Isochrones, RingRoadKeepsItsHole) {
    const auto net = WalkNetwork::build({road({{0, 0}, {400, 0}, {400, 400}, {0, 400}, {0, 0}})});
    ASSERT_EQ(net.edges().size(), 1u);
    const auto bands = isochrones(net, {snap_at(net, 200, -5)}, {minutes(1000), minutes(705)}, options(20));

    EXPECT_NEAR(bands[0].reachable_length_m, 1600, 1e-9);
    ASSERT_EQ(bands[0].area.size(), 1u);
    ASSERT_EQ(bands[0].area[0].inners().size(), 1u);
    EXPECT_NEAR(std::abs(boost::geometry::area(bands[0].area[0].inners()[0])), 360.0 * 360.0, 1e-6);
    EXPECT_FALSE(covers(bands[0].area, 200, 200));
    EXPECT_TRUE(covers(bands[0].area, 200, 400));

    EXPECT_NEAR(bands[1].reachable_length_m, 1400, 1e-9);
    ASSERT_EQ(bands[1].reachable.size(), 2u);
    ASSERT_EQ(bands[1].area.size(), 1u);
    EXPECT_TRUE(bands[1].area[0].inners().empty());
    EXPECT_TRUE(covers(bands[1].area, 310, 400));
    EXPECT_FALSE(covers(bands[1].area, 200, 400));
}

// Per kind: two facilities at the ends of a 1000 m road, 300 m each; per facility: one of them alone.
TEST(Isochrones, PerKindUsesEveryFacilityPerFacilityOne) {
    Dataset ds;
    ds.roads = {road({{0, 0}, {1000, 0}})};
    ds.service_kinds = {{"clinic", "卫生服务站", 15}, {"school", "学校", 15}};
    for (auto [kind, x] : {std::pair{"clinic", 0.0}, std::pair{"school", 500.0}, std::pair{"clinic", 1000.0}}) {
        Facility f;
        f.id = FacilityId{ds.facilities.size()};
        f.kind = kind;
        f.location = {x, 0};
        ds.facilities.push_back(f);
    }
    const auto net = WalkNetwork::build(ds.roads);
    const auto access = compute_access(ds, net, WalkingOptions{1.0, 250});
    const auto clinics = facility_sources(ds, access, "clinic");
    ASSERT_EQ(clinics.size(), 2u);
    const auto kind = isochrones(net, clinics, {minutes(300)}, options(20));
    EXPECT_NEAR(kind[0].reachable_length_m, 600, 1e-9);
    EXPECT_EQ(kind[0].area.size(), 2u);
    const auto one = isochrones(net, {*access.facility_snaps[2]}, {minutes(300)}, options(20));
    EXPECT_NEAR(one[0].reachable_length_m, 300, 1e-9);
    EXPECT_TRUE(covers(one[0].area, 800, 0));
    EXPECT_FALSE(covers(one[0].area, 200, 0));
    EXPECT_TRUE(facility_sources(ds, access, "library").empty());

    // The batch forms: the same answers, whatever the number of threads.
    for (unsigned threads : {1u, 3u}) {
        const auto per_kind = kind_isochrones(ds, net, access, {minutes(300)}, options(20), threads);
        ASSERT_EQ(per_kind.size(), 2u);
        EXPECT_NEAR(per_kind[0][0].reachable_length_m, 600, 1e-9);
        EXPECT_NEAR(per_kind[1][0].reachable_length_m, 600, 1e-9);   // the school in the middle: 300 both ways
        const auto per_facility = facility_isochrones(ds, net, access, {minutes(300), minutes(100)}, options(20), threads);
        ASSERT_EQ(per_facility.size(), 3u);
        ASSERT_EQ(per_facility[2].size(), 2u);
        EXPECT_NEAR(per_facility[2][0].reachable_length_m, 300, 1e-9);
        EXPECT_NEAR(per_facility[2][1].reachable_length_m, 100, 1e-9);
        EXPECT_NEAR(boost::geometry::area(per_facility[2][0].area), boost::geometry::area(one[0].area), 1e-6);
    }
    EXPECT_THROW(kind_isochrones(ds, net, access, {-1}, options(20), 2), std::invalid_argument);
}

// Bands are built on each other (a band's area is the smaller band's area plus the buffers of what it adds); each
// must equal the band computed alone. A 12 × 12 grid of 50 m blocks, buffer 20: blocks stay holes.
TEST(Isochrones, BandsBuiltOnEachOtherEqualBandsAlone) {
    std::vector<RoadLine> roads;
    for (int i = 0; i <= 12; ++i) {
        RoadLine h, v;
        for (int j = 0; j <= 12; ++j) {
            h.line.push_back({j * 50.0, i * 50.0});
            v.line.push_back({i * 50.0, j * 50.0});
        }
        roads.push_back(h);
        roads.push_back(v);
    }
    const auto net = WalkNetwork::build(roads);
    const std::vector<Snap> sources{snap_at(net, 317, 402), snap_at(net, 533, 440)};
    const std::vector<double> bands{minutes(600), minutes(250), minutes(400), minutes(250)};
    const auto together = isochrones(net, sources, bands, options(20));
    ASSERT_EQ(together.size(), 4u);
    for (std::size_t b = 0; b < bands.size(); ++b) {
        const auto alone = isochrones(net, sources, {bands[b]}, options(20));
        EXPECT_DOUBLE_EQ(together[b].minutes, bands[b]);
        EXPECT_NEAR(together[b].reachable_length_m, alone[0].reachable_length_m, 1e-6);
        EXPECT_EQ(together[b].reachable.size(), alone[0].reachable.size());
        const double a = boost::geometry::area(alone[0].area);
        EXPECT_NEAR(boost::geometry::area(together[b].area), a, 1e-6 * a) << "band " << b;
        geo::MultiPolygon difference;
        boost::geometry::sym_difference(together[b].area, alone[0].area, difference);
        EXPECT_LT(boost::geometry::area(difference), 1e-3) << "band " << b;
    }
    // The grid's 30 × 30 m block interiors inside the reach are holes, e.g. the block the first source faces.
    EXPECT_FALSE(covers(together[0].area, 325, 425));
    EXPECT_TRUE(covers(together[0].area, 325, 400));
}

TEST(Isochrones, NoSourcesNothingReachable) {
    const auto net = WalkNetwork::build({road({{0, 0}, {1000, 0}})});
    const auto bands = isochrones(net, {}, {5, 10, 15}, options(50));
    ASSERT_EQ(bands.size(), 3u);
    for (const auto& b : bands) EXPECT_TRUE(b.area.empty());
}

TEST(Isochrones, RejectsBadOptions) {
    const auto net = WalkNetwork::build({road({{0, 0}, {1000, 0}})});
    const std::vector<Snap> s{snap_at(net, 0, 0)};
    EXPECT_THROW(isochrones(net, s, {5}, options(0)), std::invalid_argument);
    EXPECT_THROW(isochrones(net, s, {-1}, options(20)), std::invalid_argument);
    IsochroneOptions slow = options(20);
    slow.speed_m_per_s = 0;
    EXPECT_THROW(isochrones(net, s, {5}, slow), std::invalid_argument);
}

// The bounded search itself: distances on a T, cut at the bound, with the source's leg included.
TEST(NetworkDistance, BoundedDistancesFromSnaps) {
    const auto net = WalkNetwork::build(
        {road({{0, 0}, {400, 0}}), road({{400, 0}, {800, 0}}), road({{400, 0}, {400, 300}})});
    const std::vector<Snap> sources{snap_at(net, 100, 10)};
    const auto d = node_distances(net, sources, 500);
    // Nodes in order of appearance: A(0,0), B(400,0), C(800,0), D(400,300).
    ASSERT_EQ(d.size(), 4u);
    EXPECT_NEAR(d[0], 110, 1e-9);
    EXPECT_NEAR(d[1], 310, 1e-9);
    EXPECT_EQ(d[2], BoundedSearch::unreached);   // 710
    EXPECT_EQ(d[3], BoundedSearch::unreached);   // 610
    const auto all = node_distances(net, sources, std::numeric_limits<double>::infinity());
    EXPECT_NEAR(all[2], 710, 1e-9);
    EXPECT_NEAR(all[3], 610, 1e-9);

    const WalkGraph graph(net);
    BoundedSearch search(graph);
    search.run(sources, 1000);
    EXPECT_NEAR(search.distance_to(snap_at(net, 300, -5)), 10 + 200 + 5, 1e-9);    // same edge, directly
    EXPECT_NEAR(search.distance_to(snap_at(net, 410, 200)), 10 + 300 + 200 + 10, 1e-9);
    search.run(sources, 300);   // a second run forgets the first
    EXPECT_EQ(search.distance_to(snap_at(net, 410, 200)), BoundedSearch::unreached);
    EXPECT_EQ(search.node_distance(1), BoundedSearch::unreached);
    EXPECT_EQ(search.settled().size(), 1u);

    // Many sources on several edges, given out of edge order: a target takes the nearest direct way along its own
    // edge (here the source at x=700 on B–C, 100 + 2 away) over the ways through the nodes.
    const std::vector<Snap> many{snap_at(net, 700, 2), snap_at(net, 100, 10), snap_at(net, 400, 250),
                                 snap_at(net, 500, 30)};
    search.run(many, 1000);
    EXPECT_NEAR(search.distance_to(snap_at(net, 600, -4)), 2 + 100 + 4, 1e-9);   // from x=700, directly
    EXPECT_NEAR(search.distance_to(snap_at(net, 550, 1)), 30 + 50 + 1, 1e-9);    // from x=500, directly
    EXPECT_NEAR(search.distance_to(snap_at(net, 200, 3)), 10 + 100 + 3, 1e-9);   // from x=100, directly
}

}  // namespace
}  // namespace gridatlas::access
