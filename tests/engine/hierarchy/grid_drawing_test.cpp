// Grid drawing on hand-made areas whose answers are worked out in the comments: road blocks, contiguous grouping
// (growth, merges, re-splitting), rural parents with hamlets across fields, and partitions of a generated town.
#include "hierarchy/grid_drawing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <stdexcept>
#include <vector>

#include "geometry/geos.hpp"

namespace gridatlas::hierarchy {
namespace {

namespace bg = boost::geometry;
using geo::LineString;
using geo::MultiPolygon;
using geo::Point;
using Groups = std::vector<std::vector<std::size_t>>;

// Axis-aligned rectangle, clockwise as the engine's polygons are.
geo::Polygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return p;
}

MultiPolygon area_of(double x0, double y0, double x1, double y1) { return MultiPolygon{rect(x0, y0, x1, y1)}; }

LineString line(std::initializer_list<Point> points) { return LineString(points); }

double total_area(const std::vector<MultiPolygon>& parts) {
    double sum = 0;
    for (const auto& p : parts) sum += bg::area(p);
    return sum;
}

std::vector<double> sorted_areas(const std::vector<MultiPolygon>& parts) {
    std::vector<double> areas;
    for (const auto& p : parts) areas.push_back(bg::area(p));
    std::sort(areas.begin(), areas.end());
    return areas;
}

// GEOS area of union(parts) and of union(parts) − area, to check coverage and containment independently of Boost.
struct Coverage {
    double union_area = 0;
    double outside_area = 0;
};

Coverage coverage(const std::vector<MultiPolygon>& parts, const MultiPolygon& area) {
    geo::GeosContext ctx;
    MultiPolygon all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    const auto parts_g = geo::to_geos(ctx, all);
    const auto united = geo::own(ctx, GEOSUnaryUnion_r(ctx.handle(), parts_g.get()), "union");
    const auto area_g = geo::to_geos(ctx, area);
    const auto outside = geo::own(ctx, GEOSDifference_r(ctx.handle(), united.get(), area_g.get()), "difference");
    Coverage c;
    GEOSArea_r(ctx.handle(), united.get(), &c.union_area);
    GEOSArea_r(ctx.handle(), outside.get(), &c.outside_area);
    return c;
}

std::vector<MultiPolygon> unit_strip(std::size_t n) {
    std::vector<MultiPolygon> cells;
    for (std::size_t i = 0; i < n; ++i) cells.push_back(area_of(double(i), 0, double(i) + 1, 1));
    return cells;
}

GroupingOptions range(double min, double max) {
    GroupingOptions o;
    o.min_weight = min;
    o.max_weight = max;
    return o;
}

// ---- road_blocks ---------------------------------------------------------------------------------------------

// 300 × 200 m, a north–south road at x = 100 and an east–west road at y = 120, both running past the edges.
const MultiPolygon kRectangle = area_of(0, 0, 300, 200);
const std::vector<LineString> kCross = {line({{100, -10}, {100, 210}}), line({{-10, 120}, {310, 120}})};

TEST(RoadBlocks, CrossRoadsCutRectangleIntoFour) {
    const auto blocks = road_blocks(kRectangle, kCross);
    // 100×80, 100×120, 200×80, 200×120.
    const std::vector<double> expected = {8000, 12000, 16000, 24000};
    const auto areas = sorted_areas(blocks);
    ASSERT_EQ(areas.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(areas[i], expected[i], 1e-6);
    const Coverage c = coverage(blocks, kRectangle);
    EXPECT_NEAR(c.union_area, 60000, 1e-6);
    EXPECT_NEAR(total_area(blocks), 60000, 1e-6);   // equal to the union: no overlaps
    EXPECT_NEAR(c.outside_area, 0, 1e-6);
}

TEST(RoadBlocks, DanglingRoadsCreateNoBlock) {
    auto roads = kCross;
    roads.push_back(line({{200, 50}, {250, 60}}));     // free-floating inside a block
    roads.push_back(line({{300, 40}, {220, 40}}));     // dead end from the boundary
    roads.push_back(line({{100, 160}, {60, 160}}));    // dead end from a road
    const auto blocks = road_blocks(kRectangle, roads);
    EXPECT_EQ(blocks.size(), 4u);
    EXPECT_NEAR(total_area(blocks), 60000, 1e-6);
}

TEST(RoadBlocks, RoadsOutsideTheAreaAreIgnored) {
    auto roads = kCross;
    roads.push_back(line({{400, 0}, {400, 500}}));
    roads.push_back(line({{-50, -50}, {350, -50}, {350, 250}}));
    EXPECT_EQ(road_blocks(kRectangle, roads).size(), 4u);
}

TEST(RoadBlocks, RoadsAlongTheBoundaryAddNothing) {
    // Area boundaries are often drawn on roads: a road on the south edge and one overlapping part of the east edge.
    auto roads = kCross;
    roads.push_back(line({{-10, 0}, {310, 0}}));
    roads.push_back(line({{300, -10}, {300, 100}}));
    const auto blocks = road_blocks(kRectangle, roads);
    EXPECT_EQ(blocks.size(), 4u);
    EXPECT_NEAR(total_area(blocks), 60000, 1e-6);
}

TEST(RoadBlocks, EveryPartOfAMultiPolygonIsCut) {
    MultiPolygon area = {rect(0, 0, 100, 100), rect(200, 0, 300, 100)};
    const auto areas = sorted_areas(road_blocks(area, {line({{-10, 50}, {310, 50}})}));
    EXPECT_EQ(areas, std::vector<double>(4, 5000));
}

TEST(RoadBlocks, NoRoadsGiveTheAreaItself) {
    const auto blocks = road_blocks(kRectangle, {});
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_NEAR(bg::area(blocks[0]), 60000, 1e-6);
    EXPECT_TRUE(road_blocks(MultiPolygon{}, kCross).empty());
}

TEST(RoadBlocks, LoopRoadMakesABlockAndAHole) {
    // A ring road around [100,200]×[50,150] reached by a spur from the west edge: the ring's inside is a block
    // (10 000 m²), the rest of the rectangle another block with the ring as its hole (50 000 m²).
    const std::vector<LineString> roads = {line({{100, 50}, {100, 150}, {200, 150}, {200, 50}, {100, 50}}),
                                           line({{0, 100}, {100, 100}})};
    const auto blocks = road_blocks(kRectangle, roads);
    const auto areas = sorted_areas(blocks);
    ASSERT_EQ(areas.size(), 2u);
    EXPECT_NEAR(areas[0], 10000, 1e-6);
    EXPECT_NEAR(areas[1], 50000, 1e-6);
}

TEST(RoadBlocks, AreaHoleIsNoBlock) {
    // A lake [120,180]×[60,140] inside the rectangle, crossed by the east–west road at y = 120.
    MultiPolygon area = kRectangle;
    area[0].inners().push_back({{120, 60}, {180, 60}, {180, 140}, {120, 140}, {120, 60}});
    bg::correct(area);
    const auto blocks = road_blocks(area, kCross);
    EXPECT_EQ(blocks.size(), 4u);
    EXPECT_NEAR(total_area(blocks), 60000 - 60 * 80, 1e-6);
    EXPECT_NEAR(coverage(blocks, area).union_area, 60000 - 60 * 80, 1e-6);
}

// ---- group_contiguous ----------------------------------------------------------------------------------------

TEST(GroupContiguous, StripOfSixCells) {
    // Cells 0..5 west→east, weights [100, 200, 100, 100, 300, 50], range [300, 500].
    // Growth: seed 0 (100) takes 1 → 300, reaches min.  Seed 2 (100) takes 3 → 200, then 4 → 500 (≤ max), stops.
    // Seed 5 (50) has no unassigned neighbour → 50.  Light merge: {5} touches only {2,3,4} (500 ≤ max); merged 550
    // is 50 over the range, while apart they are 250 under it, so the merge is taken.
    // Re-split: {2,3,4,5} (550, several cells, over max) with {0,1} (300): the cuts of the strip 0..5 give
    // 100|750, 300|550, 400|450, 500|350, 800|50; 400|450 and 500|350 are both in range, 400|450 is the more even.
    const auto groups = group_contiguous(unit_strip(6), {100, 200, 100, 100, 300, 50}, range(300, 500));
    EXPECT_EQ(groups, (Groups{{0, 1, 2}, {3, 4, 5}}));
}

TEST(GroupContiguous, LightGroupStaysWhenMergingWouldOvershoot) {
    // 250 + 480 > 500, so growth keeps them apart; merging would be 230 over the range against 50 under apart.
    EXPECT_EQ(group_contiguous(unit_strip(2), {250, 480}, range(300, 500)), (Groups{{0}, {1}}));
}

TEST(GroupContiguous, CellHeavierThanMaxStaysAlone) {
    EXPECT_EQ(group_contiguous(unit_strip(3), {300, 900, 300}, range(300, 500)), (Groups{{0}, {1}, {2}}));
    // Light neighbours do not merge into it either.
    EXPECT_EQ(group_contiguous(unit_strip(3), {100, 900, 100}, range(300, 500)), (Groups{{0}, {1}, {2}}));
}

TEST(GroupContiguous, ZeroWeightCellsAreAttached) {
    // {1} grows to nothing (its only neighbour is taken) and joins {0}.
    EXPECT_EQ(group_contiguous(unit_strip(2), {400, 0}, range(300, 500)), (Groups{{0, 1}}));
    // Between two heavy cells it joins one (equal weights: the first in reading order); they stay otherwise alone.
    EXPECT_EQ(group_contiguous(unit_strip(3), {600, 0, 600}, range(300, 500)), (Groups{{0, 1}, {2}}));
    // A run of zero cells between heavy cells: seed 1 takes 2 but neither heavy cell (over max), so {1, 2} weighs
    // nothing and joins its lightest neighbour, 600 rather than 700, although 700 comes first in reading order.
    EXPECT_EQ(group_contiguous(unit_strip(4), {700, 0, 0, 600}, range(300, 500)), (Groups{{0}, {1, 2, 3}}));
}

TEST(GroupContiguous, IslandsStayAlone) {
    // Far apart, and touching only at a corner: no shared boundary line, so no adjacency.
    const std::vector<MultiPolygon> cells = {area_of(0, 0, 1, 1), area_of(1, 1, 2, 2), area_of(10, 0, 11, 1)};
    EXPECT_EQ(group_contiguous(cells, {100, 100, 0}, range(300, 500)), (Groups{{0}, {1}, {2}}));
}

TEST(GroupContiguous, GroupsFollowReadingOrder) {
    // Four 1 km cells given in scrambled order; each fills a group. Rows of 500 m: north row west→east first.
    const std::vector<MultiPolygon> cells = {area_of(1000, 0, 2000, 1000), area_of(0, 1000, 1000, 2000),
                                             area_of(0, 0, 1000, 1000), area_of(1000, 1000, 2000, 2000)};
    EXPECT_EQ(group_contiguous(cells, {400, 400, 400, 400}, range(300, 500)), (Groups{{1}, {3}, {2}, {0}}));
}

TEST(GroupContiguous, GrowsTowardsTheNearestCell) {
    // 3×3 cells of 100 m, 100 each, range [300, 300], seed = the north-west cell (index 0, the first read).
    // Its neighbours east (1) and south (3) are equally near (100 m); 3 is first in reading order (same 500 m row,
    // smaller x). Then the nearest unassigned cells adjacent to {0, 3} are 1 (100 m) and 6 (200 m): 1 is taken.
    std::vector<MultiPolygon> cells;
    for (int row = 0; row < 3; ++row)
        for (int col = 0; col < 3; ++col) cells.push_back(area_of(col * 100, 200 - row * 100, col * 100 + 100, 300 - row * 100));
    const auto groups = group_contiguous(cells, std::vector<double>(9, 100), range(300, 300));
    ASSERT_FALSE(groups.empty());
    EXPECT_EQ(groups[0], (std::vector<std::size_t>{0, 1, 3}));
}

TEST(GroupContiguous, RejectsBadInput) {
    EXPECT_THROW(group_contiguous(unit_strip(2), {1}, range(300, 500)), std::invalid_argument);
    EXPECT_THROW(group_contiguous(unit_strip(2), {1, -1}, range(300, 500)), std::invalid_argument);
    EXPECT_THROW(group_contiguous(unit_strip(2), {1, 1}, range(500, 300)), std::invalid_argument);
    EXPECT_THROW(group_contiguous({MultiPolygon{}}, {1}, range(300, 500)), std::invalid_argument);
}

// ---- draw_regions / merge_regions ----------------------------------------------------------------------------

std::vector<WeightedPoint> households(std::initializer_list<std::pair<Point, double>> list) {
    std::vector<WeightedPoint> out;
    for (const auto& [p, w] : list) out.push_back({p, w});
    return out;
}

TEST(DrawRegions, CrossRoadsByHand) {
    // Blocks of the cross fixture: NW [0,100]×[120,200], NE [100,300]×[120,200], SW [0,100]×[0,120],
    // SE [100,300]×[0,120], with 200, 250, 150, 400 households; the point at (−5, 50) is outside and goes to the
    // nearest block, SW. Points on surface: NW (50,160), SW (50,60), NE (200,160), SE (200,60), all in one 500 m row,
    // so the reading order is NW, SW, NE, SE.
    // Growth: NW (200) takes SW (nearer than NE) → 350. NE (250) cannot take SE (650 > 500) → 250. SE → 400.
    // NE stays light: merging into {NW,SW} or SE would overshoot by 100 / 150, more than its 50 shortfall.
    // Regions by point on surface: {NW,SW} (50,100), NE (200,160), SE (200,60).
    const auto points = households({{{50, 150}, 120}, {{20, 190}, 80},  // NW
                                    {{250, 180}, 250},                  // NE
                                    {{50, 50}, 100}, {{-5, 50}, 50},    // SW, the second outside
                                    {{150, 60}, 400}});                 // SE
    const auto regions = draw_regions(kRectangle, kCross, points, range(300, 500));
    ASSERT_EQ(regions.size(), 3u);
    EXPECT_DOUBLE_EQ(regions[0].weight, 350);
    EXPECT_EQ(regions[0].points, (std::vector<std::size_t>{0, 1, 3, 4}));
    EXPECT_NEAR(bg::area(regions[0].area), 20000, 1e-6);
    EXPECT_DOUBLE_EQ(regions[1].weight, 250);
    EXPECT_EQ(regions[1].points, (std::vector<std::size_t>{2}));
    EXPECT_NEAR(bg::area(regions[1].area), 16000, 1e-6);
    EXPECT_DOUBLE_EQ(regions[2].weight, 400);
    EXPECT_EQ(regions[2].points, (std::vector<std::size_t>{5}));
    EXPECT_NEAR(bg::area(regions[2].area), 24000, 1e-6);
    for (const auto& r : regions) EXPECT_EQ(r.area.size(), 1u);
}

// Rural parent: 3 km × 2 km of fields crossed by two country roads and a dead-end track, with five hamlets (自然村)
// of 60 households each, every hamlet a ring road around its houses. The hamlets are far apart, with fields between
// them; the only grid within [300, 500] the parent allows holds all five: the grid grows across the fields.
TEST(DrawRegions, HamletsInFieldsAreGroupedAcrossEmptyLand) {
    const MultiPolygon parent = area_of(0, 0, 3000, 2000);
    std::vector<LineString> roads = {line({{1500, -10}, {1500, 2010}}), line({{-10, 900}, {3010, 900}}),
                                     line({{2200, 900}, {2200, 1500}})};   // the track: a dead end, it cuts nothing
    const std::vector<Point> hamlets = {{300, 1700}, {1100, 1300}, {2600, 1600}, {600, 300}, {2400, 200}};
    std::vector<WeightedPoint> points;
    for (const Point& h : hamlets) {
        const double x = h.x(), y = h.y();
        roads.push_back(line({{x - 80, y - 80}, {x - 80, y + 80}, {x + 80, y + 80}, {x + 80, y - 80}, {x - 80, y - 80}}));
        for (int k = 0; k < 6; ++k) points.push_back({Point(x - 50 + 20 * k, y + (k % 2 ? 30 : -30)), 10});
    }
    const auto regions = draw_regions(parent, roads, points, range(300, 500));
    double total = 0;
    std::size_t within = 0, points_placed = 0;
    for (const auto& r : regions) {
        total += r.weight;
        points_placed += r.points.size();
        if (r.weight > 0) {
            EXPECT_GE(r.weight, 300);
            EXPECT_LE(r.weight, 500);
            ++within;
        }
        EXPECT_EQ(r.area.size(), 1u) << "every grid is one connected piece";
    }
    EXPECT_EQ(within, 1u);
    EXPECT_DOUBLE_EQ(total, 300);
    EXPECT_EQ(points_placed, points.size());
    EXPECT_NEAR(coverage([&] { std::vector<MultiPolygon> a; for (const auto& r : regions) a.push_back(r.area); return a; }(), parent).union_area,
                6e6, 1e-3);
}

// Rural parent, harder: 4 km × 3 km of fields cut by country roads into twelve 1 km² fields, with twelve hamlets
// of 40–120 households (1,020 in all), each a ring road around its houses somewhere in its field. A partition with
// every grid in [300, 500] exists (each row of four fields: 360, 310, 350), so every non-empty grid must be in range,
// one connected piece, and the grids must cover the parent with every household placed.
TEST(DrawRegions, ManySmallHamletsAreGroupedIntoGridsInRange) {
    const MultiPolygon parent = area_of(0, 0, 4000, 3000);
    std::vector<LineString> roads;
    for (double x : {1000.0, 2000.0, 3000.0}) roads.push_back(line({{x, -10}, {x, 3010}}));
    for (double y : {1000.0, 2000.0}) roads.push_back(line({{-10, y}, {4010, y}}));
    struct Hamlet { double x, y, households; };
    const std::vector<Hamlet> hamlets = {{300, 2700, 80}, {1500, 2500, 120}, {2600, 2300, 60}, {3500, 2800, 100},
                                         {700, 1500, 40}, {1300, 1300, 90},  {2500, 1700, 110}, {3300, 1400, 70},
                                         {400, 400, 100}, {1600, 600, 50},   {2400, 300, 120}, {3600, 500, 80}};
    std::vector<WeightedPoint> points;
    for (const Hamlet& h : hamlets) {
        const double x = h.x, y = h.y;
        roads.push_back(line({{x - 80, y - 80}, {x - 80, y + 80}, {x + 80, y + 80}, {x + 80, y - 80}, {x - 80, y - 80}}));
        for (int k = 0; k < 10; ++k) points.push_back({Point(x - 60 + 13 * k, y + (k % 2 ? 30 : -30)), h.households / 10});
    }
    const auto regions = draw_regions(parent, roads, points, range(300, 500));
    double total = 0;
    std::size_t non_empty = 0, points_placed = 0;
    std::vector<MultiPolygon> areas;
    for (const auto& r : regions) {
        total += r.weight;
        points_placed += r.points.size();
        areas.push_back(r.area);
        if (r.weight > 0) {
            ++non_empty;
            EXPECT_GE(r.weight, 300);
            EXPECT_LE(r.weight, 500);
        }
        EXPECT_EQ(r.area.size(), 1u) << "every grid is one connected piece";
    }
    EXPECT_GE(non_empty, 2u);
    EXPECT_LE(non_empty, 3u);
    EXPECT_NEAR(total, 1020, 1e-9);
    EXPECT_EQ(points_placed, points.size());
    EXPECT_NEAR(coverage(areas, parent).union_area, 12e6, 1e-3);
}

TEST(DrawRegions, PointOnARoadLandsInOneRegion) {
    const auto points = households({{{100, 60}, 10}, {{100, 120}, 10}});   // on a road, and on the crossing
    const auto regions = draw_regions(kRectangle, kCross, points, range(1, 100));
    std::vector<std::size_t> seen;
    for (const auto& r : regions) seen.insert(seen.end(), r.points.begin(), r.points.end());
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1}));
}

