// Central households (党员中心户) on hand-made buildings: the documented rule (most party members, lowest floor,
// lowest index), one per unit in large buildings, and seats without any party household.
#include "assign/central_households.hpp"

#include <gtest/gtest.h>

#include "../tiny_world.hpp"

namespace gridatlas::assign {
namespace {

// "H12", "B3": built by appending (GCC 12 warns falsely on "literal" + std::string).
std::string id_of(char prefix, std::size_t n) {
    std::string s(1, prefix);
    s += std::to_string(n);
    return s;
}

void hh(Dataset& ds, const std::string& building, std::optional<int> unit_no, int party, std::optional<int> floor) {
    test::household(ds, id_of('H', ds.households.size()), building, unit_no, 3, party);
    ds.households.back().floor = floor;
}

struct World {
    Dataset ds;
    Diagnostics diag;
    World() {
        ds.levels = {{"grid", "网格"}};
        test::grid(ds, 0, "G", "", test::rect(0, 0, 1000, 1000));
    }
    BuildingId add_building(const std::string& id, int units) {
        const double x = 10.0 * static_cast<double>(ds.buildings.size());
        const Building b = test::building(ds, id, test::rect(x, 10, x + 5, 15));
        for (int u = 1; u <= units; ++u) test::unit(ds, b.id, u);
        return b.id;
    }
    CentralHouseholdResult run(const CentralHouseholdOptions& options = {}) {
        ds.index_buildings();
        ds.index_units();
        const auto tree = hierarchy::build_grid_tree(ds, diag);
        const auto assignment = assign_households(ds, tree);
        return choose_central_households(ds, assignment, options);
    }
};

TEST(CentralHouseholds, MostPartyMembersThenLowestFloorThenLowestIndex) {
    World w;
    w.add_building("B1", 1);
    hh(w.ds, "B1", 1, 0, 1);   // 0: not a party household
    hh(w.ds, "B1", 1, 1, 1);   // 1: one member, floor 1
    hh(w.ds, "B1", 1, 2, 5);   // 2: two members, floor 5
    hh(w.ds, "B1", 1, 2, 2);   // 3: two members, floor 2  ← most members, lowest floor, first
    hh(w.ds, "B1", 1, 2, 2);   // 4: same as 3, later in the roster
    const auto r = w.run();
    ASSERT_EQ(r.seats.size(), 1u);
    EXPECT_EQ(r.seats[0].central, HouseholdId{std::size_t{3}});
    EXPECT_EQ(r.seats[0].households, 5u);
    EXPECT_EQ(r.seats[0].party_households, 4u);
    EXPECT_FALSE(r.seats[0].per_unit);
    EXPECT_FALSE(r.seats[0].unit.valid());
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r.central_of[i], HouseholdId{std::size_t{3}});
    EXPECT_TRUE(r.without_central.empty());
}

TEST(CentralHouseholds, UnknownFloorComesAfterEveryKnownFloor) {
    World w;
    w.add_building("B1", 1);
    hh(w.ds, "B1", 1, 1, std::nullopt);   // 0
    hh(w.ds, "B1", 1, 1, 9);              // 1 ← known floor wins
    const auto r = w.run();
    EXPECT_EQ(r.seats[0].central, HouseholdId{std::size_t{1}});
}

TEST(CentralHouseholds, BuildingWithoutPartyHouseholdIsListed) {
    World w;
    w.add_building("B1", 1);
    w.add_building("B2", 1);
    w.add_building("B3", 1);   // empty: no seat at all
    hh(w.ds, "B1", 1, 1, 1);
    hh(w.ds, "B2", 1, 0, 1);
    hh(w.ds, "B2", 1, 0, 2);
    hh(w.ds, "B9", 1, 1, 1);   // unknown building: never a central household
    const auto r = w.run();
    ASSERT_EQ(r.seats.size(), 2u);
    ASSERT_EQ(r.without_central.size(), 1u);
    const CentralSeat& s = r.seats[r.without_central[0]];
    EXPECT_EQ(w.ds.building(s.building).source_id, "B2");
    EXPECT_EQ(s.households, 2u);
    EXPECT_FALSE(s.central.valid());
    EXPECT_FALSE(r.central_of[1].valid());
    EXPECT_FALSE(r.central_of[3].valid());
}

// A building of n households over two units; the party household of unit 1 is index `first`, of unit 2 `first + 1`.
void large(World& w, const std::string& id, std::size_t n) {
    w.add_building(id, 2);
    hh(w.ds, id, 1, 1, 3);
    hh(w.ds, id, 2, 1, 4);
    for (std::size_t i = 2; i < n; ++i) hh(w.ds, id, static_cast<int>(1 + i % 2), 0, 1);
}

TEST(CentralHouseholds, OnePerBuildingBelowSixtyHouseholds) {
    World w;
    large(w, "B1", 59);
    const auto r = w.run();
    ASSERT_EQ(r.seats.size(), 1u);
    EXPECT_FALSE(r.seats[0].per_unit);
    EXPECT_EQ(r.seats[0].households, 59u);
    EXPECT_EQ(r.seats[0].central, HouseholdId{std::size_t{0}});   // floor 3 beats floor 4
}

TEST(CentralHouseholds, OnePerUnitFromSixtyHouseholds) {
    World w;
    large(w, "B1", 60);
    hh(w.ds, "B1", std::nullopt, 0, 1);   // 60: no unit given
    hh(w.ds, "B1", 7, 1, 1);              // 61: no unit 7 in B1 — a party household of unknown unit
    const auto r = w.run();
    ASSERT_EQ(r.seats.size(), 3u);
    EXPECT_TRUE(r.seats[0].per_unit);
    EXPECT_EQ(w.ds.unit(r.seats[0].unit).number, 1);
    EXPECT_EQ(r.seats[0].households, 30u);
    EXPECT_EQ(r.seats[0].central, HouseholdId{std::size_t{0}});
    EXPECT_EQ(w.ds.unit(r.seats[1].unit).number, 2);
    EXPECT_EQ(r.seats[1].households, 30u);
    EXPECT_EQ(r.seats[1].central, HouseholdId{std::size_t{1}});
    // The households of unknown unit form the last seat of the building.
    EXPECT_FALSE(r.seats[2].unit.valid());
    EXPECT_EQ(r.seats[2].households, 2u);
    EXPECT_EQ(r.seats[2].central, HouseholdId{std::size_t{61}});
    EXPECT_EQ(r.central_of[2], HouseholdId{std::size_t{0}});   // unit 1
    EXPECT_EQ(r.central_of[3], HouseholdId{std::size_t{1}});   // unit 2
    EXPECT_EQ(r.central_of[60], HouseholdId{std::size_t{61}});
}

TEST(CentralHouseholds, PerUnitThresholdIsConfigurableAndUnitsWithoutPartyAreListed) {
    World w;
    w.add_building("B1", 2);
    hh(w.ds, "B1", 1, 1, 1);
    hh(w.ds, "B1", 2, 0, 1);
    CentralHouseholdOptions o;
    o.per_unit_min_households = 2;
    const auto r = w.run(o);
    ASSERT_EQ(r.seats.size(), 2u);
    ASSERT_EQ(r.without_central.size(), 1u);
    EXPECT_EQ(w.ds.unit(r.seats[r.without_central[0]].unit).number, 2);
}

}  // namespace
}  // namespace gridatlas::assign
