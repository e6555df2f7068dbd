// Process-wide Mapnik setup (fonts, input plugins), a small PNG reader, and the bridge every map of GridAtlas goes
// through: a Scene (named layers of plain features, no Mapnik types) drawn with a strict-loaded XML style by
// StyledMap, with Mapnik's AGG renderer (images) or its Cairo renderer (PDF, SVG, any cairo_t). No Mapnik headers.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "geometry/types.hpp"

typedef struct _cairo cairo_t;   // as cairo.h declares it
namespace mapnik {
class Map;
}

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

// ---------------------------------------------------------------------------------------------------------------
// Scenes: what a style's layers draw, by layer name, in the dataset's working CRS (or page units for legends).

using SceneValue = std::variant<std::int64_t, double, std::string>;
// A point, a line, several lines (boundaries as lines, so styles can dash them) or polygons.
using SceneGeometry = std::variant<geo::Point, geo::LineString, std::vector<geo::LineString>, geo::MultiPolygon>;

struct SceneLayer {
    struct Feature {
        SceneGeometry geometry;
        std::vector<SceneValue> values;   // one per key, in `keys` order
    };
    std::vector<std::string> keys;
    std::vector<Feature> features;
    void add(SceneGeometry g, std::vector<SceneValue> values) { features.push_back({std::move(g), std::move(values)}); }
};

// Layer name → its features. A style may only name layers its scene declares (an empty layer is fine).
using Scene = std::map<std::string, SceneLayer>;

// What part of the world a map shows and at what size: `extent` must already have the aspect of width × height
// (fit_extent); width/height are pixels for images and points for Cairo; symbol sizes are multiplied by
// scale_factor.
struct MapView {
    geo::Box extent;
    int width = 0;
    int height = 0;
    double scale_factor = 1;
    double metres_per_unit() const;   // ground metres per pixel (or point)
};

// `box` grown about its centre to the aspect of width × height, after a margin of `margin_share` of its larger
// side (at least `min_margin_m`, and at least `min_margin_units` of the map's own pixels or points, so that labels of
// features at the box's edge stay inside the frame).
geo::Box fit_extent(const geo::Box& box, double width, double height, double margin_share = 0.04, double min_margin_m = 10,
                    double min_margin_units = 0);

// One legend sample: a feature drawn with one of the style's <Style>s in a rectangle of the page (Cairo user
// space, y down): a filled rectangle, a horizontal line through its middle, or a point at its centre.
struct LegendSample {
    enum class Shape { rect, line, point };
    std::string style;
    Shape shape = Shape::rect;
    std::map<std::string, SceneValue> attributes;
    double x = 0, y = 0, w = 0, h = 0;
};

// A loaded, strict style. Layers named "frame-*" (the overview's own page frame) are ignored. Copies of the loaded
// Map are rendered, so one StyledMap may serve several threads.
class StyledMap {
public:
    // Throws std::runtime_error naming the file (and the font, when a face is missing).
    StyledMap(const std::filesystem::path& style, const std::string& working_crs);
    ~StyledMap();
    StyledMap(StyledMap&&) noexcept;
    StyledMap& operator=(StyledMap&&) noexcept;

    const std::filesystem::path& style() const;
    std::vector<std::string> layer_names() const;   // map layers, in drawing order

    // AGG: an opaque image of view.width × view.height pixels (the style's background, else white).
    RgbaImage render_image(const Scene& scene, const MapView& view) const;
    // Cairo: draws into `cr` at (0, 0)–(width, height) of its current user space, clipped to that rectangle.
    void render_cairo(cairo_t* cr, const Scene& scene, const MapView& view) const;
    // Legend samples with the style's own <Style>s, into `cr` (no background, no clipping).
    void render_samples(cairo_t* cr, const std::vector<LegendSample>& samples, double scale_factor) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Mapnik's "epsg:NNNN" for "EPSG:NNNN"; other definitions pass through.
std::string srs_for_mapnik(const std::string& crs);

// For render code that uses Mapnik directly (overview_map.cpp): strict load with messages naming file and font
// (`what` names the style in messages, e.g. "overview"), and a scene's layers attached to the map's layers by name
// (layers named "frame-*" are skipped; any other layer the scene lacks is an error listing what it provides).
void load_style(mapnik::Map& map, const std::filesystem::path& style, const std::string& what);
void attach_scene(mapnik::Map& map, const Scene& scene, const std::string& srs, const std::string& style_for_messages);

}  // namespace gridatlas::render