// A 1.2 × 1 km area with a lake, an irregular street grid, dead ends, and households scattered over its envelope
// (some outside the area or in the lake). Fixed mt19937 output, mapped by hand so every platform draws the same.
struct Town {
    MultiPolygon area;
    std::vector<LineString> roads;
    std::vector<WeightedPoint> points;
};

Town make_town() {
    std::mt19937 rng(20240611);
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * (rng() / 4294967296.0); };
    Town t;
    geo::Polygon p;
    p.outer() = {{0, 0}, {0, 800}, {300, 1000}, {1200, 1000}, {1200, 150}, {900, 0}, {0, 0}};
    p.inners().push_back({{500, 400}, {650, 400}, {650, 520}, {500, 520}, {500, 400}});
    t.area = MultiPolygon{p};
    bg::correct(t.area);
    for (double x = 90; x < 1200; x += uniform(80, 160))
        t.roads.push_back(line({{x + uniform(-20, 20), -30}, {x + uniform(-20, 20), 500}, {x + uniform(-20, 20), 1030}}));
    for (double y = 70; y < 1000; y += uniform(70, 150))
        t.roads.push_back(line({{-30, y + uniform(-15, 15)}, {600, y + uniform(-15, 15)}, {1230, y + uniform(-15, 15)}}));
    for (int i = 0; i < 40; ++i) {
        const Point a(uniform(0, 1200), uniform(0, 1000));
        t.roads.push_back(line({a, {a.x() + uniform(-60, 60), a.y() + uniform(-60, 60)}}));
    }
    for (int i = 0; i < 900; ++i)
        t.points.push_back({{uniform(-20, 1220), uniform(-20, 1020)}, std::floor(uniform(1, 30))});
    return t;
}

