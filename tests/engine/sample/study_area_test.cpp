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

TEST(JoinClosePieces, HamletsUnderTheGapJoinAcrossTheFieldOthersStayApart) {
    // Three 100 m hamlets on a line: A at x 0–100, B at 400–500 (300 m of field from A), C at 1500–1600 (1 km from B).
    const geo::MultiPolygon hamlets = {square(0, 0, 100)[0], square(400, 0, 100)[0], square(1500, 0, 100)[0]};
    const auto joined = join_close_pieces(hamlets, 400);
    ASSERT_EQ(joined.size(), 2u);
    // A and B are joined by a strip of field 40 m wide along a shortest segment between them (300 m long, wholly
    // outside the hamlets between x 100 and 400); C is untouched, and nothing of the hamlets is lost.
    EXPECT_FALSE(geo::bg::within(geo::Point(1000, 50), joined));
    EXPECT_GE(geo::bg::area(joined), 3 * 10000 + 300 * 40 - 1e-6);
    EXPECT_LT(geo::bg::area(joined), 3 * 10000 + 300 * 100);
    for (const auto& h : hamlets) EXPECT_TRUE(geo::bg::covered_by(h, joined));
    // Under 300 m, A and B stay apart: the area is the three hamlets.
    const auto apart = join_close_pieces(hamlets, 250);
    EXPECT_EQ(apart.size(), 3u);
    EXPECT_NEAR(geo::bg::area(apart), 3 * 10000, 1e-6);
    EXPECT_TRUE(geo::bg::equals(join_close_pieces(hamlets, 0), hamlets));
    EXPECT_THROW(join_close_pieces(hamlets, -1), std::invalid_argument);
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
