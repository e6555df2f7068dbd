// One value per grid level (a household's grid, or its reason, at each level): as many as the project has levels,
// held inline up to N so that placing a million households does not allocate two heap blocks per household (those
// allocations, their page faults and their frees were a third of assign_households' time). Reads like a
// std::vector: size(), [], begin()/end(), and == against another LevelValues or a std::vector.
// Why not boost::container::small_vector<T, N>: measured in its place (bench_assign BM_AssignHouseholds_1M, the two
// builds alternating three times on a shared 2-core machine), 1M households took 540/545/644 ms CPU with this class
// and 729/773/796 ms with small_vector (about 1.35x), and each value is larger (a capacity beside the size).
#pragma once
#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <vector>

namespace gridatlas::assign {

template <class T, std::size_t N>
class LevelValues {
    static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T> && N > 0);

public:
    using value_type = T;
    using size_type = std::size_t;
    using reference = T&;
    using const_reference = const T&;
    using iterator = T*;
    using const_iterator = const T*;

    LevelValues() = default;
    LevelValues(std::initializer_list<T> values) { assign(values.begin(), values.end()); }
    LevelValues(const LevelValues& other) { assign(other.begin(), other.end()); }
    LevelValues(LevelValues&& other) noexcept { take(other); }
    LevelValues& operator=(const LevelValues& other) {
        if (this != &other) assign(other.begin(), other.end());
        return *this;
    }
    LevelValues& operator=(LevelValues&& other) noexcept {
        if (this != &other) {
            release();
            take(other);
        }
        return *this;
    }
    ~LevelValues() { release(); }

    // n copies of value, like std::vector::assign.
    void assign(size_type n, const T& value) {
        const T copy = value;   // value may be one of ours
        make_room(n);
        std::fill_n(data(), n, copy);
    }
    // The values of [first, last), which may be our own. A forward range: it is measured, then copied, and a
    // single-pass (input) range could not be read twice.
    template <std::forward_iterator It>
    void assign(It first, It last) {
        const auto n = static_cast<size_type>(std::distance(first, last));
        if (n > N) {
            T* block = new T[n];
            std::copy(first, last, block);
            release();
            storage_.heap = block;
        } else {
            Local local{};
            std::copy(first, last, local.values);
            release();
            storage_.local = local;
        }
        size_ = n;
    }

    size_type size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T* data() { return on_heap() ? storage_.heap : storage_.local.values; }
    const T* data() const { return on_heap() ? storage_.heap : storage_.local.values; }
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
    struct Local {
        T values[N];
    };
    union Storage {
        Local local;
        T* heap;
        Storage() : local{} {}
    };
    Storage storage_;
    size_type size_ = 0;

    bool on_heap() const { return size_ > N; }
    // Storage for n values (contents unspecified); heap storage of the same size is kept.
    void make_room(size_type n) {
        if (n > N) {
            if (on_heap() && size_ == n) return;
            T* block = new T[n];
            release();
            storage_.heap = block;
        } else {
            release();
        }
        size_ = n;
    }
    void release() {
        if (on_heap()) {
            delete[] storage_.heap;
            storage_.local = Local{};
        }
        size_ = 0;
    }
    void take(LevelValues& other) {
        if (other.on_heap()) storage_.heap = other.storage_.heap;
        else storage_.local = other.storage_.local;
        size_ = other.size_;
        other.storage_.local = Local{};
        other.size_ = 0;
    }
};

}  // namespace gridatlas::assign
