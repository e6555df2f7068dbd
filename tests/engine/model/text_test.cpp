// The one UTF-8 helper (engine/model/text.hpp): validation, replacement, decoding and terminal display width,
// on hand-written byte strings with hand-counted answers.
#include <gtest/gtest.h>

#include "model/text.hpp"

using namespace gridatlas::text;

TEST(Text, ValidatesUtf8AndFindsTheFirstBadByte) {
    EXPECT_TRUE(valid_utf8("网格 grid"));
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_EQ(first_invalid_utf8("ab\xC4\xE3"), std::optional<std::size_t>(2));   // GBK 你 is not UTF-8
    EXPECT_FALSE(valid_utf8("\xC0\xAF"));             // overlong '/'
    EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));         // a surrogate
    EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));     // above U+10FFFF
    EXPECT_FALSE(valid_utf8("\xE7\xBD"));             // truncated 网
}

TEST(Text, ReplacesEachBadByteWithOneReplacementCharacter) {
    std::size_t replaced = 0;
    EXPECT_EQ(sanitize_utf8("a\xC4\xE3z", &replaced), "a\xEF\xBF\xBD\xEF\xBF\xBDz");
    EXPECT_EQ(replaced, 2u);
    EXPECT_EQ(sanitize_utf8("社区", &replaced), "社区");
    EXPECT_EQ(replaced, 0u);
}

TEST(Text, DecodesAndEncodesCodePoints) {
    EXPECT_EQ(decode_utf8("a网😀"), (std::vector<char32_t>{U'a', U'网', U'😀'}));
    std::string out;
    for (char32_t cp : {U'a', U'网', U'😀', char32_t{0xD800}}) append_utf8(out, cp);
    EXPECT_EQ(out, "a网😀\xEF\xBF\xBD");
    std::size_t i = 0;
    EXPECT_EQ(next_code_point("\xFFx", i), U'\uFFFD');
    EXPECT_EQ(i, 1u);
}

TEST(Text, CountsTerminalColumns) {
    EXPECT_EQ(display_width("社区"), 4u);
    EXPECT_EQ(display_width("m²"), 2u);
    EXPECT_EQ(display_width("ＡＢ"), 4u);           // fullwidth forms
    EXPECT_EQ(display_width("e\xCC\x81"), 1u);      // e + combining acute
    EXPECT_EQ(display_width("한글"), 4u);
    EXPECT_EQ(display_width(U'😀'), 2);
    EXPECT_EQ(display_width("网格3"), 5u);
}
