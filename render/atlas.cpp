// The officer atlas: a Cairo PDF surface, one page (plus detail maps of dense grids and table continuations) per grid,
// index pages first; a progress line on stderr when it is a terminal.
// Pages are planned first — each grid's map, its numbers placed (atlas_placement.hpp) and detail maps for those that
// find no room, its table paginated (rows wrap, so their heights are measured), the index — and then drawn with the
// page numbers known. Maps are drawn by mapnik::cairo_renderer through StyledMap, straight into the PDF, one
// after the other: the renders share one set of font faces (cairo_shared_faces.hpp), so the PDF embeds each font
// once instead of once per map, and sharing FreeType faces means one render at a time.
#include "atlas.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <variant>

#include <cairo-pdf.h>
#include <cairo.h>

#include "atlas_placement.hpp"
#include "overview_map.hpp"
#include "style_palette.hpp"
#include "vector_document.hpp"

namespace gridatlas::render {

namespace {

namespace bg = boost::geometry;
using frame::Align;
using frame::Font;

struct PageFrame {
    double W = 0, H = 0, ts = 1, margin = 0;
    double top = 0, bottom = 0, left = 0, width = 0;   // the content area
    double gap = 0;
};

PageFrame page_frame(double W, double H) {
    PageFrame f;
    f.W = W, f.H = H;
    f.ts = print::text_scale(W, H);
    f.margin = std::max(18.0, 0.032 * std::min(W, H));
    f.gap = 8 * f.ts;
    f.top = f.margin + 32 * f.ts;
    f.bottom = H - f.margin - 14 * f.ts;
    f.left = f.margin;
    f.width = W - 2 * f.margin;
    return f;
}

// Rows [first, last) of one table block.
struct BlockRange {
    std::size_t first = 0, last = 0;
    bool totals = false;
};
using TablePage = std::vector<BlockRange>;

// Splits rows into pages of `blocks` side-by-side blocks: the first page has `first_h` of height, the others
// `next_h`; every block repeats the header; the totals row goes under the last row.
std::vector<TablePage> paginate(const std::vector<double>& heights, double header_h, double totals_h, double first_h,
                                double next_h, int blocks) {
    std::vector<TablePage> pages;
    std::size_t r = 0;
    bool totals_done = totals_h <= 0;
    int guard = 0;
    while ((r < heights.size() || !totals_done) && guard++ < 100000) {
        const double area = pages.empty() ? first_h : next_h;
        TablePage page;
        for (int b = 0; b < blocks && (r < heights.size() || !totals_done); ++b) {
            BlockRange block{r, r, false};
            double y = header_h;
            while (r < heights.size() && y + heights[r] <= area + 1e-6) y += heights[r++];
            if (r == block.first && r < heights.size() && y + heights[r] > area && area == next_h && b == 0)
                y += heights[r++];   // a row taller than a whole page: place it anyway
            block.last = r;
            if (r == heights.size() && !totals_done && y + totals_h <= area + 1e-6) {
                block.totals = true;
                totals_done = true;
            }
            if (block.last > block.first || block.totals) page.push_back(block);
        }
        pages.push_back(std::move(page));
    }
    return pages;
}

// Points of paper between the outermost numbered building and the map frame: half a "128号楼" label.
constexpr double kLabelMargin = 18;
// Metres of ground around a detail map's buildings at the least: a map of a few crowded buildings still shows their
// street (about 1:600 on A4 for one building), not a close-up without context.
constexpr double kDetailMargin = 60;

const std::vector<frame::TableColumn>& building_columns() {
    static const std::vector<frame::TableColumn> c = {
        {"编号", 20, true}, {"楼栋", 50, false}, {"单元", 22, true}, {"户数", 24, true},
        {"人数", 25, true}, {"党员户", 27, true}, {"党员中心户\n单元 室号", 96, false}};
    return c;
}

const std::vector<frame::TableColumn>& index_columns() {
    static const std::vector<frame::TableColumn> c = {
        {"序号", 24, true}, {"网格编码", 78, false}, {"网格名称", 98, false}, {"所属", 70, false},
        {"住宅楼", 32, true}, {"户数", 34, true}, {"人数", 38, true}, {"党员户", 32, true},
        {"中心户", 32, true}, {"页码", 28, true}};
    return c;
}

// One map of a grid: its view and height (its width is the atlas's map width), the numbers placed on it and the marks
// they avoid.
struct MapPlan {
    geo::Box view;
    double height = 0;
    NumberPlacement numbers;
    std::vector<geo::Box> obstacles;
};

struct GridPlan {
    GridId grid;
    std::vector<std::string> subtitle;    // its lines (header_lines): the header grows by a line each after the first
    double top = 0;                       // the content area's top on the grid's pages
    std::vector<BuildingId> numbered;     // numbered_buildings: number k + 1 is numbered[k]
    double legend_h = 0;
    MapPlan map;                          // the grid's map, above its table
    std::vector<MapPlan> details;         // detail maps (a page each, after the map page) for the numbers it lacks
    std::vector<std::vector<std::string>> rows;
    frame::TableSubLines units;           // under a building's row: its units by status (unit_lines)
    std::vector<std::string> totals;
    std::vector<TablePage> table_pages;   // [0]: under the map
};

// What every step of the atlas shares: the data, the page's frame and sizes, and a scratch context to measure text.
struct Atlas {
    const MapData& d;
    const Dataset& ds;
    PageFrame f;
    frame::TableStyle table_style;
    double legend_w = 0, map_w = 0;
    int blocks = 1;                       // table blocks side by side
    double block_gap = 0;
    cairo_t* m = nullptr;
};

constexpr double kSubtitleLine = 9;   // between the subtitle's lines, in text-scaled points

Font subtitle_font(const PageFrame& f) { return {7.6 * f.ts, false, 0x555555}; }

// The subtitle in lines as wide as the page, broken between its parts ("  ·  "), never shortened: the counts by status
// of a large grid take a second line on A4.
std::vector<std::string> header_lines(cairo_t* m, const PageFrame& f, const std::string& subtitle) {
    return frame::wrap_at(m, subtitle, "  ·  ", subtitle_font(f), f.width);
}

// The content area's top under a header whose subtitle has `lines` lines.
double content_top(const PageFrame& f, std::size_t lines) {
    return f.top + static_cast<double>(std::max<std::size_t>(lines, 1) - 1) * kSubtitleLine * f.ts;
}

void draw_header(cairo_t* cr, const PageFrame& f, const std::string& title, const std::vector<std::string>& subtitle) {
    const Font tf{14 * f.ts, true, 0x1b1b1b}, sf = subtitle_font(f);
    frame::text(cr, f.left, f.margin + 9 * f.ts, frame::ellipsize(cr, title, tf, f.width), tf);
    for (std::size_t k = 0; k < subtitle.size(); ++k)
        frame::text(cr, f.left, f.margin + (23 + kSubtitleLine * static_cast<double>(k)) * f.ts, subtitle[k], sf);
    const double rule = content_top(f, subtitle.size()) - 2.5 * f.ts;
    frame::line(cr, f.left, rule, f.left + f.width, rule, 0xd9d6cf, 0.6 * f.ts);
}

void draw_footer(cairo_t* cr, const PageFrame& f, const std::string& left, const std::string& date, int page, int pages) {
    const Font ff{6.6 * f.ts, false, 0x6b6b6b};
    const double y = f.H - f.margin - 4 * f.ts;
    frame::text(cr, f.left, y, left, ff);
    frame::text(cr, f.W / 2, y, "第 " + std::to_string(page) + " 页 / 共 " + std::to_string(pages) + " 页", ff, Align::centre);
    frame::text(cr, f.left + f.width, y, words::date_prefix + date + "    GridAtlas", ff, Align::right);
}

void draw_table_page(cairo_t* cr, const Atlas& a, double y, const GridPlan& plan, const TablePage& page) {
    const double tw = frame::table_width(building_columns(), a.table_style);
    for (std::size_t b = 0; b < page.size(); ++b) {
        const double x = a.f.left + b * (tw + a.block_gap);
        frame::draw_table(cr, x, y, building_columns(), plan.rows, page[b].first, page[b].last, a.table_style,
                          page[b].totals ? &plan.totals : nullptr, &plan.units);
    }
}

// The key map of the index: every grid of the atlas with its page number, over the buildings and roads.
Scene key_scene(const MapData& d, const std::vector<AtlasEntry>& entries, const geo::Box& view) {
    const Dataset& ds = *d.dataset;
    Scene s = print::officer_scene(d, entries.front().grid, view);
    for (auto& [name, layer] : s) layer.features.clear();
    std::vector<bool> in_atlas(ds.grids.size(), false);
    for (const auto& e : entries) in_atlas[e.grid.index()] = true;
    const int level = ds.grid(entries.front().grid).level;
    for (const auto& g : ds.grids)
        if (g.level == level && !bg::is_empty(g.area)) s["grid-fill"].add(g.area, {std::int64_t{in_atlas[g.id.index()]}});
    for (const auto& r : ds.roads)
        if (r.line.size() >= 2) s["roads"].add(r.line, {r.highway, r.name});
    for (const auto& b : ds.buildings)
        if (!b.footprint.empty()) s["buildings"].add(b.footprint, {std::string(b.residential ? "res" : "nonres"), std::int64_t{1}});
    auto outline = [](const geo::MultiPolygon& mp) {
        std::vector<geo::LineString> out;
        for (const auto& poly : mp) out.emplace_back(poly.outer().begin(), poly.outer().end());
        return out;
    };
    for (const auto& e : entries) s["grid-lines"].add(outline(ds.grid(e.grid).area), {std::string("key")});
    // larger grids first, so they keep their numbers when space is short
    std::vector<const AtlasEntry*> order;
    for (const auto& e : entries) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [&](const AtlasEntry* a, const AtlasEntry* b) {
        return std::abs(bg::area(ds.grid(a->grid).area)) > std::abs(bg::area(ds.grid(b->grid).area));
    });
    for (const AtlasEntry* e : order) s["key-labels"].add(ds.grid(e->grid).area, {std::to_string(e->first_page)});
    return s;
}

// ----- planning

constexpr double kCaption = 13;   // the table's caption line, in text-scaled points

int atlas_level(const AtlasRequest& request, const Dataset& ds) {
    int level = request.level;
    if (level < 0)
        for (const auto& g : ds.grids) level = std::max(level, g.level);
    if (level < 0) throw std::invalid_argument("the project has no grids to make an atlas of");
    return level;
}

// The request's grids, else every grid of the level with an area, in code order; grids without an area left out.
std::vector<GridId> atlas_grids(const AtlasRequest& request, const Dataset& ds, int level) {
    std::vector<GridId> grids = request.grids;
    if (grids.empty()) {
        for (const auto& g : ds.grids)
            if (g.level == level && !bg::is_empty(g.area)) grids.push_back(g.id);
        std::stable_sort(grids.begin(), grids.end(), [&](GridId a, GridId b) { return ds.grid(a).code < ds.grid(b).code; });
    }
    grids.erase(std::remove_if(grids.begin(), grids.end(),
                               [&](GridId g) { return !g.valid() || g.index() >= ds.grids.size() || bg::is_empty(ds.grid(g).area); }),
                grids.end());
    if (grids.empty()) throw std::invalid_argument("no grid with an area to put in the atlas");
    return grids;
}

// The numbers of map `m`: the buildings `required` (indices into p.numbered) must find a place; the grid's other
// buildings inside the view are numbered too where space is left.
void place_map_numbers(const Atlas& a, const GridPlan& p, MapPlan& m, const std::vector<std::size_t>& required) {
    const MapFrame fr{m.view, a.map_w, m.height, a.f.ts};
    NumberPlacementInput in{fr, {}, mark_boxes(a.d, p.numbered, fr)};
    std::vector<bool> is_required(p.numbered.size(), false);
    for (std::size_t k : required) is_required[k] = true;
    for (std::size_t k = 0; k < p.numbered.size(); ++k) {
        const BuildingId b = p.numbered[k];
        const geo::Point& anchor = a.ds.building(b).anchor;
        if (!is_required[k] && !bg::covered_by(anchor, m.view)) continue;
        const std::string households = b.index() < a.d.buildings.size() ? std::to_string(a.d.buildings[b.index()].households) + "户" : "";
        in.sites.push_back({k + 1, anchor, households, bool(is_required[k]), marks_extent(a.d, b)});
    }
    m.obstacles = in.obstacles;
    m.numbers = place_numbers(in);
}

// Detail maps for the buildings `part` (indices into p.numbered) whose numbers found no place on the grid's map: a map
// fitted to them keeps the numbers it places; those it cannot place get the next map, fitted to them (closer in, as
// they crowd); a map that places none of its part is split at the median of its longer side instead.
void plan_details(const Atlas& a, GridPlan& p, std::vector<std::size_t> part, double height) {
    geo::Box box;
    bg::assign_inverse(box);
    for (std::size_t k : part) bg::expand(box, a.ds.building(p.numbered[k]).anchor);
    MapPlan m;
    m.height = height;
    m.view = fit_extent(box, a.map_w, height, 0.08, kDetailMargin, kLabelMargin * a.f.ts);
    place_map_numbers(a, p, m, part);
    if (m.numbers.missing.size() < part.size() || part.size() <= 1) {
        std::vector<std::size_t> rest;   // (a lone building with no room stays deferred: the atlas tests would see it)
        for (std::size_t n : m.numbers.missing) rest.push_back(n - 1);
        p.details.push_back(std::move(m));
        if (!rest.empty() && rest.size() < part.size()) plan_details(a, p, std::move(rest), height);
        return;
    }
    const bool by_x = box.max_corner().x() - box.min_corner().x() >= box.max_corner().y() - box.min_corner().y();
    const auto mid = part.begin() + static_cast<std::ptrdiff_t>(part.size() / 2);
    std::nth_element(part.begin(), mid, part.end(), [&](std::size_t i, std::size_t j) {
        const geo::Point &pi = a.ds.building(p.numbered[i]).anchor, &pj = a.ds.building(p.numbered[j]).anchor;
        return by_x ? pi.x() < pj.x() : pi.y() > pj.y();   // west to east, north to south
    });
    plan_details(a, p, {part.begin(), mid}, height);
    plan_details(a, p, {mid, part.end()}, height);
}

// The grid's map: as wide as the page beside the legend, as tall as the grid's shape asks (within bounds) and as its
// legend needs; its numbers, and detail maps for those it cannot place.
void plan_map(const Atlas& a, GridPlan& p) {
    const double content_h = a.f.bottom - p.top, ts = a.f.ts;
    geo::Box box = print::grid_box(a.ds, p.grid);   // and every building it numbers, with room for the number's label
    for (BuildingId b : p.numbered) bg::expand(box, a.ds.building(b).anchor);
    const double aspect = (box.max_corner().y() - box.min_corner().y()) / std::max(1.0, box.max_corner().x() - box.min_corner().x());
    MapPlan& m = p.map;
    m.height = std::floor(std::clamp(a.map_w * aspect * 1.08, 0.34 * content_h, 0.52 * content_h));
    m.view = fit_extent(box, a.map_w, m.height, 0.05, 10, kLabelMargin * ts);
    // the legend lists what the drawn view shows (facilities beyond the grid's box too): measured on the view, the
    // map made as tall as its legend, and the view fitted again (twice: a taller view may show one more kind)
    for (int pass = 0; pass < 2; ++pass) {
        const auto sections = print::officer_legend(a.d, p.grid, m.view);
        p.legend_h = frame::legend_height(a.m, sections, 1, a.legend_w - 16 * ts, frame::LegendStyle{ts, 0, ""}) + 18 * ts;
        m.height = std::min(std::max(m.height, std::ceil(p.legend_h)), std::floor(0.62 * content_h));
        m.view = fit_extent(box, a.map_w, m.height, 0.05, 10, kLabelMargin * ts);
    }
    std::vector<std::size_t> all(p.numbered.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    place_map_numbers(a, p, m, all);
    if (!m.numbers.missing.empty() && m.height < std::floor(0.62 * content_h)) {   // as tall as it may be, if that is enough
        MapPlan tall = m;
        tall.height = std::floor(0.62 * content_h);
        tall.view = fit_extent(box, a.map_w, tall.height, 0.05, 10, kLabelMargin * ts);
        place_map_numbers(a, p, tall, all);
        if (tall.numbers.missing.empty()) m = std::move(tall);
    }
    std::vector<std::size_t> missing;
    for (std::size_t n : m.numbers.missing) missing.push_back(n - 1);
    if (!missing.empty()) plan_details(a, p, std::move(missing), std::floor(content_h - a.f.gap));
}

// A unit's line under its building's row: its name, then its households by status as status_summary words them, each
// after a swatch of the colour its cell has on the map.
frame::TableLine unit_line(const UnitStatus& u) {
    frame::TableLine line{{u.unit, std::nullopt}};
    const std::string summary = status_summary(u.status), separator = " · ";
    for (std::size_t at = 0; at < summary.size();) {
        const std::size_t end = std::min(summary.find(separator, at), summary.size());
        frame::TableRun run{summary.substr(at, end - at), std::nullopt};
        for (const auto& c : status_palette())
            if (run.text.rfind(std::string(status_word(c.status)) + " ", 0) == 0)
                run.swatch = static_cast<std::uint32_t>(std::stoul(std::string(c.fill).substr(1), nullptr, 16));
        line.push_back(std::move(run));
        at = end + separator.size();
    }
    return line;
}

// Under the row of each building of several units, a line per unit with its households by status (as the officer
// list has them), when the roster has a status field.
frame::TableSubLines unit_lines(const MapData& d, const std::vector<BuildingId>& numbered) {
    frame::TableSubLines sub;
    sub.from_column = 1;
    sub.rows.resize(numbered.size());
    if (!d.household_status || d.buildings.empty()) return sub;
    for (std::size_t k = 0; k < numbered.size(); ++k) {
        const auto& units = d.buildings[numbered[k].index()].unit_status;
        if (units.size() >= 2)
            for (const auto& u : units) sub.rows[k].push_back(unit_line(u));
    }
    return sub;
}

// The building table, paginated: under the map on the first page, then on pages of its own.
void plan_table(const Atlas& a, GridPlan& p) {
    const auto& cols = building_columns();
    p.rows = officer_table_rows(a.d, p.grid);
    p.units = unit_lines(a.d, p.numbered);
    p.totals = officer_table_totals(a.d, p.grid);
    std::vector<double> heights;
    for (std::size_t r = 0; r < p.rows.size(); ++r)
        heights.push_back(frame::table_row_height(a.m, cols, p.rows[r], a.table_style, false, p.units.rows[r].size()));
    const double header = frame::table_row_height(a.m, cols, {"", "", "", "", "", "", "党员中心户\n单元 室号"}, a.table_style, true);
    const double totals_h = frame::table_row_height(a.m, cols, p.totals, a.table_style, true);
    const double first_h = a.f.bottom - (p.top + p.map.height + a.f.gap + kCaption * a.f.ts);
    const double next_h = a.f.bottom - (p.top + kCaption * a.f.ts);
    p.table_pages = paginate(heights, header, totals_h, first_h, next_h, a.blocks);
    if (p.table_pages.empty()) p.table_pages.push_back({});
}

GridPlan plan_grid(const Atlas& a, GridId g) {
    GridPlan p;
    p.grid = g;
    p.numbered = numbered_buildings(a.d, g);
    p.subtitle = header_lines(a.m, a.f, print::officer_subtitle(a.d, g));
    p.top = content_top(a.f, p.subtitle.size());
    plan_map(a, p);
    plan_table(a, p);
    return p;
}

// The index: a row per grid (its page number filled in later), totals, the key map over the first page.
struct IndexPlan {
    std::vector<std::vector<std::string>> rows;
    std::vector<double> heights;
    std::vector<std::string> totals;
    double header = 0, intro_h = 0, key_h = 0;
    geo::Box key_view;
    std::vector<TablePage> pages;
    std::int64_t buildings = 0, households = 0, central = 0;
    std::vector<std::string> subtitle;   // its lines
    double top = 0;                      // the content area's top under them
};

frame::TableStyle index_style(const PageFrame& f) { return {f.ts, 6.8}; }

void index_rows(const Atlas& a, const std::vector<GridPlan>& plans, IndexPlan& ip) {
    std::int64_t persons = 0, party = 0;
    for (std::size_t i = 0; i < plans.size(); ++i) {
        const GridId g = plans[i].grid;
        const auto& grid = a.ds.grid(g);
        const GridFacts gf = g.index() < a.d.grids.size() ? a.d.grids[g.index()] : GridFacts{};
        std::int64_t central = 0;
        for (BuildingId b : plans[i].numbered)
            if (b.index() < a.d.buildings.size()) central += static_cast<std::int64_t>(a.d.buildings[b.index()].central_places.size());
        const std::size_t nb = plans[i].numbered.size();
        ip.rows.push_back({std::to_string(i + 1), grid.code, grid.name, print::parent_name(a.d, g), std::to_string(nb),
                           std::to_string(gf.households), std::to_string(gf.persons), std::to_string(gf.party_households),
                           std::to_string(central), "000"});
        ip.buildings += static_cast<std::int64_t>(nb), ip.households += gf.households, persons += gf.persons;
        party += gf.party_households, ip.central += central;
    }
    // names that would wrap are shortened: one line per grid
    const double size = index_style(a.f).font_size * a.f.ts;
    for (auto& row : ip.rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            row[c] = frame::ellipsize(a.m, row[c], Font{size}, index_columns()[c].width * a.f.ts - 4.4 * a.f.ts);
    ip.totals = {"合计", std::to_string(plans.size()) + " 个", "", "", std::to_string(ip.buildings), std::to_string(ip.households),
                 std::to_string(persons), std::to_string(party), std::to_string(ip.central), ""};
}

IndexPlan plan_index(const Atlas& a, const std::vector<GridPlan>& plans) {
    IndexPlan ip;
    index_rows(a, plans, ip);
    const PageFrame& f = a.f;
    const auto style = index_style(f);
    for (const auto& row : ip.rows) ip.heights.push_back(frame::table_row_height(a.m, index_columns(), row, style));
    ip.header = frame::table_row_height(a.m, index_columns(), {"序号"}, style, true);
    const double totals_h = frame::table_row_height(a.m, index_columns(), ip.totals, style, true);
    const std::string level = level_name(a.ds, a.ds.grid(plans.front().grid).level);
    ip.subtitle = header_lines(a.m, f, "共 " + std::to_string(plans.size()) + " 个" + level + "  ·  " + std::to_string(ip.buildings) +
                                           " 栋住宅楼  ·  " + std::to_string(ip.households) + " 户  ·  党员中心户 " +
                                           std::to_string(ip.central) + "  ·  " + words::aggregates_only + "，不含姓名与电话");
    ip.top = content_top(f, ip.subtitle.size());
    const double content_h = f.bottom - ip.top;
    ip.intro_h = 30 * f.ts;
    geo::Box key_box;   // the key map: all the atlas's grids, on the first index page
    bg::assign_inverse(key_box);
    for (const auto& p : plans) bg::expand(key_box, print::grid_box(a.ds, p.grid));
    const double key_aspect = (key_box.max_corner().y() - key_box.min_corner().y()) /
                              std::max(1.0, key_box.max_corner().x() - key_box.min_corner().x());
    ip.key_h = std::floor(std::clamp(f.width * key_aspect * 1.05, 0.22 * content_h, 0.45 * content_h));
    ip.key_view = fit_extent(key_box, f.width, ip.key_h, 0.03, 10);
    ip.pages = paginate(ip.heights, ip.header, totals_h, content_h - ip.intro_h - ip.key_h - f.gap, content_h, 1);
    return ip;
}

// Page numbers: the index first, then each grid's map page, its detail maps and its table continuations.
AtlasResult number_pages(const std::vector<GridPlan>& plans, IndexPlan& ip) {
    AtlasResult result;
    result.index_pages = static_cast<int>(ip.pages.size());
    int page_no = result.index_pages;
    for (const auto& p : plans) {
        AtlasEntry e;
        e.grid = p.grid;
        e.first_page = page_no + 1;
        e.pages = static_cast<int>(p.table_pages.size() + p.details.size());
        e.buildings = p.rows.size();
        page_no += e.pages;
        result.entries.push_back(e);
    }
    result.pages = page_no;
    for (std::size_t i = 0; i < ip.rows.size(); ++i) ip.rows[i].back() = std::to_string(result.entries[i].first_page);
    return result;
}

// ----- drawing

// Progress on stderr, when it is a terminal: pages drawn and the time left at the pace so far.
class Progress {
public:
    explicit Progress(int pages) : pages_(pages), tty_(::isatty(STDERR_FILENO) != 0), started_(std::chrono::steady_clock::now()) {}
    void operator()(int done) const {
        if (!tty_) return;
        const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        const double left = done > 1 ? spent / (done - 1) * (pages_ - done + 1) : 0;
        std::fprintf(stderr, "\ratlas: page %d of %d, about %.0f s left   ", done, pages_, left);
        if (done == pages_) std::fputc('\n', stderr);
        std::fflush(stderr);
    }

private:
    int pages_;
    bool tty_;
    std::chrono::steady_clock::time_point started_;
};

// The document being drawn: where pages go, the texts every page repeats, and the result with its placement log.
struct Pages {
    const Atlas& a;
    const StyledMap& styled;
    cairo_t* cr;
    cairo_surface_t* surface;
    std::string title, footer_left, date;
    AtlasResult& result;
    Progress progress;
    int page = 0;

    void begin() {
        progress(++page);
        frame::fill_rect(cr, 0, 0, a.f.W, a.f.H, 0xffffff);
    }
    void end() {
        draw_footer(cr, a.f, footer_left, date, page, result.pages);
        cairo_show_page(cr);
    }
};

// The key map of the first index page, with its frame and scale bar.
void draw_key_map(Pages& P, const IndexPlan& ip, double y) {
    const PageFrame& f = P.a.f;
    cairo_t* cr = P.cr;
    const double kx = std::round(f.left), ky = std::round(y);
    cairo_save(cr);
    cairo_translate(cr, kx, ky);
    P.styled.render_cairo(cr, key_scene(P.a.d, P.result.entries, ip.key_view),
                          MapView{ip.key_view, static_cast<int>(f.width), static_cast<int>(ip.key_h), f.ts});
    cairo_restore(cr);
    frame::stroke_rect(cr, kx - 0.25, ky - 0.25, std::floor(f.width) + 0.5, ip.key_h + 0.5, 0x8a8782, 0.5 * f.ts);
    const double mpp = (ip.key_view.max_corner().x() - ip.key_view.min_corner().x()) / std::floor(f.width);
    frame::fill_rect(cr, kx + 6 * f.ts, ky + ip.key_h - 30 * f.ts, 118 * f.ts, 25 * f.ts, 0xffffff, 0.85);
    frame::scale_bar(cr, kx + 12 * f.ts, ky + ip.key_h - 25 * f.ts, 100 * f.ts, mpp, f.ts);
}

// Index page `k`: header, (first page) the introduction and key map, its rows, each linked to its grid's page.
void draw_index_page(Pages& P, const IndexPlan& ip, std::size_t k, const std::string& level) {
    const PageFrame& f = P.a.f;
    cairo_t* cr = P.cr;
    P.begin();
    draw_header(cr, f, k == 0 ? P.title : P.title + "（目录续）", ip.subtitle);
    double y = ip.top;
    if (k == 0) {
        frame::text(cr, f.left, y + 9 * f.ts, "目录", Font{11 * f.ts, true, 0x222222});
        frame::text(cr, f.left, y + 21 * f.ts,
                    "每个" + level + "一页：网格员工作图与楼栋表（楼栋多时续页，楼号密处另附局部图）。图中数字为页码；目录中的行可点击。",
                    Font{7 * f.ts, false, 0x555555});
        draw_key_map(P, ip, y + ip.intro_h);
        y += ip.intro_h + ip.key_h + f.gap;
    }
    const auto& block = ip.pages[k].empty() ? BlockRange{} : ip.pages[k][0];
    const auto style = index_style(f);
    frame::draw_table(cr, f.left, y, index_columns(), ip.rows, block.first, block.last, style, block.totals ? &ip.totals : nullptr);
    double ry = y + ip.header;
    const double iw = frame::table_width(index_columns(), style);
    for (std::size_t r = block.first; r < block.last; ++r) {
        std::ostringstream attrs;
        attrs << "rect=[" << f.left << " " << ry << " " << iw << " " << ip.heights[r] << "] page=" << P.result.entries[r].first_page;
        cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs.str().c_str());
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        ry += ip.heights[r];
    }
    P.end();
}

// The unit digits the officer scene would have Mapnik place: the atlas places them itself (place_unit_labels).
std::vector<UnitSite> unit_sites(const Scene& scene) {
    std::vector<UnitSite> out;
    const auto it = scene.find("unit-labels");
    if (it == scene.end()) return out;
    for (const auto& f : it->second.features)
        if (const auto* p = std::get_if<geo::Point>(&f.geometry); p && f.values.size() > 1)
            if (const auto* label = std::get_if<std::string>(&f.values[1])) out.push_back({*p, *label});
    return out;
}

// A map of the grid at the top of the content area, its numbers and unit digits placed by atlas_placement (in place of
// Mapnik's building and unit labels), its legend with the scale bar beside it; logged. Returns the y under it.
double draw_map_panel(Pages& P, const GridPlan& p, const MapPlan& m, int detail) {
    const PageFrame& f = P.a.f;
    cairo_t* cr = P.cr;
    const double mx = std::round(f.left), my = std::round(p.top), map_w = P.a.map_w;
    const MapFrame fr{m.view, map_w, m.height, f.ts};
    Scene scene = print::officer_scene(P.a.d, p.grid, m.view);
    scene["building-labels"].features.clear();
    add_number_layers(scene, m.numbers, fr);
    const auto units = place_unit_labels(unit_sites(scene), m.numbers, m.obstacles, fr);
    scene["unit-labels"].features.clear();
    add_unit_label_layer(scene, units, fr);
    cairo_save(cr);
    cairo_translate(cr, mx, my);
    P.styled.render_cairo(cr, scene, MapView{m.view, static_cast<int>(map_w), static_cast<int>(m.height), f.ts});
    cairo_restore(cr);
    frame::stroke_rect(cr, mx - 0.25, my - 0.25, map_w + 0.5, m.height + 0.5, 0x8a8782, 0.5 * f.ts);
    const double lx = mx + map_w + f.gap, pad = 8 * f.ts, legend_w = P.a.legend_w;
    frame::stroke_rect(cr, lx, my, legend_w, m.height, 0xd9d6cf, 0.6 * f.ts);
    const auto sections = print::officer_legend(P.a.d, p.grid, m.view);
    const double mpp = (m.view.max_corner().x() - m.view.min_corner().x()) / map_w;
    const auto samples = frame::legend(cr, sections, lx + pad, my + pad, legend_w - 2 * pad, m.height - 2 * pad, legend_w - 2 * pad,
                                       frame::LegendStyle{f.ts, mpp, print::scale_text(mpp)});
    P.styled.render_samples(cr, samples, f.ts);
    std::vector<geo::Box> unit_boxes;
    for (const auto& u : units) unit_boxes.push_back(u.box);
    P.result.maps.push_back({P.page, p.grid, detail, map_w, m.height, m.numbers.placed, m.obstacles, m.numbers.missing, unit_boxes});
    return my + m.height + f.gap;
}

// Detail maps: the numbers the grid's map could not place, each part at a scale where they do not crowd.
void draw_detail_pages(Pages& P, const GridPlan& p, const std::string& gt) {
    for (std::size_t k = 0; k < p.details.size(); ++k) {
        P.begin();
        draw_header(P.cr, P.a.f, gt + " · 局部图 " + std::to_string(k + 1) + "/" + std::to_string(p.details.size()), p.subtitle);
        draw_map_panel(P, p, p.details[k], static_cast<int>(k + 1));
        P.end();
    }
}

// The table's caption: what its numbers and places mean, and the lines under a building of several units.
std::string table_caption(const GridPlan& p, std::size_t tp) {
    if (tp > 0) return "楼栋与住户（续）";
    std::string c = p.details.empty() ? "楼栋与住户（编号同图上楼号；党员中心户以 单元 室号 表示，同网格员台账；无室号时为户号"
                                      : "楼栋与住户（编号同图上楼号，图上未标的见后附局部图；党员中心户以 单元 室号 表示；无室号时为户号";
    const bool units = std::any_of(p.units.rows.begin(), p.units.rows.end(), [](const auto& lines) { return !lines.empty(); });
    return c + (units ? "；多单元楼下列各单元住户状态，色块同图例）" : "）");
}

// A grid: its outline entry, the map page (map, legend and the table's start), detail maps, table continuations.
void draw_grid(Pages& P, const GridPlan& p, std::size_t i) {
    const PageFrame& f = P.a.f;
    const std::string gt = print::grid_title(P.a.ds, p.grid);
    const std::string dest = "page=" + std::to_string(P.result.entries[i].first_page);
    cairo_pdf_surface_add_outline(P.surface, CAIRO_PDF_OUTLINE_ROOT, gt.c_str(), dest.c_str(), static_cast<cairo_pdf_outline_flags_t>(0));
    for (std::size_t tp = 0; tp < p.table_pages.size(); ++tp) {
        if (tp == 1) draw_detail_pages(P, p, gt);
        P.begin();
        double y = p.top;
        if (tp == 0) {
            draw_header(P.cr, f, gt + " · 网格员工作图", p.subtitle);
            y = draw_map_panel(P, p, p.map, 0);
        } else {
            draw_header(P.cr, f, gt + " · 楼栋表（续 " + std::to_string(tp) + "）", p.subtitle);
        }
        frame::text(P.cr, f.left, y + kCaption * f.ts / 2 - 1.5 * f.ts, table_caption(p, tp), Font{7.6 * f.ts, true, 0x333333});
        y += kCaption * f.ts;
        if (p.rows.empty() && tp == 0) frame::text(P.cr, f.left, y + 8 * f.ts, "本网格没有住宅楼。", Font{7.6 * f.ts, false, 0x555555});
        else draw_table_page(P.cr, P.a, y, p, p.table_pages[tp]);
        P.end();
    }
    if (p.table_pages.size() == 1) draw_detail_pages(P, p, gt);
}

// Page sizes, table blocks and the map's width on this paper.
Atlas atlas_layout(const MapData& d, double W, double H, cairo_t* m) {
    const PageFrame f = page_frame(W, H);
    Atlas a{d, *d.dataset, f, frame::TableStyle{f.ts, 6.3}, 138 * f.ts, 0, 1, 0, m};
    a.map_w = std::floor(f.width - a.legend_w - f.gap);
    const double table_w = frame::table_width(building_columns(), a.table_style);
    a.blocks = std::max(1, static_cast<int>((f.width + f.gap) / (table_w + f.gap)));
    a.block_gap = a.blocks > 1 ? (f.width - a.blocks * table_w) / (a.blocks - 1) : 0;
    return a;
}

// A scratch Cairo context to measure text while planning.
struct Scratch {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t* c = cairo_create(s);
    Scratch() = default;
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    ~Scratch() { cairo_destroy(c), cairo_surface_destroy(s); }
};

}  // namespace

AtlasResult render_atlas_pdf(const AtlasRequest& request, const std::filesystem::path& out) {
    if (request.data == nullptr) throw std::invalid_argument("render_atlas_pdf: request.data is null");
    const MapData& d = *request.data;
    check_map_data(d);
    const Dataset& ds = *d.dataset;
    if (request.page.pixel_page()) throw std::invalid_argument("the atlas is printed on paper: give --paper, not --size");
    const int level = atlas_level(request, ds);
    const std::vector<GridId> grids = atlas_grids(request, ds, level);
    frame::check_fonts();
    const auto [W, H] = request.page.size_pt();
    const Scratch scratch;
    const Atlas a = atlas_layout(d, W, H, scratch.c);

    std::vector<GridPlan> plans;
    for (GridId g : grids) plans.push_back(plan_grid(a, g));
    IndexPlan ip = plan_index(a, plans);
    AtlasResult result = number_pages(plans, ip);

    const StyledMap styled((request.styles.empty() ? styles_dir() : request.styles) / "officer.xml", ds.working_crs);
    const std::string title = request.title.empty()
                                  ? (d.project_name.empty() ? std::string() : d.project_name + " · ") + "网格工作图册"
                                  : request.title;
    std::string footer_left = request.attribution;
    if (!ds.working_crs.empty()) footer_left += (footer_left.empty() ? "" : "    ") + std::string("坐标系 ") + ds.working_crs;
    std::error_code ec;
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path(), ec);
    VectorDocument doc(VectorDocument::Kind::pdf, out, W, H, title);
    Pages P{a, styled, doc.cr(), doc.surface(), title, footer_left, request.date.empty() ? today() : request.date, result,
            Progress(result.pages), 0};
    cairo_pdf_surface_add_outline(doc.surface(), CAIRO_PDF_OUTLINE_ROOT, "目录", "page=1", CAIRO_PDF_OUTLINE_FLAG_OPEN);
    for (std::size_t k = 0; k < ip.pages.size(); ++k) draw_index_page(P, ip, k, level_name(ds, level));
    for (std::size_t i = 0; i < plans.size(); ++i) draw_grid(P, plans[i], i);
    doc.finish();
    return result;
}

}  // namespace gridatlas::render
