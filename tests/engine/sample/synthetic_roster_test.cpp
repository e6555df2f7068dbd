// The synthetic roster: one row per estimated household, deterministic, party share near the target, faults listed.
#include "sample/synthetic_roster.hpp"

#include <gtest/gtest.h>

#include <set>

namespace gridatlas::sample {
namespace {

std::vector<DwellingBuilding> town() {
    std::vector<DwellingBuilding> b;
    for (int i = 0; i < 400; ++i) b.push_back({"B" + std::to_string(i), 2, 6, 2, 24});
    return b;
}

TEST(SyntheticRoster, OneRowPerHouseholdThenTheFaults) {
    const auto rows = synthesize_roster(town(), {});
    EXPECT_EQ(rows.size(), 400u * 24u + 6 + 4 + 5 + 3);
    EXPECT_EQ(rows.front().household_id, "H000001");
    EXPECT_EQ(rows.front().room, "101");
    EXPECT_EQ(rows[23].unit, "2");
    EXPECT_EQ(rows[23].floor, 6);
    EXPECT_EQ(rows[23].room, "602");
}

TEST(SyntheticRoster, Deterministic) {
    const auto a = synthesize_roster(town(), {});
    const auto b = synthesize_roster(town(), {});
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].head_name, b[i].head_name);
        EXPECT_EQ(a[i].phone, b[i].phone);
        EXPECT_EQ(a[i].persons, b[i].persons);
        EXPECT_EQ(a[i].party_members, b[i].party_members);
    }
}

TEST(SyntheticRoster, RealisticShares) {
    const auto rows = synthesize_roster(town(), {0.045, false});
    std::size_t party = 0, persons = 0;
    for (const auto& r : rows) {
        party += r.party_members > 0;
        persons += static_cast<std::size_t>(r.persons);
        EXPECT_GE(r.persons, 1);
        EXPECT_LE(r.persons, 5);
        EXPECT_EQ(r.phone.substr(0, 3), "199");
        EXPECT_EQ(r.phone.size(), 11u);
    }
    const double share = double(party) / double(rows.size());
    EXPECT_GT(share, 0.035);
    EXPECT_LT(share, 0.055);
    EXPECT_NEAR(double(persons) / double(rows.size()), 2.8, 0.1);
}

TEST(SyntheticRoster, FaultyRowsAreTheDocumentedKinds) {
    const auto rows = synthesize_roster(town(), {});
    const std::size_t clean = 400 * 24;
    std::size_t demolished = 0, blank = 0, bad_unit = 0;
    for (std::size_t i = clean; i < rows.size(); ++i) {
        demolished += rows[i].building_id.rfind("B-DEMOLISHED-", 0) == 0;
        blank += rows[i].building_id.empty();
        bad_unit += rows[i].unit == "9";
    }
    EXPECT_EQ(demolished, 6u);
    EXPECT_EQ(blank, 4u);
    EXPECT_EQ(bad_unit, 5u);
    std::set<std::string> ids;
    std::size_t repeated = 0;
    for (const auto& r : rows) repeated += !ids.insert(r.household_id).second;
    EXPECT_EQ(repeated, 3u);
}

}  // namespace
}  // namespace gridatlas::sample
