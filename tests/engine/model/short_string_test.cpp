// ShortString: inline up to 15 bytes, one heap block beyond, and reads, compares and converts like a std::string.
#include "model/short_string.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <unordered_set>
#include <utility>

namespace gridatlas {
namespace {

TEST(ShortString, HoldsUpToFifteenBytesInlineAndLongerTextOnTheHeap) {
    EXPECT_EQ(sizeof(ShortString), 16u);
    const ShortString empty;
    EXPECT_TRUE(empty.empty());
    EXPECT_STREQ(empty.c_str(), "");
    const ShortString fifteen("H000001-r12abcd");
    EXPECT_EQ(fifteen.size(), 15u);
    EXPECT_FALSE(fifteen.on_heap());
    EXPECT_STREQ(fifteen.c_str(), "H000001-r12abcd");
    const ShortString sixteen("H000001-r12abcde");
    EXPECT_TRUE(sixteen.on_heap());
    EXPECT_EQ(sixteen.view(), "H000001-r12abcde");
    EXPECT_STREQ(sixteen.c_str(), "H000001-r12abcde");
    const std::string chinese = "幸福小区3栋2单元502室";   // 31 bytes of UTF-8
    EXPECT_EQ(ShortString(chinese).str(), chinese);
    const std::string with_nul("a\0b", 3);
    EXPECT_EQ(ShortString(with_nul).size(), 3u);
    EXPECT_EQ(ShortString(with_nul), with_nul);
}

TEST(ShortString, CopiesMovesAndAssignsFromItsOwnText) {
    for (const std::string text : {"R393481", "a building id far longer than fifteen bytes"}) {
        ShortString a(text);
        ShortString copy = a;
        EXPECT_EQ(copy, text);
        EXPECT_NE(copy.data(), a.data());   // its own bytes
        ShortString moved = std::move(copy);
        EXPECT_EQ(moved, text);
        EXPECT_TRUE(copy.empty());   // NOLINT(bugprone-use-after-move): a moved-from ShortString is empty
        moved = moved;               // self-assignment keeps the text
        EXPECT_EQ(moved, text);
        moved = moved.view().substr(1);   // from its own bytes
        EXPECT_EQ(moved, text.substr(1));
        moved = "short";
        EXPECT_EQ(moved, "short");
        moved = std::string(40, 'x');
        EXPECT_EQ(moved.size(), 40u);
        moved.clear();
        EXPECT_TRUE(moved.empty());
    }
}

TEST(ShortString, ComparesHashesAndConvertsLikeAString) {
    const ShortString a("B2"), b("B10");
    EXPECT_TRUE(a == std::string("B2"));
    EXPECT_TRUE(std::string("B2") == a);
    EXPECT_TRUE(a == "B2");
    EXPECT_TRUE(a != b);
    EXPECT_TRUE(b < a);   // byte order, like std::string
    EXPECT_EQ(std::hash<ShortString>{}(a), std::hash<std::string_view>{}("B2"));
    std::unordered_set<ShortString> set{a, b, ShortString("B2")};
    EXPECT_EQ(set.size(), 2u);
    std::map<ShortString, int> map{{b, 1}, {a, 2}};
    EXPECT_EQ(map.begin()->first, "B10");
    const std::string s = a;
    EXPECT_EQ(s, "B2");
    EXPECT_EQ("户号 " + a, "户号 B2");
    EXPECT_EQ(a + "-r1", "B2-r1");
    std::ostringstream out;
    out << b;
    EXPECT_EQ(out.str(), "B10");
}

}  // namespace
}  // namespace gridatlas
