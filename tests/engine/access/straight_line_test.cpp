// Straight-line circle coverage against walking the network, on a hand-drawn river crossing (coordinates in metres,
// speed 1 m/s, 15 minutes: a 900 m circle).
//
//   north bank  (0,100) ─────────────────────────── (1000,100)
//                  N (0,110)                              │ bridge
//   ~~~~~~~~~~~~~~~~~~~~~~~ river, no road ~~~~~~~~~~~~~~~~│~~~~
//   south bank  (0,0) ────────────────────────────── (1000,0)
//                  F (0,-10)      S (500,-10)
//
// N is 120 m from the clinic F by air, but 10 + 1000 + 100 + 1000 + 10 = 2120 m (35.3 min) by road; S is 520 m by
// road. A circle therefore covers N, the network does not.
#include "access/straight_line.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace gridatlas::access {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

RoadLine road(std::initializer_list<geo::Point> points) {
    RoadLine r;
    r.line.assign(points.begin(), points.end());
    return r;
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

Dataset river() {
    Dataset ds;
    ds.roads = {road({{0, 0}, {1000, 0}}), road({{1000, 0}, {1000, 100}}), road({{0, 100}, {1000, 100}})};
    ds.service_kinds = {{"clinic", "卫生服务站", 15}};
    return ds;
}

TEST(StraightLine, RiverMakesACircleOverstateAccess) {
    Dataset ds = river();
    const FacilityId clinic = add_facility(ds, "clinic", 0, -10);
    const BuildingId north = add_building(ds, 0, 110);
    const BuildingId south = add_building(ds, 500, -10);
    const BuildingId far = add_building(ds, 3000, 3000);          // beyond the snap limit and the circle
    const BuildingId shop = add_building(ds, 10, -10, false);     // not residential: not counted
    const std::vector<std::size_t> households{12, 30, 5, 99};

    const auto circle = straight_line_coverage(ds, ds.service_kinds[0], 1.0);
    EXPECT_EQ(circle.kind, "clinic");
    EXPECT_DOUBLE_EQ(circle.radius_m, 900);
    EXPECT_DOUBLE_EQ(circle.distance_m[north.index()], 120);
    EXPECT_DOUBLE_EQ(circle.minutes[north.index()], 2);
    EXPECT_EQ(circle.nearest[north.index()], clinic);
    EXPECT_TRUE(circle.covered[north.index()]);
    EXPECT_TRUE(circle.covered[south.index()]);
    EXPECT_FALSE(circle.covered[far.index()]);
    EXPECT_FALSE(circle.covered[shop.index()]);
    EXPECT_EQ(circle.distance_m[shop.index()], inf);

    const auto access = compute_access(ds, WalkNetwork::build(ds.roads), WalkingOptions{1.0, 250});
    EXPECT_NEAR(access.kinds[0].minutes[north.index()], 2120 / 60.0, 1e-9);

    const CoverageComparison cmp = compare_coverage(circle, access.kinds[0], households);
    EXPECT_EQ(cmp.kind, "clinic");
    EXPECT_EQ(cmp.households, 12u + 30u + 5u);
    EXPECT_EQ(cmp.households_circle, 42u);
    EXPECT_EQ(cmp.households_network, 30u);
    EXPECT_EQ(cmp.households_circle_only, 12u);
    EXPECT_EQ(cmp.households_network_only, 0u);
    EXPECT_EQ(cmp.circle_only, std::vector<BuildingId>{north});
}

TEST(StraightLine, WithABridgeNearbyBothAgree) {
    Dataset ds = river();
    ds.roads.push_back(road({{0, 0}, {0, 100}}));   // a footbridge at the west end
    add_facility(ds, "clinic", 0, -10);
    add_building(ds, 0, 110);
    const auto circle = straight_line_coverage(ds, ds.service_kinds[0], 1.0);
    const auto access = compute_access(ds, WalkNetwork::build(ds.roads), WalkingOptions{1.0, 250});
    const auto cmp = compare_coverage(circle, access.kinds[0], {12});
    EXPECT_EQ(cmp.households_circle, 12u);
    EXPECT_EQ(cmp.households_network, 12u);
    EXPECT_EQ(cmp.households_circle_only, 0u);
    EXPECT_TRUE(cmp.circle_only.empty());
}

TEST(StraightLine, NearestFacilityTiesGoToTheLowestIndexAndUnsnappedFacilitiesCount) {
    Dataset ds = river();
    ds.service_kinds.push_back({"school", "学校", 10});
    const FacilityId first = add_facility(ds, "clinic", 3, 4);
    add_facility(ds, "clinic", -3, -4);
    const FacilityId remote = add_facility(ds, "school", 5000, 0);   // far from every road: a circle needs none
    const BuildingId b = add_building(ds, 0, 0);
    const BuildingId at_school = add_building(ds, 5000, 300);
    const auto all = straight_line_coverage(ds, 1.0);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_DOUBLE_EQ(all[0].distance_m[b.index()], 5);
    EXPECT_EQ(all[0].nearest[b.index()], first);
    EXPECT_EQ(all[1].nearest[at_school.index()], remote);
    EXPECT_DOUBLE_EQ(all[1].distance_m[at_school.index()], 300);
    EXPECT_TRUE(all[1].covered[at_school.index()]);    // 5 min ≤ 10
}

// A building with entrances is measured from them, as the network measures it: from the clinic at (0, -10) its anchor
// (500, 300) is √(500² + 310²) ≈ 588 m away, its door (30, 30) 50 m, its other door (600, 0) 600 m.
TEST(StraightLine, ABuildingWithEntrancesIsMeasuredFromTheNearestEntrance) {
    Dataset ds = river();
    add_facility(ds, "clinic", 0, -10);
    const BuildingId b = add_building(ds, 500, 300);
    for (auto [x, y] : {std::pair{600.0, 0.0}, std::pair{30.0, 30.0}}) {
        Entrance e;
        e.building = b;
        e.location = {x, y};
        ds.entrances.push_back(e);
    }
    const BuildingId plain = add_building(ds, 500, 300);
    const auto c = straight_line_coverage(ds, ds.service_kinds[0], 1.0);
    EXPECT_DOUBLE_EQ(c.distance_m[b.index()], 50);
    EXPECT_NEAR(c.distance_m[plain.index()], std::hypot(500.0, 310.0), 1e-9);
}

TEST(StraightLine, KindWithoutFacilitiesCoversNobody) {
    Dataset ds = river();
    const BuildingId b = add_building(ds, 0, 0);
    const auto circle = straight_line_coverage(ds, ds.service_kinds[0], 1.1);
    EXPECT_EQ(circle.distance_m[b.index()], inf);
    EXPECT_FALSE(circle.covered[b.index()]);
    EXPECT_FALSE(circle.nearest[b.index()].valid());
    EXPECT_THROW(straight_line_coverage(ds, ds.service_kinds[0], 0), std::invalid_argument);
    EXPECT_TRUE(straight_line_circles(ds, "clinic", 900).empty());
}

// Two facilities 1000 m apart with 300 m circles: two disjoint 32-gons of area 16 r² sin(π/16) each.
TEST(StraightLine, CirclesAreUnionedBuffers) {
    Dataset ds = river();
    add_facility(ds, "clinic", 0, 0);
    add_facility(ds, "clinic", 1000, 0);
    add_facility(ds, "school", 500, 0);
    const auto apart = straight_line_circles(ds, "clinic", 300);
    ASSERT_EQ(apart.size(), 2u);
    const double one = 16 * 300.0 * 300.0 * std::sin(std::numbers::pi / 16);
    EXPECT_NEAR(boost::geometry::area(apart), 2 * one, 1e-6);
    const auto overlapping = straight_line_circles(ds, "clinic", 600);
    EXPECT_EQ(overlapping.size(), 1u);
    EXPECT_LT(boost::geometry::area(overlapping), 2 * 16 * 600.0 * 600.0 * std::sin(std::numbers::pi / 16));
    EXPECT_TRUE(boost::geometry::covered_by(geo::Point(500, 0), overlapping));
}

TEST(StraightLine, ComparisonNeedsTheSameKindAndBuildings) {
    Dataset ds = river();
    add_facility(ds, "clinic", 0, -10);
    add_building(ds, 0, 110);
    const auto circle = straight_line_coverage(ds, ds.service_kinds[0], 1.0);
    auto access = compute_access(ds, WalkNetwork::build(ds.roads), WalkingOptions{1.0, 250});
    KindAccess other = access.kinds[0];
    other.kind = "school";
    EXPECT_THROW(compare_coverage(circle, other, {1}), std::invalid_argument);
    KindAccess shorter = access.kinds[0];
    shorter.minutes.clear();
    shorter.reach.clear();
    EXPECT_THROW(compare_coverage(circle, shorter, {1}), std::invalid_argument);
    // Missing household counts count as none.
    EXPECT_EQ(compare_coverage(circle, access.kinds[0], {}).households_circle_only, 0u);
    EXPECT_EQ(compare_coverage(circle, access.kinds[0], {}).circle_only.size(), 1u);
}

}  // namespace
}  // namespace gridatlas::access
