// Walking access on a hand-drawn network whose shortest distances are worked out below (coordinates in metres).
//
//   C(0,400) ───────e2─────── D(300,400)
//    ╲ via (-150,200)              │
//     e1 (250 + 250)               e3 (400)
//    ╱                             │
//   A(0,0) ───────e0─────── B(300,0) ───────e4─────── E(600,0)
//
// The clinic F at (50,-10) snaps onto e0 at 50 m from A with a 10 m leg, so it seeds A with 60 and B with 260.
// Shortest distances: A 60, B 260, E 560, C 560 (A–C), D 660 (B–D; via C it would be 860).
#include "access/service_access.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>

namespace gridatlas::access {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

RoadLine road(std::initializer_list<geo::Point> points) {
    RoadLine r;
    r.line.assign(points.begin(), points.end());
    return r;
}

std::vector<RoadLine> five_edges() {
    return {
        road({{0, 0}, {300, 0}}),                // e0 A–B
        road({{0, 0}, {-150, 200}, {0, 400}}),   // e1 A–C
        road({{0, 400}, {300, 400}}),            // e2 C–D
        road({{300, 0}, {300, 400}}),            // e3 B–D
        road({{300, 0}, {600, 0}}),              // e4 B–E
    };
}

BuildingId add_building(Dataset& ds, double x, double y, bool residential = true) {
    Building b;
    b.id = BuildingId{ds.buildings.size()};
    b.source_id = "b" + std::to_string(ds.buildings.size());
    b.anchor = {x, y};
    b.residential = residential;
    ds.buildings.push_back(b);
    return b.id;
}

FacilityId add_facility(Dataset& ds, const std::string& kind, double x, double y) {
    Facility f;
    f.id = FacilityId{ds.facilities.size()};
    f.source_id = "f" + std::to_string(ds.facilities.size());
    f.kind = kind;
    f.location = {x, y};
    ds.facilities.push_back(f);
    return f.id;
}

Dataset five_edge_dataset() {
    Dataset ds;
    ds.roads = five_edges();
    ds.service_kinds = {{"clinic", "卫生服务站", 15}};
    return ds;
}

// Metres at 1 m/s in minutes.
double minutes(double metres) { return metres / 60.0; }

const WalkingOptions one_metre_per_second{1.0, 250};

TEST(ServiceAccess, ShortestDistancesOnAFiveEdgeGraph) {
    Dataset ds = five_edge_dataset();
    const FacilityId clinic = add_facility(ds, "clinic", 50, -10);
    const BuildingId on_e4 = add_building(ds, 500, 20);     // 200 m from B, 20 m leg: 20 + 260 + 200
    const BuildingId on_e2 = add_building(ds, 150, 410);    // 150 m from C, 10 m leg: 10 + 560 + 150
    const BuildingId on_e3 = add_building(ds, 290, 300);    // 300 m from B, 10 m leg: 10 + 260 + 300
    const BuildingId on_e1 = add_building(ds, -67, 294);    // 375 m along e1 from A, 10 m leg: 10 + 60 + 375
    const auto net = WalkNetwork::build(ds.roads);
    ASSERT_EQ(net.edges().size(), 5u);

    const auto result = compute_access(ds, net, one_metre_per_second);
    ASSERT_EQ(result.kinds.size(), 1u);
    const KindAccess& k = result.kinds[0];
    EXPECT_NEAR(k.minutes[on_e4.index()], minutes(480), 1e-9);
    EXPECT_NEAR(k.minutes[on_e2.index()], minutes(720), 1e-9);
    EXPECT_NEAR(k.minutes[on_e3.index()], minutes(570), 1e-9);
    EXPECT_NEAR(k.minutes[on_e1.index()], minutes(445), 1e-9);
    for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
        EXPECT_EQ(k.reach[b], Reach::reached);
        EXPECT_EQ(k.nearest[b], clinic);
    }
    ASSERT_TRUE(result.building_snaps[on_e1.index()]);
    EXPECT_EQ(result.building_snaps[on_e1.index()]->edge, 1u);
    EXPECT_NEAR(result.building_snaps[on_e1.index()]->along_m, 375, 1e-9);
    ASSERT_TRUE(result.facility_snaps[clinic.index()]);
    EXPECT_EQ(result.facility_snaps[clinic.index()]->edge, 0u);
}

