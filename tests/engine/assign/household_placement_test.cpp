// Placing households by address and by coordinates (household_placement.hpp), and how that joins the assignment
// with its conservation report. Coordinates are the tiny world's (tests/engine/tiny_world.hpp), in metres.
#include "assign/household_placement.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "../tiny_world.hpp"
#include "assign/household_assignment.hpp"

namespace gridatlas::assign {
namespace {

TEST(ParseNumber, ArabicChineseAndFullWidth) {
    EXPECT_EQ(parse_number("3"), 3);
    EXPECT_EQ(parse_number(" 03 "), 3);
    EXPECT_EQ(parse_number("１２"), 12);
    EXPECT_EQ(parse_number("三"), 3);
    EXPECT_EQ(parse_number("两"), 2);
    EXPECT_EQ(parse_number("十"), 10);
    EXPECT_EQ(parse_number("十二"), 12);
    EXPECT_EQ(parse_number("二十"), 20);
    EXPECT_EQ(parse_number("二十三"), 23);
    EXPECT_EQ(parse_number("一百零五"), 105);
    EXPECT_EQ(parse_number("一〇一"), 101);
    EXPECT_FALSE(parse_number(""));
    EXPECT_FALSE(parse_number("3a"));
    EXPECT_FALSE(parse_number("二三十"));
    EXPECT_FALSE(parse_number("十十"));
    EXPECT_FALSE(parse_number("栋"));
    EXPECT_FALSE(parse_number("123456789"));
}

TEST(AddressPattern, PythonNamedGroupsBecomeNumberedGroups) {
    const AddressPattern p(R"((?P<building>\d+)栋(?P<unit>\d+)单元(?:(?P<room>\d+)室)?)");
    EXPECT_EQ(p.group_names(), (std::vector<std::string>{"building", "unit", "room"}));
    const auto a = p.parse("幸福小区12栋3单元501室");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->building, "12");
    EXPECT_EQ(a->unit, 3);
    EXPECT_EQ(a->room, "501");
    EXPECT_FALSE(a->floor);
    const auto b = p.parse("12栋3单元");   // the room is optional in this pattern
    ASSERT_TRUE(b);
    EXPECT_EQ(b->room, "");
    EXPECT_FALSE(p.parse("幸福小区门卫室"));
    EXPECT_FALSE(p.parse(""));
}

TEST(AddressPattern, EcmaScriptGroupsNamedByList) {
    // (?<name>…) is accepted too, but here the plain pattern's groups are named by the list; "" skips a group.
    const AddressPattern p(R"(^(\S+?)小区(\d+)号楼(\d+)单元(\d+)层(\d+)$)", {"compound", "building", "unit", "floor", ""},
                           "{compound}-{building}");
    const auto a = p.parse("幸福小区7号楼2单元5层03");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->building, "幸福-7");
    EXPECT_EQ(a->unit, 2);
    EXPECT_EQ(a->floor, 5);
    EXPECT_EQ(a->groups.at("compound"), "幸福");
    EXPECT_EQ(a->groups.count(""), 0u);
    const AddressPattern q(R"((?<building>\d+)栋)");
    EXPECT_EQ(q.parse("3栋")->building, "3");
}

TEST(AddressPattern, ChineseCharacterClassesAndNumeralsInTheId) {
    // Character classes match whole characters, not UTF-8 bytes; 三 goes into the id as 3.
    const AddressPattern p("(?P<building>[0-9一二三四五六七八九十]+)号楼(?P<unit>[一二三四五六七八九十0-9]+)单元", {}, "B{building}");
    const auto a = p.parse("东华门小区三号楼二单元");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->building, "B3");
    EXPECT_EQ(a->unit, 2);
    EXPECT_EQ(p.parse("东华门小区03号楼1单元")->building, "B03");   // ASCII kept as written
    // A byte-wise class would have matched the bytes of 楼 inside 号楼: it must not.
    EXPECT_FALSE(p.parse("东华门小区号楼1单元"));
}

TEST(AddressPattern, SameNameOnAlternativesAndNestedGroups) {
    const AddressPattern p("(?:(?P<building>\\d+)栋|(?P<building>\\d+)号楼)(?P<unit>\\d+)单元(?P<room>(?P<floor>\\d)\\d\\d)");
    const auto a = p.parse("5号楼1单元302");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->building, "5");
    EXPECT_EQ(a->room, "302");
    EXPECT_EQ(a->floor, 3);
    EXPECT_EQ(p.parse("6栋2单元101")->building, "6");
}

