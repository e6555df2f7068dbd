// The overview map. Styles, font sets and the layer order live in styles/overview.xml; this file builds the in-memory
// datasources, attaches them to the XML's layers by name, lays out the page and renders it with Mapnik's AGG renderer.
//
// The page is two Mapnik renders composed into one image:
//   1. the frame map (layers "frame-*", coordinates in page pixels with y up): background, legend sidebar, scale bar,
//      title and attribution text;
//   2. the map proper (all other layers, in the dataset's working CRS), rendered into its own image of the map frame's
//      size and copied into the page, so its labels are placed against its own edges and never run into the legend.
#include "overview_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <unordered_map>

#include <mapnik/agg_renderer.hpp>
#include <mapnik/color.hpp>
#include <mapnik/config_error.hpp>
#include <mapnik/datasource.hpp>
#include <mapnik/feature.hpp>
#include <mapnik/feature_factory.hpp>
#include <mapnik/geometry.hpp>
#include <mapnik/image.hpp>
#include <mapnik/image_util.hpp>
#include <mapnik/layer.hpp>
#include <mapnik/load_map.hpp>
#include <mapnik/map.hpp>
#include <mapnik/memory_datasource.hpp>
#include <mapnik/params.hpp>
#include <mapnik/value.hpp>
#include <unicode/unistr.h>

#include "frame.hpp"
#include "map_content.hpp"
#include "map_setup.hpp"
#include "style_palette.hpp"

#ifndef GRIDATLAS_SOURCE_STYLES_DIR
#define GRIDATLAS_SOURCE_STYLES_DIR "styles"
#endif