TEST(ServiceAccess, FacilityOnTheBuildingsEdgeIsReachedAlongTheEdge) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId b = add_building(ds, 200, 5);   // on e0 too: 5 + (200 - 50) + 10, not 5 + min(60 + 200, 260 + 100)
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    EXPECT_NEAR(result.kinds[0].minutes[b.index()], minutes(165), 1e-9);
}

TEST(ServiceAccess, SpeedConvertsMetresToMinutes) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId b = add_building(ds, 500, 20);   // 480 m at 1.6 m/s: 300 s
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), WalkingOptions{1.6, 250});
    EXPECT_NEAR(result.kinds[0].minutes[b.index()], 5.0, 1e-9);
    EXPECT_THROW(compute_access(ds, WalkNetwork::build(ds.roads), WalkingOptions{0, 250}), std::invalid_argument);
}

TEST(ServiceAccess, NearestFacilityIsTheOneThePathStartsFrom) {
    Dataset ds = five_edge_dataset();
    ds.service_kinds.push_back({"school", "学校", 20});
    const FacilityId school = add_facility(ds, "school", 290, 200);   // on e3, 200 m from B
    const FacilityId west = add_facility(ds, "clinic", 50, -10);
    const FacilityId east = add_facility(ds, "clinic", 600, 10);     // at E with a 10 m leg
    const BuildingId near_east = add_building(ds, 500, 20);          // 20 + min(260 + 200, 10 + 100)
    const BuildingId near_west = add_building(ds, 200, 5);           // 165 as above
    const BuildingId on_e3 = add_building(ds, 290, 300);             // 10 + 260 + 300; the east clinic: 620
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);

    const KindAccess& clinic = result.kinds[0];
    EXPECT_EQ(clinic.nearest[near_east.index()], east);
    EXPECT_NEAR(clinic.minutes[near_east.index()], minutes(130), 1e-9);
    EXPECT_EQ(clinic.nearest[near_west.index()], west);
    EXPECT_NEAR(clinic.minutes[near_west.index()], minutes(165), 1e-9);
    EXPECT_EQ(clinic.nearest[on_e3.index()], west);
    EXPECT_NEAR(clinic.minutes[on_e3.index()], minutes(570), 1e-9);

    const KindAccess& schools = result.kinds[1];
    EXPECT_EQ(schools.nearest[on_e3.index()], school);
    EXPECT_NEAR(schools.minutes[on_e3.index()], minutes(10 + 100 + 10), 1e-9);
    EXPECT_NEAR(schools.minutes[near_east.index()], minutes(20 + 200 + 200 + 10), 1e-9);
}

TEST(ServiceAccess, EqualDistancesGoToTheLowestFacilityIndex) {
    Dataset ds = five_edge_dataset();
    const FacilityId first = add_facility(ds, "clinic", 250, -10);
    add_facility(ds, "clinic", 50, -10);
    const BuildingId between = add_building(ds, 150, 5);   // 5 + 100 + 10 from either
    const BuildingId on_e2 = add_building(ds, 150, 410);   // from the first, over B and D: 10 + 60 + 400 + 150
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    EXPECT_EQ(result.kinds[0].nearest[between.index()], first);
    EXPECT_NEAR(result.kinds[0].minutes[between.index()], minutes(115), 1e-9);
    EXPECT_NEAR(result.kinds[0].minutes[on_e2.index()], minutes(620), 1e-9);
    EXPECT_EQ(result.kinds[0].nearest[on_e2.index()], first);
}

TEST(ServiceAccess, SameAnswerOnOneThreadAndOnSeveral) {
    Dataset ds = five_edge_dataset();
    ds.service_kinds = {{"clinic", "卫生站", 15, true}, {"school", "小学", 15, true}, {"shop", "商店", 5, false}};
    add_facility(ds, "clinic", 250, -10);
    add_facility(ds, "school", 50, -10);
    add_facility(ds, "shop", 150, 410);
    add_building(ds, 150, 5);
    add_building(ds, 150, 410);
    const WalkNetwork net = WalkNetwork::build(ds.roads);
    const auto one = compute_access(ds, net, one_metre_per_second, 1);
    const auto three = compute_access(ds, net, one_metre_per_second, 3);
    ASSERT_EQ(one.kinds.size(), 3u);
    ASSERT_EQ(three.kinds.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(one.kinds[k].kind, three.kinds[k].kind);
        EXPECT_EQ(one.kinds[k].minutes, three.kinds[k].minutes);
        EXPECT_EQ(one.kinds[k].nearest, three.kinds[k].nearest);
        EXPECT_EQ(one.kinds[k].via, three.kinds[k].via);
    }
    EXPECT_NEAR(one.kinds[0].minutes[0], minutes(115), 1e-9);   // the clinic: as in the test above
}