void expect_partition(const std::vector<DrawnRegion>& regions, const MultiPolygon& area, std::size_t point_count,
                      double total_weight, const GroupingOptions& options) {
    std::vector<MultiPolygon> parts;
    std::vector<std::size_t> seen;
    double weight = 0;
    geo::GeosContext ctx;
    std::vector<Point> anchors;
    for (const auto& r : regions) {
        EXPECT_EQ(r.area.size(), 1u) << "a region is not one polygon";
        parts.push_back(r.area);
        seen.insert(seen.end(), r.points.begin(), r.points.end());
        weight += r.weight;
        anchors.push_back(geo::point_on_surface(ctx, r.area));
    }
    const double expected_area = bg::area(area);
    EXPECT_NEAR(total_area(parts), expected_area, 1e-6 * expected_area);
    const Coverage c = coverage(parts, area);
    EXPECT_NEAR(c.union_area, expected_area, 1e-6 * expected_area);
    EXPECT_LT(c.outside_area, 1e-6 * expected_area);
    std::sort(seen.begin(), seen.end());
    std::vector<std::size_t> all(point_count);
    for (std::size_t i = 0; i < point_count; ++i) all[i] = i;
    EXPECT_EQ(seen, all);
    EXPECT_NEAR(weight, total_weight, 1e-9);
    for (std::size_t i = 1; i < anchors.size(); ++i) {
        const auto key = [&](const Point& p) {
            return std::tuple(std::floor(-p.y() / options.reading_band), p.x(), -p.y());
        };
        EXPECT_LE(key(anchors[i - 1]), key(anchors[i])) << "regions not in reading order at " << i;
    }
}

