// The page frame of printed maps and atlas pages, drawn with Cairo: text in Noto Sans CJK SC (loaded from Debian's
// fonts-noto-cjk collection by family name, so Chinese never falls back to boxes), titles, legends laid out in
// columns, scale bar, north arrow and tables. No Mapnik here: legend samples are returned as LegendSamples for the
// map's own style to draw (StyledMap::render_samples), so a legend can never disagree with its map.
// Units are those of the cairo_t's user space: points (1/72 inch) in GridAtlas.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "map_setup.hpp"

typedef struct _cairo cairo_t;   // as cairo.h declares it

namespace gridatlas::render::frame {

struct Font {
    double size = 9;
    bool bold = false;
    std::uint32_t rgb = 0x222222;
};

enum class Align { left, centre, right };

// Throws std::runtime_error naming the font files when Noto Sans CJK SC is missing.
void check_fonts();
void set_font(cairo_t* cr, const Font& font);
double text_width(cairo_t* cr, const std::string& text, const Font& font);
// Draws one line of text vertically centred on y_mid; returns its width.
double text(cairo_t* cr, double x, double y_mid, const std::string& text, const Font& font, Align align = Align::left);
// Greedy wrap into lines no wider than `width` (breaks between any two characters, preferring after spaces and "、").
std::vector<std::string> wrap(cairo_t* cr, const std::string& text, const Font& font, double width);
// Lines no wider than `width`, broken only between the parts of `text` separated by `separator` (the separator is
// dropped at a break); a part wider than a line by itself is wrapped (wrap). Nothing is left out.
std::vector<std::string> wrap_at(cairo_t* cr, const std::string& text, const std::string& separator, const Font& font,
                                 double width);
// `text` shortened with "…" to fit `width`.
std::string ellipsize(cairo_t* cr, const std::string& text, const Font& font, double width);

void fill_rect(cairo_t* cr, double x, double y, double w, double h, std::uint32_t rgb, double alpha = 1);
void stroke_rect(cairo_t* cr, double x, double y, double w, double h, std::uint32_t rgb, double line_width);
void line(cairo_t* cr, double x0, double y0, double x1, double y1, std::uint32_t rgb, double line_width);

// A "nice" length (1, 2, 5 × 10^k metres) not longer than max_m.
double nice_length(double max_m);
// Scale bar in four alternating segments with 0 / half / full labels, at (x, y) top-left, at most max_w wide,
// for a map of `metres_per_unit`; returns the height used.
double scale_bar(cairo_t* cr, double x, double y, double max_w, double metres_per_unit, double ts);
// North arrow centred on cx, from `top`, `size` tall, with "北" under it.
void north_arrow(cairo_t* cr, double cx, double top, double size, double ts);

// A legend entry: a sample drawn by the map's style (or none), and its words.
struct LegendEntry {
    std::string label;
    std::optional<LegendSample> sample;   // position and size are filled in by the layout
};
struct LegendSection {
    std::string heading;
    std::vector<LegendEntry> entries;
    bool scale_bar = false;               // a section holding the scale bar, north arrow and numeric scale
};

struct LegendStyle {
    double ts = 1;                        // text scale (1 = A4)
    double metres_per_unit = 0;           // for the scale bar
    std::string scale_text;               // e.g. "1 : 2 500"; empty for pixel pages
};

// Height of the legend laid out in `columns` columns of width `column_w`.
double legend_height(cairo_t* cr, const std::vector<LegendSection>& sections, int columns, double column_w,
                     const LegendStyle& style);
// Draws headings, words, scale bar and north arrow in the box, flowing sections into as many columns of
// `column_w` as fit; returns the samples, placed, for the map's style to draw.
std::vector<LegendSample> legend(cairo_t* cr, const std::vector<LegendSection>& sections, double x, double y, double w,
                                 double h, double column_w, const LegendStyle& style);

// A table: header, rows, optional totals row; numeric columns right-aligned. Cells wrap within their column.
struct TableColumn {
    std::string header;
    double width = 40;        // points at ts = 1
    bool numeric = false;
};
struct TableStyle {
    double ts = 1;
    double font_size = 6.8;
};
// A line under a row's cells, from a column to the table's right edge (the atlas: a building's units by status): runs
// of text, each after an optional swatch of colour (a square like the map's status cells, with a thin outline).
struct TableRun {
    std::string text;
    std::optional<std::uint32_t> swatch;
};
using TableLine = std::vector<TableRun>;
struct TableSubLines {
    std::size_t from_column = 1;
    std::vector<std::vector<TableLine>> rows;   // per row of the table (a row past its end has none)
};
// Height of one row (wrapped cells make it taller; each line under it adds a line).
double table_row_height(cairo_t* cr, const std::vector<TableColumn>& columns, const std::vector<std::string>& row,
                        const TableStyle& style, bool header = false, std::size_t sub_lines = 0);
// Draws rows [first, last) under a header at (x, y), each with its lines under it; returns the height used.
double draw_table(cairo_t* cr, double x, double y, const std::vector<TableColumn>& columns,
                  const std::vector<std::vector<std::string>>& rows, std::size_t first, std::size_t last,
                  const TableStyle& style, const std::vector<std::string>* totals = nullptr,
                  const TableSubLines* sub = nullptr);
double table_width(const std::vector<TableColumn>& columns, const TableStyle& style);

}  // namespace gridatlas::render::frame
