// UTF-8 validation, decoding and display width (see text.hpp). Pure standard C++: usable from every module.
#include "model/text.hpp"

namespace gridatlas::text {

namespace {

// Length of the well-formed sequence starting at s[i] and its code point, or 0 when ill-formed (Unicode Table 3-7).
std::size_t sequence(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    const std::size_t left = s.size() - i;
    if (c < 0x80) { cp = c; return 1; }
    auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) { return k < s.size() && b(k) >= lo && b(k) <= hi; };
    if (c >= 0xC2 && c <= 0xDF) {
        if (left < 2 || !cont(i + 1)) return 0;
        cp = ((c & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (left < 3 || !cont(i + 1, lo, hi) || !cont(i + 2)) return 0;
        cp = ((c & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (left < 4 || !cont(i + 1, lo, hi) || !cont(i + 2) || !cont(i + 3)) return 0;
        cp = ((c & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) | (b(i + 3) & 0x3Fu);
        return 4;
    }
    return 0;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequence(s, i, cp);
        if (n == 0) return i;
        i += n;
    }
    return std::nullopt;
}

char32_t next_code_point(std::string_view s, std::size_t& i) {
    char32_t cp = 0;
    const std::size_t n = sequence(s, i, cp);
    i += n ? n : 1;
    return n ? cp : U'\uFFFD';
}

std::vector<char32_t> decode_utf8(std::string_view s) {
    std::vector<char32_t> out;
    out.reserve(s.size());
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequence(s, i, cp);
        out.push_back(n ? cp : U'\uFFFD');
        i += n ? n : 1;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string sanitize_utf8(std::string_view s, std::size_t* replaced) {
    std::size_t bad = 0;
    std::string out;
    out.reserve(s.size());
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequence(s, i, cp);
        if (n) { out.append(s.substr(i, n)); i += n; }
        else { out += "\xEF\xBF\xBD"; ++bad; ++i; }
    }
    if (replaced) *replaced = bad;
    return out;
}

namespace {

// East Asian Width W and F (Unicode 15, UAX #11), collapsed into ranges.
bool wide(char32_t c) {
    return (c >= 0x1100 && c <= 0x115F) || c == 0x2329 || c == 0x232A || (c >= 0x231A && c <= 0x231B) ||
           (c >= 0x23E9 && c <= 0x23EC) || c == 0x23F0 || c == 0x23F3 || (c >= 0x25FD && c <= 0x25FE) ||
           (c >= 0x2614 && c <= 0x2615) || (c >= 0x2648 && c <= 0x2653) || c == 0x267F || c == 0x2693 || c == 0x26A1 ||
           (c >= 0x26AA && c <= 0x26AB) || (c >= 0x26BD && c <= 0x26BE) || (c >= 0x26C4 && c <= 0x26C5) || c == 0x26CE ||
           c == 0x26D4 || c == 0x26EA || (c >= 0x26F2 && c <= 0x26F3) || c == 0x26F5 || c == 0x26FA || c == 0x26FD ||
           c == 0x2705 || (c >= 0x270A && c <= 0x270B) || c == 0x2728 || c == 0x274C || c == 0x274E ||
           (c >= 0x2753 && c <= 0x2755) || c == 0x2757 || (c >= 0x2795 && c <= 0x2797) || c == 0x27B0 || c == 0x27BF ||
           (c >= 0x2B1B && c <= 0x2B1C) || c == 0x2B50 || c == 0x2B55 || (c >= 0x2E80 && c <= 0x303E) ||
           (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xA000 && c <= 0xA4CF) || (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7A3) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6F) ||
           (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x16FE0 && c <= 0x18CFF) ||
           (c >= 0x1AFF0 && c <= 0x1B2FF) || (c >= 0x1F004 && c <= 0x1F004) || c == 0x1F0CF || c == 0x1F18E ||
           (c >= 0x1F191 && c <= 0x1F19A) || (c >= 0x1F200 && c <= 0x1F251) || (c >= 0x1F260 && c <= 0x1F265) ||
           (c >= 0x1F300 && c <= 0x1F64F && !(c >= 0x1F321 && c <= 0x1F32C) && !(c >= 0x1F336 && c <= 0x1F336) &&
            !(c >= 0x1F37D && c <= 0x1F37D) && !(c >= 0x1F394 && c <= 0x1F39F) && !(c >= 0x1F3CB && c <= 0x1F3CE) &&
            !(c >= 0x1F3D4 && c <= 0x1F3DF) && !(c >= 0x1F3F1 && c <= 0x1F3F3) && !(c >= 0x1F3F5 && c <= 0x1F3F7) &&
            c != 0x1F43F && c != 0x1F441 && !(c >= 0x1F4FD && c <= 0x1F4FE) && !(c >= 0x1F53E && c <= 0x1F54A) &&
            c != 0x1F54F && !(c >= 0x1F568 && c <= 0x1F579) && !(c >= 0x1F57B && c <= 0x1F594) &&
            !(c >= 0x1F597 && c <= 0x1F5A3) && !(c >= 0x1F5A5 && c <= 0x1F5FA)) ||
           (c >= 0x1F680 && c <= 0x1F6C5) || c == 0x1F6CC || (c >= 0x1F6D0 && c <= 0x1F6D2) ||
           (c >= 0x1F6D5 && c <= 0x1F6D7) || (c >= 0x1F6DC && c <= 0x1F6DF) || (c >= 0x1F6EB && c <= 0x1F6EC) ||
           (c >= 0x1F6F4 && c <= 0x1F6FC) || (c >= 0x1F7E0 && c <= 0x1F7EB) || c == 0x1F7F0 ||
           (c >= 0x1F90C && c <= 0x1F93A) || (c >= 0x1F93C && c <= 0x1F945) || (c >= 0x1F947 && c <= 0x1F9FF) ||
           (c >= 0x1FA70 && c <= 0x1FAFF) || (c >= 0x20000 && c <= 0x2FFFD) || (c >= 0x30000 && c <= 0x3FFFD);
}

// Combining marks and other zero-width characters.
bool zero_width(char32_t c) {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) || (c >= 0x0591 && c <= 0x05BD) ||
           (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
           (c >= 0x2060 && c <= 0x2064) || (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
           (c >= 0xFE20 && c <= 0xFE2F) || c == 0xFEFF || (c >= 0xE0100 && c <= 0xE01EF) || c < 0x20 || (c >= 0x7F && c < 0xA0);
}

}  // namespace

int display_width(char32_t cp) { return zero_width(cp) ? 0 : wide(cp) ? 2 : 1; }

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (char32_t cp : decode_utf8(s)) w += static_cast<std::size_t>(display_width(cp));
    return w;
}

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

}  // namespace gridatlas::text
