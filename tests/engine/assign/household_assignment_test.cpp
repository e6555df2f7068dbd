// Household assignment on the tiny world: every row is placed or has a reason, and the counts add up per level; the
// threaded assignment gives exactly what a straightforward one-row-after-another reference gives.
#include "assign/household_assignment.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

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

// --- The same answer as a straightforward reference, whatever the number of threads ------------------------------

namespace gridatlas::assign {
namespace {

// assign_households as first written: one row after the other, a std::unordered_set of the ids seen, every lookup
// done afresh, counts by name. The fast version must give exactly this.
AssignmentResult reference_assignment(const Dataset& ds, const hierarchy::GridTree& tree, const PlacementOptions& options) {
    const std::size_t nlevels = ds.levels.size();
    AssignmentResult result;
    result.households.resize(ds.households.size());
    result.conservation.push_back({"unit", 0, 0, {}, {}});
    result.conservation.push_back({"building", 0, 0, {}, {}});
    for (const auto& l : ds.levels) result.conservation.push_back({l.key, 0, 0, {}, {}});
    const auto count = [](LevelConservation& c, Reason r) {
        ++c.roster;
        if (r == Reason::assigned) ++c.assigned;
        else ++c.unassigned_by_reason[to_string(r)];
    };
    const BuildingResolver resolver(ds, options);
    std::unordered_set<std::string> seen;
    for (const Household& h : ds.households) {
        HouseholdPlacement& p = result.households[h.id.index()];
        p.grids.assign(nlevels, GridId{});
        p.grid_reasons.assign(nlevels, Reason::assigned);
        if (!h.source_id.empty() && !seen.insert(h.source_id).second) {
            p.building_reason = Reason::duplicate_household_id;
            p.unit_number = h.unit_number;
            p.floor = h.floor;
        } else {
            BuildingMatch m = resolver.resolve(h);
            p.building_reason = m.reason;
            p.building = m.building;
            p.placed_by = m.placed_by;
            p.distance_m = static_cast<float>(m.distance_m);
            p.unit_number = m.unit_number;
            p.floor = m.floor;
            if (h.room.empty() && !m.room.empty()) result.address_rooms.emplace_back(h.id, m.room);
        }
        if (p.building_reason != Reason::assigned) {
            p.building = BuildingId{};
            p.placed_by = PlacedBy::none;
            p.unit_reason = p.building_reason;
            p.grid_reasons.assign(nlevels, p.building_reason);
        } else {
            if (!p.unit_number) p.unit_reason = Reason::no_unit_given;
            else {
                p.unit = ds.find_unit(p.building, *p.unit_number);
                p.unit_reason = p.unit.valid() ? Reason::assigned : Reason::unknown_unit;
            }
            for (std::size_t l = 0; l < nlevels; ++l) {
                p.grids[l] = tree.grid_of(p.building, static_cast<int>(l));
                p.grid_reasons[l] = p.grids[l].valid() ? Reason::assigned : Reason::outside_grids;
            }
        }
        ++result.placed_by[to_string(p.placed_by)];
        count(result.conservation[0], p.unit_reason);
        count(result.conservation[1], p.building_reason);
        for (std::size_t l = 0; l < nlevels; ++l) count(result.conservation[2 + l], p.grid_reasons[l]);
    }
    return result;
}

void expect_same(const AssignmentResult& got, const AssignmentResult& want, const std::string& what) {
    ASSERT_EQ(got.households.size(), want.households.size()) << what;
    for (std::size_t i = 0; i < want.households.size(); ++i) {
        const HouseholdPlacement& a = got.households[i];
        const HouseholdPlacement& b = want.households[i];
        SCOPED_TRACE(what + ", row " + std::to_string(i + 1));
        EXPECT_EQ(a.unit, b.unit);
        EXPECT_EQ(a.building, b.building);
        EXPECT_EQ(a.unit_reason, b.unit_reason);
        EXPECT_EQ(a.building_reason, b.building_reason);
        EXPECT_EQ(a.placed_by, b.placed_by);
        EXPECT_EQ(a.grids, b.grids);
        EXPECT_EQ(a.grid_reasons, b.grid_reasons);
        EXPECT_EQ(a.distance_m, b.distance_m);
        EXPECT_EQ(a.unit_number, b.unit_number);
        EXPECT_EQ(a.floor, b.floor);
    }
    EXPECT_EQ(got.address_rooms, want.address_rooms) << what;
    EXPECT_EQ(got.placed_by, want.placed_by) << what;
    ASSERT_EQ(got.conservation.size(), want.conservation.size()) << what;
    for (std::size_t k = 0; k < want.conservation.size(); ++k) {
        EXPECT_EQ(got.conservation[k].level, want.conservation[k].level) << what;
        EXPECT_EQ(got.conservation[k].roster, want.conservation[k].roster) << what << ", " << want.conservation[k].level;
        EXPECT_EQ(got.conservation[k].assigned, want.conservation[k].assigned) << what << ", " << want.conservation[k].level;
        EXPECT_EQ(got.conservation[k].unassigned_by_reason, want.conservation[k].unassigned_by_reason)
            << what << ", " << want.conservation[k].level;
    }
}

void located(Dataset& ds, const std::string& id, double x, double y) {
    test::household(ds, id, "", std::nullopt, 1);
    ds.households.back().location = geo::Point{x, y};
}

// The tiny world's roster, then rows that make the fast paths' edges: runs of one building (the kept lookups), a
// building id alternating with others, duplicates right after their first row and far from it (in another thread's
// part of the roster), empty ids, a blank building, unknown buildings and units, and rows placed by coordinates.
Dataset mixed_roster() {
    Dataset ds = test::tiny_world();
    test::household(ds, "H11", "B1", 1, 2);
    test::household(ds, "H12", "B1", 2, 2);
    test::household(ds, "H13", "B1", 3, 2);          // B1 has no unit 3
    test::household(ds, "H14", "B1", std::nullopt, 2);
    test::household(ds, "H14", "B1", 1, 2);          // duplicate right after its first row
    test::household(ds, "H15", "B9", 1, 1);          // unknown building, twice in a row
    test::household(ds, "H16", "B9", 1, 1);
    test::household(ds, "H17", "B2", 1, 1);
    test::household(ds, "H18", "B9", 1, 1);
    test::household(ds, "H19", "B2", 2, 1);          // B2 has no unit 2
    test::household(ds, "", "B2", 1, 1);            // empty ids repeat nothing
    test::household(ds, "", "B2", 1, 1);
    test::household(ds, "H20", "", 1, 1);            // blank building
    test::household(ds, "H21", "BX", 1, 1);
    test::household(ds, "H22", "BR", 1, 1);
    test::household(ds, "H23", "BR", 1, 1);
    located(ds, "H24", 15, 15);                      // inside B1
    test::household(ds, "H25", "B1", 1, 1);          // B1 by id after B1 by coordinates
    located(ds, "H26", 33, 20);                      // 3 m east of B1
    located(ds, "H27", 500, 500);                    // near nothing
    test::household(ds, "H28", "B3", 1, 1);
    test::household(ds, "H3", "B3", 1, 1);           // duplicate of a row far above
    test::household(ds, "H7", "B1", 1, 1);           // duplicate of the blank-building row: still a duplicate
    test::household(ds, "H29", "B4", 1, 1);          // outside every grid, and B4 has no units
    test::household(ds, "H30", "B4", std::nullopt, 1);
    test::household(ds, "H24", "", std::nullopt, 1);  // duplicate of a row placed by coordinates
    ds.households.back().location = geo::Point{15, 15};
    return ds;
}

TEST(HouseholdAssignmentThreads, SameAsTheReferenceWhateverTheThreadCount) {
    const Dataset ds = mixed_roster();
    Diagnostics diag;
    const hierarchy::GridTree tree = hierarchy::build_grid_tree(ds, diag);
    const AssignmentResult want = reference_assignment(ds, tree, {});
    for (unsigned threads : {1u, 2u, 3u, 4u, 7u, 0u, 100u})
        expect_same(assign_households(ds, tree, {}, threads), want, std::to_string(threads) + " threads");
}

TEST(HouseholdAssignmentThreads, TheMixedRosterByHand) {
    const Dataset ds = mixed_roster();
    Diagnostics diag;
    const hierarchy::GridTree tree = hierarchy::build_grid_tree(ds, diag);
    const AssignmentResult r = assign_households(ds, tree, {}, 3);
    const auto row = [&](std::size_t n) -> const HouseholdPlacement& { return r.households[n - 1]; };   // 1-based
    ASSERT_EQ(r.households.size(), 37u);
    EXPECT_EQ(row(14).unit_reason, Reason::unknown_unit);              // H13: B1 unit 3
    EXPECT_EQ(row(14).building, BuildingId{std::size_t{0}});
    EXPECT_EQ(row(15).unit_reason, Reason::no_unit_given);             // H14
    EXPECT_EQ(row(16).building_reason, Reason::duplicate_household_id);  // H14 again
    EXPECT_EQ(row(17).building_reason, Reason::unknown_building);      // B9
    EXPECT_EQ(row(18).building_reason, Reason::unknown_building);      // B9 right after B9
    EXPECT_EQ(row(19).building_reason, Reason::assigned);              // B2 between two B9
    EXPECT_EQ(row(20).building_reason, Reason::unknown_building);
    EXPECT_EQ(row(21).unit_reason, Reason::unknown_unit);              // B2 unit 2
    EXPECT_EQ(row(22).building_reason, Reason::assigned);              // empty ids are never duplicates
    EXPECT_EQ(row(23).building_reason, Reason::assigned);
    EXPECT_EQ(row(24).building_reason, Reason::missing_building_ref);
    EXPECT_EQ(row(25).building_reason, Reason::ambiguous_building);
    EXPECT_EQ(row(26).building_reason, Reason::rejected_building);
    EXPECT_EQ(row(27).building_reason, Reason::rejected_building);
    EXPECT_EQ(row(28).placed_by, PlacedBy::point_in_building);
    EXPECT_EQ(row(28).unit_reason, Reason::no_unit_given);
    EXPECT_EQ(row(29).placed_by, PlacedBy::building_id);
    EXPECT_EQ(row(30).placed_by, PlacedBy::nearest_building);
    EXPECT_DOUBLE_EQ(row(30).distance_m, 3.0);
    EXPECT_EQ(row(31).building_reason, Reason::no_building_at_location);
    EXPECT_EQ(row(33).building_reason, Reason::duplicate_household_id);  // H3, first in row 3
    EXPECT_EQ(row(34).building_reason, Reason::duplicate_household_id);  // H7, first in row 7 (blank building)
    EXPECT_EQ(row(35).unit_reason, Reason::unknown_unit);                // B4 has no units
    EXPECT_EQ(row(35).grid_reasons, (std::vector<Reason>{Reason::outside_grids, Reason::outside_grids}));
    EXPECT_EQ(row(37).building_reason, Reason::duplicate_household_id);  // H24, first placed by coordinates
    EXPECT_EQ(row(37).placed_by, PlacedBy::none);
    // Building level: 11 tiny-world rows (6 assigned) + 26 more, of which 14 are assigned:
    // H11 H12 H13 H14, H17 H19, the two empty ids, H24 H25 H26, H28, H29 H30.
    const LevelConservation& building = r.conservation[1];
    EXPECT_EQ(building.roster, 37u);
    EXPECT_EQ(building.assigned, 20u);
    EXPECT_EQ(building.unassigned_by_reason.at("duplicate_household_id"), 5u);   // H1, H14, H3, H7, H24
    EXPECT_EQ(building.unassigned_by_reason.at("unknown_building"), 4u);         // H6, H15, H16, H18
    EXPECT_EQ(r.placed_by.at("point_in_building"), 1u);
    EXPECT_EQ(r.placed_by.at("nearest_building"), 1u);
    EXPECT_EQ(r.placed_by.at("building_id"), 18u);
    EXPECT_EQ(r.placed_by.at("not_placed"), 17u);
    EXPECT_TRUE(r.balanced());
}

// More levels than a placement holds inline: the values move to the heap, and nothing else changes.
TEST(HouseholdAssignmentThreads, ManyLevels) {
    Dataset ds = mixed_roster();
    ds.grids.clear();
    ds.levels.clear();
    for (int l = 0; l < 6; ++l) {
        ds.levels.push_back({"l" + std::to_string(l), "第" + std::to_string(l) + "级"});
        // Level l: a west and an east half, the east one shrinking so that B3 and B2 drop out at deeper levels.
        test::grid(ds, l, "W" + std::to_string(l), l ? "W" + std::to_string(l - 1) : "", test::rect(0, 0, 100, 100));
        test::grid(ds, l, "E" + std::to_string(l), l ? "E" + std::to_string(l - 1) : "", test::rect(100, 0, 200 - 5.0 * l, 100));
    }
    Diagnostics diag;
    const hierarchy::GridTree tree = hierarchy::build_grid_tree(ds, diag);
    const AssignmentResult want = reference_assignment(ds, tree, {});
    ASSERT_EQ(want.households[0].grids.size(), 6u);
    EXPECT_EQ(ds.grid(want.households[0].grids[5]).code, "W5");
    for (unsigned threads : {1u, 2u, 5u})
        expect_same(assign_households(ds, tree, {}, threads), want, std::to_string(threads) + " threads, 6 levels");
}

// The grid tree that assignment reads is the same built on one thread or several (each with its own GEOS context).
// (Belongs with the hierarchy tests; kept here beside the assignment that depends on it.)
TEST(HouseholdAssignmentThreads, GridTreeIsTheSameOnAnyNumberOfThreads) {
    const Dataset ds = mixed_roster();
    Diagnostics one_diag;
    const hierarchy::GridTree one = hierarchy::build_grid_tree(ds, one_diag, 1);
    EXPECT_EQ(ds.grid(one.grid_of(BuildingId{std::size_t{2}}, 1)).code, "G2");   // B3 straddles: G2 by largest share
    EXPECT_EQ(one.straddling_buildings, 1u);
    for (unsigned threads : {2u, 4u, 6u, 0u}) {
        Diagnostics diag;
        const hierarchy::GridTree t = hierarchy::build_grid_tree(ds, diag, threads);
        EXPECT_EQ(t.parent, one.parent) << threads;
        EXPECT_EQ(t.children, one.children) << threads;
        EXPECT_EQ(t.building_grid, one.building_grid) << threads;
        EXPECT_EQ(t.building_share, one.building_share) << threads;
        EXPECT_EQ(t.straddling_buildings, one.straddling_buildings) << threads;
        EXPECT_EQ(diag.items().size(), one_diag.items().size()) << threads;
    }
}

// --- LevelValues ------------------------------------------------------------------------------------------------

TEST(LevelValues, ReadsLikeAVectorInlineAndOnTheHeap) {
    using V = LevelValues<int, 3>;
    V v;
    EXPECT_TRUE(v.empty());
    v.assign(2, 7);
    EXPECT_EQ(v, (std::vector<int>{7, 7}));
    v[1] = 8;
    v.assign(5, 1);                                  // inline → heap
    EXPECT_EQ(v, (std::vector<int>{1, 1, 1, 1, 1}));
    v[4] = 9;
    V copy = v;                                      // heap copy is its own
    copy[0] = 2;
    EXPECT_EQ(v, (std::vector<int>{1, 1, 1, 1, 9}));
    EXPECT_EQ(copy, (std::vector<int>{2, 1, 1, 1, 9}));
    V moved = std::move(copy);
    EXPECT_EQ(moved, (std::vector<int>{2, 1, 1, 1, 9}));
    EXPECT_TRUE(copy.empty());   // NOLINT(bugprone-use-after-move): a moved-from LevelValues is empty
    v.assign(1, v[4]);                               // heap → inline, from its own value
    EXPECT_EQ(v, (std::vector<int>{9}));
    moved = moved;                                   // self-assignment keeps the values
    EXPECT_EQ(moved, (std::vector<int>{2, 1, 1, 1, 9}));
    moved.assign(moved.begin() + 1, moved.end());    // from its own values, heap → heap
    EXPECT_EQ(moved, (std::vector<int>{1, 1, 1, 9}));
    moved.assign(moved.begin() + 2, moved.end());    // heap → inline
    EXPECT_EQ(moved, (std::vector<int>{1, 9}));
    std::vector<int> seen;
    for (int x : moved) seen.push_back(x);
    EXPECT_EQ(seen, (std::vector<int>{1, 9}));
    EXPECT_FALSE(moved == (std::vector<int>{1, 9, 0}));
    V a{1, 2, 3, 4}, b{1, 2, 3, 4};
    EXPECT_TRUE(a == b);
    a = V{5};                                        // heap → inline by move
    EXPECT_EQ(a, (std::vector<int>{5}));
    b = std::move(a);
    EXPECT_EQ(b, (std::vector<int>{5}));
    std::vector<int> many(300, 1);
    EXPECT_THROW(b.assign(many.begin(), many.end()), std::length_error);   // the size is one byte
    EXPECT_EQ(b, (std::vector<int>{5}));
}

TEST(LevelValues, HouseholdPlacementStaysCompact) {
    // A run holds one placement per household: a million of them must not grow unnoticed.
    EXPECT_EQ(sizeof(LevelGrids), 24u);
    EXPECT_EQ(sizeof(LevelReasons), 16u);
    EXPECT_LE(sizeof(HouseholdPlacement), 64u);
    EXPECT_LE(sizeof(Household), 112u);
}

}  // namespace
}  // namespace gridatlas::assign
