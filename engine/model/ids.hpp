// Strong index types for the records of a Dataset: a BuildingId cannot be passed where a GridId is wanted.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>

namespace gridatlas {

template <typename Tag>
struct StrongId {
    static constexpr std::uint32_t invalid_value = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t value = invalid_value;

    constexpr StrongId() = default;
    constexpr explicit StrongId(std::uint32_t v) : value(v) {}
    constexpr explicit StrongId(std::size_t v) : value(static_cast<std::uint32_t>(v)) {}
    constexpr bool valid() const { return value != invalid_value; }
    constexpr std::size_t index() const { return value; }
    friend constexpr bool operator==(StrongId a, StrongId b) { return a.value == b.value; }
    friend constexpr auto operator<=>(StrongId a, StrongId b) { return a.value <=> b.value; }
};

using BuildingId = StrongId<struct BuildingTag>;
using UnitId = StrongId<struct UnitTag>;
using GridId = StrongId<struct GridTag>;
using HouseholdId = StrongId<struct HouseholdTag>;
using FacilityId = StrongId<struct FacilityTag>;

}  // namespace gridatlas

template <typename Tag>
struct std::hash<gridatlas::StrongId<Tag>> {
    std::size_t operator()(gridatlas::StrongId<Tag> id) const noexcept { return std::hash<std::uint32_t>{}(id.value); }
};
