// A text value of 16 bytes for the fields a record has a million of (a household's id, building id, room, address):
// up to 15 bytes are held inline, longer text in one heap block of its own. std::string takes 32 bytes for the same
// (and the same inline limit of 15), so a household's four texts take 64 bytes instead of 128.
//
// A value type like std::string: copy, move, compare (==, <=> with itself, std::string, string_view and C strings),
// hash, stream, concatenate with std::string; reads as a std::string_view, converts to std::string. Always
// NUL-terminated (c_str()). The text may hold any bytes, NUL included, up to 4 GiB - 1.
#pragma once
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gridatlas {

class ShortString {
public:
    static constexpr std::size_t inline_capacity = 15;

    ShortString() noexcept { set_inline_size(0); }
    ShortString(std::string_view s) {                                         // NOLINT: implicit, like std::string
        set_inline_size(0);   // assign() releases what is there: start from the empty text
        assign(s);
    }
    ShortString(const char* s) : ShortString(std::string_view(s)) {}          // NOLINT
    ShortString(const std::string& s) : ShortString(std::string_view(s)) {}   // NOLINT
    ShortString(const ShortString& other) : ShortString(other.view()) {}
    ShortString(ShortString&& other) noexcept {
        std::memcpy(bytes_, other.bytes_, sizeof bytes_);
        other.set_inline_size(0);
    }
    ShortString& operator=(const ShortString& other) {
        if (this != &other) assign(other.view());
        return *this;
    }
    ShortString& operator=(ShortString&& other) noexcept {
        if (this != &other) {
            release();
            std::memcpy(bytes_, other.bytes_, sizeof bytes_);
            other.set_inline_size(0);
        }
        return *this;
    }
    ShortString& operator=(std::string_view s) { assign(s); return *this; }
    ShortString& operator=(const char* s) { assign(std::string_view(s)); return *this; }
    ShortString& operator=(const std::string& s) { assign(std::string_view(s)); return *this; }
    ~ShortString() { release(); }

    std::size_t size() const noexcept { return on_heap() ? heap_size() : inline_capacity - tag(); }
    std::size_t length() const noexcept { return size(); }
    bool empty() const noexcept { return size() == 0; }
    const char* data() const noexcept { return on_heap() ? heap_pointer() : bytes_; }
    const char* c_str() const noexcept { return data(); }
    std::string_view view() const noexcept { return {data(), size()}; }
    std::string str() const { return std::string(view()); }
    operator std::string_view() const noexcept { return view(); }   // NOLINT: reads like a string
    operator std::string() const { return str(); }                  // NOLINT
    bool on_heap() const noexcept { return tag() == heap_tag; }    // for tests: longer than inline_capacity
    void clear() noexcept { release(); }

    friend bool operator==(const ShortString& a, const ShortString& b) noexcept { return a.view() == b.view(); }
    friend bool operator==(const ShortString& a, std::string_view b) noexcept { return a.view() == b; }
    friend bool operator==(const ShortString& a, const std::string& b) noexcept { return a.view() == std::string_view(b); }
    friend bool operator==(const ShortString& a, const char* b) noexcept { return a.view() == std::string_view(b); }
    friend std::strong_ordering operator<=>(const ShortString& a, const ShortString& b) noexcept { return a.view() <=> b.view(); }
    friend std::strong_ordering operator<=>(const ShortString& a, std::string_view b) noexcept { return a.view() <=> b; }
    friend std::strong_ordering operator<=>(const ShortString& a, const std::string& b) noexcept {
        return a.view() <=> std::string_view(b);
    }
    friend std::strong_ordering operator<=>(const ShortString& a, const char* b) noexcept { return a.view() <=> std::string_view(b); }

    friend std::string operator+(const std::string& a, const ShortString& b) { return a + std::string(b.view()); }
    friend std::string operator+(std::string&& a, const ShortString& b) { return std::move(a.append(b.view())); }
    friend std::string operator+(const char* a, const ShortString& b) { return std::string(a).append(b.view()); }
    friend std::string operator+(const ShortString& a, const std::string& b) { return std::string(a.view()) + b; }
    friend std::string operator+(const ShortString& a, const char* b) { return std::string(a.view()) + b; }
    friend std::ostream& operator<<(std::ostream& out, const ShortString& s) { return out << s.view(); }

private:
    // bytes_[15] is the tag: 15 - size for inline text (so it is the terminating NUL when 15 bytes are held), or
    // heap_tag; then bytes 0–7 hold the block's address and 8–11 the size.
    static constexpr unsigned char heap_tag = 0xFF;
    alignas(8) char bytes_[16];

    unsigned char tag() const noexcept { return static_cast<unsigned char>(bytes_[15]); }
    void set_inline_size(std::size_t n) noexcept {
        bytes_[n] = '\0';
        bytes_[15] = static_cast<char>(inline_capacity - n);
    }
    const char* heap_pointer() const noexcept {
        const char* p;
        std::memcpy(&p, bytes_, sizeof p);
        return p;
    }
    std::size_t heap_size() const noexcept {
        std::uint32_t n;
        std::memcpy(&n, bytes_ + 8, sizeof n);
        return n;
    }
    // Back to the empty inline text, freeing a heap block.
    void release() noexcept {
        if (on_heap()) std::default_delete<char[]>()(const_cast<char*>(heap_pointer()));
        set_inline_size(0);
    }
    void assign(std::string_view s) {
        if (s.size() <= inline_capacity) {
            char copy[16];   // s may be our own text
            std::memcpy(copy, s.data(), s.size());
            release();
            std::memcpy(bytes_, copy, s.size());
            set_inline_size(s.size());
            return;
        }
        if (s.size() >= 0xFFFF'FFFFu) throw std::length_error("ShortString: text of 4 GiB or more");
        auto block = std::make_unique<char[]>(s.size() + 1);
        std::memcpy(block.get(), s.data(), s.size());
        block[s.size()] = '\0';
        release();
        char* p = block.release();
        const auto n = static_cast<std::uint32_t>(s.size());
        std::memcpy(bytes_, &p, sizeof p);
        std::memcpy(bytes_ + 8, &n, sizeof n);
        bytes_[15] = static_cast<char>(heap_tag);
    }
};

static_assert(sizeof(ShortString) == 16);

}  // namespace gridatlas

template <>
struct std::hash<gridatlas::ShortString> {
    std::size_t operator()(const gridatlas::ShortString& s) const noexcept { return std::hash<std::string_view>{}(s.view()); }
};
