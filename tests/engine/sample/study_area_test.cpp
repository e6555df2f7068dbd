// Settled area, absorption of isolated light regions, and the weighted medoid used to place facilities.
#include "sample/study_area.hpp"

#include <gtest/gtest.h>

#include "sample/facility_placement.hpp"

namespace gridatlas::sample {
namespace {

geo::MultiPolygon square(double x, double y, double size) {
    geo::Polygon p;
    p.outer() = {{x, y}, {x, y + size}, {x + size, y + size}, {x + size, y}, {x, y}};
    return geo::MultiPolygon{p};
}

TEST(SettledArea, NearBuildingsFuseFarOnesDoNot) {
    // Two 10 m houses 30 m apart fuse under a 100 m margin; a third 1 km away stays a separate part.
    const auto area = settled_area({square(0, 0, 10), square(40, 0, 10), square(1040, 0, 10)}, 100);
    EXPECT_EQ(area.size(), 2u);
    EXPECT_TRUE(geo::bg::within(geo::Point(25, 5), area));
}

TEST(AbsorbLightRegions, HamletJoinsNearestRegion) {
    // Weights 2000, 2500, 100: the 100-household hamlet is 50 m from the second region, 500 m from the first.
    const std::vector<geo::MultiPolygon> areas = {square(0, 0, 100), square(600, 0, 100), square(750, 0, 10)};
    const auto groups = absorb_light_regions(areas, {2000, 2500, 100}, 750);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0], (std::vector<std::size_t>{0}));
    EXPECT_EQ(groups[1], (std::vector<std::size_t>{1, 2}));
}

TEST(AbsorbLightRegions, HeavyRegionsStayAlone) {
    const auto groups = absorb_light_regions({square(0, 0, 10), square(100, 0, 10)}, {800, 900}, 750);
    EXPECT_EQ(groups.size(), 2u);
}

TEST(UnionAreas, AdjacentSquaresBecomeOnePolygon) {
    const auto u = union_areas({square(0, 0, 10), square(10, 0, 10)});
    ASSERT_EQ(u.size(), 1u);
    EXPECT_NEAR(geo::bg::area(u), 200.0, 1e-9);
}

TEST(WeightedMedoid, FollowsTheWeight) {
    const std::vector<geo::Point> pts = {{0, 0}, {100, 0}, {200, 0}};
    EXPECT_EQ(weighted_medoid(pts, {1, 1, 1}), 1u);    // the middle point
    EXPECT_EQ(weighted_medoid(pts, {1, 1, 10}), 2u);   // 10 households at x=200 pull it there
    EXPECT_THROW(weighted_medoid({}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::sample
