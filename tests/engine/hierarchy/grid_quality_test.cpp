// Quality statistics, the naive lattice baseline, and the drawing invariants on a hand-made town: grids are
// contiguous, cover their parent exactly, never cross it, and hold the target range of households.
//
// The town (metres): a parent 600 × 400 cut by streets at x = 100, 200, …, 500 and y = 100, 200, 300 into 24 blocks
// of 100 × 100, each holding 4 buildings of 25 households (100 a block) — grids of 300–500 households are 3 to 5
// blocks.
#include "hierarchy/grid_quality.hpp"
#include "hierarchy/building_cells.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <numeric>

#include "geometry/geos.hpp"

namespace gridatlas::hierarchy {
namespace {

namespace bg = boost::geometry;
using geo::LineString;
using geo::MultiPolygon;
using geo::Point;

MultiPolygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return MultiPolygon{p};
}

struct Town {
    MultiPolygon parent;
    std::vector<LineString> roads;
    std::vector<WeightedPoint> points;
    std::vector<MultiPolygon> footprints;
};

// Streets across [x0, x1] × [0, 400] every 100 m, and 4 buildings of `households` each in every block.
Town town(double x0, double x1, double households = 25) {
    Town t;
    t.parent = rect(x0, 0, x1, 400);
    for (double x = x0 + 100; x < x1; x += 100) t.roads.push_back(LineString{{x, -20}, {x, 420}});
    for (double y = 100; y < 400; y += 100) t.roads.push_back(LineString{{x0 - 20, y}, {x1 + 20, y}});
    for (double bx = x0; bx < x1; bx += 100)
        for (double by = 0; by < 400; by += 100)
            for (double dx : {20.0, 60.0})
                for (double dy : {20.0, 60.0}) {
                    t.footprints.push_back(rect(bx + dx, by + dy, bx + dx + 20, by + dy + 20));
                    t.points.push_back({Point(bx + dx + 10, by + dy + 10), households});
                }
    return t;
}

struct Coverage {
    double union_area = 0;      // area of the union of the regions
    double outside = 0;         // area of the regions outside the parent
    double sum = 0;             // summed region areas (equals union_area when they do not overlap)
};

Coverage coverage(const std::vector<DrawnRegion>& regions, const MultiPolygon& parent) {
    geo::GeosContext ctx;
    MultiPolygon all;
    Coverage c;
    for (const auto& r : regions) {
        all.insert(all.end(), r.area.begin(), r.area.end());
        c.sum += bg::area(r.area);
    }
    const auto all_g = geo::to_geos(ctx, all);
    const auto united = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), all_g.get()), "union");
    const auto parent_g = geo::to_geos(ctx, parent);
    const auto outside = geo::own(ctx, GEOSDifference_r(ctx.handle(), united.get(), parent_g.get()), "difference");
    GEOSArea_r(ctx.handle(), united.get(), &c.union_area);
    GEOSArea_r(ctx.handle(), outside.get(), &c.outside);
    return c;
}

void expect_partition_of(const std::vector<DrawnRegion>& regions, const MultiPolygon& parent, std::size_t point_count) {
    const Coverage c = coverage(regions, parent);
    EXPECT_NEAR(c.union_area, bg::area(parent), 1e-6) << "the grids cover the parent";
    EXPECT_NEAR(c.sum, bg::area(parent), 1e-6) << "without overlapping";
    EXPECT_NEAR(c.outside, 0.0, 1e-6) << "and never cross it";
    std::size_t points = 0;
    for (const auto& r : regions) {
        EXPECT_EQ(r.area.size(), 1u) << "each grid is one contiguous polygon";
        points += r.points.size();
    }
    EXPECT_EQ(points, point_count) << "every building in exactly one grid";
}

TEST(GridQuality, BalanceStatistics) {
    const auto b = balance({0, 100, 300, 500}, 300, 500);
    EXPECT_EQ(b.regions, 4u);
    EXPECT_EQ(b.empty, 1u);
    EXPECT_DOUBLE_EQ(b.total, 900);
    EXPECT_DOUBLE_EQ(b.min, 100);
    EXPECT_DOUBLE_EQ(b.max, 500);
    EXPECT_DOUBLE_EQ(b.mean, 300);
    EXPECT_NEAR(b.stddev, std::sqrt(80000.0 / 3.0), 1e-9);
    EXPECT_NEAR(b.cv, std::sqrt(80000.0 / 3.0) / 300, 1e-12);
    EXPECT_EQ(b.below, 1u);
    EXPECT_EQ(b.within, 2u);
    EXPECT_EQ(b.above, 0u);
    EXPECT_EQ(balance({}, 0, 1).regions, 0u);
    EXPECT_THROW(balance({-1}, 0, 1), std::invalid_argument);
}