TEST(DrawRegions, TownIsPartitioned) {
    const Town t = make_town();
    double total = 0;
    for (const auto& p : t.points) total += p.weight;
    const GroupingOptions options = range(300, 500);
    const auto regions = draw_regions(t.area, t.roads, t.points, options);
    ASSERT_GT(regions.size(), 5u);
    expect_partition(regions, t.area, t.points.size(), total, options);
    for (const auto& r : regions) {
        double w = 0;
        for (std::size_t i : r.points) w += t.points[i].weight;
        EXPECT_NEAR(r.weight, w, 1e-9);
    }
}

// Thirty rural parents, 5 km × 4 km each: irregular country roads every 0.6–1.5 km, 8–22 hamlets of 40–120
// households, half of them inside a ring road, each with a dead-end lane. Fixed mt19937 output, mapped by hand.
struct RuralParent {
    MultiPolygon area = area_of(0, 0, 5000, 4000);
    std::vector<LineString> roads;
    std::vector<WeightedPoint> points;
    double total = 0;
};

RuralParent make_rural_parent(unsigned seed) {
    std::mt19937 rng(seed);
    auto uniform = [&](double lo, double hi) { return lo + (hi - lo) * (rng() / 4294967296.0); };
    RuralParent t;
    for (double x = uniform(300, 900); x < 5000; x += uniform(600, 1500))
        t.roads.push_back(line({{x + uniform(-100, 100), -10}, {x + uniform(-200, 200), 2000}, {x + uniform(-100, 100), 4010}}));
    for (double y = uniform(300, 900); y < 4000; y += uniform(600, 1500))
        t.roads.push_back(line({{-10, y + uniform(-100, 100)}, {2500, y + uniform(-200, 200)}, {5010, y + uniform(-100, 100)}}));
    const int hamlets = 8 + static_cast<int>(rng() % 15);
    for (int h = 0; h < hamlets; ++h) {
        const double x = uniform(200, 4800), y = uniform(200, 3800), households = std::floor(uniform(40, 121));
        t.total += households;
        if (rng() % 2) t.roads.push_back(line({{x - 80, y - 80}, {x - 80, y + 80}, {x + 80, y + 80}, {x + 80, y - 80}, {x - 80, y - 80}}));
        t.roads.push_back(line({{x, y}, {x + uniform(-300, 300), y + uniform(-300, 300)}}));
        for (int k = 0; k < 10; ++k) t.points.push_back({Point(x + uniform(-70, 70), y + uniform(-70, 70)), households / 10});
    }
    return t;
}

