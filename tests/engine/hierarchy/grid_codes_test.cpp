// Grid codes: uniqueness, consistency with the parent's code, and generation of missing codes in reading order
// (west→east, north→south), on hand-made hierarchies.
#include "hierarchy/grid_codes.hpp"

#include <gtest/gtest.h>

#include "../tiny_world.hpp"

namespace gridatlas::hierarchy {
namespace {

using test::rect;

Dataset two_levels() {
    Dataset ds;
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    return ds;
}

std::size_t count(const CodeReport& r, CodeIssueKind kind) {
    std::size_t n = 0;
    for (const auto& i : r.issues) n += i.kind == kind;
    return n;
}

const CodeIssue* first(const CodeReport& r, CodeIssueKind kind) {
    for (const auto& i : r.issues)
        if (i.kind == kind) return &i;
    return nullptr;
}

CodeReport run(const Dataset& ds, const CodeOptions& options = {}) {
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    return check_codes(ds, tree, options);
}

TEST(GridCodes, WellFormedHierarchicalCodesPass) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "110101001001", "", rect(0, 0, 200, 100));
    test::grid(ds, 1, "110101001001001", "", rect(0, 0, 100, 100));
    test::grid(ds, 1, "110101001001002", "", rect(100, 0, 200, 100));
    const auto r = run(ds);
    EXPECT_TRUE(r.issues.empty());
    EXPECT_EQ(r.flagged(), 0u);
    EXPECT_EQ(r.codes[1], "110101001001001");
    EXPECT_TRUE(r.hierarchical[1]);
    EXPECT_FALSE(r.generated[1]);
}

TEST(GridCodes, DuplicateCodeWithinALevelIsFlagged) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "C1", "", rect(0, 0, 300, 100));
    test::grid(ds, 1, "C1001", "", rect(0, 0, 100, 100));
    test::grid(ds, 1, "C1002", "", rect(100, 0, 200, 100));
    test::grid(ds, 1, "C1002", "", rect(200, 0, 300, 100));
    const auto r = run(ds);
    ASSERT_EQ(count(r, CodeIssueKind::duplicate_code), 1u);
    const auto* d = first(r, CodeIssueKind::duplicate_code);
    EXPECT_TRUE(d->flagged);
    EXPECT_EQ(d->grid, GridId{std::size_t{3}});
    EXPECT_EQ(d->other, GridId{std::size_t{2}});
    EXPECT_NE(d->message.find("'C1002'"), std::string::npos) << d->message;
    // The same code at two different levels is not a duplicate.
    Dataset ds2 = two_levels();
    test::grid(ds2, 0, "X", "", rect(0, 0, 100, 100));
    test::grid(ds2, 1, "X", "", rect(0, 0, 100, 100));
    EXPECT_EQ(count(run(ds2), CodeIssueKind::duplicate_code), 0u);
}

TEST(GridCodes, ChildCodeNotUnderItsParentIsFlaggedWhereTheSchemeIsHierarchical) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "C1", "", rect(0, 0, 400, 100));
    test::grid(ds, 1, "C1001", "", rect(0, 0, 100, 100));
    test::grid(ds, 1, "C1002", "", rect(100, 0, 200, 100));
    test::grid(ds, 1, "C1003", "", rect(200, 0, 300, 100));
    test::grid(ds, 1, "C2004", "", rect(300, 0, 400, 100));   // not under C1
    const auto r = run(ds);
    EXPECT_TRUE(r.hierarchical[1]);
    ASSERT_EQ(count(r, CodeIssueKind::not_under_parent), 1u);
    const auto* i = first(r, CodeIssueKind::not_under_parent);
    EXPECT_TRUE(i->flagged);
    EXPECT_EQ(i->grid, GridId{std::size_t{4}});
    EXPECT_EQ(i->other, GridId{std::size_t{0}});
    EXPECT_NE(i->message.find("'C2004'"), std::string::npos) << i->message;
    EXPECT_NE(i->message.find("3 of 4"), std::string::npos) << i->message;
}

TEST(GridCodes, FlatSchemeIsNotedNotFlagged) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "东华门", "", rect(0, 0, 300, 100));
    test::grid(ds, 1, "A", "", rect(0, 0, 100, 100));
    test::grid(ds, 1, "B", "", rect(100, 0, 200, 100));
    test::grid(ds, 1, "C", "", rect(200, 0, 300, 100));
    const auto r = run(ds);
    EXPECT_FALSE(r.hierarchical[1]);
    EXPECT_EQ(count(r, CodeIssueKind::flat_level), 1u);
    EXPECT_EQ(r.flagged(), 0u);
}

// Four grids of one community without codes, created out of order: NW, NE (600 m north), SW, SE.
TEST(GridCodes, GeneratedCodesRunWestToEastThenNorthToSouth) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "110101001001", "", rect(0, 0, 300, 700));
    test::grid(ds, 1, "grid-fid1", "", rect(200, 0, 300, 100));     // SE
    test::grid(ds, 1, "grid-fid2", "", rect(0, 600, 100, 700));     // NW
    test::grid(ds, 1, "grid-fid3", "", rect(0, 0, 100, 100));       // SW
    test::grid(ds, 1, "grid-fid4", "", rect(200, 600, 300, 700));   // NE
    const auto r = run(ds);
    EXPECT_EQ(r.codes[2], "110101001001001");   // NW
    EXPECT_EQ(r.codes[4], "110101001001002");   // NE
    EXPECT_EQ(r.codes[3], "110101001001003");   // SW
    EXPECT_EQ(r.codes[1], "110101001001004");   // SE
    EXPECT_EQ(count(r, CodeIssueKind::generated_code), 4u);
    EXPECT_EQ(r.flagged(), 0u);
    EXPECT_TRUE(r.generated[1]);
    EXPECT_FALSE(r.generated[0]);
}

