// The officer atlas: a Cairo PDF surface, one page (plus detail maps of dense grids and table continuations) per grid,
// index pages first; a progress line on stderr when it is a terminal.
// Pages are laid out twice: once to count them (table rows wrap, so their heights are measured), then drawn with
// the page numbers known. Maps are drawn by mapnik::cairo_renderer through StyledMap, straight into the PDF, one
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

#include <cairo-pdf.h>
#include <cairo.h>

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

// Detail maps of a grid with more numbered buildings than one map can label legibly: the buildings' anchors split at
// the median of the longer side, again and again, until every part holds at most `most` of them; the part's box.
constexpr std::size_t kBuildingsPerMap = 36;
// Points of paper between the outermost numbered building and the map frame: half a "128号楼" label.
constexpr double kLabelMargin = 18;

void split_details(std::vector<geo::Point>& pts, std::size_t first, std::size_t last, std::size_t most,
                   std::vector<geo::Box>& out) {
    geo::Box box;
    bg::assign_inverse(box);
    for (std::size_t i = first; i < last; ++i) bg::expand(box, pts[i]);
    if (last - first <= most) {
        out.push_back(box);
        return;
    }
    const bool by_x = box.max_corner().x() - box.min_corner().x() >= box.max_corner().y() - box.min_corner().y();
    const std::size_t mid = first + (last - first) / 2;
    std::nth_element(pts.begin() + first, pts.begin() + mid, pts.begin() + last, [by_x](const geo::Point& a, const geo::Point& b) {
        return by_x ? a.x() < b.x() : a.y() > b.y();   // west to east, north to south
    });
    split_details(pts, first, mid, most, out);
    split_details(pts, mid, last, most, out);
}

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

struct GridPlan {
    GridId grid;
    double map_h = 0, legend_w = 0, legend_h = 0;
    geo::Box view;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> totals;
    std::vector<TablePage> table_pages;   // [0]: under the map
    std::vector<geo::Box> details;        // detail maps (a page each, after the map page) of a grid with many buildings
    double detail_h = 0;                  // their height
    int blocks = 1;
    double block_gap = 0;
};

void draw_header(cairo_t* cr, const PageFrame& f, const std::string& title, const std::string& subtitle) {
    const Font tf{14 * f.ts, true, 0x1b1b1b}, sf{7.6 * f.ts, false, 0x555555};
    frame::text(cr, f.left, f.margin + 9 * f.ts, frame::ellipsize(cr, title, tf, f.width), tf);
    frame::text(cr, f.left, f.margin + 23 * f.ts, frame::ellipsize(cr, subtitle, sf, f.width), sf);
    frame::line(cr, f.left, f.margin + 29.5 * f.ts, f.left + f.width, f.margin + 29.5 * f.ts, 0xd9d6cf, 0.6 * f.ts);
}

void draw_footer(cairo_t* cr, const PageFrame& f, const std::string& left, const std::string& date, int page, int pages) {
    const Font ff{6.6 * f.ts, false, 0x6b6b6b};
    const double y = f.H - f.margin - 4 * f.ts;
    frame::text(cr, f.left, y, left, ff);
    frame::text(cr, f.W / 2, y, "第 " + std::to_string(page) + " 页 / 共 " + std::to_string(pages) + " 页", ff, Align::centre);
    frame::text(cr, f.left + f.width, y, words::date_prefix + date + "    GridAtlas", ff, Align::right);
}

