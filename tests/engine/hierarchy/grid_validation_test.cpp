// Grid validation on hand-made hierarchies whose every finding is known (coordinates in metres):
//
//   社区 C1 = (0,0)–(300,100)                      社区 C2 = (300,0)–(600,100)
//   网格 G1 = (0,0)–(110,100)   } overlap 10×100    网格 G4 = (300,0)–(450,99.95): a 150×0.05 = 7.5 m² sliver of C2
//   网格 G2 = (100,0)–(200,100) } = 1000 m²                                        is covered by no grid
//   网格 G3 = (200,0)–(280,100): holds nothing;     网格 G5 = (450,0)–(620,100): 20×100 = 2000 m² spill out of C2
//            (280..300)×100 = 2000 m² of C1 is covered by no grid
//
//   buildings: BA (10,10)–(30,30) in G1, 5 households; BB (150,10)–(170,30) in G2, 4; BD (320,10)–(340,30) in G4, 2;
//   BS (440,50)–(470,70) straddles G4 (10 of 30 m) and G5 (20 m) → G5, share 2/3, 200 m² outside; 6 households;
//   BO (700,300)–(710,310) in no grid, 3 households; BN (800,300)–(810,310) in no grid, no household, not residential.
#include "hierarchy/grid_validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numbers>

#include "../tiny_world.hpp"

