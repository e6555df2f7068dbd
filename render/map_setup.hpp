// Process-wide Mapnik setup (fonts, input plugins) and a small PNG reader, without exposing Mapnik headers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gridatlas::render {

// The font directories registered with Mapnik (recursively): Noto CJK (Debian's fonts-noto-cjk) and DejaVu.
std::vector<std::filesystem::path> font_directories();

// The face every Chinese label needs; render_overview_png refuses to run without it.
inline constexpr const char* cjk_regular_face = "Noto Sans CJK SC Regular";
inline constexpr const char* cjk_bold_face = "Noto Sans CJK SC Bold";

// Registers fonts and input plugins once per process; safe to call from any thread, any number of times.
void ensure_mapnik_setup();

// Face names Mapnik knows after ensure_mapnik_setup(), e.g. "Noto Sans CJK SC Regular".
std::vector<std::string> registered_font_faces();

// A decoded image: RGBA, 8 bits per channel, not premultiplied, rows top to bottom.
struct RgbaImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgba;   // width * height * 4
    std::uint32_t pixel(int x, int y) const {   // 0xRRGGBBAA
        const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
        return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    }
};

// Reads a PNG (any PNG Mapnik can read) for tests and tools. Throws std::runtime_error naming the file.
RgbaImage read_png_rgba(const std::filesystem::path& png);

}  // namespace gridatlas::render
