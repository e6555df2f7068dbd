// Optional values without std::optional's flag and padding, for fields a record has a million of: one value of the
// type itself means "none". OptionalInt (4 bytes instead of 8) keeps INT_MIN for none, OptionalPoint (16 bytes
// instead of 24) a NaN x. Neither value can be meaningful where they are used (roster numbers are whole numbers
// from 0, a located point is finite), and storing it gives an empty optional.
//
// Reads like std::optional: has_value / bool, *, ->, value(), value_or(), reset(), = value, = std::nullopt, == with
// another, with std::optional<T> and with a T; converts to std::optional<T>.
#pragma once
#include <cmath>
#include <limits>
#include <optional>

#include "geometry/types.hpp"

namespace gridatlas {

template <class T, class None>
class CompactOptional {
public:
    using value_type = T;

    constexpr CompactOptional() noexcept : value_(None::value()) {}
    constexpr CompactOptional(std::nullopt_t) noexcept : value_(None::value()) {}   // NOLINT: like std::optional
    constexpr CompactOptional(const T& v) noexcept : value_(v) {}                   // NOLINT
    constexpr CompactOptional(const std::optional<T>& v) noexcept : value_(v ? *v : None::value()) {}   // NOLINT

    constexpr bool has_value() const noexcept { return !None::is(value_); }
    constexpr explicit operator bool() const noexcept { return has_value(); }
    constexpr const T& operator*() const noexcept { return value_; }
    constexpr T& operator*() noexcept { return value_; }
    constexpr const T* operator->() const noexcept { return &value_; }
    const T& value() const {
        if (!has_value()) throw std::bad_optional_access();
        return value_;
    }
    constexpr T value_or(const T& other) const noexcept { return has_value() ? value_ : other; }
    constexpr void reset() noexcept { value_ = None::value(); }
    constexpr operator std::optional<T>() const { return has_value() ? std::optional<T>(value_) : std::nullopt; }   // NOLINT

    friend constexpr bool operator==(const CompactOptional& a, const CompactOptional& b) {
        return a.has_value() == b.has_value() && (!a.has_value() || None::same(a.value_, b.value_));
    }
    friend constexpr bool operator==(const CompactOptional& a, const std::optional<T>& b) { return a == CompactOptional(b); }
    friend constexpr bool operator==(const CompactOptional& a, const T& b) { return a.has_value() && None::same(a.value_, b); }
    friend constexpr bool operator==(const CompactOptional& a, std::nullopt_t) { return !a.has_value(); }

private:
    T value_;
};

struct IntNone {
    static constexpr int value() noexcept { return std::numeric_limits<int>::min(); }
    static constexpr bool is(int v) noexcept { return v == value(); }
    static constexpr bool same(int a, int b) noexcept { return a == b; }
};
using OptionalInt = CompactOptional<int, IntNone>;

struct PointNone {
    static geo::Point value() noexcept { return {std::numeric_limits<double>::quiet_NaN(), 0.0}; }
    static bool is(const geo::Point& p) noexcept { return std::isnan(p.x()); }
    static bool same(const geo::Point& a, const geo::Point& b) noexcept { return a.x() == b.x() && a.y() == b.y(); }
};
using OptionalPoint = CompactOptional<geo::Point, PointNone>;

static_assert(sizeof(OptionalInt) == sizeof(int));
static_assert(sizeof(OptionalPoint) == sizeof(geo::Point));

}  // namespace gridatlas
