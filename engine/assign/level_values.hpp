// One value per grid level (a household's grid, or its reason, at each level): as many as the project has levels,
// held inline up to N so that placing a million households does not allocate heap blocks per household (those
// allocations, their page faults and their frees were a third of assign_households' time). Reads like a
// std::vector: size(), [], begin()/end(), and == against another LevelValues or a std::vector.
//
// Ownership is plain RAII: the inline array is a member, a longer list lives in a std::unique_ptr<T[]> member, the
// size is one byte (at most 255 levels). No union, no new/delete by hand; copies, moves and the destructor are the
// members' own except where the size must follow. Every value, inline or not, is also compact: LevelValues<GridId, 3>
// takes 24 bytes and LevelValues<std::uint8_t, 7> 16 (a std::vector takes 24 and allocates; a
// boost::container::small_vector<GridId, 4> takes 40, and was 1.35x slower on bench_assign's 1M households).
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace gridatlas::assign {

template <class T, std::size_t N>
class LevelValues {
    static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T> && N > 0 && N < 256);

public:
    using value_type = T;
    using size_type = std::size_t;
    using reference = T&;
    using const_reference = const T&;
    using iterator = T*;
    using const_iterator = const T*;
    static constexpr size_type max_levels = 255;

    LevelValues() = default;
    LevelValues(std::initializer_list<T> values) { assign(values.begin(), values.end()); }
    LevelValues(const LevelValues& other) { assign(other.begin(), other.end()); }
    LevelValues(LevelValues&& other) noexcept
        : heap_(std::move(other.heap_)), local_(other.local_), size_(std::exchange(other.size_, 0)) {}
    LevelValues& operator=(const LevelValues& other) {
        if (this != &other) assign(other.begin(), other.end());
        return *this;
    }
    LevelValues& operator=(LevelValues&& other) noexcept {
        if (this != &other) {
            heap_ = std::move(other.heap_);
            local_ = other.local_;
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }
    ~LevelValues() = default;

    // n copies of value, like std::vector::assign.
    void assign(size_type n, const T& value) {
        const T copy = value;   // value may be one of ours
        make_room(n);
        std::fill_n(data(), n, copy);
    }
    // The values of [first, last), which may be our own: a forward range, measured once, then copied once.
    template <std::forward_iterator It>
    void assign(It first, It last) {
        const auto n = static_cast<size_type>(std::distance(first, last));
        check(n);
        if (n > N) {
            auto block = std::make_unique<T[]>(n);
            std::copy_n(first, n, block.get());
            heap_ = std::move(block);   // the old block (perhaps the source) goes only now
        } else {
            std::array<T, N> local{};
            std::copy_n(first, n, local.begin());
            local_ = local;
            heap_.reset();
        }
        size_ = static_cast<std::uint8_t>(n);
    }

    size_type size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T* data() { return heap_ ? heap_.get() : local_.data(); }
    const T* data() const { return heap_ ? heap_.get() : local_.data(); }
    T& operator[](size_type i) { return data()[i]; }
    const T& operator[](size_type i) const { return data()[i]; }
    T* begin() { return data(); }
    T* end() { return data() + size_; }
    const T* begin() const { return data(); }
    const T* end() const { return data() + size_; }

    friend bool operator==(const LevelValues& a, const LevelValues& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend bool operator==(const LevelValues& a, const std::vector<T>& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    std::unique_ptr<T[]> heap_;     // the values when there are more than N; else null and they are in local_
    std::array<T, N> local_{};
    std::uint8_t size_ = 0;

    static void check(size_type n) {
        if (n > max_levels) throw std::length_error("LevelValues: more than 255 grid levels");
    }
    // Storage for n values (contents unspecified); a heap block of the same size is kept.
    void make_room(size_type n) {
        check(n);
        if (n > N) {
            if (!heap_ || size_ != n) heap_ = std::make_unique<T[]>(n);
        } else {
            heap_.reset();
        }
        size_ = static_cast<std::uint8_t>(n);
    }
};

}  // namespace gridatlas::assign