TEST(ServiceAccess, BuildingOnAnIslandIsDisconnected) {
    Dataset ds = five_edge_dataset();
    ds.roads.push_back(road({{1000, 0}, {1100, 0}}));
    add_facility(ds, "clinic", 50, -10);
    const BuildingId island = add_building(ds, 1050, 5);
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    ASSERT_TRUE(result.building_snaps[island.index()]);
    EXPECT_EQ(result.kinds[0].reach[island.index()], Reach::disconnected);
    EXPECT_EQ(result.kinds[0].minutes[island.index()], inf);
    EXPECT_FALSE(result.kinds[0].nearest[island.index()].valid());
}

// Snapping takes the nearest edge without looking at where it leads: a building 5 m from a path that joins nothing
// and 25 m from a connected road is reported disconnected rather than routed over the farther road. A stray path
// beside a building shows up this way in the diagnostics instead of being hidden.
TEST(ServiceAccess, BuildingSnapsToTheNearestEdgeEvenWhenItLeadsNowhere) {
    Dataset ds = five_edge_dataset();
    ds.roads.push_back(road({{500, 30}, {560, 30}}));   // beside e4, not joined
    add_facility(ds, "clinic", 50, -10);
    const BuildingId b = add_building(ds, 530, 25);
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    ASSERT_TRUE(result.building_snaps[b.index()]);
    EXPECT_EQ(result.building_snaps[b.index()]->edge, 5u);
    EXPECT_DOUBLE_EQ(result.building_snaps[b.index()]->offset_m, 5);
    EXPECT_EQ(result.kinds[0].reach[b.index()], Reach::disconnected);
}

TEST(ServiceAccess, BuildingBeyondTheSnapLimitHasNoRoadNearby) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId far = add_building(ds, 900, 0);     // 300 m from E
    const BuildingId near = add_building(ds, 840, 0);    // 240 m from E
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    EXPECT_FALSE(result.building_snaps[far.index()]);
    EXPECT_EQ(result.kinds[0].reach[far.index()], Reach::no_road_nearby);
    EXPECT_EQ(result.kinds[0].minutes[far.index()], inf);
    EXPECT_EQ(result.kinds[0].reach[near.index()], Reach::reached);
    EXPECT_NEAR(result.kinds[0].minutes[near.index()], minutes(240 + 560), 1e-9);
}

TEST(ServiceAccess, KindWithoutSnappedFacilities) {
    Dataset ds = five_edge_dataset();
    ds.service_kinds.push_back({"pharmacy", "药店", 10});
    ds.service_kinds.push_back({"library", "图书馆", 30});
    add_facility(ds, "clinic", 50, -10);
    const FacilityId remote = add_facility(ds, "library", 900, 500);   // beyond the snap limit: takes no part
    const BuildingId b = add_building(ds, 500, 20);
    const BuildingId far = add_building(ds, 900, 0);
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    EXPECT_FALSE(result.facility_snaps[remote.index()]);
    for (const char* kind : {"pharmacy", "library"}) {
        const KindAccess* k = result.find(kind);
        ASSERT_NE(k, nullptr);
        EXPECT_EQ(k->reach[b.index()], Reach::no_facility_of_kind);
        EXPECT_EQ(k->minutes[b.index()], inf);
        EXPECT_EQ(k->reach[far.index()], Reach::no_road_nearby);   // the building's own problem comes first
    }
}

TEST(ServiceAccess, NonResidentialBuildingsAreNeitherSnappedNorRouted) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId shop = add_building(ds, 200, 5, false);
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    EXPECT_FALSE(result.building_snaps[shop.index()]);
    EXPECT_EQ(result.kinds[0].reach[shop.index()], Reach::not_residential);
    EXPECT_EQ(result.kinds[0].minutes[shop.index()], inf);
    EXPECT_FALSE(result.kinds[0].nearest[shop.index()].valid());
}

