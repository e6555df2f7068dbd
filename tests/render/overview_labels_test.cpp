// The printed overview's label placement (render/overview_labels.hpp) on hand-made grids whose answer is known: a
// large grid takes its full label, a grid 6 m wide on a map of 2 m per point cannot hold its name and has it beside it
// on a leader, a row of thirty such grids get codes with index lines (some beside them on leaders), no label hides a
// small grid, and no two labels overlap.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "overview_labels.hpp"

namespace gridatlas::render {
namespace {

namespace bg = boost::geometry;

geo::MultiPolygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return geo::MultiPolygon{p};
}

struct Fixture {
    Dataset ds;
    GridId add(int level, const std::string& code, const std::string& name, geo::MultiPolygon area) {
        Grid g;
        g.id = GridId(ds.grids.size());
        g.level = level;
        g.code = code;
        g.name = name;
        g.area = std::move(area);
        ds.grids.push_back(std::move(g));
        return ds.grids.back().id;
    }
    OverviewLabelPlan plan() const {
        OverviewLabelInput in;
        in.dataset = &ds;
        in.view = geo::Box{{-50, -50}, {1050, 650}};   // 1100 × 700 m on 550 × 350 pt: 2 m per point
        in.map_w_pt = 550, in.map_h_pt = 350;
        in.style_scale = 1;
        return plan_overview_labels(in);
    }
};

void expect_disjoint(const OverviewLabelPlan& p) {
    for (std::size_t a = 0; a < p.boxes.size(); ++a)
        for (std::size_t b = a + 1; b < p.boxes.size(); ++b)
            EXPECT_FALSE(bg::intersects(p.boxes[a], p.boxes[b])) << "labels " << a << " and " << b << " overlap";
}

TEST(OverviewLabels, WideCharactersAreOneEmOthersSixTenths) {
    EXPECT_DOUBLE_EQ(estimated_ems("网格"), 2.0);
    EXPECT_DOUBLE_EQ(estimated_ems("12"), 1.2);
    EXPECT_DOUBLE_EQ(estimated_ems("第1网格"), 3.6);
}

TEST(OverviewLabels, ANameThatDoesNotFitStandsBesideItsGrid) {
    Fixture f;
    f.add(0, "C1", "幸福社区", rect(0, 0, 1000, 600));
    f.add(1, "G1", "大网格", rect(0, 0, 600, 600));
    f.add(1, "G2", "小网格", rect(700, 300, 706, 306));
    const auto p = f.plan();
    EXPECT_EQ(p.top_named, 1);
    EXPECT_EQ(p.fine_named, 2);
    EXPECT_EQ(p.fine_coded, 0);
    EXPECT_TRUE(p.index.empty());
    EXPECT_EQ(p.crowded, 0);
    EXPECT_EQ(p.leaders, 1);
    const auto& names = p.layers.at("plan-grid-labels").features;
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(std::get<std::string>(names[0].values[2]), "full");    // the large grid
    EXPECT_EQ(std::get<std::string>(names[1].values[0]), "小网格");  // beside its grid, at the smallest size
    EXPECT_EQ(std::get<std::string>(names[1].values[2]), "small");
    EXPECT_TRUE(p.layers.at("plan-codes").features.empty());
    EXPECT_EQ(p.boxes.size(), 3u);
    expect_disjoint(p);
}

TEST(OverviewLabels, ACrowdOfTinyGridsAllGetCodesThatNeverOverlap) {
    Fixture f;
    f.add(0, "C1", "幸福社区", rect(0, 0, 1000, 600));
    for (int i = 0; i < 30; ++i)
        f.add(1, "G" + std::to_string(i), "网格" + std::to_string(i), rect(400 + i * 7, 300, 406 + i * 7, 306));
    const auto p = f.plan();
    EXPECT_EQ(p.fine_named + p.fine_coded, 30);
    EXPECT_GT(p.fine_coded, 0);   // no room beside them for thirty names: codes, each with its line in the index
    EXPECT_EQ(p.index.size(), static_cast<std::size_t>(p.fine_coded + p.top_coded));
    EXPECT_GT(p.leaders, 0);
    EXPECT_EQ(p.crowded, 0);
    EXPECT_EQ(p.layers.at("plan-leaders").features.size(), static_cast<std::size_t>(p.leaders));
    expect_disjoint(p);
}

// The share of `area` under the label box `b`.
double covered_share(const geo::Box& b, const geo::MultiPolygon& area) {
    geo::MultiPolygon under;
    bg::intersection(area, b, under);
    return bg::area(under) / bg::area(area);
}

// A grid of 6 × 6 m at the very centre of its community, on a map of 2 m per point: its name (about 100 m wide) and
// even its code (about 34 m) would hide it, and so would the community's name, which would sit just there. Its label
// goes beside it on a leader; no label covers any of it; no two labels overlap.
TEST(OverviewLabels, ATinyGridsPolygonStaysVisible) {
    Fixture f;
    f.add(0, "C1", "幸福社区", rect(0, 0, 1000, 600));
    f.add(1, "G1", "西网格", rect(0, 0, 497, 600));
    const GridId tiny = f.add(1, "G2", "小网格", rect(497, 297, 503, 303));
    f.add(1, "G3", "东网格", rect(503, 0, 1000, 600));
    const auto p = f.plan();
    const geo::MultiPolygon& area = f.ds.grid(tiny).area;
    ASSERT_EQ(p.placed.size(), p.boxes.size());
    geo::Box envelope;
    bg::envelope(area, envelope);
    for (const auto& l : p.placed) {
        EXPECT_FALSE(bg::covered_by(envelope, l.box)) << "the label of grid " << l.grid << " contains the tiny grid";
        EXPECT_DOUBLE_EQ(covered_share(l.box, area), 0.0) << "the label of grid " << l.grid << " covers part of it";
    }
    const auto own = std::find_if(p.placed.begin(), p.placed.end(), [&](const PlacedLabel& l) { return l.grid == tiny.index(); });
    ASSERT_NE(own, p.placed.end());
    EXPECT_TRUE(own->leader);
    EXPECT_EQ(p.leaders, 1);
    EXPECT_EQ(p.crowded, 0);
    EXPECT_EQ(p.top_named, 1);   // the community's name moved off the tiny grid, still on the map
    EXPECT_EQ(p.fine_named + p.fine_coded, 3);
    expect_disjoint(p);
}

// A grid of 20 × 20 m on a map of 2 m per point: its name at the smallest size (about 66 × 34 m with its halo) would
// cover all of it, inside or centred over its edge; it stands beside the grid on a short leader instead, covering
// none of it, and needs no code.
TEST(OverviewLabels, ANameTooLargeForItsGridStandsBesideItOnALeader) {
    Fixture f;
    f.add(0, "C1", "幸福社区", rect(0, 0, 1000, 600));
    f.add(1, "G1", "大网格", rect(0, 0, 600, 600));
    const GridId small = f.add(1, "G2", "小网格", rect(800, 200, 820, 220));
    const auto p = f.plan();
    const geo::MultiPolygon& area = f.ds.grid(small).area;
    for (const auto& l : p.placed) EXPECT_LE(covered_share(l.box, area), 0.5) << "label of grid " << l.grid;
    const auto own = std::find_if(p.placed.begin(), p.placed.end(), [&](const PlacedLabel& l) { return l.grid == small.index(); });
    ASSERT_NE(own, p.placed.end());
    EXPECT_FALSE(own->code);
    EXPECT_TRUE(own->leader);
    EXPECT_EQ(p.leaders, 1);
    EXPECT_TRUE(p.index.empty());
    EXPECT_EQ(p.layers.at("plan-leaders").features.size(), 1u);
    expect_disjoint(p);
}

TEST(OverviewLabels, RefusesAFrameWithoutSize) {
    Fixture f;
    OverviewLabelInput in;
    in.dataset = &f.ds;
    EXPECT_THROW(plan_overview_labels(in), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::render
