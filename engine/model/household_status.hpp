// A household's status in the roster (常住 / 租住 / 空置 / 经营 — resident, rented, vacant, business), the words every
// product uses for them, and the vocabulary that maps a roster's values onto them. A value the vocabulary does not
// know is `unknown` (counted and reported, never silently one of the four); a roster without a status field leaves
// every household `not_given`, and then no product shows status counts at all.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gridatlas {

enum class HouseholdStatus : std::uint8_t { not_given, resident, rented, vacant, business, unknown };

// The five counted statuses in the order of every table, legend and column: the four, then unknown.
inline constexpr std::array<HouseholdStatus, 5> counted_statuses = {HouseholdStatus::resident, HouseholdStatus::rented,
                                                                    HouseholdStatus::vacant, HouseholdStatus::business,
                                                                    HouseholdStatus::unknown};
inline constexpr std::size_t status_count = counted_statuses.size();

// Index into counted_statuses (0..4); status_count for not_given.
std::size_t status_slot(HouseholdStatus s);
// "resident", "rented", "vacant", "business", "unknown" ("" for not_given): column and JSON keys.
const char* status_key(HouseholdStatus s);
// "常住", "租住", "空置", "经营", "未知" ("" for not_given): the legend words of every map and page.
const char* status_word(HouseholdStatus s);

// Per-status counts in counted_statuses order.
using StatusCounts = std::array<std::int64_t, status_count>;

// "常住 12 · 租住 3 · 空置 1 · 经营 0" (未知 only when > 0): the status part of a subtitle, a heading or a table cell.
std::string status_summary(const StatusCounts& counts);

// The roster values of each of the four statuses. Matching trims blanks and ignores ASCII case.
struct StatusVocabulary {
    std::array<std::vector<std::string>, 4> values = {{{"常住", "resident", "自住"},
                                                       {"租住", "rented", "出租", "租户"},
                                                       {"空置", "vacant", "空房"},
                                                       {"经营", "business", "shop", "商铺", "经营户"}}};
    // The status `value` names, or nullopt (then the household is `unknown`).
    std::optional<HouseholdStatus> match(const std::string& value) const;
};

}  // namespace gridatlas