TEST(ServiceAccess, BridgeDoesNotTouchDownOnTheRoadItCrosses) {
    // A bridge (level 1) from (100,-100) to (100,100) crosses the ground road (0,0)–(200,0) at the road's vertex
    // (100,0) without joining it. Its south end lands on a path (100,-100)–(0,-100)–(0,0) that joins the road's end;
    // its north end joins nothing. The clinic is 5 m off the road at x=150, seeding (100,0) and (200,0) with 55,
    // so (0,0) is at 155, the bridge's south end at 355, its middle at 455.
    Dataset ds;
    ds.service_kinds = {{"clinic", "卫生服务站", 15}};
    ds.roads = {road({{0, 0}, {100, 0}, {200, 0}}), road({{100, -100}, {100, 0}, {100, 100}}),
                road({{100, -100}, {0, -100}, {0, 0}})};
    ds.roads[1].level = 1;
    add_facility(ds, "clinic", 150, 5);
    const BuildingId south = add_building(ds, 105, -50);   // beside the bridge, 50 m from its south end
    const BuildingId north = add_building(ds, 95, 60);     // beside the bridge, 60 m past its middle
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    // Joined at the crossing these would be 5 + 50 + 55 and 5 + 60 + 55.
    EXPECT_NEAR(result.kinds[0].minutes[south.index()], minutes(5 + 355 + 50), 1e-9);
    EXPECT_NEAR(result.kinds[0].minutes[north.index()], minutes(5 + 455 + 60), 1e-9);
}

TEST(ServiceAccess, KindsAreReportedInDatasetOrderAndFoundByKey) {
    Dataset ds = five_edge_dataset();
    ds.service_kinds = {{"school", "学校", 20}, {"clinic", "卫生服务站", 15}};
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    ASSERT_EQ(result.kinds.size(), 2u);
    EXPECT_EQ(result.kinds[0].kind, "school");
    EXPECT_EQ(result.find("clinic"), &result.kinds[1]);
    EXPECT_EQ(result.find("clinic")->threshold_minutes, 15);
    EXPECT_EQ(result.find("post_office"), nullptr);
}

