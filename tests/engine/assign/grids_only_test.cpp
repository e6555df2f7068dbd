// Grids-only placement (a project with grid polygons and a roster, no buildings): points go straight into the grids
// of every level, boundary and overlap cases are flagged with the rule that chose, rows that only name a building or
// an address are unassigned with their reason, and every row is counted. All answers worked out by hand below.
#include <gtest/gtest.h>

#include <string>

#include "../tiny_world.hpp"
#include "assign/household_assignment.hpp"

namespace gridatlas::assign {
namespace {

// Communities C1 = (0,0)–(200,100), C2 = (200,0)–(300,100). Grids: G1 (0,0)–(100,100) and G2 (100,0)–(200,100) in
// C1; A3 (200,0)–(300,100) in C2; A10 (280,20)–(290,30) lies inside A3 (an overlap: a drawing mistake).
Dataset grids_only_world() {
    Dataset ds;
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    test::grid(ds, 0, "C1", "", test::rect(0, 0, 200, 100));
    test::grid(ds, 0, "C2", "", test::rect(200, 0, 300, 100));
    test::grid(ds, 1, "G1", "C1", test::rect(0, 0, 100, 100));
    test::grid(ds, 1, "G2", "C1", test::rect(100, 0, 200, 100));
    test::grid(ds, 1, "A3", "C2", test::rect(200, 0, 300, 100));
    test::grid(ds, 1, "A10", "C2", test::rect(280, 20, 290, 30));
    ds.index_buildings();
    const auto at = [&ds](const std::string& id, double x, double y) {
        test::household(ds, id, "", std::nullopt, 1);
        ds.households.back().location = geo::Point(x, y);
    };
    at("P1", 50, 50);                                   // 0: inside G1 and C1
    at("P2", 100, 50);                                  // 1: on G1|G2 → G1 (lowest code); inside C1
    at("P3", 200, 50);                                  // 2: on G2|A3 → A3 (lowest code); C1|C2 → C2 (A3's parent)
    at("P4", 0, 50);                                    // 3: on the outer edge of G1 and C1
    at("P5", 400, 400);                                 // 4: outside every grid
    test::household(ds, "P6", "B1", 1, 1);              // 5: a building id only: no buildings to find it in
    test::household(ds, "P7", "", std::nullopt, 1);     // 6: an address only
    ds.households.back().address = "1号楼";
    at("P8", 150, 50);                                  // 7: a building id and a point: the point places it → G2
    ds.households.back().building_ref = "B1";
    at("P1", 60, 60);                                   // 8: P1 again
    at("P10", 285, 25);                                 // 9: inside A3 and A10 → A3 ("A3" < "A10"); inside C2
    test::household(ds, "P11", "", std::nullopt, 1);    // 10: nothing to place it by
    return ds;
}

struct GridsOnly {
    Dataset ds = grids_only_world();
    Diagnostics diag;
    hierarchy::GridTree tree = hierarchy::build_grid_tree(ds, diag);
    AssignmentResult result = assign_households(ds, tree);
    std::string code(std::size_t row, int level) const {
        const GridId g = result.households[row].grids[level];
        return g.valid() ? ds.grid(g).code : "-";
    }
    GridFlag flag(std::size_t row, int level) const { return result.grid_flag(row, level); }
};

TEST(GridsOnlyPlacement, PointsGoIntoTheGridOfEveryLevel) {
    GridsOnly a;
    EXPECT_EQ(a.code(0, 0), "C1");
    EXPECT_EQ(a.code(0, 1), "G1");
    EXPECT_EQ(a.flag(0, 1), GridFlag::none);
    EXPECT_EQ(a.result.households[0].placed_by, PlacedBy::point_in_grid);
    EXPECT_EQ(a.result.households[0].grid_reasons[1], Reason::assigned);
    EXPECT_EQ(a.result.households[0].building_reason, Reason::no_buildings_layer);
    EXPECT_EQ(a.result.households[0].unit_reason, Reason::no_buildings_layer);
    EXPECT_EQ(a.code(7, 1), "G2");
    EXPECT_EQ(a.result.households[7].placed_by, PlacedBy::point_in_grid);
}

TEST(GridsOnlyPlacement, BoundaryAndOverlapAreFlaggedAndChosenByRule) {
    GridsOnly a;
    EXPECT_EQ(a.code(1, 1), "G1");
    EXPECT_EQ(a.flag(1, 1), GridFlag::on_shared_boundary);
    EXPECT_EQ(a.flag(1, 0), GridFlag::none);
    EXPECT_EQ(a.code(2, 1), "A3");
    EXPECT_EQ(a.flag(2, 1), GridFlag::on_shared_boundary);
    EXPECT_EQ(a.code(2, 0), "C2");   // the parent of A3, although C1 has the lower code: the levels nest
    EXPECT_EQ(a.flag(2, 0), GridFlag::on_shared_boundary);
    EXPECT_EQ(a.code(3, 1), "G1");
    EXPECT_EQ(a.flag(3, 1), GridFlag::on_grid_edge);
    EXPECT_EQ(a.flag(3, 0), GridFlag::on_grid_edge);
    EXPECT_EQ(a.code(9, 1), "A3");   // natural order: A3 before A10
    EXPECT_EQ(a.flag(9, 1), GridFlag::in_overlapping_grids);
    EXPECT_EQ(a.code(9, 0), "C2");
    EXPECT_EQ(a.flag(9, 0), GridFlag::none);
}

TEST(GridsOnlyPlacement, RowsThatCannotBePlacedHaveTheirReason) {
    GridsOnly a;
    EXPECT_EQ(a.result.households[4].grid_reasons[1], Reason::outside_grids);
    EXPECT_EQ(a.result.households[4].placed_by, PlacedBy::none);
    EXPECT_EQ(a.result.households[5].grid_reasons[1], Reason::no_buildings_layer);
    EXPECT_EQ(a.result.households[6].grid_reasons[0], Reason::no_buildings_layer);
    EXPECT_EQ(a.result.households[8].grid_reasons[1], Reason::duplicate_household_id);
    EXPECT_EQ(a.result.households[10].grid_reasons[1], Reason::missing_building_ref);
    EXPECT_EQ(a.code(10, 1), "-");
}

TEST(GridsOnlyPlacement, EveryRowIsCountedAndFlagsAreTallied) {
    GridsOnly a;
    ASSERT_EQ(a.result.conservation.size(), 4u);
    const LevelConservation& building = a.result.conservation[1];
    const LevelConservation& community = a.result.conservation[2];
    const LevelConservation& grid = a.result.conservation[3];
    EXPECT_TRUE(a.result.balanced());
    EXPECT_EQ(building.roster, 11u);
    EXPECT_EQ(building.assigned, 0u);
    EXPECT_EQ(building.unassigned_by_reason.at("no_buildings_layer"), 9u);
    EXPECT_EQ(grid.assigned, 6u);   // P1 P2 P3 P4 P8 P10
    EXPECT_EQ(grid.unassigned_by_reason.at("outside_grids"), 1u);
    EXPECT_EQ(grid.unassigned_by_reason.at("no_buildings_layer"), 2u);
    EXPECT_EQ(grid.unassigned_by_reason.at("duplicate_household_id"), 1u);
    EXPECT_EQ(grid.unassigned_by_reason.at("missing_building_ref"), 1u);
    EXPECT_EQ(grid.flagged, (std::map<std::string, std::size_t>{
                                {"in_overlapping_grids", 1}, {"on_grid_edge", 1}, {"on_shared_boundary", 2}}));
    EXPECT_EQ(community.flagged, (std::map<std::string, std::size_t>{{"on_grid_edge", 1}, {"on_shared_boundary", 1}}));
    EXPECT_EQ(a.result.placed_by, (std::map<std::string, std::size_t>{{"not_placed", 5}, {"point_in_grid", 6}}));
}

TEST(GridsOnlyPlacement, SameAnswerOnAnyNumberOfThreads) {
    GridsOnly a;
    const AssignmentResult four = assign_households(a.ds, a.tree, {}, 4);
    ASSERT_EQ(four.households.size(), a.result.households.size());
    for (std::size_t i = 0; i < four.households.size(); ++i) {
        EXPECT_EQ(four.households[i].grids, a.result.households[i].grids) << "row " << i;
    }
    EXPECT_EQ(four.grid_flags, a.result.grid_flags);
    EXPECT_EQ(four.conservation[3].flagged, a.result.conservation[3].flagged);
}

TEST(GridsOnlyPlacement, WithBuildingsNothingIsFlagged) {
    Dataset ds = test::tiny_world();
    Diagnostics diag;
    const auto tree = hierarchy::build_grid_tree(ds, diag);
    const AssignmentResult r = assign_households(ds, tree);
    for (const auto& c : r.conservation) EXPECT_TRUE(c.flagged.empty()) << c.level;
    EXPECT_EQ(r.placed_by.count("point_in_grid"), 0u);
}

}  // namespace
}  // namespace gridatlas::assign
