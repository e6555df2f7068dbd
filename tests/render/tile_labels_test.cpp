// When tiles name a grid (render/tile_labels.hpp): the label block per zoom and the first zoom at which it covers at
// most half of the grid, against sizes worked out by hand from styles/tiles.xml's grid-labels rules.
#include <gtest/gtest.h>

#include "tile_labels.hpp"

namespace gridatlas::render {
namespace {

// "东网格": 3 CJK = 6 display columns; "110101001002": 12 columns; 0.55 em a column, 1.3 em a line, 2 px halo.
TEST(TileLabels, LabelBlockPerZoom) {
    const GridLabelBox z14 = grid_label_box(14, "东网格", "110101001002");
    EXPECT_NEAR(z14.width, 6 * 0.55 * 10.5 + 4, 1e-9);   // 38.65: the name alone
    EXPECT_NEAR(z14.height, 10.5 * 1.3 + 4, 1e-9);       // 17.65
    const GridLabelBox z15 = grid_label_box(15, "东网格", "110101001002");
    EXPECT_NEAR(z15.width, 12 * 0.55 * 10.5 + 4, 1e-9);  // 73.3: the code is the wider line
    EXPECT_NEAR(z15.height, (12 + 10.5) * 1.3 + 4, 1e-9);
    const GridLabelBox z17 = grid_label_box(17, "东网格", "110101001002");
    EXPECT_NEAR(z17.width, 12 * 0.55 * 12 + 4, 1e-9);    // 83.2
    EXPECT_NEAR(z17.height, (14 + 12 + 12) * 1.3 + 4, 1e-9);   // 53.4
}

// At the equator a px is 9.5546 m at z14, 4.7773 at z15, 2.3887 at z16 (156543.03 / 2^z).
TEST(TileLabels, FirstZoomAtWhichTheLabelCoversAtMostHalf) {
    // z14 needs 2 × 38.65 × 17.65 px² = 1364.3 px² = 124,560 m²: 160,000 m² (400 m square) is named from z14.
    EXPECT_EQ(grid_label_fit_zoom(160000, 0, "东网格", "110101001002"), 14);
    // 100,000 m²: 1095 px² at z14 (< 1364), 4382 at z15 (< 2 × 73.3 × 33.25 = 4874), 17,526 at z16 (≥ 8886): z16.
    EXPECT_EQ(grid_label_fit_zoom(100000, 0, "东网格", "110101001002"), 16);
    // At 60° a px covers half the ground in each direction: the same grid has 4× the px and is named from z14.
    EXPECT_EQ(grid_label_fit_zoom(100000, 60, "东网格", "110101001002"), 14);
    // A longer name needs more: 10 CJK (20 columns) at z14 is 119.5 × 17.65 px, twice that 4218 px²; 90,000 m² at
    // 60° is 3943 px² at z14 (too few) and 15,774 at z15 against 2 × 136 × 33.25 = 9044: named from z15.
    EXPECT_EQ(grid_label_fit_zoom(90000, 60, "海景社区第十一网格区", "110101001002"), 15);
    EXPECT_EQ(grid_label_fit_zoom(90000, 60, "东网格", "110101001002"), 14);   // the short name fits at z14
    // Far too small for any zoom: still named at the last one.
    EXPECT_EQ(grid_label_fit_zoom(10, 0, "东网格", "110101001002"), kGridNamesLastFitZoom);
    // Never before the first zoom with grid names, however large.
    EXPECT_EQ(grid_label_fit_zoom(1e9, 0, "东网格", "110101001002"), kGridNamesFirstZoom);
}

}  // namespace
}  // namespace gridatlas::render