TEST(ServiceAccess, ManyKindsGiveTheSameResultsAsOneKindAtATime) {
    // A 20 × 20 grid of 50 m blocks, buildings in the blocks, several facilities per kind.
    Dataset all;
    for (int i = 0; i <= 20; ++i) {
        RoadLine h, v;
        for (int j = 0; j <= 20; ++j) {
            h.line.push_back({j * 50.0, i * 50.0});
            v.line.push_back({i * 50.0, j * 50.0});
        }
        all.roads.push_back(h);
        all.roads.push_back(v);
    }
    for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 20; ++j) add_building(all, i * 50.0 + 17, j * 50.0 + 29);
    for (int k = 0; k < 7; ++k) {
        const std::string key = "kind" + std::to_string(k);
        all.service_kinds.push_back({key, key, 15});
        for (int f = 0; f <= k; ++f)
            add_facility(all, key, (37 * (k + 3) * (f + 1)) % 1000 + 0.5, (53 * (f + 2) * (k + 1)) % 1000 + 3.0);
    }
    const auto net = WalkNetwork::build(all.roads);
    const auto together = compute_access(all, net, one_metre_per_second);
    for (std::size_t k = 0; k < all.service_kinds.size(); ++k) {
        Dataset one = all;
        one.service_kinds = {all.service_kinds[k]};
        const auto alone = compute_access(one, net, one_metre_per_second);
        EXPECT_EQ(alone.kinds[0].minutes, together.kinds[k].minutes);
        EXPECT_EQ(alone.kinds[0].nearest, together.kinds[k].nearest);
        EXPECT_EQ(alone.kinds[0].reach, together.kinds[k].reach);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Entrances: a building with entrances joins the network at each of them instead of its anchor.

std::uint32_t add_entrance(Dataset& ds, BuildingId b, double x, double y) {
    Entrance e;
    e.source_id = "e" + std::to_string(ds.entrances.size());
    e.building = b;
    e.location = {x, y};
    ds.entrances.push_back(e);
    return static_cast<std::uint32_t>(ds.entrances.size() - 1);
}

// The building's anchor (530, 40) is 10 m from a stray path (500,30)–(560,30) that joins nothing and 40 m from e4, so
// by its anchor it is disconnected. Its entrance (530, -5) opens onto e4, 230 m from B with a 5 m leg: 5 + 260 + 230.
TEST(ServiceAccess, EntranceOnTheOtherSideGivesTheEntrancesDistance) {
    Dataset ds = five_edge_dataset();
    ds.roads.push_back(road({{500, 30}, {560, 30}}));
    add_facility(ds, "clinic", 50, -10);
    const BuildingId by_anchor = add_building(ds, 530, 40);
    const BuildingId by_door = add_building(ds, 530, 40);
    const std::uint32_t door = add_entrance(ds, by_door, 530, -5);
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    const KindAccess& k = result.kinds[0];

    EXPECT_EQ(k.reach[by_anchor.index()], Reach::disconnected);
    ASSERT_TRUE(result.building_snaps[by_anchor.index()]);
    EXPECT_EQ(result.building_snaps[by_anchor.index()]->edge, 5u);   // the stray path

    EXPECT_EQ(k.reach[by_door.index()], Reach::reached);
    EXPECT_NEAR(k.minutes[by_door.index()], minutes(5 + 260 + 230), 1e-9);
    // What the outputs report: the building joins at its entrance, on e4, with the entrance's 5 m leg.
    const auto points = result.points_of(by_door);
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].entrance, door);
    ASSERT_TRUE(result.building_snaps[by_door.index()]);
    EXPECT_EQ(result.building_snaps[by_door.index()]->edge, 4u);
    EXPECT_DOUBLE_EQ(result.building_snaps[by_door.index()]->offset_m, 5);
    EXPECT_DOUBLE_EQ(result.building_snaps[by_door.index()]->along_m, 230);
    ASSERT_NE(k.via[by_door.index()], KindAccess::no_point);
    EXPECT_EQ(result.points[k.via[by_door.index()]].entrance, door);
    EXPECT_EQ(result.building_snap_point[by_door.index()], k.via[by_door.index()]);
    // The anchor-only building joins at its anchor.
    ASSERT_EQ(result.points_of(by_anchor).size(), 1u);
    EXPECT_EQ(result.points_of(by_anchor)[0].entrance, AccessPoint::anchor);
}

// A building in the middle of the loop, anchor (150, 200): by its anchor it would join e3 with a 150 m leg,
// 150 + 200 + 260 = 610. Its north door (150, 395) joins e2 150 m from C with a 5 m leg: 5 + 150 + 560 = 715; its
// south door (150, 5) joins e0 beside the clinic: 5 + (150 - 50) + 10 = 115. The building takes the south door.
TEST(ServiceAccess, ABuildingWithSeveralEntrancesTakesTheNearest) {
    Dataset ds = five_edge_dataset();
    const FacilityId clinic = add_facility(ds, "clinic", 50, -10);
    const BuildingId b = add_building(ds, 150, 200);
    const std::uint32_t north = add_entrance(ds, b, 150, 395);
    const std::uint32_t south = add_entrance(ds, b, 150, 5);
    const BuildingId plain = add_building(ds, 150, 200);   // the same building without entrances
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    const KindAccess& k = result.kinds[0];
    EXPECT_NEAR(k.minutes[plain.index()], minutes(610), 1e-9);
    EXPECT_NEAR(k.minutes[b.index()], minutes(115), 1e-9);
    EXPECT_EQ(k.nearest[b.index()], clinic);
    ASSERT_EQ(result.points_of(b).size(), 2u);
    EXPECT_EQ(result.points[k.via[b.index()]].entrance, south);
    // Both doors are 5 m from a road: the building's own snap is the first of them, as the outputs show it.
    EXPECT_EQ(result.points[result.building_snap_point[b.index()]].entrance, north);
    EXPECT_EQ(result.building_snaps[b.index()]->edge, 2u);

    // Only the north door: 715, through C.
    Dataset north_only = ds;
    north_only.entrances.erase(north_only.entrances.begin() + south);
    const auto r2 = compute_access(north_only, WalkNetwork::build(north_only.roads), one_metre_per_second);
    EXPECT_NEAR(r2.kinds[0].minutes[b.index()], minutes(715), 1e-9);
}

