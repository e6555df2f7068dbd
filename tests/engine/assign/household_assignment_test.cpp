// Household assignment on the tiny world: every row is placed or has a reason, and the counts add up per level.
#include "assign/household_assignment.hpp"

#include <gtest/gtest.h>

#include "../tiny_world.hpp"

namespace gridatlas::assign {
namespace {

struct Assigned {
    Dataset ds = test::tiny_world();
    Diagnostics diag;
    hierarchy::GridTree tree = hierarchy::build_grid_tree(ds, diag);
    AssignmentResult result = assign_households(ds, tree);
    const HouseholdPlacement& row(std::size_t i) const { return result.households[i]; }
};

TEST(HouseholdAssignment, PlacesHouseholdsInUnitBuildingAndEveryLevel) {
    Assigned a;
    const auto& h1 = a.row(0);
    EXPECT_EQ(h1.building_reason, Reason::assigned);
    EXPECT_EQ(h1.building, BuildingId{std::size_t{0}});
    EXPECT_EQ(a.ds.unit(h1.unit).number, 1);
    EXPECT_EQ(a.ds.grid(h1.grids[0]).code, "C1");
    EXPECT_EQ(a.ds.grid(h1.grids[1]).code, "G1");
    EXPECT_EQ(a.ds.grid(a.row(3).grids[1]).code, "G2");   // H4 in the straddling B3
}

TEST(HouseholdAssignment, EveryFaultHasItsReason) {
    Assigned a;
    EXPECT_EQ(a.row(4).unit_reason, Reason::unknown_unit);           // H5: B3 has no unit 5 …
    EXPECT_EQ(a.row(4).building_reason, Reason::assigned);          // … but the building and grids are known
    EXPECT_EQ(a.row(4).grid_reasons[1], Reason::assigned);
    EXPECT_EQ(a.row(5).building_reason, Reason::unknown_building);   // H6
    EXPECT_EQ(a.row(6).building_reason, Reason::missing_building_ref);  // H7
    EXPECT_EQ(a.row(7).building_reason, Reason::duplicate_household_id);  // second H1
    EXPECT_EQ(a.row(8).unit_reason, Reason::no_unit_given);          // H8
    EXPECT_EQ(a.row(8).grid_reasons[0], Reason::outside_grids);
    EXPECT_EQ(a.row(9).building_reason, Reason::ambiguous_building);  // H9
    EXPECT_EQ(a.row(10).building_reason, Reason::rejected_building);  // H10
    EXPECT_FALSE(a.row(10).grids[0].valid());
}

TEST(HouseholdAssignment, ConservationAtEveryLevel) {
    Assigned a;
    ASSERT_EQ(a.result.conservation.size(), 4u);   // unit, building, community, grid
    const auto& unit = a.result.conservation[0];
    const auto& building = a.result.conservation[1];
    const auto& grid = a.result.conservation[3];
    EXPECT_EQ(building.roster, 11u);
    EXPECT_EQ(building.assigned, 6u);      // H1 H2 H3 H4 H5 H8
    EXPECT_EQ(building.unassigned(), 5u);
    EXPECT_EQ(unit.assigned, 4u);          // H1 H2 H3 H4
    EXPECT_EQ(unit.unassigned_by_reason.at("unknown_unit"), 1u);
    EXPECT_EQ(unit.unassigned_by_reason.at("no_unit_given"), 1u);
    EXPECT_EQ(grid.assigned, 5u);          // H8's building is outside every grid
    EXPECT_EQ(grid.unassigned_by_reason.at("outside_grids"), 1u);
    EXPECT_TRUE(a.result.balanced());
    for (const auto& c : a.result.conservation) EXPECT_EQ(c.roster, c.assigned + c.unassigned()) << c.level;
}

}  // namespace
}  // namespace gridatlas::assign
