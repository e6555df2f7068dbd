// Where buildings, facilities and entrances join the walk network when some ways are walked through but are no way
// in (RoadLine::joinable false: tunnels, bridges, …). Coordinates in metres, at 1 m/s so that metres = seconds.
//
//   T(0,22) ══════ tunnel (not joinable) ══════ (200,22)            house H (100,20): 2 m from T, 20 m from S
//   │                                                               house far (100,60): 38 m from T, 60 m from S
//   W(0,0) ─────────────── street S ─────────────── E(400,0)        clinic C (300,-10): joins S at 300, leg 10
//
// T runs W(0,0)–(0,22)–(200,22): one edge of 222 m joined to S at W, where both end.
#include "access/service_access.hpp"

#include <gtest/gtest.h>

namespace gridatlas::access {
namespace {

RoadLine way(std::vector<geo::Point> points, bool joinable) {
    RoadLine r;
    r.line.assign(points.begin(), points.end());
    r.joinable = joinable;
    return r;
}

Dataset street_and_tunnel(bool tunnel_joinable) {
    Dataset ds;
    ds.roads = {way({{0, 0}, {400, 0}}, true), way({{0, 0}, {0, 22}, {200, 22}}, tunnel_joinable)};
    ds.service_kinds = {{"clinic", "卫生服务站", 15}};
    Facility f;
    f.id = FacilityId{std::size_t{0}};
    f.kind = "clinic";
    f.location = {300, -10};
    ds.facilities.push_back(f);
    return ds;
}

BuildingId add_house(Dataset& ds, double x, double y) {
    Building b;
    b.id = BuildingId{ds.buildings.size()};
    b.source_id = "h" + std::to_string(ds.buildings.size());
    b.anchor = {x, y};
    ds.buildings.push_back(b);
    return b.id;
}

TEST(WalkJoin, StreetSnapSkipsTheTunnelAnyWaySnapTakesIt) {
    const auto net = WalkNetwork::build(street_and_tunnel(false).roads);
    ASSERT_EQ(net.edges().size(), 2u);
    EXPECT_TRUE(net.edges()[0].joinable);
    EXPECT_FALSE(net.edges()[1].joinable);
    const auto street = net.snap({100, 20}, 250);
    ASSERT_TRUE(street);
    EXPECT_EQ(street->edge, 0u);
    EXPECT_NEAR(street->offset_m, 20, 1e-9);
    const auto any = net.snap({100, 20}, 250, JoinTo::any_way);
    ASSERT_TRUE(any);
    EXPECT_EQ(any->edge, 1u);
    EXPECT_NEAR(any->offset_m, 2, 1e-9);
    EXPECT_NEAR(any->along_m, 122, 1e-9);
    EXPECT_FALSE(net.snap({100, 20}, 10));   // the street is 20 m away; the tunnel does not count
}

TEST(WalkJoin, HouseOverATunnelJoinsTheStreet) {
    for (const bool tunnel_joinable : {false, true}) {
        Dataset ds = street_and_tunnel(tunnel_joinable);
        const BuildingId h = add_house(ds, 100, 20);
        const auto net = WalkNetwork::build(ds.roads);
        const auto r = compute_access(ds, net, WalkingOptions{1.0, 250});
        // Excluded: 20 (leg) + 200 (S to C's point) + 10 (C's leg). Joinable: 2 + 122 (T to W) + 300 + 10.
        EXPECT_NEAR(r.kinds[0].minutes[h.index()], (tunnel_joinable ? 434.0 : 230.0) / 60, 1e-9) << tunnel_joinable;
        EXPECT_FALSE(r.points[r.point_start[h.index()]].fallback);
        EXPECT_FALSE(r.facility_fallback[0]);
    }
}

TEST(WalkJoin, WithNoStreetInReachTheHouseFallsBackToTheTunnelAndSaysSo) {
    Dataset ds = street_and_tunnel(false);
    const BuildingId far = add_house(ds, 100, 60);   // S 60 m, T 38 m: beyond 50 m only the tunnel is in reach
    const auto net = WalkNetwork::build(ds.roads);
    const auto r = compute_access(ds, net, WalkingOptions{1.0, 50});
    const AccessPoint& p = r.points[r.point_start[far.index()]];
    ASSERT_TRUE(p.snap);
    EXPECT_TRUE(p.fallback);
    EXPECT_EQ(p.snap->edge, 1u);
    EXPECT_EQ(r.kinds[0].reach[far.index()], Reach::reached);
    EXPECT_NEAR(r.kinds[0].minutes[far.index()], (38.0 + 122 + 300 + 10) / 60, 1e-9);
    // Beyond max_snap_m from every way it stays unreachable.
    Dataset lone = street_and_tunnel(false);
    const BuildingId none = add_house(lone, 100, 200);
    const auto r2 = compute_access(lone, WalkNetwork::build(lone.roads), WalkingOptions{1.0, 50});
    EXPECT_EQ(r2.kinds[0].reach[none.index()], Reach::no_road_nearby);
    EXPECT_FALSE(r2.points[r2.point_start[none.index()]].fallback);
}

TEST(WalkJoin, AFacilityFallsBackTooAndAnEntranceJoinsWhateverWayItOpensOnto) {
    Dataset ds = street_and_tunnel(false);
    ds.facilities[0].location = {150, 60};   // T 38 m, S 60 m
    const BuildingId h = add_house(ds, 100, 20);
    Entrance door;   // a mapped door onto the tunnel (an underground car park's): it joins the tunnel
    door.building = h;
    door.location = {100, 21};
    ds.entrances.push_back(door);
    const auto net = WalkNetwork::build(ds.roads);
    const auto r = compute_access(ds, net, WalkingOptions{1.0, 50});
    ASSERT_TRUE(r.facility_snaps[0]);
    EXPECT_TRUE(r.facility_fallback[0]);
    EXPECT_EQ(r.facility_snaps[0]->edge, 1u);
    const AccessPoint& p = r.points[r.point_start[h.index()]];
    ASSERT_EQ(p.entrance, 0u);
    ASSERT_TRUE(p.snap);
    EXPECT_EQ(p.snap->edge, 1u);
    EXPECT_FALSE(p.fallback);
    // Both on T: the door 122 m along T, leg 1; the facility 172 m along, leg 38.
    EXPECT_NEAR(r.kinds[0].minutes[h.index()], (1.0 + 50 + 38) / 60, 1e-9);
}

}  // namespace
}  // namespace gridatlas::access