TEST(GridQuality, CompactnessStatistics) {
    const auto c = compactness({0.2, 0.8, 0.5});
    EXPECT_DOUBLE_EQ(c.min, 0.2);
    EXPECT_DOUBLE_EQ(c.median, 0.5);
    EXPECT_DOUBLE_EQ(c.mean, 0.5);
    EXPECT_DOUBLE_EQ(c.max, 0.8);
    EXPECT_DOUBLE_EQ(compactness({0.2, 0.4}).median, 0.3);
}

TEST(GridQuality, LatticeOfSquaresClippedToTheArea) {
    // 120 × 100 with 50 m squares: 3 columns (the last clipped to 20 m) × 2 rows.
    const std::vector<WeightedPoint> points = {{{10, 90}, 5}, {{110, 10}, 7}, {{500, 500}, 1}};
    const auto cells = square_lattice(rect(0, 0, 120, 100), 50, points);
    ASSERT_EQ(cells.size(), 6u);
    double area = 0;
    for (const auto& c : cells) area += bg::area(c.area);
    EXPECT_NEAR(area, 12000, 1e-9);
    EXPECT_NEAR(bg::area(cells[0].area), 2500, 1e-9);    // north-west first
    EXPECT_NEAR(bg::area(cells[2].area), 1000, 1e-9);    // north-east, clipped
    EXPECT_EQ(cells[0].points, std::vector<std::size_t>{0});
    EXPECT_DOUBLE_EQ(cells[0].weight, 5);
    // (110, 10) is in the south-east cell; (500, 500) lies outside and goes to the nearest cell, the north-east one.
    EXPECT_EQ(cells[5].points, std::vector<std::size_t>{1});
    EXPECT_EQ(cells[2].points, std::vector<std::size_t>{2});
    EXPECT_NEAR(polsby_popper(cells[0].area), std::numbers::pi / 4, 1e-12);
    EXPECT_THROW(square_lattice(rect(0, 0, 1, 1), 0, {}), std::invalid_argument);
    // A hole in the area: squares falling in it are dropped.
    geo::Polygon ring = rect(0, 0, 150, 150)[0];
    ring.inners().push_back({{50, 50}, {100, 50}, {100, 100}, {50, 100}, {50, 50}});
    MultiPolygon holed{ring};
    bg::correct(holed);
    EXPECT_EQ(square_lattice(holed, 50, {}).size(), 8u);
}

TEST(GridQuality, AssessCountsCutsPartsAndEmptyRegions) {
    const std::vector<MultiPolygon> regions = {rect(0, 0, 100, 100), rect(100, 0, 200, 100), rect(300, 0, 400, 100)};
    MultiPolygon two_parts = rect(500, 0, 510, 10);
    two_parts.push_back(rect(600, 0, 610, 10)[0]);
    auto with_parts = regions;
    with_parts.push_back(two_parts);
    const std::vector<MultiPolygon> footprints = {rect(90, 40, 110, 60),    // cut: 200 m² on each side
                                                  rect(10, 10, 20, 20),     // inside
                                                  rect(199.5, 10, 210, 20)};  // 5 m² in the grid, the rest outside: not cut
    const auto q = assess_partition(with_parts, {400, 0, 350, 10}, 300, 500, footprints);
    EXPECT_EQ(q.buildings_cut, 1u);
    EXPECT_EQ(q.multipart, 1u);
    EXPECT_EQ(q.balance.empty, 1u);
    EXPECT_EQ(q.balance.within, 2u);
    EXPECT_EQ(q.balance.below, 1u);
    EXPECT_EQ(q.compactness.regions, 3u);   // the empty one is left out
    EXPECT_NEAR(q.area_m2, 30200, 1e-9);
    EXPECT_THROW(assess_partition(regions, {1}, 0, 1, {}), std::invalid_argument);
}

TEST(GridDrawingInvariants, TownGridsAreContiguousCoverTheParentAndHoldTheRange) {
    const Town t = town(0, 600);
    const auto regions = draw_regions(t.parent, t.roads, t.points, {300, 500});
    ASSERT_FALSE(regions.empty());
    expect_partition_of(regions, t.parent, t.points.size());
    double total = 0;
    for (const auto& r : regions) {
        EXPECT_GE(r.weight, 300) << "grid of " << r.weight << " households";
        EXPECT_LE(r.weight, 500) << "grid of " << r.weight << " households";
        total += r.weight;
    }
    EXPECT_DOUBLE_EQ(total, 2400);

    std::vector<MultiPolygon> areas;
    std::vector<double> weights;
    for (const auto& r : regions) { areas.push_back(r.area); weights.push_back(r.weight); }
    const auto q = assess_partition(areas, weights, 300, 500, t.footprints);
    EXPECT_EQ(q.buildings_cut, 0u) << "grids follow the streets";
    EXPECT_EQ(q.balance.within, regions.size());
    EXPECT_EQ(q.multipart, 0u);

    // The naive lattice of the same mean area cuts through blocks and buildings.
    const double side = std::sqrt(bg::area(t.parent) / static_cast<double>(regions.size()));
    const auto lattice = square_lattice(t.parent, side, t.points);
    std::vector<MultiPolygon> lattice_areas;
    std::vector<double> lattice_weights;
    for (const auto& c : lattice) { lattice_areas.push_back(c.area); lattice_weights.push_back(c.weight); }
    const auto base = assess_partition(lattice_areas, lattice_weights, 300, 500, t.footprints);
    EXPECT_NEAR(base.area_m2, bg::area(t.parent), 1e-6);
    EXPECT_DOUBLE_EQ(base.balance.total, 2400);
    EXPECT_GT(base.buildings_cut, 0u);
}