namespace gridatlas::render {

std::filesystem::path styles_dir() {
    if (const char* env = std::getenv("GRIDATLAS_STYLES"); env != nullptr && *env != '\0') return env;
    return GRIDATLAS_SOURCE_STYLES_DIR;
}

namespace {

namespace bg = boost::geometry;

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

icu::UnicodeString ustr(const std::string& utf8) { return icu::UnicodeString::fromUTF8(utf8); }

// A memory datasource with a fixed attribute schema.
class FeatureSink {
public:
    explicit FeatureSink(std::initializer_list<const char*> keys) : ctx_(std::make_shared<mapnik::context_type>()) {
        for (const char* k : keys) ctx_->push(k);
        mapnik::parameters p;
        p["type"] = "memory";
        ds_ = std::make_shared<mapnik::memory_datasource>(p);
    }
    mapnik::feature_ptr add(mapnik::geometry::geometry<double>&& geom) {
        mapnik::feature_ptr f = mapnik::feature_factory::create(ctx_, ++next_id_);
        f->set_geometry(std::move(geom));
        ds_->push(f);
        return f;
    }
    std::shared_ptr<mapnik::memory_datasource> datasource() const { return ds_; }
private:
    mapnik::context_ptr ctx_;
    std::shared_ptr<mapnik::memory_datasource> ds_;
    mapnik::value_integer next_id_ = 0;
};

void put(const mapnik::feature_ptr& f, const char* key, const std::string& v) { f->put(key, ustr(v)); }
void put(const mapnik::feature_ptr& f, const char* key, const char* v) { f->put(key, ustr(v)); }
void put(const mapnik::feature_ptr& f, const char* key, int v) { f->put(key, mapnik::value_integer{v}); }

// ---------------------------------------------------------------------------------------------------------------
// Page layout

// Page pixels (y down) → frame-map coordinates (y up).
struct Page {
    double width, height;
    mapnik::geometry::point<double> pt(double x, double y) const { return {x, height - y}; }
    mapnik::geometry::geometry<double> rect(double x, double y, double w, double h) const {
        mapnik::geometry::polygon<double> p;
        mapnik::geometry::linear_ring<double> r;
        r.emplace_back(x, height - y);
        r.emplace_back(x + w, height - y);
        r.emplace_back(x + w, height - y - h);
        r.emplace_back(x, height - y - h);
        r.emplace_back(x, height - y);
        p.set_exterior_ring(std::move(r));
        return p;
    }
    mapnik::geometry::geometry<double> outline(double x, double y, double w, double h) const {
        mapnik::geometry::line_string<double> l;
        l.emplace_back(x, height - y);
        l.emplace_back(x + w, height - y);
        l.emplace_back(x + w, height - y - h);
        l.emplace_back(x, height - y - h);
        l.emplace_back(x, height - y);
        return l;
    }
    mapnik::geometry::geometry<double> hline(double x0, double x1, double y) const {
        mapnik::geometry::line_string<double> l;
        l.emplace_back(x0, height - y);
        l.emplace_back(x1, height - y);
        return l;
    }
};

}  // namespace

namespace {

MapContentInput content_input(const OverviewRequest& request) {
    MapContentInput in;
    in.dataset = request.dataset;
    in.grid_households = request.grid_households;
    in.building_minutes = request.building_minutes;
    in.headline_threshold_minutes = request.headline_threshold_minutes;
    in.headline_kind = request.headline_kind_name;
    in.labels = request.draw_labels;
    return in;
}

// The extent of the content with a margin of 4 % (at least 10 m).
geo::Box padded_extent(const Dataset& ds) {
    geo::Box extent = content_box(ds);   // throws when there is nothing to draw
    const double w = extent.max_corner().x() - extent.min_corner().x();
    const double h = extent.max_corner().y() - extent.min_corner().y();
    const double m = std::max(10.0, 0.04 * std::max(w, h));
    extent.min_corner().x(extent.min_corner().x() - m);
    extent.min_corner().y(extent.min_corner().y() - m);
    extent.max_corner().x(extent.max_corner().x() + m);
    extent.max_corner().y(extent.max_corner().y() + m);
    return extent;
}

// What the legend sidebar lists: the public legend table (style_palette.hpp), the same as the printed overview's.
using LegendContent = std::vector<LegendTable>;

// The page in pixels (y down); sizes in the XML are nominal and scaled by `s`.
struct PageGeometry {
    double W, s, pad, title_h, footer_h, sidebar_w, map_x, map_y, map_w, map_h, H, row, heading, gap;
    double side_x() const { return W - pad - sidebar_w; }
};

PageGeometry page_geometry(int width_px, const geo::Box& extent, const LegendContent& legend) {
    PageGeometry g{};
    g.W = width_px;
    g.s = std::max(0.9, g.W / 1200.0);
    const double s = g.s;
    g.pad = std::round(16 * s);
    g.title_h = std::round(68 * s);
    g.footer_h = std::round(30 * s);
    g.sidebar_w = std::round(250 * s);
    g.map_x = g.pad, g.map_y = g.title_h;
    g.map_w = std::floor(g.W - g.sidebar_w - 3 * g.pad);
    const double ext_w = extent.max_corner().x() - extent.min_corner().x();
    const double ext_h = extent.max_corner().y() - extent.min_corner().y();
    const double aspect = std::clamp(ext_h / ext_w, 0.25, 4.0);
    g.row = 22 * s, g.heading = 26 * s, g.gap = 14 * s;
    // the legend, measured before the page height is known
    double legend_h = 16 * s + g.heading + 44 * s + 12 * s;
    for (const auto& table : legend) legend_h += g.heading + g.row * static_cast<double>(table.lines.size()) + g.gap;
    g.map_h = std::max(std::round(g.map_w * aspect), std::ceil(legend_h));
    g.H = g.title_h + g.map_h + g.footer_h;
    return g;
}

// The frame map's datasources (page pixels) and the writing of its features.
struct FrameSinks {
    explicit FrameSinks(Page p) : page(p) {}
    Page page;
    FeatureSink panel{"kind"};
    FeatureSink swatch{"band"};
    FeatureSink sample_line{"rank", "level"};
    FeatureSink marker{"slot", "kind", "name"};
    FeatureSink scalebar{"kind"};
    FeatureSink texts{"role", "text"};

