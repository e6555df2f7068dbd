// When a grid's name goes on the map tiles: the label block's size at each zoom against the grid's area in pixels
// (tile_labels.hpp). The sizes are styles/tiles.xml's grid-labels rules; change them together.
#include "tile_labels.hpp"

#include <algorithm>
#include <cmath>

#include "model/text.hpp"

namespace gridatlas::render {

namespace {

constexpr double kLineHeight = 1.3;   // em
constexpr double kHalo = 2;           // px each side
constexpr double kHalfColumn = 0.55;  // em per display column: CJK is two columns (about 1.1 em), digits one

double text_px(std::string_view s, double size) { return static_cast<double>(text::display_width(s)) * kHalfColumn * size; }

}  // namespace

GridLabelBox grid_label_box(int zoom, std::string_view name, std::string_view code) {
    // styles/tiles.xml grid-labels: z14 bold 10.5 name; z15 bold 12 name + 10.5 code; z16+ bold 14 name + 12 code
    // + 12 count ("N户", at most as wide as the code).
    double w = 0, h = 0;
    if (zoom <= 14) {
        w = text_px(name, 10.5);
        h = 10.5 * kLineHeight;
    } else if (zoom == 15) {
        w = std::max(text_px(name, 12), text_px(code, 10.5));
        h = (12 + 10.5) * kLineHeight;
    } else {
        w = std::max(text_px(name, 14), text_px(code, 12));
        h = (14 + 12 + 12) * kLineHeight;
    }
    return {w + 2 * kHalo, h + 2 * kHalo};
}

int grid_label_fit_zoom(double area_m2, double latitude_deg, std::string_view name, std::string_view code) {
    const double cos_lat = std::max(0.01, std::cos(latitude_deg * 3.14159265358979323846 / 180));
    for (int z = kGridNamesFirstZoom; z <= kGridNamesLastFitZoom; ++z) {
        const double metres_per_px = 156543.03392804097 * cos_lat / std::ldexp(1.0, z);
        const double grid_px = area_m2 / (metres_per_px * metres_per_px);
        const GridLabelBox box = grid_label_box(z, name, code);
        if (box.width * box.height <= 0.5 * grid_px) return z;
    }
    return kGridNamesLastFitZoom;
}

}  // namespace gridatlas::render
