// The printed overview's label placement (render/overview_labels.hpp) on hand-made grids whose answer is known: a
// large grid takes its full label, a grid 6 m wide on a map of 2 m per point cannot hold its name and gets code 1 with
// an index line, a row of thirty such grids all get codes (some beside them on leaders), and no two labels overlap.
#include <gtest/gtest.h>

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

TEST(OverviewLabels, ANameThatDoesNotFitBecomesACodeInTheIndex) {
    Fixture f;
    f.add(0, "C1", "幸福社区", rect(0, 0, 1000, 600));
    f.add(1, "G1", "大网格", rect(0, 0, 600, 600));
    f.add(1, "G2", "小网格", rect(700, 300, 706, 306));
    const auto p = f.plan();
    EXPECT_EQ(p.top_named, 1);
    EXPECT_EQ(p.fine_named, 1);
    EXPECT_EQ(p.fine_coded, 1);
    ASSERT_EQ(p.index.size(), 1u);
    EXPECT_EQ(p.index[0].first, "1");
    EXPECT_EQ(p.index[0].second, "小网格");
    EXPECT_EQ(p.crowded, 0);
    ASSERT_EQ(p.layers.at("plan-grid-labels").features.size(), 1u);
    EXPECT_EQ(std::get<std::string>(p.layers.at("plan-grid-labels").features[0].values[2]), "full");   // the large grid
    ASSERT_EQ(p.layers.at("plan-codes").features.size(), 1u);
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
    EXPECT_EQ(p.index.size(), static_cast<std::size_t>(p.fine_coded + p.top_coded));
    EXPECT_GT(p.leaders, 0);
    EXPECT_EQ(p.crowded, 0);
    EXPECT_EQ(p.layers.at("plan-leaders").features.size(), static_cast<std::size_t>(p.leaders));
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