TEST(GridCodes, GenerationSkipsSerialsInUseAndFollowsTheirWidth) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "C7", "", rect(0, 0, 400, 100));
    test::grid(ds, 1, "C702", "", rect(0, 0, 100, 100));        // two-digit serials, 2 taken
    test::grid(ds, 1, "grid-fid2", "", rect(100, 0, 200, 100));
    test::grid(ds, 1, "grid-fid3", "", rect(200, 0, 300, 100));
    test::grid(ds, 1, "grid-fid4", "", rect(300, 0, 400, 100));
    const auto r = run(ds);
    EXPECT_EQ(r.codes[2], "C701");
    EXPECT_EQ(r.codes[3], "C703");
    EXPECT_EQ(r.codes[4], "C704");
}

TEST(GridCodes, TopLevelPrefixGivenOrInferred) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "community-fid1", "", rect(1000, 0, 1100, 100));   // east
    test::grid(ds, 0, "community-fid2", "", rect(0, 0, 100, 100));       // west
    test::grid(ds, 1, "grid-fid3", "", rect(0, 0, 100, 100));
    CodeOptions options;
    options.top_prefix = "110101001";
    const auto r = run(ds, options);
    EXPECT_EQ(r.codes[1], "110101001001");
    EXPECT_EQ(r.codes[0], "110101001002");
    EXPECT_EQ(r.codes[2], "110101001001001");   // built on its parent's generated code
    EXPECT_EQ(count(r, CodeIssueKind::no_prefix), 0u);

    Dataset inferred = two_levels();
    test::grid(inferred, 0, "110101001001", "", rect(0, 0, 100, 100));
    test::grid(inferred, 0, "110101001002", "", rect(100, 0, 200, 100));
    test::grid(inferred, 0, "community-fid3", "", rect(200, 0, 300, 100));
    test::grid(inferred, 1, "110101001001001", "", rect(0, 0, 100, 100));
    EXPECT_EQ(run(inferred).codes[2], "110101001003");

    Dataset bare = two_levels();
    test::grid(bare, 0, "community-fid1", "", rect(0, 0, 100, 100));
    test::grid(bare, 1, "grid-fid2", "", rect(0, 0, 100, 100));
    const auto b = run(bare);
    EXPECT_EQ(b.codes[0], "001");
    EXPECT_EQ(b.codes[1], "001001");
    EXPECT_EQ(count(b, CodeIssueKind::no_prefix), 1u);
}

TEST(GridCodes, OrphanWithoutCodeGetsNoneAndIsFlagged) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "C1", "", rect(0, 0, 100, 100));
    test::grid(ds, 1, "grid-fid9", "", rect(500, 500, 600, 600));
    const auto r = run(ds);
    EXPECT_EQ(count(r, CodeIssueKind::not_generated), 1u);
    EXPECT_EQ(r.codes[1], "grid-fid9");
    EXPECT_FALSE(r.generated[1]);
    EXPECT_EQ(r.flagged(), 1u);
}

TEST(GridCodes, SerialsWidenWhenTheWidthIsTooSmall) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "C", "", rect(0, 0, 1200, 100));
    for (int i = 0; i < 12; ++i)
        test::grid(ds, 1, "grid-fid" + std::to_string(i), "", rect(i * 100.0, 0, i * 100.0 + 100, 100));
    CodeOptions options;
    options.serial_width = 1;
    const auto r = run(ds, options);
    EXPECT_EQ(r.codes[1], "C01");
    EXPECT_EQ(r.codes[12], "C12");
    EXPECT_EQ(count(r, CodeIssueKind::widened_serial), 1u);
}

TEST(GridCodes, PlaceholderCodesAreRecognised) {
    Dataset ds = two_levels();
    test::grid(ds, 1, "grid-fid12", "", rect(0, 0, 1, 1));
    test::grid(ds, 1, "grid-fidx", "", rect(0, 0, 1, 1));
    test::grid(ds, 0, "grid-fid3", "", rect(0, 0, 1, 1));   // another level's key
    EXPECT_TRUE(is_placeholder_code(ds, ds.grids[0]));
    EXPECT_FALSE(is_placeholder_code(ds, ds.grids[1]));
    EXPECT_FALSE(is_placeholder_code(ds, ds.grids[2]));
}

TEST(GridCodes, BadOptionsAreRejected) {
    Dataset ds = two_levels();
    test::grid(ds, 0, "C", "", rect(0, 0, 1, 1));
    Diagnostics diag;
    const GridTree tree = build_grid_tree(ds, diag);
    CodeOptions options;
    options.serial_width = 0;
    EXPECT_THROW(check_codes(ds, tree, options), std::invalid_argument);
    EXPECT_THROW(check_codes(ds, tree, {}, {true, false}), std::invalid_argument);
}

}  // namespace
}  // namespace gridatlas::hierarchy