// Re-splitting (step 4) on rural parents: every drawing stays a partition of the parent (one piece per grid, every
// household once, reading order), and more grids land in 300–500, fewer below it. Counts over the thirty parents,
// measured: 81 of 92 grids in range with re-splitting, 71 of 94 without (the rest: field blocks heavier than 500
// that a grid never splits, and parents whose hamlets cannot be cut into connected groups in range).
TEST(DrawRegions, RuralParentsReSplitBringsLightGridsIntoRange) {
    std::size_t within[2] = {0, 0}, below[2] = {0, 0}, non_empty[2] = {0, 0};
    for (unsigned seed = 0; seed < 30; ++seed) {
        const RuralParent t = make_rural_parent(seed);
        for (int resplit = 0; resplit < 2; ++resplit) {
            GroupingOptions options = range(300, 500);
            options.resplit = resplit == 1;
            const auto regions = draw_regions(t.area, t.roads, t.points, options);
            expect_partition(regions, t.area, t.points.size(), t.total, options);
            for (const auto& r : regions) {
                if (r.weight <= 0) continue;
                ++non_empty[resplit];
                if (r.weight < 300) ++below[resplit];
                else if (r.weight <= 500) ++within[resplit];
            }
        }
    }
    EXPECT_EQ(within[1], 81u);
    EXPECT_EQ(non_empty[1], 92u);
    EXPECT_EQ(within[0], 71u);
    EXPECT_EQ(non_empty[0], 94u);
    EXPECT_LT(below[1], below[0]);
}

