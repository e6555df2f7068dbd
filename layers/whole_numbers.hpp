// Reading a layer's field as a whole number (floors, unit numbers, persons …) without silent conversions: "3",
// " 3 " and "3.0" (how spreadsheets write whole numbers) are 3; "3.5", "1e10", "3a", "inf" are not, and the caller is
// told which of these it was so that its warning can say what to fix.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace gridatlas::layers {

enum class WholeNumberStatus { ok, blank, not_a_number, fraction, out_of_range };

struct WholeNumber {
    WholeNumberStatus status = WholeNumberStatus::blank;
    std::optional<int> value;   // set only when status == ok
};

// Parses `text` (surrounding blanks ignored) as a whole number in [min, max].
WholeNumber parse_whole_number(std::string_view text, int min = -2147483647 - 1, int max = 2147483647);

// What is wrong, for a warning: "is not a number", "is not a whole number (it has a fraction)", "is out of range
// (allowed: 0 … 2147483647)". Empty for ok and blank.
std::string describe(WholeNumberStatus status, int min = -2147483647 - 1, int max = 2147483647);

}  // namespace gridatlas::layers