TEST(AddressPattern, AUnitThatIsNotANumberMakesTheAddressUnparsable) {
    const AddressPattern p("(?P<building>\\d+)栋(?P<unit>\\S+)单元");
    EXPECT_TRUE(p.parse("3栋2单元"));
    EXPECT_FALSE(p.parse("3栋东单元"));
}

TEST(AddressPattern, BadPatternsAreRejectedWithAMessage) {
    auto message = [](auto make) {
        try {
            make();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([] { AddressPattern("(\\d+)栋"); }).find("names no group"), std::string::npos);
    EXPECT_NE(message([] { AddressPattern("(\\d+)栋(\\d+)", {"building"}); }).find("2 capture groups"), std::string::npos);
    EXPECT_NE(message([] { AddressPattern("(?P<building>\\d+", {}); }).find("not a valid"), std::string::npos);
    EXPECT_NE(message([] { AddressPattern("(?P<unit>\\d+)单元"); }).find("{building}"), std::string::npos);
    EXPECT_NE(message([] { AddressPattern("(?P<building>\\d+)", {"building"}); }).find("names its groups"), std::string::npos);
    EXPECT_NE(message([] { AddressPattern("(?P<b>\\d+)", {}, "{b"); }).find("without '}'"), std::string::npos);
    // Escaped and bracketed parentheses are not groups.
    EXPECT_NO_THROW(AddressPattern("\\((?P<building>\\d+)\\)[()]"));
    EXPECT_EQ(AddressPattern("\\((?P<building>\\d+)\\)[()]").parse("(7)(")->building, "7");
}

// The tiny world's buildings: B1 (10,10)–(30,30), B2 (170,10)–(190,30), B3 (90,50)–(120,70), B4 (300,300)–(310,310),
// two non-residential BX at (20,60)–(30,70) and (40,60)–(50,70).
TEST(BuildingLocator, InsideOnTheEdgeNearestAndTooFar) {
    const Dataset ds = test::tiny_world();
    const BuildingLocator loc(ds);
    auto hit = loc.locate({20, 20}, 30);
    ASSERT_TRUE(hit);
    EXPECT_EQ(ds.building(hit->building).source_id, "B1");
    EXPECT_TRUE(hit->inside);
    EXPECT_EQ(hit->distance_m, 0);
    hit = loc.locate({30, 15}, 30);   // on B1's edge: covered
    ASSERT_TRUE(hit);
    EXPECT_TRUE(hit->inside);
    hit = loc.locate({20, 0}, 30);    // 10 m below B1
    ASSERT_TRUE(hit);
    EXPECT_EQ(ds.building(hit->building).source_id, "B1");
    EXPECT_FALSE(hit->inside);
    EXPECT_NEAR(hit->distance_m, 10, 1e-9);
    hit = loc.locate({140, 60}, 30);  // 20 m right of B3; B2 is farther
    ASSERT_TRUE(hit);
    EXPECT_EQ(ds.building(hit->building).source_id, "B3");
    EXPECT_NEAR(hit->distance_m, 20, 1e-9);
    hit = loc.locate({33, 33}, 30);   // nearest by corner distance: B1 at √18 ≈ 4.24 m
    ASSERT_TRUE(hit);
    EXPECT_NEAR(hit->distance_m, std::sqrt(18.0), 1e-9);
    EXPECT_FALSE(loc.locate({20, -25}, 30));   // 35 m from B1
    EXPECT_FALSE(loc.locate({20, 0}, 0));      // 0: inside only
}

TEST(BuildingLocator, NearestSkipsNonResidentialButInsideDoesNot) {
    const Dataset ds = test::tiny_world();
    const BuildingLocator loc(ds);
    auto hit = loc.locate({25, 65}, 30);   // inside the first (non-residential) BX
    ASSERT_TRUE(hit);
    EXPECT_EQ(ds.building(hit->building).source_id, "BX");
    EXPECT_TRUE(hit->inside);
    hit = loc.locate({35, 65}, 40);        // 5 m from each BX, 35 m from B1: the nearest residential is B1
    ASSERT_TRUE(hit);
    EXPECT_EQ(ds.building(hit->building).source_id, "B1");
    EXPECT_NEAR(hit->distance_m, std::hypot(5.0, 35.0), 1e-9);
}

TEST(BuildingLocator, OverlappingFootprintsTakeTheSmallest) {
    Dataset ds;
    test::building(ds, "BIG", test::rect(0, 0, 100, 100));
    test::building(ds, "SMALL", test::rect(40, 40, 60, 60));
    ds.index_buildings();
    const BuildingLocator loc(ds);
    EXPECT_EQ(ds.building(loc.locate({50, 50}, 30)->building).source_id, "SMALL");
    EXPECT_EQ(ds.building(loc.locate({10, 10}, 30)->building).source_id, "BIG");
}

// The tiny world with rows that locate themselves by address or coordinates.
Household& add(Dataset& ds, const std::string& id, const std::string& address, std::optional<geo::Point> at = {},
               std::optional<int> unit = {}) {
    test::household(ds, id, "", unit, 2);
    ds.households.back().address = address;
    ds.households.back().location = at;
    return ds.households.back();
}

Dataset placement_world() {
    Dataset ds = test::tiny_world();
    add(ds, "A1", "幸福小区B1栋2单元301室");                   // → B1 unit 2
    add(ds, "A2", "B3栋");                                     // → B3, no unit
    add(ds, "A3", "B7栋1单元");                                // unknown building
    add(ds, "A4", "门卫室");                                   // unparsable
    add(ds, "A5", "BX栋1单元");                                // ambiguous
    add(ds, "A6", "BR栋1单元");                                // rejected
    add(ds, "C1", "", geo::Point{20, 20}, 1);                  // in B1, unit 1 from the roster
    add(ds, "C2", "", geo::Point{180, -5}, 1);                 // 15 m below B2: nearest
    add(ds, "C3", "", geo::Point{250, 200});                   // nothing within 30 m
    add(ds, "C4", "", geo::Point{305, 305});                   // in B4, outside every grid
    add(ds, "X1", "B2栋1单元", geo::Point{20, 20});            // the address decides, not the point
    Household& by_id = add(ds, "X2", "B2栋1单元", geo::Point{20, 20});
    by_id.building_ref = "B3";                                 // the building id decides
    by_id.unit_number = 1;
    add(ds, "A1", "", geo::Point{20, 20});                     // repeats A1's id
    return ds;
}

PlacementOptions placement_options() {
    PlacementOptions o;
    o.address.emplace("(?P<building>B\\d|BX|BR)栋(?:(?P<unit>\\d+)单元)?(?:(?P<room>\\d+)室)?");
    o.max_nearest_m = 30;
    return o;
}

struct Placed {
    static constexpr std::size_t first = 11;   // the tiny world's rows come first
    Dataset ds = placement_world();
    PlacementOptions options = placement_options();
    Diagnostics diag;
    hierarchy::GridTree tree = hierarchy::build_grid_tree(ds, diag);
    AssignmentResult result = assign_households(ds, tree, options);
    const HouseholdPlacement& row(std::size_t i) const { return result.households[first + i]; }
    std::string building(std::size_t i) const { return row(i).building.valid() ? ds.building(row(i).building).source_id : ""; }
};

TEST(HouseholdPlacement, ByAddress) {
    Placed p;
    EXPECT_EQ(p.row(0).placed_by, PlacedBy::address);
    EXPECT_EQ(p.building(0), "B1");
    EXPECT_EQ(p.row(0).unit_reason, Reason::assigned);
    EXPECT_EQ(p.ds.unit(p.row(0).unit).number, 2);
    EXPECT_EQ(p.result.room(p.ds.households[p.first]), "301");   // the roster gives no room: the address's
    EXPECT_EQ(p.ds.grid(p.row(0).grids[1]).code, "G1");
    EXPECT_EQ(p.building(1), "B3");
    EXPECT_EQ(p.row(1).unit_reason, Reason::no_unit_given);
    EXPECT_EQ(p.row(2).building_reason, Reason::unknown_building);
    EXPECT_EQ(p.row(3).building_reason, Reason::unparsable_address);
    EXPECT_EQ(p.row(3).unit_reason, Reason::unparsable_address);
    EXPECT_EQ(p.row(3).grid_reasons, (std::vector<Reason>{Reason::unparsable_address, Reason::unparsable_address}));
    EXPECT_EQ(p.row(3).placed_by, PlacedBy::none);
    EXPECT_EQ(p.row(4).building_reason, Reason::ambiguous_building);
    EXPECT_EQ(p.row(5).building_reason, Reason::rejected_building);
}

TEST(HouseholdPlacement, ByCoordinates) {
    Placed p;
    EXPECT_EQ(p.row(6).placed_by, PlacedBy::point_in_building);
    EXPECT_EQ(p.building(6), "B1");
    EXPECT_EQ(p.ds.unit(p.row(6).unit).number, 1);
    EXPECT_EQ(p.row(6).distance_m, 0);
    EXPECT_EQ(p.row(7).placed_by, PlacedBy::nearest_building);
    EXPECT_EQ(p.building(7), "B2");
    EXPECT_NEAR(p.row(7).distance_m, 15, 1e-9);
    EXPECT_EQ(p.ds.grid(p.row(7).grids[1]).code, "G2");
    EXPECT_EQ(p.row(8).building_reason, Reason::no_building_at_location);
    EXPECT_EQ(p.row(8).grid_reasons[1], Reason::no_building_at_location);
    EXPECT_EQ(p.building(9), "B4");
    EXPECT_EQ(p.row(9).grid_reasons[0], Reason::outside_grids);
}

TEST(HouseholdPlacement, TheFirstLocatorGivenDecides) {
    Placed p;
    EXPECT_EQ(p.row(10).placed_by, PlacedBy::address);
    EXPECT_EQ(p.building(10), "B2");
    EXPECT_EQ(p.row(11).placed_by, PlacedBy::building_id);
    EXPECT_EQ(p.building(11), "B3");
    EXPECT_EQ(p.row(12).building_reason, Reason::duplicate_household_id);
    EXPECT_EQ(p.row(12).placed_by, PlacedBy::none);
}

TEST(HouseholdPlacement, WithoutAPatternAnAddressIsUnparsable) {
    Dataset ds = test::tiny_world();
    test::household(ds, "A1", "", std::nullopt, 1);
    ds.households.back().address = "B1栋";
    Diagnostics diag;
    const auto tree = hierarchy::build_grid_tree(ds, diag);
    const auto r = assign_households(ds, tree);
    EXPECT_EQ(r.households.back().building_reason, Reason::unparsable_address);
}

TEST(HouseholdPlacement, AddressFallsBackToAUniqueBuildingName) {
    Dataset ds = test::tiny_world();
    ds.buildings[0].name = "1号楼";      // B1
    ds.buildings[1].name = "2号楼";      // B2 and B3 share a name
    ds.buildings[2].name = "2号楼";
    test::household(ds, "N1", "", std::nullopt, 1);
    ds.households.back().address = "1号楼";
    test::household(ds, "N2", "", std::nullopt, 1);
    ds.households.back().address = "2号楼";
    PlacementOptions o;
    o.address.emplace("(?P<building>\\d+)号楼", std::vector<std::string>{}, "{building}号楼");
    Diagnostics diag;
    const auto tree = hierarchy::build_grid_tree(ds, diag);
    const auto r = assign_households(ds, tree, o);
    const auto& n1 = r.households[ds.households.size() - 2];
    const auto& n2 = r.households[ds.households.size() - 1];
    EXPECT_EQ(n1.placed_by, PlacedBy::address);
    EXPECT_EQ(ds.building(n1.building).source_id, "B1");
    EXPECT_EQ(n2.building_reason, Reason::ambiguous_building);
}

TEST(HouseholdPlacement, ConservationStaysExactAndPlacementIsCounted) {
    Placed p;
    EXPECT_TRUE(p.result.balanced());
    const auto& building = p.result.conservation[1];
    EXPECT_EQ(building.roster, p.ds.households.size());
    EXPECT_EQ(building.unassigned_by_reason.at("unparsable_address"), 1u);
    EXPECT_EQ(building.unassigned_by_reason.at("no_building_at_location"), 1u);
    EXPECT_EQ(building.unassigned_by_reason.at("unknown_building"), 2u);        // H6 (B9) and A3 (B7)
    EXPECT_EQ(building.unassigned_by_reason.at("duplicate_household_id"), 2u);  // second H1 and second A1
    for (const auto& c : p.result.conservation) EXPECT_EQ(c.roster, c.assigned + c.unassigned()) << c.level;
    // The tiny world's 11 rows name their building: 6 placed by id, 5 not placed.
    EXPECT_EQ(p.result.placed_by.at("building_id"), 6u + 1u);          // + X2
    EXPECT_EQ(p.result.placed_by.at("address"), 2u + 1u);              // A1, A2, X1
    EXPECT_EQ(p.result.placed_by.at("point_in_building"), 2u);         // C1, C4
    EXPECT_EQ(p.result.placed_by.at("nearest_building"), 1u);          // C2
    std::size_t total = 0;
    for (const auto& [by, n] : p.result.placed_by) total += n;
    EXPECT_EQ(total, p.ds.households.size());
    EXPECT_EQ(p.result.placed_by.at("not_placed"), building.unassigned());
}

}  // namespace
}  // namespace gridatlas::assign