TEST(GridDrawingInvariants, GridsNeverCrossAParentBoundary) {
    // Two parents side by side, the streets running through both; each drawn on its own.
    const Town west = town(0, 300), east = town(300, 600);
    std::vector<LineString> roads = west.roads;
    roads.insert(roads.end(), east.roads.begin(), east.roads.end());
    for (const Town* t : {&west, &east}) {
        const auto regions = draw_regions(t->parent, roads, t->points, {300, 500});
        expect_partition_of(regions, t->parent, t->points.size());
        for (const auto& r : regions) EXPECT_LE(r.weight, 500);
    }
}

TEST(GridDrawingInvariants, MicroGridsSplitHeavyBlocksByBuilding) {
    // One block of 4 × 25 = 100 households: above the 30–50 range, so it is cut by building and regrouped.
    const Town t = town(0, 100, 25);
    const MultiPolygon block = rect(0, 0, 100, 100);
    std::vector<WeightedPoint> points;
    for (const auto& p : t.points)
        if (bg::within(p.location, block)) points.push_back(p);
    ASSERT_EQ(points.size(), 4u);
    const auto regions = draw_regions_by_building(block, {}, points, {30, 50}, 50);
    ASSERT_EQ(regions.size(), 2u);
    expect_partition_of(regions, block, points.size());
    for (const auto& r : regions) EXPECT_DOUBLE_EQ(r.weight, 50);

    // Without splitting the block stays one grid of 100.
    EXPECT_EQ(draw_regions(block, {}, points, {30, 50}).size(), 1u);
}

TEST(GridDrawingInvariants, OneGridPerBuildingCoversTheTown) {
    const Town t = town(0, 300);
    const auto regions = draw_regions_by_building(t.parent, t.roads, t.points, {0, 0}, 0);
    ASSERT_EQ(regions.size(), t.points.size());
    expect_partition_of(regions, t.parent, t.points.size());
    for (const auto& r : regions) {
        ASSERT_EQ(r.points.size(), 1u);
        EXPECT_TRUE(bg::within(t.points[r.points[0]].location, r.area));
    }
    EXPECT_THROW(draw_regions_by_building(t.parent, t.roads, t.points, {0, 0}, -1), std::invalid_argument);
    EXPECT_THROW(draw_regions_by_building(t.parent, t.roads, t.points, {0, 0}, 0, {t.footprints[0]}), std::invalid_argument);
}

TEST(GridDrawingInvariants, PerBuildingCellsPartBetweenFootprints) {
    // A row of long buildings whose points sit near one end: cells of the points alone would cut the neighbours,
    // cells of the outlines part between them.
    const MultiPolygon block = rect(0, 0, 100, 100);
    std::vector<WeightedPoint> points;
    std::vector<MultiPolygon> footprints;
    for (int i = 0; i < 4; ++i) {
        const double y = 10 + i * 22.0;
        footprints.push_back(rect(5, y, 95, y + 12));
        points.push_back({Point(i % 2 ? 90 : 10, y + 6), 10});
    }
    const auto by_outline = draw_regions_by_building(block, {}, points, {0, 0}, 0, footprints);
    ASSERT_EQ(by_outline.size(), 4u);
    expect_partition_of(by_outline, block, points.size());
    std::vector<MultiPolygon> areas;
    std::vector<double> weights;
    for (const auto& r : by_outline) { areas.push_back(r.area); weights.push_back(r.weight); }
    EXPECT_EQ(assess_partition(areas, weights, 0, 100, footprints).buildings_cut, 0u);

    const auto by_point = draw_regions_by_building(block, {}, points, {0, 0}, 0);
    areas.clear();
    weights.clear();
    for (const auto& r : by_point) { areas.push_back(r.area); weights.push_back(r.weight); }
    EXPECT_GT(assess_partition(areas, weights, 0, 100, footprints).buildings_cut, 0u);
}

}  // namespace
}  // namespace gridatlas::hierarchy
