// When a grid's name goes on the map tiles. A grid's label (styles/tiles.xml, layer grid-labels) is a block of text
// at a fixed point inside the grid; on a small grid at a low zoom that block is larger than the grid and hides it
// under its own name. Tiles therefore name a grid only from the zoom at which its label covers at most half of it —
// the overview's half-cover rule (overview_labels.hpp) — and the style filters on that zoom ([fit_z]).
#pragma once
#include <string_view>

namespace gridatlas::render {

// The label block styles/tiles.xml draws for a grid at a zoom, in px of a 256 px tile: name only at z14, name and
// code at z15, name, code and household count from z16 (each line 1.3 em high, a 2 px halo around).
struct GridLabelBox {
    double width = 0, height = 0;
};
GridLabelBox grid_label_box(int zoom, std::string_view name, std::string_view code);

// Tile zooms at which grid names are drawn; a grid whose label covers more than half of it even at the last is
// still named there (a grid that small is exceptional, and the last zoom is where a reader looks for it).
constexpr int kGridNamesFirstZoom = 14;
constexpr int kGridNamesLastFitZoom = 18;

// The first zoom in [kGridNamesFirstZoom, kGridNamesLastFitZoom] at which the label covers at most half of the
// grid's area: `area_m2` on the ground, `latitude_deg` where it lies (Web Mercator's ground resolution is
// 156543.03 m/px · cos φ / 2^z).
int grid_label_fit_zoom(double area_m2, double latitude_deg, std::string_view name, std::string_view code);

}  // namespace gridatlas::render
