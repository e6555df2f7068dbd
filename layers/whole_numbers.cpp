// Checked whole-number parsing for layer fields (see whole_numbers.hpp): a value is a whole number in range or a
// stated reason, never a wrapped, truncated or floored integer.
#include "whole_numbers.hpp"

#include <charconv>
#include <cmath>

namespace gridatlas::layers {

WholeNumber parse_whole_number(std::string_view text, int min, int max) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {WholeNumberStatus::blank, std::nullopt};
    text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
    if (text.front() == '+') text.remove_prefix(1);
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ptr != text.data() + text.size() || text.empty()) return {WholeNumberStatus::not_a_number, std::nullopt};
    if (ec == std::errc::result_out_of_range) return {WholeNumberStatus::out_of_range, std::nullopt};
    if (ec != std::errc() || !std::isfinite(v)) return {WholeNumberStatus::not_a_number, std::nullopt};
    // The range check comes before the fraction check: 1e300 is "out of range", not a huge whole number.
    if (v < static_cast<double>(min) || v > static_cast<double>(max)) return {WholeNumberStatus::out_of_range, std::nullopt};
    if (v != std::trunc(v)) return {WholeNumberStatus::fraction, std::nullopt};
    return {WholeNumberStatus::ok, static_cast<int>(v)};
}

std::string describe(WholeNumberStatus status, int min, int max) {
    switch (status) {
        case WholeNumberStatus::not_a_number: return "is not a number";
        case WholeNumberStatus::fraction: return "is not a whole number (it has a fraction)";
        case WholeNumberStatus::out_of_range:
            return "is out of range (allowed: " + std::to_string(min) + " … " + std::to_string(max) + ")";
        default: return {};
    }
}

}  // namespace gridatlas::layers
