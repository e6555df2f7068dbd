// The page frame of printed maps and atlas pages with Cairo (frame.hpp): titles, legends in columns, scale bar,
// north arrow and tables, text in Noto Sans CJK SC.
#include "frame.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include <cairo-ft.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include "style_palette.hpp"

namespace gridatlas::render::frame {

namespace {

constexpr const char* cjk_family = "Noto Sans CJK SC";

struct Faces {
    cairo_font_face_t* regular = nullptr;
    cairo_font_face_t* bold = nullptr;
    std::string error;
};

// The face of `family` in a font collection (Noto CJK ships JP, KR, SC, TC, HK in one .ttc).
cairo_font_face_t* load_face(FT_Library lib, const std::filesystem::path& file, const char* family) {
    for (FT_Long i = 0;; ++i) {
        FT_Face face = nullptr;
        if (FT_New_Face(lib, file.c_str(), i, &face) != 0) return nullptr;
        const bool match = face->family_name != nullptr && std::string(face->family_name) == family;
        if (match) return cairo_ft_font_face_create_for_ft_face(face, 0);   // the face lives as long as the process
        const FT_Long count = face->num_faces;
        FT_Done_Face(face);
        if (i + 1 >= count) return nullptr;
    }
}

const Faces& faces() {
    static Faces f;
    static std::once_flag once;
    std::call_once(once, [] {
        FT_Library lib = nullptr;
        if (FT_Init_FreeType(&lib) != 0) {
            f.error = "cannot initialise FreeType";
            return;
        }
        std::vector<std::filesystem::path> tried;
        for (const auto& dir : font_directories()) {
            const auto regular = dir / "NotoSansCJK-Regular.ttc", bold = dir / "NotoSansCJK-Bold.ttc";
            tried.push_back(regular);
            if (!f.regular) f.regular = load_face(lib, regular, cjk_family);
            if (!f.bold) f.bold = load_face(lib, bold, cjk_family);
        }
        if (!f.regular) {
            std::string files;
            for (const auto& t : tried) files += (files.empty() ? "" : ", ") + t.string();
            f.error = "font '" + std::string(cjk_regular_face) + "' not found (looked in " + files +
                      "); install fonts-noto-cjk";
        }
        if (!f.bold) f.bold = f.regular;
    });
    return f;
}

void set_rgb(cairo_t* cr, std::uint32_t rgb, double alpha = 1) {
    cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0, alpha);
}

// UTF-8 code points of s, as byte strings.
std::vector<std::string> code_points(const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
        n = std::min(n, s.size() - i);
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace

void check_fonts() {
    const auto& f = faces();
    if (!f.regular) throw std::runtime_error(f.error);
}

void set_font(cairo_t* cr, const Font& font) {
    const auto& f = faces();
    if (f.regular) cairo_set_font_face(cr, font.bold ? f.bold : f.regular);
    else cairo_select_font_face(cr, cjk_family, CAIRO_FONT_SLANT_NORMAL,
                                font.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, font.size);
}

double text_width(cairo_t* cr, const std::string& t, const Font& font) {
    if (t.empty()) return 0;
    set_font(cr, font);
    cairo_text_extents_t e;
    cairo_text_extents(cr, t.c_str(), &e);
    return e.x_advance;
}

double text(cairo_t* cr, double x, double y_mid, const std::string& t, const Font& font, Align align) {
    if (t.empty()) return 0;
    set_font(cr, font);
    cairo_text_extents_t e;
    cairo_text_extents(cr, t.c_str(), &e);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    // Noto CJK's ascent/descent include generous line gaps: centre on the em box instead (0.88 / 0.12 of the size)
    const double baseline = y_mid + font.size * 0.5 - font.size * 0.12;
    double left = x;
    if (align == Align::centre) left = x - e.x_advance / 2;
    else if (align == Align::right) left = x - e.x_advance;
    set_rgb(cr, font.rgb);
    cairo_move_to(cr, left, baseline);
    cairo_show_text(cr, t.c_str());
    cairo_new_path(cr);
    return e.x_advance;
}

std::vector<std::string> wrap(cairo_t* cr, const std::string& t, const Font& font, double width) {
    std::vector<std::string> lines;
    if (t.empty()) return {""};
    std::string line;
    std::size_t last_break = std::string::npos;   // byte position in `line` after a preferred break
    for (const auto& cp : code_points(t)) {
        if (cp == "\n") {
            lines.push_back(line);
            line.clear();
            last_break = std::string::npos;
            continue;
        }
        const std::string candidate = line + cp;
        if (!line.empty() && text_width(cr, candidate, font) > width) {
            if (last_break != std::string::npos && last_break > 0 && last_break < line.size()) {
                lines.push_back(line.substr(0, last_break));
                line = line.substr(last_break) + cp;
            } else {
                lines.push_back(line);
                line = cp == " " ? std::string() : cp;
            }
            last_break = std::string::npos;
        } else {
            line = candidate;
        }
        if (cp == " " || cp == "、" || cp == "," || cp == "；") last_break = line.size();
    }
    lines.push_back(line);
    return lines;
}

std::vector<std::string> wrap_at(cairo_t* cr, const std::string& t, const std::string& separator, const Font& font,
                                 double width) {
    std::vector<std::string> lines;
    std::string line;
    for (std::size_t at = 0; at <= t.size();) {
        const std::size_t end = separator.empty() ? std::string::npos : t.find(separator, at);
        const std::string part = t.substr(at, end == std::string::npos ? std::string::npos : end - at);
        at = end == std::string::npos ? t.size() + 1 : end + separator.size();
        if (!line.empty() && text_width(cr, line + separator + part, font) <= width) {
            line += separator + part;
            continue;
        }
        if (!line.empty()) lines.push_back(line);
        auto pieces = wrap(cr, part, font, width);   // a part too long for a line by itself
        line = pieces.back();
        pieces.pop_back();
        lines.insert(lines.end(), pieces.begin(), pieces.end());
    }
    if (!line.empty() || lines.empty()) lines.push_back(line);
    return lines;
}

std::string ellipsize(cairo_t* cr, const std::string& t, const Font& font, double width) {
    if (text_width(cr, t, font) <= width) return t;
    std::string out;
    for (const auto& cp : code_points(t)) {
        if (text_width(cr, out + cp + "…", font) > width) break;
        out += cp;
    }
    return out + "…";
}

void fill_rect(cairo_t* cr, double x, double y, double w, double h, std::uint32_t rgb, double alpha) {
    set_rgb(cr, rgb, alpha);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

void stroke_rect(cairo_t* cr, double x, double y, double w, double h, std::uint32_t rgb, double line_width) {
    set_rgb(cr, rgb);
    cairo_set_line_width(cr, line_width);
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
}

void line(cairo_t* cr, double x0, double y0, double x1, double y1, std::uint32_t rgb, double line_width) {
    set_rgb(cr, rgb);
    cairo_set_line_width(cr, line_width);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
}

double nice_length(double max_m) {
    if (!(max_m > 0)) return 0;
    const double p = std::pow(10.0, std::floor(std::log10(max_m)));
    for (double f : {5.0, 2.0, 1.0})
        if (f * p <= max_m) return f * p;
    return p;
}

double scale_bar(cairo_t* cr, double x, double y, double max_w, double metres_per_unit, double ts) {
    if (!(metres_per_unit > 0)) return 0;
    const double len_m = nice_length(max_w * metres_per_unit);
    const double len = len_m / metres_per_unit;
    const double bar_h = 4.5 * ts;
    for (int k = 0; k < 4; ++k) {
        fill_rect(cr, x + k * len / 4, y, len / 4, bar_h, k % 2 == 0 ? 0x333333 : 0xffffff);
    }
    stroke_rect(cr, x, y, len, bar_h, 0x333333, 0.6 * ts);
    const Font f{6.5 * ts, false, 0x333333};
    const double ty = y + bar_h + 6.5 * ts;
    const std::string mid = distance_text(len_m / 2), end = distance_text(len_m);
    text(cr, x, ty, "0", f, Align::centre);
    // the middle figure only where it keeps clear of its neighbours ("100 m200 m" on a short bar)
    const double gap = 3 * ts;
    const double side = std::max(text_width(cr, "0", f), text_width(cr, end, f));
    if (side / 2 + gap + text_width(cr, mid, f) / 2 <= len / 2)
        text(cr, x + len / 2, ty, mid, f, Align::centre);
    text(cr, x + len, ty, end, f, Align::centre);
    return bar_h + 11 * ts;
}

void north_arrow(cairo_t* cr, double cx, double top, double size, double ts) {
    const double w = size * 0.32;
    set_rgb(cr, 0x333333);
    cairo_move_to(cr, cx, top);
    cairo_line_to(cr, cx + w, top + size);
    cairo_line_to(cr, cx, top + size * 0.76);
    cairo_close_path(cr);
    cairo_fill(cr);
    set_rgb(cr, 0x333333);
    cairo_set_line_width(cr, 0.6 * ts);
    cairo_move_to(cr, cx, top);
    cairo_line_to(cr, cx - w, top + size);
    cairo_line_to(cr, cx, top + size * 0.76);
    cairo_close_path(cr);
    cairo_stroke(cr);
    text(cr, cx, top + size + 6 * ts, words::north, Font{7 * ts, true, 0x333333}, Align::centre);
}

// ---------------------------------------------------------------------------------------------------------------
// Legend layout

namespace {

struct Metrics {
    double row, heading, gap, sample_w, sample_h, text_dx, scale_h;
    explicit Metrics(double ts)
        : row(12 * ts), heading(14 * ts), gap(6 * ts), sample_w(20 * ts), sample_h(9 * ts), text_dx(26 * ts),
          scale_h(44 * ts) {}
};

// One placed block: a heading, an entry or the scale section.
struct Block {
    enum Kind { heading_block, entry_block, scale_block } kind;
    const LegendSection* section;
    std::size_t entry = 0;
    double h = 0;
    int column = 0;
    double y = 0;
};

std::vector<Block> blocks_of(const std::vector<LegendSection>& sections, const Metrics& m) {
    std::vector<Block> out;
    for (const auto& s : sections) {
        if (s.scale_bar) {
            out.push_back({Block::scale_block, &s, 0, m.heading + m.scale_h + m.gap});
            continue;
        }
        if (!s.heading.empty()) out.push_back({Block::heading_block, &s, 0, m.heading});
        for (std::size_t i = 0; i < s.entries.size(); ++i)
            out.push_back({Block::entry_block, &s, i, m.row + (i + 1 == s.entries.size() ? m.gap : 0)});
    }
    return out;
}

// Flows blocks into columns of height h; returns the number of columns used. A heading never ends a column; with
// `whole`, a section that fits in a column is not split.
int flow(std::vector<Block>& blocks, double h, bool whole) {
    int column = 0;
    double y = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        double need = blocks[i].h;
        if (blocks[i].kind == Block::heading_block) {
            double section = 0;
            for (std::size_t j = i; j < blocks.size() && blocks[j].section == blocks[i].section; ++j) section += blocks[j].h;
            if (whole && section <= h + 1e-6) need = section;
            else if (i + 1 < blocks.size()) need += blocks[i + 1].h;
        }
        if (y > 0 && y + need > h + 1e-6) {
            ++column;
            y = 0;
        }
        blocks[i].column = column;
        blocks[i].y = y;
        y += blocks[i].h;
    }
    return column + 1;
}

double min_height(std::vector<Block>& blocks, int columns, bool whole, double tallest) {
    double total = 0;
    for (const auto& b : blocks) total += b.h;
    if (columns <= 1) return total;
    double lo = std::max(tallest, total / columns), hi = total;
    for (int it = 0; it < 40 && hi - lo > 0.5; ++it) {
        const double mid = (lo + hi) / 2;
        if (flow(blocks, mid, whole) <= columns) hi = mid;
        else lo = mid;
    }
    return hi;
}

// Whole sections when that costs at most half as much height again as splitting them: the columns are made as tall
// as the tallest section that fits in that allowance (taller ones still split), then as tall as they must.
bool keep_whole(std::vector<Block>& blocks, int columns, double tallest, double* height) {
    const double split = min_height(blocks, columns, false, tallest);
    const double limit = split * 1.5;
    double h = split;
    for (std::size_t i = 0; i < blocks.size();) {
        double section = 0;
        std::size_t j = i;
        for (; j < blocks.size() && blocks[j].section == blocks[i].section; ++j) section += blocks[j].h;
        if (section <= limit) h = std::max(h, section);
        i = j;
    }
    for (; h <= limit; h += 1) {
        if (flow(blocks, h, true) <= columns) {
            if (height) *height = h;
            return true;
        }
    }
    if (height) *height = split;
    return false;
}

}  // namespace

double legend_height(cairo_t*, const std::vector<LegendSection>& sections, int columns, double, const LegendStyle& style) {
    const Metrics m(style.ts);
    auto blocks = blocks_of(sections, m);
    double tallest = 0;
    for (const auto& b : blocks) tallest = std::max(tallest, b.h + m.row);
    double h = 0;
    keep_whole(blocks, columns, tallest, &h);
    return h;
}

std::vector<LegendSample> legend(cairo_t* cr, const std::vector<LegendSection>& sections, double x, double y, double w,
                                 double h, double column_w, const LegendStyle& style) {
    const Metrics m(style.ts);
    auto blocks = blocks_of(sections, m);
    const int columns = std::max(1, static_cast<int>(std::floor((w + 1e-6) / column_w)));
    double tallest = 0;
    for (const auto& b : blocks) tallest = std::max(tallest, b.h + m.row);
    const bool whole = keep_whole(blocks, columns, tallest, nullptr);
    if (flow(blocks, h, whole) > columns) flow(blocks, h, false);
    const double col_w = columns > 1 ? w / columns : w;
    const Font heading_font{8.5 * style.ts, true, 0x222222};
    const Font item_font{7.4 * style.ts, false, 0x333333};
    std::vector<LegendSample> samples;
    for (const auto& b : blocks) {
        const double bx = x + b.column * col_w, by = y + b.y;
        if (b.kind == Block::heading_block) {
            text(cr, bx, by + m.heading / 2, ellipsize(cr, b.section->heading, heading_font, col_w - 4 * style.ts), heading_font);
        } else if (b.kind == Block::entry_block) {
            const auto& e = b.section->entries[b.entry];
            const double mid = by + m.row / 2;
            if (e.sample) {
                LegendSample s = *e.sample;
                s.x = bx;
                s.y = mid - m.sample_h / 2;
                s.w = m.sample_w;
                s.h = m.sample_h;
                samples.push_back(std::move(s));
            }
            text(cr, bx + m.text_dx, mid, ellipsize(cr, e.label, item_font, col_w - m.text_dx - 4 * style.ts), item_font);
        } else {
            text(cr, bx, by + m.heading / 2, b.section->heading.empty() ? words::scale : b.section->heading, heading_font);
            const double arrow = 22 * style.ts;
            const double bar_w = std::max(40.0 * style.ts, col_w - arrow - 22 * style.ts);
            const double top = by + m.heading + 3 * style.ts;
            const double used = scale_bar(cr, bx + 3 * style.ts, top, bar_w, style.metres_per_unit, style.ts);
            if (!style.scale_text.empty())
                text(cr, bx, top + used + 5 * style.ts, style.scale_text, Font{7 * style.ts, false, 0x444444});
            north_arrow(cr, bx + col_w - arrow / 2 - 6 * style.ts, by + 2 * style.ts, arrow * 0.9, style.ts);
        }
    }
    return samples;
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

double table_width(const std::vector<TableColumn>& columns, const TableStyle& style) {
    double w = 0;
    for (const auto& c : columns) w += c.width * style.ts;
    return w;
}

namespace {

std::size_t cell_lines(cairo_t* cr, const std::vector<TableColumn>& columns, const std::vector<std::string>& row,
                       const TableStyle& style, bool header) {
    const double fs = style.font_size * style.ts, pad = 2.2 * style.ts;
    const Font f{fs, header, 0x222222};
    std::size_t lines = 1;
    for (std::size_t c = 0; c < columns.size() && c < row.size(); ++c)
        lines = std::max(lines, wrap(cr, row[c], f, columns[c].width * style.ts - 2 * pad).size());
    return lines;
}

// One line of runs from x, vertically centred on y_mid: swatch, a little air, text; more air before the next run.
void draw_runs(cairo_t* cr, double x, double y_mid, const TableLine& line, const Font& f) {
    const double side = f.size * 0.8;
    for (const auto& run : line) {
        if (run.swatch) {
            fill_rect(cr, x, y_mid - side / 2, side, side, *run.swatch);
            stroke_rect(cr, x, y_mid - side / 2, side, side, 0x6b6b6b, 0.3 * f.size / 6.3);
            x += side + f.size * 0.25;
        }
        x += text(cr, x, y_mid, run.text, f) + f.size * 0.7;
    }
}

}  // namespace

double table_row_height(cairo_t* cr, const std::vector<TableColumn>& columns, const std::vector<std::string>& row,
                        const TableStyle& style, bool header, std::size_t sub_lines) {
    const double fs = style.font_size * style.ts, pad = 2.2 * style.ts, line_h = fs * 1.3;
    return static_cast<double>(cell_lines(cr, columns, row, style, header) + sub_lines) * line_h + 2 * pad;
}

double draw_table(cairo_t* cr, double x, double y, const std::vector<TableColumn>& columns,
                  const std::vector<std::vector<std::string>>& rows, std::size_t first, std::size_t last,
                  const TableStyle& style, const std::vector<std::string>* totals, const TableSubLines* sub) {
    const double fs = style.font_size * style.ts, pad = 2.2 * style.ts, line_h = fs * 1.3;
    const double w = table_width(columns, style);
    double cy = y;
    static const std::vector<TableLine> none;
    auto draw_row = [&](const std::vector<std::string>& row, bool bold, std::uint32_t background, bool header,
                        const std::vector<TableLine>& under) {
        const std::size_t n = cell_lines(cr, columns, row, style, bold);
        const double h = table_row_height(cr, columns, row, style, bold, under.size());
        if (background != 0xffffff) fill_rect(cr, x, cy, w, h, background);
        double cx = x;
        const Font f{fs, bold, 0x222222};
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const double cw = columns[c].width * style.ts;
            const auto lines = wrap(cr, c < row.size() ? row[c] : std::string(), f, cw - 2 * pad);
            for (std::size_t l = 0; l < lines.size(); ++l) {
                const double mid = cy + pad + line_h * (l + 0.5);
                if (columns[c].numeric && !header) text(cr, cx + cw - pad, mid, lines[l], f, Align::right);
                else if (header) text(cr, cx + cw / 2, mid, lines[l], f, Align::centre);
                else text(cr, cx + pad, mid, lines[l], f);
            }
            cx += cw;
        }
        double ux = x + pad;
        for (std::size_t c = 0; sub && c < sub->from_column && c < columns.size(); ++c) ux += columns[c].width * style.ts;
        for (std::size_t l = 0; l < under.size(); ++l)
            draw_runs(cr, ux, cy + pad + line_h * (static_cast<double>(n + l) + 0.5), under[l], f);
        line(cr, x, cy + h, x + w, cy + h, header ? 0x8a8782 : 0xd6d2ca, (header ? 0.8 : 0.4) * style.ts);
        cy += h;
    };
    std::vector<std::string> header;
    for (const auto& c : columns) header.push_back(c.header);
    line(cr, x, cy, x + w, cy, 0x8a8782, 0.8 * style.ts);
    draw_row(header, true, 0xece9e2, true, none);
    for (std::size_t r = first; r < last && r < rows.size(); ++r)
        draw_row(rows[r], false, (r - first) % 2 ? 0xf7f5f0 : 0xffffff, false,
                 sub && r < sub->rows.size() ? sub->rows[r] : none);
    if (totals) {
        draw_row(*totals, true, 0xece9e2, false, none);
    }
    line(cr, x, cy, x + w, cy, 0x8a8782, 0.8 * style.ts);
    return cy - y;
}

}  // namespace gridatlas::render::frame
