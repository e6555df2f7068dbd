// Organisation rules on hand-set tallies, each threshold tested at and around its boundary:
//
//   community C1 = (0,0)–(400,100) with grids A B C D, each 100 m wide, in a row (A|B|C|D);
//   community C2 = (400,0)–(500,100) with grid E, touching D but under another parent.
// The tallies are written by hand (check_organisation reads only them and the grid polygons), so every number below
// is the one the test means.
#include "assign/organisation_rules.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "../tiny_world.hpp"

namespace gridatlas::assign {
namespace {

enum : std::size_t { C1 = 0, C2 = 1, A = 2, B = 3, C = 4, D = 5, E = 6 };

struct Row {
    Dataset ds;
    Diagnostics diag;
    hierarchy::GridTree tree;
    Statistics stats;
    Row() {
        ds.levels = {{"community", "社区"}, {"grid", "网格"}};
        test::grid(ds, 0, "C1", "", test::rect(0, 0, 400, 100));
        test::grid(ds, 0, "C2", "", test::rect(400, 0, 500, 100));
        test::grid(ds, 1, "A", "C1", test::rect(0, 0, 100, 100));
        test::grid(ds, 1, "B", "C1", test::rect(100, 0, 200, 100));
        test::grid(ds, 1, "C", "C1", test::rect(200, 0, 300, 100));
        test::grid(ds, 1, "D", "C1", test::rect(300, 0, 400, 100));
        test::grid(ds, 1, "E", "C2", test::rect(400, 0, 500, 100));
        ds.index_buildings();
        tree = hierarchy::build_grid_tree(ds, diag);
        stats.grids.resize(ds.grids.size());
    }
    Tally& at(std::size_t g) { return stats.grids[g].people; }
    void households(std::size_t g, std::size_t n) { at(g).households = n; }
    OrganisationReport check(const OrganisationRules& rules = {}) const {
        return check_organisation(ds, tree, stats, rules);
    }
};

std::vector<std::pair<std::size_t, std::size_t>> breaches(const OrganisationReport& r, const std::string& key) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    const RuleCheck* rule = r.rule(key);
    EXPECT_NE(rule, nullptr) << key;
    if (rule)
        for (const auto& b : rule->breaches) out.push_back({b.grid.index(), b.value});
    return out;
}

using Pairs = std::vector<std::pair<std::size_t, std::size_t>>;

TEST(OrganisationRules, EveryRuleIsListedWithItsThreshold) {
    Row w;
    const auto r = w.check();
    const std::vector<std::string> keys{"standalone_organisation", "party_branch", "cadre_staffing",
                                        "community_size", "grid_size", "central_household"};
    ASSERT_EQ(r.rules.size(), keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EXPECT_EQ(r.rules[i].key, keys[i]);
        EXPECT_FALSE(r.rules[i].name_zh.empty());
        EXPECT_FALSE(r.rules[i].name_en.empty());
    }
    EXPECT_EQ(r.rule("standalone_organisation")->threshold, "households ≥ 300");
    EXPECT_EQ(r.rule("community_size")->threshold, "households ≤ 3000 per community");
    EXPECT_EQ(r.rule("grid_size")->threshold, "300 ≤ households ≤ 500 per grid");
    EXPECT_EQ(r.rule("nonsense"), nullptr);
    // Thresholds follow the rules in force.
    OrganisationRules custom;
    custom.standalone_min_households = 200;
    EXPECT_EQ(w.check(custom).rule("standalone_organisation")->threshold, "households ≥ 200");
}

TEST(OrganisationRules, StandaloneAtAndAroundThreeHundredHouseholds) {
    Row w;
    w.households(A, 299);
    w.households(B, 300);
    w.households(C, 301);
    w.households(D, 0);
    w.households(E, 299);
    for (std::size_t g : {C1, C2}) w.households(g, 5000);
    const auto r = w.check();
    EXPECT_EQ(r.grids[A].form, OrganisationForm::joint);
    EXPECT_EQ(r.grids[B].form, OrganisationForm::standalone);
    EXPECT_EQ(r.grids[C].form, OrganisationForm::standalone);
    EXPECT_EQ(r.grids[E].form, OrganisationForm::instructor);   // alone under C2; D touches it but has another parent
    EXPECT_EQ(breaches(r, "standalone_organisation"), (Pairs{{A, 299}, {D, 0}, {E, 299}}));
}

TEST(OrganisationRules, JointPartnerIsTheSmallestAdjacentSiblingThatSuffices) {
    Row w;
    w.households(A, 100);
    w.households(B, 250);
    w.households(C, 150);
    w.households(D, 299);
    w.households(E, 50);
    w.households(C1, 799);
    w.households(C2, 50);
    const auto r = w.check();
    // A: only B touches it, 100 + 250 = 350.
    EXPECT_EQ(r.grids[A].form, OrganisationForm::joint);
    EXPECT_EQ(r.grids[A].joint_with, GridId{std::size_t{B}});
    EXPECT_EQ(r.grids[A].joint_households, 350u);
    // B: both A (350) and C (400) suffice; A is the smaller partner.
    EXPECT_EQ(r.grids[B].joint_with, GridId{std::size_t{A}});
    // C: B (400) and D (449) suffice; B is smaller.
    EXPECT_EQ(r.grids[C].joint_with, GridId{std::size_t{B}});
    // D: C only (E has another parent), 299 + 150.
    EXPECT_EQ(r.grids[D].joint_with, GridId{std::size_t{C}});
    EXPECT_EQ(r.grids[D].joint_households, 449u);
    // E: no sibling at all.
    EXPECT_EQ(r.grids[E].form, OrganisationForm::instructor);
    EXPECT_FALSE(r.grids[E].joint_with.valid());
    // Top-level grids are siblings: C2 (50) joins C1 (799).
    EXPECT_EQ(r.grids[C2].form, OrganisationForm::joint);
    EXPECT_EQ(r.grids[C2].joint_with, GridId{std::size_t{C1}});
}

TEST(OrganisationRules, JointNeedsTheSumToReachThreeHundred) {
    Row w;
    w.households(A, 100);   // only neighbour: B
    w.households(B, 199);   // 100 + 199 = 299: not enough
    w.households(C, 0);
    w.households(D, 0);
    auto r = w.check();
    EXPECT_EQ(r.grids[A].form, OrganisationForm::instructor);
    w.households(B, 200);   // 100 + 200 = 300: enough
    r = w.check();
    EXPECT_EQ(r.grids[A].form, OrganisationForm::joint);
    EXPECT_EQ(r.grids[A].joint_households, 300u);
}

TEST(OrganisationRules, OrganisationTypeByPartyMembers) {
    EXPECT_EQ(organisation_type(0), OrganisationType::party_group);
    EXPECT_EQ(organisation_type(2), OrganisationType::party_group);
    EXPECT_EQ(organisation_type(3), OrganisationType::branch);
    EXPECT_EQ(organisation_type(49), OrganisationType::branch);
    EXPECT_EQ(organisation_type(50), OrganisationType::general_branch);
    EXPECT_EQ(organisation_type(99), OrganisationType::general_branch);
    EXPECT_EQ(organisation_type(100), OrganisationType::committee);
    EXPECT_STREQ(to_string(OrganisationType::general_branch), "general_branch");

    Row w;
    w.at(A).party_members = 2;
    w.at(B).party_members = 3;
    w.at(C).party_members = 50;
    w.at(D).party_members = 100;
    w.at(E).party_members = 0;
    w.at(C1).party_members = 155;
    w.at(C2).party_members = 0;
    const auto r = w.check();
    EXPECT_EQ(r.grids[A].type, OrganisationType::party_group);
    EXPECT_EQ(r.grids[B].type, OrganisationType::branch);
    EXPECT_EQ(r.grids[C].type, OrganisationType::general_branch);
    EXPECT_EQ(r.grids[D].type, OrganisationType::committee);
    EXPECT_EQ(r.grids[C1].type, OrganisationType::committee);
    // Grids that cannot form a branch, communities first (level order).
    EXPECT_EQ(breaches(r, "party_branch"), (Pairs{{C2, 0}, {A, 2}, {E, 0}}));
}

TEST(OrganisationRules, CadresByPersons) {
    EXPECT_EQ(required_cadres(0), 2);
    EXPECT_EQ(required_cadres(999), 2);
    EXPECT_EQ(required_cadres(1000), 3);
    EXPECT_EQ(required_cadres(1999), 3);
    EXPECT_EQ(required_cadres(2000), 5);
    Row w;
    w.at(A).persons = 999;
    w.at(B).persons = 1000;
    w.at(C).persons = 1999;
    w.at(D).persons = 2000;
    const auto r = w.check();
    EXPECT_EQ(r.grids[A].required_cadres, 2);
    EXPECT_EQ(r.grids[B].required_cadres, 3);
    EXPECT_EQ(r.grids[C].required_cadres, 3);
    EXPECT_EQ(r.grids[D].required_cadres, 5);
    EXPECT_TRUE(r.rule("cadre_staffing")->breaches.empty());   // a requirement: staffing is not in the data
    EXPECT_FALSE(r.rule("cadre_staffing")->note.empty());
}

TEST(OrganisationRules, CommunityCapAtThreeThousandHouseholds) {
    Row w;
    w.households(C1, 3000);
    w.households(C2, 3001);
    w.households(A, 3500);   // a finest-level grid over 3000 is not a community
    auto r = w.check();
    EXPECT_EQ(breaches(r, "community_size"), (Pairs{{C2, 3001}}));
    // The cap can be moved to another level by key.
    OrganisationRules rules;
    rules.community_level = "grid";
    r = w.check(rules);
    EXPECT_EQ(breaches(r, "community_size"), (Pairs{{A, 3500}}));
    rules.community_level = "street";
    EXPECT_THROW(w.check(rules), std::invalid_argument);
}

TEST(OrganisationRules, GridSizeRangeThreeToFiveHundred) {
    Row w;
    w.households(A, 299);
    w.households(B, 300);
    w.households(C, 500);
    w.households(D, 501);
    w.households(E, 400);
    w.households(C1, 100);   // communities are not checked against the grid range
    const auto r = w.check();
    EXPECT_EQ(breaches(r, "grid_size"), (Pairs{{A, 299}, {D, 501}}));
}

TEST(OrganisationRules, BuildingsWithoutPartyHouseholdsCannotHaveACentralHousehold) {
    const Dataset ds = test::tiny_world();
    Diagnostics diag;
    const auto tree = hierarchy::build_grid_tree(ds, diag);
    const auto assignment = assign_households(ds, tree);
    const auto stats = compute_statistics(ds, tree, assignment, access::AccessResult{});
    const auto r = check_organisation(ds, tree, stats);
    const auto& b = r.rule("central_household")->breaches;
    // B1 has H1 and B2 has H3 (party households); B3 holds H4 and H5, B4 holds H8, none of them party households.
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(ds.building(b[0].building).source_id, "B3");
    EXPECT_EQ(b[0].value, 2u);
    EXPECT_EQ(ds.grid(b[0].grid).code, "G2");
    EXPECT_EQ(ds.building(b[1].building).source_id, "B4");
    EXPECT_EQ(b[1].value, 1u);
    EXPECT_FALSE(b[1].grid.valid());   // B4 lies in no grid
    // Tallies come through from the statistics.
    EXPECT_EQ(r.grids[0].households, 5u);
    EXPECT_EQ(r.grids[0].party_members, 3u);
    EXPECT_EQ(r.grids[0].type, OrganisationType::branch);
}

}  // namespace
}  // namespace gridatlas::assign
