// Checked whole-number parsing (layers/whole_numbers): every value is a whole number in range or a stated reason.
#include "whole_numbers.hpp"

#include <gtest/gtest.h>

using namespace gridatlas::layers;

TEST(WholeNumbers, WholeNumbersAsSpreadsheetsWriteThem) {
    EXPECT_EQ(parse_whole_number("3").value, 3);
    EXPECT_EQ(parse_whole_number(" 3 ").value, 3);
    EXPECT_EQ(parse_whole_number("3.0").value, 3);
    EXPECT_EQ(parse_whole_number("+7").value, 7);
    EXPECT_EQ(parse_whole_number("-2").value, -2);
    EXPECT_EQ(parse_whole_number("2147483647").value, 2147483647);
    EXPECT_EQ(parse_whole_number("1e2").value, 100);
    EXPECT_EQ(parse_whole_number("3").status, WholeNumberStatus::ok);
}

TEST(WholeNumbers, BlankIsMissingNotAnError) {
    EXPECT_EQ(parse_whole_number("").status, WholeNumberStatus::blank);
    EXPECT_EQ(parse_whole_number("  \t").status, WholeNumberStatus::blank);
    EXPECT_FALSE(parse_whole_number("").value);
    EXPECT_EQ(describe(WholeNumberStatus::blank), "");
}

TEST(WholeNumbers, NothingIsWrappedTruncatedOrFloored) {
    // The old reader cast a double: "1e10" became -2147483648 and "3.5" became 3.
    EXPECT_EQ(parse_whole_number("1e10").status, WholeNumberStatus::out_of_range);
    EXPECT_EQ(parse_whole_number("2147483648").status, WholeNumberStatus::out_of_range);
    EXPECT_EQ(parse_whole_number("1e400").status, WholeNumberStatus::out_of_range);
    EXPECT_EQ(parse_whole_number("-1e300").status, WholeNumberStatus::out_of_range);
    EXPECT_EQ(parse_whole_number("3.5").status, WholeNumberStatus::fraction);
    EXPECT_EQ(parse_whole_number("0.1").status, WholeNumberStatus::fraction);
    EXPECT_EQ(parse_whole_number("-1", 0).status, WholeNumberStatus::out_of_range);
    EXPECT_EQ(parse_whole_number("0", 1).status, WholeNumberStatus::out_of_range);
    for (const char* s : {"3a", "inf", "nan", "-inf", "0x10", "三", "1,000", "+", "."})
        EXPECT_EQ(parse_whole_number(s).status, WholeNumberStatus::not_a_number) << s;
    for (const char* s : {"1e10", "3.5", "abc"}) EXPECT_FALSE(parse_whole_number(s).value) << s;
}

TEST(WholeNumbers, ReasonsSayWhatIsWrong) {
    EXPECT_EQ(describe(WholeNumberStatus::not_a_number), "is not a number");
    EXPECT_EQ(describe(WholeNumberStatus::fraction), "is not a whole number (it has a fraction)");
    EXPECT_EQ(describe(WholeNumberStatus::out_of_range, 0, 10), "is out of range (allowed: 0 … 10)");
}
