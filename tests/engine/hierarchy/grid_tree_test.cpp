// Grid tree on the hand-made tiny world: parents by code and by overlap, buildings by largest share, warnings.
#include "hierarchy/grid_tree.hpp"

#include <gtest/gtest.h>

#include "../tiny_world.hpp"

namespace gridatlas::hierarchy {
namespace {

using test::rect;

TEST(GridTree, ParentsByCodeAndByOverlap) {
    const Dataset ds = test::tiny_world();
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    EXPECT_FALSE(tree.parent[0].valid());          // C1 is the top
    EXPECT_EQ(tree.parent[1], GridId{std::size_t{0}});  // G1 by its parent code
    EXPECT_EQ(tree.parent[2], GridId{std::size_t{0}});  // G2 by overlap
    EXPECT_EQ(tree.children[0].size(), 2u);
    EXPECT_TRUE(diag.items().empty());
}

TEST(GridTree, BuildingsByLargestShareAndNestedLevels) {
    const Dataset ds = test::tiny_world();
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    const GridId c1{std::size_t{0}}, g1{std::size_t{1}}, g2{std::size_t{2}};
    EXPECT_EQ(tree.grid_of(BuildingId{std::size_t{0}}, 1), g1);
    EXPECT_EQ(tree.grid_of(BuildingId{std::size_t{1}}, 1), g2);
    EXPECT_EQ(tree.grid_of(BuildingId{std::size_t{2}}, 1), g2);   // B3: 20 of its 30 m in G2
    EXPECT_NEAR(tree.building_share[2], 2.0 / 3.0, 1e-9);
    EXPECT_EQ(tree.grid_of(BuildingId{std::size_t{2}}, 0), c1);   // via G2's parent
    EXPECT_FALSE(tree.grid_of(BuildingId{std::size_t{3}}, 1).valid());   // B4 lies in no grid
    EXPECT_FALSE(tree.grid_of(BuildingId{std::size_t{3}}, 0).valid());
    EXPECT_EQ(tree.straddling_buildings, 1u);
}

TEST(GridTree, UnknownParentCodeWarnsAndFallsBackToOverlap) {
    Dataset ds = test::tiny_world();
    ds.grids[1].parent_code = "NOPE";
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    EXPECT_EQ(tree.parent[1], GridId{std::size_t{0}});
    ASSERT_EQ(diag.count("unknown_parent_code"), 1u);
    EXPECT_NE(diag.items()[0].message.find("NOPE"), std::string::npos);
}

TEST(GridTree, DuplicateCodesAndSpillingGridsAreReported) {
    Dataset ds = test::tiny_world();
    test::grid(ds, 1, "G1", "C1", rect(150, 50, 250, 100));   // same code as G1, half outside C1
    Diagnostics diag;
    build_grid_tree(ds, diag);
    EXPECT_EQ(diag.count("duplicate_grid_code"), 1u);
    ASSERT_EQ(diag.count("grid_spills_out"), 1u);
    for (const auto& d : diag.items())
        if (d.code == "grid_spills_out") {
            EXPECT_NE(d.message.find("50%"), std::string::npos) << d.message;
        }
}

TEST(GridTree, OrphanGridIsReported) {
    Dataset ds = test::tiny_world();
    test::grid(ds, 1, "G9", "", rect(500, 500, 600, 600));
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    EXPECT_FALSE(tree.parent[3].valid());
    EXPECT_EQ(diag.count("orphan_grid"), 1u);
}

}  // namespace
}  // namespace gridatlas::hierarchy
