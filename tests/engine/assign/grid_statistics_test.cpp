// Per-grid tallies and coverage on the tiny world with hand-set walking minutes.
#include "assign/grid_statistics.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "../tiny_world.hpp"

namespace gridatlas::assign {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

access::KindAccess kind(const std::string& key, double threshold, std::vector<double> minutes) {
    access::KindAccess k;
    k.kind = key;
    k.threshold_minutes = threshold;
    k.minutes = std::move(minutes);
    k.nearest.assign(k.minutes.size(), FacilityId{});
    k.reach.assign(k.minutes.size(), access::Reach::reached);
    return k;
}

TEST(GridStatistics, TalliesAndCoveragePerGrid) {
    const Dataset ds = test::tiny_world();
    Diagnostics diag;
    const auto tree = hierarchy::build_grid_tree(ds, diag);
    const auto assignment = assign_households(ds, tree);
    access::AccessResult access;
    //                      B1  B2  B3  B4   BX   BX
    access.kinds.push_back(kind("k1", 15, {5, 20, 10, inf, inf, inf}));
    access.kinds.push_back(kind("k2", 5, {5, 1, 6, inf, inf, inf}));
    const Statistics s = compute_statistics(ds, tree, assignment, access);

    const auto& g1 = s.grids[1];
    EXPECT_EQ(g1.people.households, 2u);   // H1 H2
    EXPECT_EQ(g1.people.persons, 5u);
    EXPECT_EQ(g1.people.party_households, 1u);
    EXPECT_EQ(g1.buildings, 1u);           // B1 (the BX buildings are not residential)
    const auto& g2 = s.grids[2];
    EXPECT_EQ(g2.people.households, 3u);   // H3 H4 H5
    EXPECT_EQ(g2.people.persons, 7u);
    EXPECT_EQ(g2.people.party_members, 2u);
    EXPECT_EQ(g2.buildings, 2u);           // B2 B3
    EXPECT_EQ(s.grids[0].people.households, 5u);
    EXPECT_EQ(s.grids[0].people.persons, 12u);

    EXPECT_EQ(g1.covered_households[0], 2u);   // B1 at 5 ≤ 15
    EXPECT_EQ(g2.covered_households[0], 2u);   // B3 at 10; B2 at 20 is a gap
    EXPECT_EQ(g2.covered_households[1], 1u);   // k2 ≤ 5: B2 only (H3); B3 at 6 is not
    // Complete circle counts only life-circle kinds (k1): H1 H2 H4 H5.
    EXPECT_EQ(s.grids[0].complete_circle_households, 4u);
    EXPECT_EQ(s.complete_circle_households, 4u);

    EXPECT_EQ(s.households_in_buildings, 6u);
    EXPECT_EQ(s.kinds[0].households, 6u);
    EXPECT_EQ(s.kinds[0].covered_households, 4u);
    EXPECT_NEAR(s.kinds[0].share(), 4.0 / 6.0, 1e-12);
    EXPECT_EQ(s.kinds[0].gap_buildings, 2u);   // B2 and B4
}

}  // namespace
}  // namespace gridatlas::assign
