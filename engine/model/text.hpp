// UTF-8 text helpers every module can use (no GDAL, no Mapnik): validation, decoding to code points, replacing
// invalid bytes, and the display width of text in a terminal (East-Asian wide characters count two columns).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridatlas::text {

// Byte offset of the first byte that does not start a well-formed UTF-8 sequence (overlongs, surrogates and
// code points above U+10FFFF are ill-formed), or nullopt when `s` is valid UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view s);
inline bool valid_utf8(std::string_view s) { return !first_invalid_utf8(s); }

// `s` with every ill-formed sequence replaced by U+FFFD; `replaced` (when given) receives how many were replaced.
std::string sanitize_utf8(std::string_view s, std::size_t* replaced = nullptr);

// Decodes the code point at s[i] and advances i past it; an ill-formed byte is U+FFFD and advances one byte.
char32_t next_code_point(std::string_view s, std::size_t& i);

// The code points of `s`; ill-formed sequences become U+FFFD.
std::vector<char32_t> decode_utf8(std::string_view s);

// Appends the UTF-8 encoding of `cp` (U+FFFD for surrogates and values above U+10FFFF).
void append_utf8(std::string& out, char32_t cp);

// Terminal columns of one code point (UAX #11): 0 for combining marks, zero-width characters and controls, 2 for
// East Asian Width W and F (CJK ideographs, kana, Hangul, fullwidth forms, wide emoji), else 1.
int display_width(char32_t cp);
// Terminal columns of `s`.
std::size_t display_width(std::string_view s);

// True when every byte is below 0x80.
bool is_ascii(std::string_view s);

}  // namespace gridatlas::text
