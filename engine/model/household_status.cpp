// The household-status vocabulary: the words shared by every product and the match of a roster value.
#include "model/household_status.hpp"

#include <algorithm>
#include <cctype>

namespace gridatlas {

namespace {

std::string folded(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    std::string t = s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
    for (char& c : t)
        if (static_cast<unsigned char>(c) < 0x80) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
}

}  // namespace

std::size_t status_slot(HouseholdStatus s) {
    const auto it = std::find(counted_statuses.begin(), counted_statuses.end(), s);
    return static_cast<std::size_t>(it - counted_statuses.begin());
}

const char* status_key(HouseholdStatus s) {
    switch (s) {
        case HouseholdStatus::resident: return "resident";
        case HouseholdStatus::rented: return "rented";
        case HouseholdStatus::vacant: return "vacant";
        case HouseholdStatus::business: return "business";
        case HouseholdStatus::unknown: return "unknown";
        default: return "";
    }
}

const char* status_word(HouseholdStatus s) {
    switch (s) {
        case HouseholdStatus::resident: return "常住";
        case HouseholdStatus::rented: return "租住";
        case HouseholdStatus::vacant: return "空置";
        case HouseholdStatus::business: return "经营";
        case HouseholdStatus::unknown: return "未知";
        default: return "";
    }
}

std::string status_summary(const StatusCounts& c) {
    std::string out;
    for (std::size_t i = 0; i < status_count; ++i) {
        if (counted_statuses[i] == HouseholdStatus::unknown && c[i] == 0) continue;
        out += (out.empty() ? "" : " · ") + std::string(status_word(counted_statuses[i])) + " " + std::to_string(c[i]);
    }
    return out;
}

std::optional<HouseholdStatus> StatusVocabulary::match(const std::string& value) const {
    const std::string v = folded(value);
    if (v.empty()) return std::nullopt;
    for (std::size_t i = 0; i < values.size(); ++i)
        for (const auto& w : values[i])
            if (folded(w) == v) return counted_statuses[i];
    return std::nullopt;
}

}  // namespace gridatlas