    void text(double x, double y, const char* role, const std::string& t) {
        auto f = texts.add(page.pt(x, y));
        put(f, "role", role);
        put(f, "text", t);
    }
    std::map<std::string, std::shared_ptr<mapnik::memory_datasource>> sources() const {
        return {{"frame-panel", panel.datasource()},       {"frame-swatches", swatch.datasource()},
                {"frame-lines", sample_line.datasource()}, {"frame-markers", marker.datasource()},
                {"frame-scalebar", scalebar.datasource()}, {"frame-text", texts.datasource()}};
    }
};

void draw_panels(FrameSinks& f, const PageGeometry& g) {
    auto p = f.panel.add(f.page.rect(g.side_x(), g.map_y, g.sidebar_w, g.map_h));
    put(p, "kind", "sidebar");
    p = f.panel.add(f.page.outline(g.map_x - 0.5, g.map_y - 0.5, g.map_w + 1, g.map_h + 1));
    put(p, "kind", "frame");
}

// The title (the request's, else the top-level names) and a subtitle of counts.
void draw_title(FrameSinks& f, const PageGeometry& g, const OverviewRequest& request, const GridLevels& grid_levels) {
    const Dataset& ds = *request.dataset;
    std::string title = request.title;
    std::vector<std::string> top_names;
    for (const auto& gr : ds.grids)
        if (gr.level == grid_levels.top && !gr.name.empty()) top_names.push_back(gr.name);
    if (title.empty()) {
        for (std::size_t i = 0; i < top_names.size() && i < 3; ++i) title += (i ? "、" : "") + top_names[i];
        if (top_names.size() > 3) title += " 等";
        title += title.empty() ? "网格总览图" : " 网格总览图";
    }
    f.text(g.pad, g.pad + 14 * g.s, "title", title);
    std::string sub;
    auto add = [&](const std::string& part) { sub += (sub.empty() ? "" : "  ·  ") + part; };
    for (int l : grid_levels.present) {
        const auto n = std::count_if(ds.grids.begin(), ds.grids.end(), [&](const Grid& gr) { return gr.level == l; });
        add(std::to_string(n) + " 个" + level_name(ds, l));
    }
    const auto residential = std::count_if(ds.buildings.begin(), ds.buildings.end(), [](const Building& b) { return b.residential; });
    add(std::to_string(residential) + " 栋住宅楼");
    if (!request.grid_households.empty()) {
        std::int64_t total = 0;
        for (std::size_t i = 0; i < ds.grids.size(); ++i)
            if (ds.grids[i].level == grid_levels.fine) total += request.grid_households[i];
        add("共 " + std::to_string(total) + " 户");
    }
    f.text(g.pad, g.pad + 40 * g.s, "subtitle", sub);
}

// The legend's sample of one line of the table: a building swatch, a grid boundary or a facility marker.
void draw_sample(FrameSinks& f, const LegendLine& line, double lx, double y, const PageGeometry& g, const GridLevels& grid_levels,
                 std::map<std::string, int>& slot_of_kind) {
    const double s = g.s, row = g.row;
    if (line.key.rfind("level:", 0) == 0) {
        const int l = std::stoi(line.key.substr(6));
        auto sample = f.sample_line.add(f.page.hline(lx, lx + 28 * s, y + row / 2));
        put(sample, "rank", grid_levels.rank(l));
        put(sample, "level", l);
    } else if (line.key.rfind("kind:", 0) == 0) {
        const std::string kind = line.key.substr(5);
        auto m = f.marker.add(f.page.pt(lx + 14 * s, y + row / 2));
        put(m, "slot", slot_of_kind[kind]);
        put(m, "kind", kind);
        put(m, "name", "");
    } else {
        put(f.swatch.add(f.page.rect(lx, y + row / 2 - 7 * s, 28 * s, 14 * s)), "band", line.key);
    }
}

// The legend sections (public_legend: minute bands, grid levels, facility kinds), then the scale bar's heading;
// returns the y below that heading.
double draw_legend(FrameSinks& f, const PageGeometry& g, const GridLevels& grid_levels, const LegendContent& legend,
                   std::map<std::string, int>& slot_of_kind) {
    const double s = g.s, row = g.row, lx = g.side_x() + 14 * s, tx = lx + 38 * s;
    double y = g.map_y + 16 * s;
    for (const auto& table : legend) {
        f.text(lx, y + g.heading / 2, "heading", table.heading);
        y += g.heading;
        for (const auto& line : table.lines) {
            draw_sample(f, line, lx, y, g, grid_levels, slot_of_kind);
            f.text(tx, y + row / 2, "item", line.words);
            y += row;
        }
        y += g.gap;
    }
    f.text(lx, y + g.heading / 2, "heading", words::scale);
    return y + g.heading;
}

// The scale bar for a map of `m_per_px` metres per pixel, and the north arrow at its right; y: below its heading.
void draw_scalebar(FrameSinks& f, const PageGeometry& g, double y, double m_per_px) {
    const double s = g.s, lx = g.side_x() + 14 * s, H = g.H;
    const double bar_max_px = g.sidebar_w - 28 * s - 40 * s;
    const double len_m = frame::nice_length(bar_max_px * m_per_px);
    const double len_px = len_m / m_per_px;
    const double bar_y = y + 6 * s, bar_h = 6 * s;
    for (int k = 0; k < 4; ++k) put(f.scalebar.add(f.page.rect(lx + k * len_px / 4, bar_y, len_px / 4, bar_h)), "kind", k % 2 == 0 ? "dark" : "light");
    f.text(lx, bar_y + bar_h + 11 * s, "centre", "0");
    f.text(lx + len_px / 2, bar_y + bar_h + 11 * s, "centre", distance_text(len_m / 2));
    f.text(lx + len_px, bar_y + bar_h + 11 * s, "centre", distance_text(len_m));
    const double ax = g.side_x() + g.sidebar_w - 24 * s, ay = y - g.heading + 4 * s;
    mapnik::geometry::polygon<double> arrow;
    mapnik::geometry::linear_ring<double> r;
    r.emplace_back(ax, H - ay);
    r.emplace_back(ax + 7 * s, H - (ay + 22 * s));
    r.emplace_back(ax, H - (ay + 17 * s));
    r.emplace_back(ax - 7 * s, H - (ay + 22 * s));
    r.emplace_back(ax, H - ay);
    arrow.set_exterior_ring(std::move(r));
    put(f.scalebar.add(std::move(arrow)), "kind", "arrow");
    f.text(ax, ay + 33 * s, "centre", words::north);
}

void draw_footer(FrameSinks& f, const PageGeometry& g, const OverviewRequest& request) {
    std::string foot = request.attribution;
    const std::string& crs = request.dataset->working_crs;
    if (!crs.empty()) foot += (foot.empty() ? "" : "    ") + std::string("坐标系 ") + crs;
    foot += (foot.empty() ? "" : "    ") + std::string("仅显示网格汇总数据");
    f.text(g.pad, g.map_y + g.map_h + g.footer_h / 2, "note", foot);
}

bool is_frame_layer(const mapnik::layer& l) { return l.name().rfind("frame-", 0) == 0; }

// The two Mapnik maps of the page, from one style: the map proper (its layers, the dataset's CRS, the map frame's
// size) and the frame (the frame-* layers, page pixels). Throws naming the style for a layer the renderer lacks.
struct PageMaps {
    mapnik::Map map, frame;
    std::string srs;
};

// Page pixels need no projection: a fixed srs that Mapnik knows without PROJ, the same for map and layers.
constexpr const char* kPageSrs = "epsg:3857";

void load_page_maps(PageMaps& m, const PageGeometry& g, const std::filesystem::path& style, const Scene& scene,
                    const std::map<std::string, std::shared_ptr<mapnik::memory_datasource>>& sources) {
    m.map.resize(static_cast<unsigned>(g.map_w), static_cast<unsigned>(g.map_h));
    load_style(m.map, style, "overview");
    m.map.set_srs(m.srs);
    if (!m.map.background()) m.map.set_background(mapnik::color(255, 255, 255));   // the map image is copied opaque
    m.frame = m.map;
    m.frame.set_srs(kPageSrs);
    m.frame.resize(static_cast<unsigned>(g.W), static_cast<unsigned>(g.H));
    m.frame.set_background(mapnik::color(255, 255, 255));
    for (const auto& l : m.map.layers())
        if (!sources.count(l.name()) && !scene.count(l.name()))
            throw std::runtime_error("overview style " + style.string() + ": unknown layer '" + l.name() +
                                     "' (the renderer provides: grid-fill, roads, buildings, grid-lines, facilities, "
                                     "grid-labels, top-labels, frame-panel, frame-swatches, frame-lines, "
                                     "frame-markers, frame-scalebar, frame-text)");
    auto& map_layers = m.map.layers();
    map_layers.erase(std::remove_if(map_layers.begin(), map_layers.end(), is_frame_layer), map_layers.end());
    auto& frame_layers = m.frame.layers();
    frame_layers.erase(std::remove_if(frame_layers.begin(), frame_layers.end(),
                                      [&](const mapnik::layer& l) { return !is_frame_layer(l); }),
                       frame_layers.end());
}

// Renders both maps, copies the map into its frame and writes the PNG.
void render_page(PageMaps& m, const PageGeometry& g, const std::filesystem::path& style, const std::filesystem::path& out_png) {
    mapnik::image_rgba8 page_image(static_cast<unsigned>(g.W), static_cast<unsigned>(g.H));
    mapnik::image_rgba8 map_image(static_cast<unsigned>(g.map_w), static_cast<unsigned>(g.map_h));
    try {
        mapnik::agg_renderer<mapnik::image_rgba8> frame_renderer(m.frame, page_image, g.s);
        frame_renderer.apply();
        mapnik::agg_renderer<mapnik::image_rgba8> map_renderer(m.map, map_image, g.s);
        map_renderer.apply();
    } catch (const std::exception& e) {
        throw std::runtime_error("rendering the overview map with style " + style.string() + " failed: " + e.what());
    }
    // copy the map into its frame (both images are opaque: the map has a background colour)
    for (unsigned yy = 0; yy < map_image.height(); ++yy)
        std::memcpy(page_image.get_row(yy + static_cast<unsigned>(g.map_y), static_cast<unsigned>(g.map_x)),
                    map_image.get_row(yy), map_image.row_size());
    std::error_code ec;
    if (out_png.has_parent_path()) std::filesystem::create_directories(out_png.parent_path(), ec);
    try {
        mapnik::save_to_file(page_image, out_png.string(), "png32");
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot write " + out_png.string() + ": " + e.what());
    }
}

}  // namespace

Scene overview_scene(const OverviewRequest& request) {
    const MapContentInput in = content_input(request);
    check_content_input(in, "overview_scene");
    return public_map_content(in);
}

void render_overview_png(const OverviewRequest& request, const std::filesystem::path& out_png) {
    check_content_input(content_input(request), "render_overview_png");
    const Dataset& ds = *request.dataset;
    if (request.width_px < 200 || request.width_px > 20000)
        throw std::invalid_argument("render_overview_png: width_px must be in 200..20000, got " +
                                    std::to_string(request.width_px));
    const geo::Box extent = padded_extent(ds);
    const GridLevels grid_levels(ds);
    // facility kinds → marker slot: 0 for the headline kind, then service_kinds order, 1..7 cycling
    std::map<std::string, int> slot_of_kind = facility_slots(ds, request.headline_kind_name);
    const LegendContent legend = public_legend(ds, request.headline_kind_name, request.headline_threshold_minutes);
    const PageGeometry g = page_geometry(request.width_px, extent, legend);

    Scene scene = overview_scene(request);
    for (const char* l : {"plan-top-labels", "plan-grid-labels", "plan-codes", "plan-leaders"}) scene[l];   // print only

    FrameSinks frame_sinks(Page{g.W, g.H});
    draw_panels(frame_sinks, g);
    draw_title(frame_sinks, g, request, grid_levels);
    const double scalebar_y = draw_legend(frame_sinks, g, grid_levels, legend, slot_of_kind);

    ensure_mapnik_setup();
    const std::filesystem::path style = request.style_file.empty() ? styles_dir() / "overview.xml" : request.style_file;
    const std::string srs = srs_for_mapnik(ds.working_crs.empty() ? std::string("epsg:3857") : ds.working_crs);
    PageMaps maps{mapnik::Map(static_cast<unsigned>(g.map_w), static_cast<unsigned>(g.map_h), srs), mapnik::Map(), srs};
    const auto sources = frame_sinks.sources();
    load_page_maps(maps, g, style, scene, sources);
    attach_scene(maps.map, scene, srs, style.string());
    maps.map.zoom_to_box(mapnik::box2d<double>(extent.min_corner().x(), extent.min_corner().y(), extent.max_corner().x(),
                                               extent.max_corner().y()));
    // scale bar and north arrow, now that the map scale is known (metres per pixel)
    draw_scalebar(frame_sinks, g, scalebar_y, maps.map.scale());
    draw_footer(frame_sinks, g, request);
    for (auto& l : maps.frame.layers()) {
        l.set_srs(kPageSrs);
        l.set_datasource(sources.at(l.name()));
    }
    maps.frame.zoom_to_box(mapnik::box2d<double>(0, 0, g.W, g.H));
    render_page(maps, g, style, out_png);
}

}  // namespace gridatlas::render
