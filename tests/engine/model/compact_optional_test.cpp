// OptionalInt and OptionalPoint: std::optional's reads in the size of the value, "none" kept in a value they never hold.
#include "model/compact_optional.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>

namespace gridatlas {
namespace {

TEST(CompactOptional, OptionalIntReadsLikeStdOptional) {
    EXPECT_EQ(sizeof(OptionalInt), 4u);
    OptionalInt none;
    EXPECT_FALSE(none.has_value());
    EXPECT_FALSE(none);
    EXPECT_EQ(none.value_or(7), 7);
    EXPECT_THROW((void)none.value(), std::bad_optional_access);
    EXPECT_TRUE(none == std::nullopt);
    OptionalInt zero = 0;
    EXPECT_TRUE(zero);
    EXPECT_EQ(*zero, 0);
    EXPECT_TRUE(zero == 0);
    EXPECT_FALSE(zero == none);
    OptionalInt from_std = std::optional<int>(12);
    EXPECT_EQ(from_std.value(), 12);
    const std::optional<int> back = from_std;
    EXPECT_EQ(back, 12);
    EXPECT_EQ(std::optional<int>(OptionalInt{}), std::nullopt);
    from_std = std::nullopt;
    EXPECT_FALSE(from_std);
    OptionalInt negative = -3;   // any value but INT_MIN is a value
    EXPECT_EQ(negative.value_or(0), -3);
    EXPECT_FALSE(OptionalInt(INT_MIN));   // the one value kept for "none"
}

TEST(CompactOptional, OptionalPointKeepsNoneInANanX) {
    EXPECT_EQ(sizeof(OptionalPoint), sizeof(geo::Point));
    OptionalPoint none;
    EXPECT_FALSE(none);
    OptionalPoint p = geo::Point(500000.5, 4649776.25);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->x(), 500000.5);
    EXPECT_EQ((*p).y(), 4649776.25);
    EXPECT_TRUE(p == geo::Point(500000.5, 4649776.25));
    EXPECT_FALSE(p == none);
    p.reset();
    EXPECT_TRUE(p == none);
    EXPECT_FALSE(OptionalPoint(geo::Point(std::nan(""), 1.0)));
}

}  // namespace
}  // namespace gridatlas