// An entrance farther than max_snap_m does not join; the building is not rescued by its anchor.
TEST(ServiceAccess, EntrancesBeyondTheSnapLimit) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId all_far = add_building(ds, 500, 20);   // its anchor is 20 m from e4, but it has a door elsewhere
    add_entrance(ds, all_far, 900, 0);                      // 300 m from E
    const BuildingId one_far = add_building(ds, 500, 20);
    add_entrance(ds, one_far, 900, 0);
    const std::uint32_t near = add_entrance(ds, one_far, 840, 0);   // 240 m from E: 240 + 560
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    const KindAccess& k = result.kinds[0];
    EXPECT_EQ(k.reach[all_far.index()], Reach::no_road_nearby);
    EXPECT_FALSE(result.building_snaps[all_far.index()]);
    EXPECT_EQ(result.building_snap_point[all_far.index()], KindAccess::no_point);
    ASSERT_EQ(result.points_of(all_far).size(), 1u);
    EXPECT_FALSE(result.points_of(all_far)[0].snap);
    EXPECT_EQ(k.reach[one_far.index()], Reach::reached);
    EXPECT_NEAR(k.minutes[one_far.index()], minutes(240 + 560), 1e-9);
    EXPECT_EQ(result.points[k.via[one_far.index()]].entrance, near);
}

// Entrances of non-residential buildings and entrances naming no building take no part.
TEST(ServiceAccess, EntrancesOfOtherBuildingsAreIgnored) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId shop = add_building(ds, 200, 5, false);
    add_entrance(ds, shop, 200, 1);
    add_entrance(ds, BuildingId{}, 200, 1);
    const BuildingId home = add_building(ds, 500, 20);
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), one_metre_per_second);
    EXPECT_TRUE(result.points_of(shop).empty());
    EXPECT_EQ(result.kinds[0].reach[shop.index()], Reach::not_residential);
    EXPECT_NEAR(result.kinds[0].minutes[home.index()], minutes(480), 1e-9);
    EXPECT_EQ(result.points.size(), 1u);
}

// ---------------------------------------------------------------------------------------------------------------
// The search limit

// At 1 m/s a 10-minute limit is 600 m. On the five-edge graph the clinic is 480 m from the building on e4 and 720 m
// from the one on e2; the island cannot reach it at all.
TEST(ServiceAccess, BeyondTheSearchLimitIsReportedAsSuchNotAsDisconnected) {
    Dataset ds = five_edge_dataset();
    ds.roads.push_back(road({{1000, 0}, {1100, 0}}));
    add_facility(ds, "clinic", 50, -10);
    const BuildingId on_e4 = add_building(ds, 500, 20);
    const BuildingId on_e2 = add_building(ds, 150, 410);
    const BuildingId island = add_building(ds, 1050, 5);
    const auto net = WalkNetwork::build(ds.roads);
    const auto bounded = compute_access(ds, net, WalkingOptions{1.0, 250, 10});
    const KindAccess& k = bounded.kinds[0];
    EXPECT_EQ(k.search_limit_minutes, 10);
    EXPECT_EQ(k.reach[on_e4.index()], Reach::reached);
    EXPECT_NEAR(k.minutes[on_e4.index()], minutes(480), 1e-9);
    EXPECT_EQ(k.reach[on_e2.index()], Reach::beyond_search_limit);
    EXPECT_EQ(k.minutes[on_e2.index()], inf);
    EXPECT_FALSE(k.nearest[on_e2.index()].valid());
    EXPECT_EQ(k.via[on_e2.index()], KindAccess::no_point);
    EXPECT_EQ(k.reach[island.index()], Reach::disconnected);

    // 12 minutes (720 m) reaches it exactly; unbounded gives the same minutes.
    EXPECT_EQ(compute_access(ds, net, WalkingOptions{1.0, 250, 12}).kinds[0].reach[on_e2.index()], Reach::reached);
    const auto unbounded = compute_access(ds, net, one_metre_per_second);
    EXPECT_EQ(unbounded.kinds[0].search_limit_minutes, inf);
    EXPECT_NEAR(unbounded.kinds[0].minutes[on_e2.index()], minutes(720), 1e-9);
    EXPECT_EQ(unbounded.kinds[0].reach[island.index()], Reach::disconnected);
    EXPECT_THROW(compute_access(ds, net, WalkingOptions{1.0, 250, 0}), std::invalid_argument);
}