TEST(DrawRegions, Deterministic) {
    const Town t = make_town();
    const auto a = draw_regions(t.area, t.roads, t.points, range(300, 500));
    const auto b = draw_regions(t.area, t.roads, t.points, range(300, 500));
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].points, b[i].points);
        EXPECT_EQ(a[i].weight, b[i].weight);
        EXPECT_TRUE(bg::equals(a[i].area, b[i].area));
    }
}

TEST(MergeRegions, StripByHand) {
    // Regions 0..3 west→east weighing [1000, 1500, 800, 2600], range [2000, 3000].
    // Growth: 0 takes 1 → 2500. 2 cannot take 3 (3400) → 800. 3 → 2600.
    // {2} merges into {0,1} (3300: 300 over) rather than {3} (3400: 400 over); apart it is 1200 under.
    std::vector<DrawnRegion> regions;
    const std::vector<double> weights = {1000, 1500, 800, 2600};
    for (std::size_t i = 0; i < 4; ++i)
        regions.push_back({area_of(double(i), 0, double(i) + 1, 1), {10 * i + 1, 10 * i}, weights[i]});
    const auto merged = merge_regions(regions, range(2000, 3000));
    ASSERT_EQ(merged.size(), 2u);
    EXPECT_DOUBLE_EQ(merged[0].weight, 3300);
    EXPECT_EQ(merged[0].points, (std::vector<std::size_t>{0, 1, 10, 11, 20, 21}));
    ASSERT_EQ(merged[0].area.size(), 1u);
    EXPECT_NEAR(bg::area(merged[0].area), 3, 1e-9);
    EXPECT_DOUBLE_EQ(merged[1].weight, 2600);
    EXPECT_EQ(merged[1].points, (std::vector<std::size_t>{30, 31}));
}