void draw_table_page(cairo_t* cr, const PageFrame& f, double y, const GridPlan& plan, const TablePage& page,
                     const frame::TableStyle& ts) {
    const double tw = frame::table_width(building_columns(), ts);
    for (std::size_t b = 0; b < page.size(); ++b) {
        const double x = f.left + b * (tw + plan.block_gap);
        frame::draw_table(cr, x, y, building_columns(), plan.rows, page[b].first, page[b].last, ts,
                          page[b].totals ? &plan.totals : nullptr);
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

}  // namespace

AtlasResult render_atlas_pdf(const AtlasRequest& request, const std::filesystem::path& out) {
    if (request.data == nullptr) throw std::invalid_argument("render_atlas_pdf: request.data is null");
    const MapData& d = *request.data;
    check_map_data(d);
    const Dataset& ds = *d.dataset;
    if (request.page.pixel_page()) throw std::invalid_argument("the atlas is printed on paper: give --paper, not --size");
    int level = request.level;
    if (level < 0)
        for (const auto& g : ds.grids) level = std::max(level, g.level);
    if (level < 0) throw std::invalid_argument("the project has no grids to make an atlas of");
    std::vector<GridId> grids = request.grids;
    if (grids.empty()) {
        for (const auto& g : ds.grids)
            if (g.level == level && !bg::is_empty(g.area)) grids.push_back(g.id);
        std::stable_sort(grids.begin(), grids.end(), [&](GridId a, GridId b) { return ds.grid(a).code < ds.grid(b).code; });
    }
    grids.erase(std::remove_if(grids.begin(), grids.end(), [&](GridId g) { return !g.valid() || g.index() >= ds.grids.size() || bg::is_empty(ds.grid(g).area); }),
                grids.end());
    if (grids.empty()) throw std::invalid_argument("no grid with an area to put in the atlas");
    frame::check_fonts();

    const auto [W, H] = request.page.size_pt();
    const PageFrame f = page_frame(W, H);
    const frame::TableStyle table_style{f.ts, 6.3};
    const std::filesystem::path style_dir = request.styles.empty() ? styles_dir() : request.styles;
    const StyledMap styled(style_dir / "officer.xml", ds.working_crs);
    const std::string date = request.date.empty() ? today() : request.date;
    const std::string title = request.title.empty()
                                  ? (d.project_name.empty() ? std::string() : d.project_name + " · ") + "网格工作图册"
                                  : request.title;
    std::string footer_left = request.attribution;
    if (!ds.working_crs.empty()) footer_left += (footer_left.empty() ? "" : "    ") + std::string("坐标系 ") + ds.working_crs;

    // a scratch context to measure text while planning
    cairo_surface_t* scratch_surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
    cairo_t* m = cairo_create(scratch_surface);
    struct Scratch {
        cairo_surface_t* s;
        cairo_t* c;
        ~Scratch() { cairo_destroy(c), cairo_surface_destroy(s); }
    } scratch{scratch_surface, m};

    // ----- plan the grid pages
    const double table_w = frame::table_width(building_columns(), table_style);
    const int blocks = std::max(1, static_cast<int>((f.width + f.gap) / (table_w + f.gap)));
    const double block_gap = blocks > 1 ? (f.width - blocks * table_w) / (blocks - 1) : 0;
    const double header_row = frame::table_row_height(m, building_columns(), {"", "", "", "", "", "", "党员中心户\n单元 室号"}, table_style, true);
    const double caption_h = 13 * f.ts;
    std::vector<GridPlan> plans;
    for (GridId g : grids) {
        GridPlan p;
        p.grid = g;
        p.blocks = blocks;
        p.block_gap = block_gap;
        p.legend_w = 138 * f.ts;
        const double map_w = std::floor(f.width - p.legend_w - f.gap);
        geo::Box box = print::grid_box(ds, g);   // and every building it numbers, with room for the number's label
        for (BuildingId b : numbered_buildings(d, g)) bg::expand(box, ds.building(b).anchor);
        const double aspect = (box.max_corner().y() - box.min_corner().y()) / std::max(1.0, box.max_corner().x() - box.min_corner().x());
        const double content_h = f.bottom - f.top;
        p.map_h = std::floor(std::clamp(map_w * aspect * 1.08, 0.34 * content_h, 0.52 * content_h));
        p.view = fit_extent(box, map_w, p.map_h, 0.05, 10, kLabelMargin * f.ts);
        // the legend lists what the drawn view shows (facilities beyond the grid's box too): measured on the view, the
        // map made as tall as its legend, and the view fitted again (twice: a taller view may show one more kind)
        for (int pass = 0; pass < 2; ++pass) {
            const auto sections = print::officer_legend(d, g, p.view);
            p.legend_h = frame::legend_height(m, sections, 1, p.legend_w - 16 * f.ts, frame::LegendStyle{f.ts, 0, ""}) + 18 * f.ts;
            p.map_h = std::min(std::max(p.map_h, std::ceil(p.legend_h)), std::floor(0.62 * content_h));
            p.view = fit_extent(box, map_w, p.map_h, 0.05, 10, kLabelMargin * f.ts);
        }
        {
            const auto numbered = numbered_buildings(d, g);
            if (numbered.size() > kBuildingsPerMap) {
                std::vector<geo::Point> anchors;
                for (BuildingId b : numbered) anchors.push_back(ds.building(b).anchor);
                split_details(anchors, 0, anchors.size(), kBuildingsPerMap, p.details);
                p.detail_h = std::floor(content_h - f.gap);
            }
        }
        p.rows = officer_table_rows(d, g);
        p.totals = officer_table_totals(d, g);
        std::vector<double> heights;
        for (const auto& row : p.rows) heights.push_back(frame::table_row_height(m, building_columns(), row, table_style));
        const double totals_h = frame::table_row_height(m, building_columns(), p.totals, table_style, true);
        const double first_h = f.bottom - (f.top + p.map_h + f.gap + caption_h);
        const double next_h = f.bottom - (f.top + caption_h);
        p.table_pages = paginate(heights, header_row, totals_h, first_h, next_h, blocks);
        if (p.table_pages.empty()) p.table_pages.push_back({});
        plans.push_back(std::move(p));
    }

    // ----- plan the index
    std::vector<std::vector<std::string>> index_rows;
    std::vector<double> index_heights;
    std::int64_t tot_b = 0, tot_h = 0, tot_p = 0, tot_party = 0, tot_central = 0;
    for (std::size_t i = 0; i < plans.size(); ++i) {
        const GridId g = plans[i].grid;
        const auto& grid = ds.grid(g);
        const GridFacts gf = g.index() < d.grids.size() ? d.grids[g.index()] : GridFacts{};
        std::int64_t central = 0;
        for (BuildingId b : numbered_buildings(d, g))
            if (b.index() < d.buildings.size()) central += static_cast<std::int64_t>(d.buildings[b.index()].central_places.size());
        const std::size_t nb = numbered_buildings(d, g).size();
        index_rows.push_back({std::to_string(i + 1), grid.code, grid.name, print::parent_name(d, g), std::to_string(nb),
                              std::to_string(gf.households), std::to_string(gf.persons), std::to_string(gf.party_households),
                              std::to_string(central), "000"});
        tot_b += static_cast<std::int64_t>(nb), tot_h += gf.households, tot_p += gf.persons, tot_party += gf.party_households;
        tot_central += central;
    }
    const frame::TableStyle index_style{f.ts, 6.8};
    // names that would wrap are shortened: one line per grid
    for (auto& row : index_rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            row[c] = frame::ellipsize(m, row[c], Font{index_style.font_size * f.ts}, index_columns()[c].width * f.ts - 4.4 * f.ts);
    for (const auto& row : index_rows) index_heights.push_back(frame::table_row_height(m, index_columns(), row, index_style));
    const std::vector<std::string> index_totals = {"合计", std::to_string(plans.size()) + " 个", "", "", std::to_string(tot_b),
                                                   std::to_string(tot_h), std::to_string(tot_p), std::to_string(tot_party),
                                                   std::to_string(tot_central), ""};
    const double index_header = frame::table_row_height(m, index_columns(), {"序号"}, index_style, true);
    const double index_totals_h = frame::table_row_height(m, index_columns(), index_totals, index_style, true);
    const double intro_h = 30 * f.ts;
    // the key map: all the atlas's grids, on the first index page
    geo::Box key_box;
    bg::assign_inverse(key_box);
    for (const auto& p : plans) bg::expand(key_box, print::grid_box(ds, p.grid));
    const double key_aspect = (key_box.max_corner().y() - key_box.min_corner().y()) /
                              std::max(1.0, key_box.max_corner().x() - key_box.min_corner().x());
    const double key_h = std::floor(std::clamp(f.width * key_aspect * 1.05, 0.22 * (f.bottom - f.top), 0.45 * (f.bottom - f.top)));
    const geo::Box key_view = fit_extent(key_box, f.width, key_h, 0.03, 10);
    const auto index_pages = paginate(index_heights, index_header, index_totals_h, f.bottom - f.top - intro_h - key_h - f.gap,
                                      f.bottom - f.top, 1);

    AtlasResult result;
    result.index_pages = static_cast<int>(index_pages.size());
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
    for (std::size_t i = 0; i < index_rows.size(); ++i) index_rows[i].back() = std::to_string(result.entries[i].first_page);

    // ----- draw
    std::error_code ec;
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path(), ec);
    VectorDocument doc(VectorDocument::Kind::pdf, out, W, H, title);
    cairo_surface_t* surface = doc.surface();
    cairo_t* cr = doc.cr();
    {
        int page = 0;
        // progress on stderr, when it is a terminal: pages drawn and the time left at the pace so far
        const bool tty = ::isatty(STDERR_FILENO) != 0;
        const auto started = std::chrono::steady_clock::now();
        const auto progress = [&](int done) {
            if (!tty) return;
            const double spent = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const double left = done > 1 ? spent / (done - 1) * (result.pages - done + 1) : 0;
            std::fprintf(stderr, "\ratlas: page %d of %d, about %.0f s left   ", done, result.pages, left);
            if (done == result.pages) std::fputc('\n', stderr);
            std::fflush(stderr);
        };
        // index
        const int index_outline = cairo_pdf_surface_add_outline(surface, CAIRO_PDF_OUTLINE_ROOT, "目录", "page=1", CAIRO_PDF_OUTLINE_FLAG_OPEN);
        (void)index_outline;
        for (std::size_t ip = 0; ip < index_pages.size(); ++ip) {
            ++page;
            progress(page);
            frame::fill_rect(cr, 0, 0, W, H, 0xffffff);
            const std::string sub = "共 " + std::to_string(plans.size()) + " 个" + level_name(ds, level) + "  ·  " +
                                    std::to_string(tot_b) + " 栋住宅楼  ·  " + std::to_string(tot_h) + " 户  ·  党员中心户 " +
                                    std::to_string(tot_central) + "  ·  " + words::aggregates_only + "，不含姓名与电话";
            draw_header(cr, f, ip == 0 ? title : title + "（目录续）", sub);
            double y = f.top;
            if (ip == 0) {
                frame::text(cr, f.left, y + 9 * f.ts, "目录", Font{11 * f.ts, true, 0x222222});
                frame::text(cr, f.left, y + 21 * f.ts,
                            "每个" + level_name(ds, level) + "一页：网格员工作图与楼栋表（楼栋多时续页）。图中数字为页码；目录中的行可点击。",
                            Font{7 * f.ts, false, 0x555555});
                y += intro_h;
                const double kx = std::round(f.left), ky = std::round(y);
                cairo_save(cr);
                cairo_translate(cr, kx, ky);
                styled.render_cairo(cr, key_scene(d, result.entries, key_view),
                                    MapView{key_view, static_cast<int>(f.width), static_cast<int>(key_h), f.ts});
                cairo_restore(cr);
                frame::stroke_rect(cr, kx - 0.25, ky - 0.25, std::floor(f.width) + 0.5, key_h + 0.5, 0x8a8782, 0.5 * f.ts);
                const double mpp = (key_view.max_corner().x() - key_view.min_corner().x()) / std::floor(f.width);
                frame::fill_rect(cr, kx + 6 * f.ts, ky + key_h - 30 * f.ts, 118 * f.ts, 25 * f.ts, 0xffffff, 0.85);
                frame::scale_bar(cr, kx + 12 * f.ts, ky + key_h - 25 * f.ts, 100 * f.ts, mpp, f.ts);
                y += key_h + f.gap;
            }
            const auto& block = index_pages[ip].empty() ? BlockRange{} : index_pages[ip][0];
            frame::draw_table(cr, f.left, y, index_columns(), index_rows, block.first, block.last, index_style,
                              block.totals ? &index_totals : nullptr);
            // links: each row to its grid's page
            double ry = y + index_header;
            const double iw = frame::table_width(index_columns(), index_style);
            for (std::size_t r = block.first; r < block.last; ++r) {
                std::ostringstream attrs;
                attrs << "rect=[" << f.left << " " << ry << " " << iw << " " << index_heights[r] << "] page="
                      << result.entries[r].first_page;
                cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs.str().c_str());
                cairo_tag_end(cr, CAIRO_TAG_LINK);
                ry += index_heights[r];
            }
            draw_footer(cr, f, footer_left, date, page, result.pages);
            cairo_show_page(cr);
        }
        // grids: each map drawn by Mapnik's Cairo renderer straight into its page (vectors and text; one set of font
        // faces for the whole document, see cairo_shared_faces.hpp)
        const double map_w = std::floor(f.width - 138 * f.ts - f.gap);
        for (std::size_t i = 0; i < plans.size(); ++i) {
            const GridPlan& p = plans[i];
            const GridId g = p.grid;
            const std::string gt = print::grid_title(ds, g);
            const std::string dest = "page=" + std::to_string(result.entries[i].first_page);
            cairo_pdf_surface_add_outline(surface, CAIRO_PDF_OUTLINE_ROOT, gt.c_str(), dest.c_str(), static_cast<cairo_pdf_outline_flags_t>(0));
            // the officer map of `view` at the top of the content area, its legend (with the scale bar) beside it
            const auto map_panel = [&](const geo::Box& view, double map_h) {
                const double mx = std::round(f.left), my = std::round(f.top);
                cairo_save(cr);
                cairo_translate(cr, mx, my);
                styled.render_cairo(cr, print::officer_scene(d, g, view),
                                    MapView{view, static_cast<int>(map_w), static_cast<int>(map_h), f.ts});
                cairo_restore(cr);
                frame::stroke_rect(cr, mx - 0.25, my - 0.25, map_w + 0.5, map_h + 0.5, 0x8a8782, 0.5 * f.ts);
                const double lx = mx + map_w + f.gap, pad = 8 * f.ts;
                frame::stroke_rect(cr, lx, my, p.legend_w, map_h, 0xd9d6cf, 0.6 * f.ts);
                const auto sections = print::officer_legend(d, g, view);
                const double mpp = (view.max_corner().x() - view.min_corner().x()) / map_w;
                const auto samples = frame::legend(cr, sections, lx + pad, my + pad, p.legend_w - 2 * pad, map_h - 2 * pad,
                                                   p.legend_w - 2 * pad, frame::LegendStyle{f.ts, mpp, print::scale_text(mpp)});
                styled.render_samples(cr, samples, f.ts);
                return my + map_h + f.gap;
            };
            // detail maps: every building numbered at a scale where the numbers do not crowd
            const auto detail_pages = [&] {
                for (std::size_t k = 0; k < p.details.size(); ++k) {
                    ++page;
                    progress(page);
                    frame::fill_rect(cr, 0, 0, W, H, 0xffffff);
                    draw_header(cr, f, gt + " · 局部图 " + std::to_string(k + 1) + "/" + std::to_string(p.details.size()),
                                print::officer_subtitle(d, g));
                    map_panel(fit_extent(p.details[k], map_w, p.detail_h, 0.08, 25, kLabelMargin * f.ts), p.detail_h);
                    draw_footer(cr, f, footer_left, date, page, result.pages);
                    cairo_show_page(cr);
                }
            };
            for (std::size_t tp = 0; tp < p.table_pages.size(); ++tp) {
                if (tp == 1) detail_pages();
                ++page;
                progress(page);
                frame::fill_rect(cr, 0, 0, W, H, 0xffffff);
                double y = f.top;
                if (tp == 0) {
                    draw_header(cr, f, gt + " · 网格员工作图", print::officer_subtitle(d, g));
                    y = map_panel(p.view, p.map_h);
                } else {
                    draw_header(cr, f, gt + " · 楼栋表（续 " + std::to_string(tp) + "）", print::officer_subtitle(d, g));
                }
                frame::text(cr, f.left, y + caption_h / 2 - 1.5 * f.ts,
                            tp == 0 ? "楼栋与住户（编号同图上楼号；党员中心户以 单元 室号 表示，同网格员台账；无室号时为户号）" : "楼栋与住户（续）",
                            Font{7.6 * f.ts, true, 0x333333});
                y += caption_h;
                if (p.rows.empty() && tp == 0)
                    frame::text(cr, f.left, y + 8 * f.ts, "本网格没有住宅楼。", Font{7.6 * f.ts, false, 0x555555});
                else
                    draw_table_page(cr, f, y, p, p.table_pages[tp], table_style);
                draw_footer(cr, f, footer_left, date, page, result.pages);
                cairo_show_page(cr);
            }
            if (p.table_pages.size() == 1) detail_pages();
        }
    }
    doc.finish();
    return result;
}

}  // namespace gridatlas::render