namespace gridatlas::hierarchy {
namespace {

using test::rect;

struct World {
    Dataset ds;
    std::vector<double> households;
};

World make_world() {
    World w;
    Dataset& ds = w.ds;
    ds.working_crs = "EPSG:32650";
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    test::grid(ds, 0, "C1", "", rect(0, 0, 300, 100));
    test::grid(ds, 0, "C2", "", rect(300, 0, 600, 100));
    test::grid(ds, 1, "G1", "C1", rect(0, 0, 110, 100));
    test::grid(ds, 1, "G2", "C1", rect(100, 0, 200, 100));
    test::grid(ds, 1, "G3", "C1", rect(200, 0, 280, 100));
    test::grid(ds, 1, "G4", "C2", rect(300, 0, 450, 99.95));
    test::grid(ds, 1, "G5", "C2", rect(450, 0, 620, 100));
    test::building(ds, "BA", rect(10, 10, 30, 30));
    test::building(ds, "BB", rect(150, 10, 170, 30));
    test::building(ds, "BD", rect(320, 10, 340, 30));
    test::building(ds, "BS", rect(440, 50, 470, 70));
    test::building(ds, "BO", rect(700, 300, 710, 310));
    test::building(ds, "BN", rect(800, 300, 810, 310), false);
    ds.index_buildings();
    w.households = {5, 4, 2, 6, 3, 0};
    return w;
}

std::vector<GridIssue> of_kind(const ValidationReport& r, GridIssueKind kind) {
    std::vector<GridIssue> out;
    for (const auto& i : r.issues)
        if (i.kind == kind) out.push_back(i);
    return out;
}

GridId grid_id(const Dataset& ds, const std::string& code) {
    for (const auto& g : ds.grids)
        if (g.code == code) return g.id;
    return {};
}

BuildingId building_id(const Dataset& ds, const std::string& id) { return ds.building_by_source_id.at(id); }

class Validation : public ::testing::Test {
protected:
    void SetUp() override {
        w = make_world();
        tree = build_grid_tree(w.ds, diag);
        report = validate_grids(w.ds, tree, w.households, {10.0});
    }
    World w;
    Diagnostics diag;
    GridTree tree;
    ValidationReport report;
};

TEST_F(Validation, SiblingsOverlappingByAKnownStrip) {
    const auto overlaps = of_kind(report, GridIssueKind::sibling_overlap);
    ASSERT_EQ(overlaps.size(), 1u);
    const auto& o = overlaps[0];
    EXPECT_TRUE(o.flagged);
    EXPECT_EQ(o.level, 1);
    EXPECT_EQ(o.grid, grid_id(w.ds, "G1"));
    EXPECT_EQ(o.other, grid_id(w.ds, "G2"));
    EXPECT_NEAR(o.area_m2, 1000.0, 1e-6);
    EXPECT_NEAR(geo::bg::area(o.area), 1000.0, 1e-6);
    EXPECT_TRUE(geo::bg::within(o.location, rect(100, 0, 110, 100)));   // the point lies on the strip
    EXPECT_NE(o.message.find("'G1'"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("'G2'"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("1000 m²"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("both in 社区 'C1'"), std::string::npos) << o.message;
    EXPECT_EQ(report.flagged(GridIssueKind::sibling_overlap), 1u);
    EXPECT_NEAR(report.flagged_area_m2(GridIssueKind::sibling_overlap), 1000.0, 1e-6);
}

TEST_F(Validation, GapOfKnownAreaIsFlaggedAndSliverGapIsNotedNotFlagged) {
    const auto gaps = of_kind(report, GridIssueKind::gap);
    ASSERT_EQ(gaps.size(), 2u);
    const auto& gap = gaps[0];   // flagged first
    EXPECT_TRUE(gap.flagged);
    EXPECT_EQ(gap.level, 0);
    EXPECT_EQ(gap.grid, grid_id(w.ds, "C1"));
    EXPECT_NEAR(gap.area_m2, 2000.0, 1e-6);
    EXPECT_GE(gap.location.x(), 280.0);
    EXPECT_LE(gap.location.x(), 300.0);
    EXPECT_NE(gap.message.find("covered by no 网格"), std::string::npos) << gap.message;

    const auto& sliver = gaps[1];
    EXPECT_FALSE(sliver.flagged);
    EXPECT_EQ(sliver.grid, grid_id(w.ds, "C2"));
    EXPECT_NEAR(sliver.area_m2, 7.5, 1e-6);
    EXPECT_EQ(sliver.parts, 1u);
    EXPECT_NE(sliver.message.find("noted, not flagged"), std::string::npos) << sliver.message;
    EXPECT_EQ(report.flagged(GridIssueKind::gap), 1u);
    EXPECT_EQ(report.noted(GridIssueKind::gap), 1u);
}

TEST_F(Validation, SpillOfKnownAreaNamesTheParentLeft) {
    const auto spills = of_kind(report, GridIssueKind::spill);
    ASSERT_EQ(spills.size(), 1u);
    const auto& s = spills[0];
    EXPECT_TRUE(s.flagged);
    EXPECT_EQ(s.level, 1);
    EXPECT_EQ(s.grid, grid_id(w.ds, "G5"));
    EXPECT_EQ(s.other, grid_id(w.ds, "C2"));
    EXPECT_FALSE(s.into.valid());               // east of C2 there is no community
    EXPECT_NEAR(s.area_m2, 2000.0, 1e-6);
    EXPECT_NE(s.message.find("in no 社区"), std::string::npos) << s.message;
}

TEST_F(Validation, EmptyGridIsFlagged) {
    const auto empty = of_kind(report, GridIssueKind::empty_grid);
    ASSERT_EQ(empty.size(), 1u);
    EXPECT_EQ(empty[0].grid, grid_id(w.ds, "G3"));
    EXPECT_TRUE(empty[0].flagged);
    EXPECT_NEAR(empty[0].area_m2, 8000.0, 1e-6);
    EXPECT_NE(empty[0].message.find("no building"), std::string::npos) << empty[0].message;
}

TEST_F(Validation, StraddlingBuildingIsAssignedByLargestShare) {
    const auto straddling = of_kind(report, GridIssueKind::straddling_building);
    ASSERT_EQ(straddling.size(), 1u);
    const auto& s = straddling[0];
    EXPECT_EQ(s.building, building_id(w.ds, "BS"));
    EXPECT_EQ(s.grid, grid_id(w.ds, "G5"));
    EXPECT_EQ(s.other, grid_id(w.ds, "G4"));
    EXPECT_NEAR(s.share, 2.0 / 3.0, 1e-9);
    EXPECT_NEAR(s.area_m2, 200.0, 1e-6);      // the part outside its grid
    EXPECT_DOUBLE_EQ(s.households, 6.0);
    EXPECT_TRUE(s.flagged);
    EXPECT_NE(s.message.find("67%"), std::string::npos) << s.message;
    EXPECT_NE(s.message.find("33% in 网格 'G4'"), std::string::npos) << s.message;
}

TEST_F(Validation, BuildingsInNoGridFlaggedWhenSomeoneLivesThere) {
    const auto outside = of_kind(report, GridIssueKind::building_outside_grids);
    ASSERT_EQ(outside.size(), 2u);
    EXPECT_EQ(outside[0].building, building_id(w.ds, "BO"));
    EXPECT_TRUE(outside[0].flagged);
    EXPECT_DOUBLE_EQ(outside[0].households, 3.0);
    EXPECT_EQ(outside[1].building, building_id(w.ds, "BN"));
    EXPECT_FALSE(outside[1].flagged);
    EXPECT_NE(outside[1].message.find("noted"), std::string::npos) << outside[1].message;
}

TEST_F(Validation, NothingElseIsFound) {
    EXPECT_EQ(of_kind(report, GridIssueKind::orphan_grid).size(), 0u);
    EXPECT_EQ(report.issues.size(), 1u + 2u + 1u + 1u + 1u + 2u);
    // Ordered by kind.
    EXPECT_TRUE(std::is_sorted(report.issues.begin(), report.issues.end(),
                               [](const GridIssue& a, const GridIssue& b) { return a.kind < b.kind; }));
}

TEST(GridValidation, StraddlingBuildingWithoutHouseholdsIsNoted) {
    World w = make_world();
    w.households[3] = 0;   // nobody lives in BS
    Diagnostics diag;
    const GridTree tree = build_grid_tree(w.ds, diag);
    const auto report = validate_grids(w.ds, tree, w.households, {10.0});
    const auto straddling = of_kind(report, GridIssueKind::straddling_building);
    ASSERT_EQ(straddling.size(), 1u);
    EXPECT_FALSE(straddling[0].flagged);
    EXPECT_NEAR(straddling[0].area_m2, 200.0, 1e-6);
    EXPECT_NE(straddling[0].message.find("no household lives there"), std::string::npos) << straddling[0].message;
}

TEST(GridValidation, SliverThresholdZeroFlagsTheSliver) {
    World w = make_world();
    Diagnostics diag;
    const GridTree tree = build_grid_tree(w.ds, diag);
    const auto report = validate_grids(w.ds, tree, w.households, {0.0});
    EXPECT_EQ(report.flagged(GridIssueKind::gap), 2u);
    EXPECT_EQ(report.noted(GridIssueKind::gap), 0u);
}

TEST(GridValidation, WithoutRosterResidentialDecides) {
    World w = make_world();
    Diagnostics diag;
    const GridTree tree = build_grid_tree(w.ds, diag);
    const auto report = validate_grids(w.ds, tree, {}, {});
    const auto outside = of_kind(report, GridIssueKind::building_outside_grids);
    ASSERT_EQ(outside.size(), 2u);
    EXPECT_TRUE(outside[0].flagged);    // BO is residential
    EXPECT_FALSE(outside[1].flagged);   // BN is not
    EXPECT_NE(outside[1].message.find("not residential"), std::string::npos);
    // G3 holds no residential building; everything else holds one.
    EXPECT_EQ(report.flagged(GridIssueKind::empty_grid), 1u);
}

TEST(GridValidation, ManySliversMakeOneNote) {
    Dataset ds;
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    test::grid(ds, 0, "C", "", rect(0, 0, 300, 100));
    // Three children leaving three separate slits 0.1 m wide: 10 m² each, below the 20 m² threshold, 30 m² in all.
    test::grid(ds, 1, "A", "C", rect(0, 0, 99.9, 100));
    test::grid(ds, 1, "B", "C", rect(100, 0, 199.9, 100));
    test::grid(ds, 1, "D", "C", rect(200, 0, 299.9, 100));
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    const auto report = validate_grids(ds, tree, {}, {20.0});
    const auto gaps = of_kind(report, GridIssueKind::gap);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_FALSE(gaps[0].flagged);
    EXPECT_EQ(gaps[0].parts, 3u);
    EXPECT_NEAR(gaps[0].area_m2, 30.0, 1e-6);
    EXPECT_EQ(gaps[0].area.size(), 3u);
    EXPECT_NE(gaps[0].message.find("3 slivers"), std::string::npos) << gaps[0].message;
}

TEST(GridValidation, ParentWithoutChildrenIsOneBigGapAndOrphansAreFound) {
    Dataset ds;
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    test::grid(ds, 0, "C1", "", rect(0, 0, 100, 100));
    test::grid(ds, 0, "C2", "", rect(200, 0, 300, 100));   // no grid at all
    test::grid(ds, 1, "G1", "C1", rect(0, 0, 100, 100));
    test::grid(ds, 1, "G9", "", rect(500, 500, 520, 520));  // in no community
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    const auto report = validate_grids(ds, tree, {}, {});
    const auto gaps = of_kind(report, GridIssueKind::gap);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_EQ(gaps[0].grid, grid_id(ds, "C2"));
    EXPECT_NEAR(gaps[0].area_m2, 10000.0, 1e-6);
    EXPECT_NE(gaps[0].message.find("has no 网格 at all"), std::string::npos) << gaps[0].message;
    const auto orphans = of_kind(report, GridIssueKind::orphan_grid);
    ASSERT_EQ(orphans.size(), 1u);
    EXPECT_EQ(orphans[0].grid, grid_id(ds, "G9"));
    EXPECT_NEAR(orphans[0].area_m2, 400.0, 1e-6);
    EXPECT_TRUE(orphans[0].flagged);
}

TEST(GridValidation, SpillIntoANeighbourNamesIt) {
    Dataset ds;
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    test::grid(ds, 0, "C1", "", rect(0, 0, 100, 100));
    test::grid(ds, 0, "C2", "", rect(100, 0, 200, 100));
    test::grid(ds, 1, "G1", "C1", rect(0, 0, 130, 100));    // 30×100 inside C2
    test::grid(ds, 1, "G2", "C2", rect(130, 0, 200, 100));
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    const auto report = validate_grids(ds, tree, {}, {});
    const auto spills = of_kind(report, GridIssueKind::spill);
    ASSERT_EQ(spills.size(), 1u);
    EXPECT_NEAR(spills[0].area_m2, 3000.0, 1e-6);
    EXPECT_EQ(spills[0].into, grid_id(ds, "C2"));
    EXPECT_NE(spills[0].message.find("inside 社区 'C2'"), std::string::npos) << spills[0].message;
    // The spilled strip also leaves C2 covered by its own grid only in part: not a gap, since G1 covers it.
    EXPECT_EQ(of_kind(report, GridIssueKind::gap).size(), 0u);
}

TEST(GridValidation, BadInputIsRejected) {
    World w = make_world();
    Diagnostics diag;
    const GridTree tree = build_grid_tree(w.ds, diag);
    EXPECT_THROW(validate_grids(w.ds, tree, {1.0, 2.0}, {}), std::invalid_argument);
    EXPECT_THROW(validate_grids(w.ds, tree, {}, {-1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::hierarchy