TEST(MergeRegions, TownCommunitiesArePartitioned) {
    const Town t = make_town();
    double total = 0;
    for (const auto& p : t.points) total += p.weight;
    const auto grids = draw_regions(t.area, t.roads, t.points, range(300, 500));
    const GroupingOptions options = range(2000, 3000);
    const auto communities = merge_regions(grids, options);
    EXPECT_LT(communities.size(), grids.size());
    expect_partition(communities, t.area, t.points.size(), total, options);
}

// ---- polsby_popper -------------------------------------------------------------------------------------------

TEST(PolsbyPopper, KnownShapes) {
    EXPECT_NEAR(polsby_popper(area_of(0, 0, 10, 10)), std::numbers::pi / 4, 1e-12);
    // 2:1 rectangle: 4π·2 / 36.
    EXPECT_NEAR(polsby_popper(area_of(0, 0, 2, 1)), 8 * std::numbers::pi / 36, 1e-12);
    geo::Polygon circle;
    for (int i = 0; i <= 360; ++i) {
        const double a = -i * std::numbers::pi / 180;   // clockwise
        circle.outer().emplace_back(std::cos(a), std::sin(a));
    }
    EXPECT_NEAR(polsby_popper(MultiPolygon{circle}), 1, 1e-3);
    EXPECT_EQ(polsby_popper(MultiPolygon{}), 0);
}

}  // namespace
}  // namespace gridatlas::hierarchy