// The limit counts walking time: at 0.5 m/s, 10 minutes is 300 m.
TEST(ServiceAccess, SearchLimitIsInMinutesWhateverTheSpeed) {
    Dataset ds = five_edge_dataset();
    add_facility(ds, "clinic", 50, -10);
    const BuildingId near = add_building(ds, 200, 5);     // 165 m
    const BuildingId far = add_building(ds, 500, 20);     // 480 m
    const auto result = compute_access(ds, WalkNetwork::build(ds.roads), WalkingOptions{0.5, 250, 10});
    EXPECT_NEAR(result.kinds[0].minutes[near.index()], 165 / 0.5 / 60, 1e-9);
    EXPECT_EQ(result.kinds[0].reach[far.index()], Reach::beyond_search_limit);
}

// Bounded and unbounded agree on every building within the limit; every other connected building is beyond it.
TEST(ServiceAccess, BoundedSearchAgreesWithTheUnboundedWithinTheLimit) {
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
        for (int j = 0; j < 20; ++j) add_building(ds, i * 50.0 + 17, j * 50.0 + 29);
    ds.service_kinds = {{"clinic", "卫生服务站", 5}, {"school", "学校", 10}};
    add_facility(ds, "clinic", 120.5, 103);
    add_facility(ds, "clinic", 830, 777.25);
    add_facility(ds, "school", 501, 20);
    const auto net = WalkNetwork::build(ds.roads);
    const auto unbounded = compute_access(ds, net, one_metre_per_second);
    const auto bounded = compute_access(ds, net, WalkingOptions{1.0, 250, 12});
    std::size_t within = 0, beyond = 0;
    for (std::size_t k = 0; k < 2; ++k)
        for (std::size_t b = 0; b < ds.buildings.size(); ++b) {
            ASSERT_EQ(unbounded.kinds[k].reach[b], Reach::reached);
            if (unbounded.kinds[k].minutes[b] <= 12) {
                ++within;
                EXPECT_EQ(bounded.kinds[k].reach[b], Reach::reached);
                EXPECT_EQ(bounded.kinds[k].minutes[b], unbounded.kinds[k].minutes[b]);
                EXPECT_EQ(bounded.kinds[k].nearest[b], unbounded.kinds[k].nearest[b]);
            } else {
                ++beyond;
                EXPECT_EQ(bounded.kinds[k].reach[b], Reach::beyond_search_limit);
                EXPECT_EQ(bounded.kinds[k].minutes[b], inf);
            }
        }
    EXPECT_GT(within, 100u);   // both cases occur
    EXPECT_GT(beyond, 100u);
}

TEST(ServiceAccess, ReachNames) {
    EXPECT_STREQ(to_string(Reach::reached), "reached");
    EXPECT_STREQ(to_string(Reach::no_road_nearby), "no_road_nearby");
    EXPECT_STREQ(to_string(Reach::no_facility_of_kind), "no_facility_of_kind");
    EXPECT_STREQ(to_string(Reach::disconnected), "disconnected");
    EXPECT_STREQ(to_string(Reach::not_residential), "not_residential");
    EXPECT_STREQ(to_string(Reach::beyond_search_limit), "beyond_search_limit");
}

TEST(MinutesForBands, BeyondTheSearchLimitIsPastEveryBandNotUnreachable) {
    KindAccess k;
    k.search_limit_minutes = 60;
    const double inf = std::numeric_limits<double>::infinity();
    k.minutes = {4.5, inf, inf, inf};
    k.reach = {Reach::reached, Reach::beyond_search_limit, Reach::disconnected, Reach::not_residential};
    const auto m = minutes_for_bands(k);
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0], 4.5);
    EXPECT_GT(m[1], 60.0);
    EXPECT_LT(m[1], 60.001);
    EXPECT_TRUE(std::isinf(m[2]));
    EXPECT_TRUE(std::isinf(m[3]));
}

}  // namespace
}  // namespace gridatlas::access
