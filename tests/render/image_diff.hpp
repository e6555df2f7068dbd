// Shared by the golden-image tests (tests/render/print_map_test, tests/pipeline/status_map_test): the print request
// they render (960 × 680 px at 96 dpi, a fixed date), and how far a rendered image is from its golden image — the
// mean absolute difference per channel and the share of pixels with a channel off by more than 40. Images of
// different sizes are as far as can be.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdlib>

#include "map_setup.hpp"
#include "print_map.hpp"

namespace gridatlas::test_support {

struct ImageDiff {
    double mean = 0;        // mean absolute difference per channel, 0..255
    double share_far = 0;   // share of pixels with a channel differing by more than 40
};

inline render::PrintRequest golden_request(render::MapStyle style, const render::MapData& data, GridId focus = GridId{}) {
    render::PrintRequest r;
    r.style = style;
    r.data = &data;
    r.focus = focus;
    r.page.width_px = 960;
    r.page.height_px = 680;
    r.page.dpi = 96;
    r.date = "2026-01-01";
    return r;
}

inline ImageDiff image_diff(const render::RgbaImage& a, const render::RgbaImage& b) {
    if (a.width != b.width || a.height != b.height) return {255, 1};
    double sum = 0;
    std::size_t far = 0;
    const std::size_t n = static_cast<std::size_t>(a.width) * a.height;
    for (std::size_t i = 0; i < n; ++i) {
        int worst = 0;
        for (int c = 0; c < 4; ++c) {
            const int v = std::abs(int(a.rgba[i * 4 + c]) - int(b.rgba[i * 4 + c]));
            sum += v;
            worst = std::max(worst, v);
        }
        far += worst > 40;
    }
    return {sum / (n * 4.0), double(far) / double(n)};
}

}  // namespace gridatlas::test_support
