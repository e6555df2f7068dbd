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

    geo::Box extent = content_box(ds);   // throws when there is nothing to draw
    {
        const double w = extent.max_corner().x() - extent.min_corner().x();
        const double h = extent.max_corner().y() - extent.min_corner().y();
        const double m = std::max(10.0, 0.04 * std::max(w, h));
        extent.min_corner().x(extent.min_corner().x() - m);
        extent.min_corner().y(extent.min_corner().y() - m);
        extent.max_corner().x(extent.max_corner().x() + m);
        extent.max_corner().y(extent.max_corner().y() + m);
    }
    const double ext_w = extent.max_corner().x() - extent.min_corner().x();
    const double ext_h = extent.max_corner().y() - extent.min_corner().y();

    const GridLevels grid_levels(ds);
    const Bands bands(request.headline_threshold_minutes);

    // facility kinds → marker slot: 0 for the headline kind, then service_kinds order, 1..7 cycling
    std::map<std::string, int> slot_of_kind = facility_slots(ds, request.headline_kind_name);
    const std::map<std::string, std::string> kind_name = kind_names(ds);

    // ----- page layout (pixels, y down). Sizes in the XML are nominal and scaled by `s`.
    const double W = request.width_px;
    const double s = std::max(0.9, W / 1200.0);
    const double pad = std::round(16 * s);
    const double title_h = std::round(68 * s);
    const double footer_h = std::round(30 * s);
    const double sidebar_w = std::round(250 * s);
    const double map_x = pad, map_y = title_h;
    const double map_w = std::floor(W - sidebar_w - 3 * pad);
    const double aspect = std::clamp(ext_h / ext_w, 0.25, 4.0);
    const double row = 22 * s, heading = 26 * s, gap = 14 * s;

    // legend content, measured before the page height is known
    const auto band_items = bands.legend();
    const std::vector<int>& levels_present = grid_levels.present;
    std::map<int, std::pair<std::string, int>> kinds_present;   // slot-ordered: slot → (kind, count)
    {
        std::map<std::string, int> count;
        for (const auto& f : ds.facilities) ++count[f.kind];
        int order = 0;
        for (const auto& [kind, n] : count) kinds_present[slot_of_kind[kind] * 1000 + order++] = {kind, n};
    }
    const double legend_h = 16 * s + heading + row * band_items.size() + gap +
                            (levels_present.empty() ? 0 : heading + row * levels_present.size() + gap) +
                            (kinds_present.empty() ? 0 : heading + row * kinds_present.size() + gap) +
                            heading + 44 * s + 12 * s;
    const double map_h = std::max(std::round(map_w * aspect), std::ceil(legend_h));
    const double H = title_h + map_h + footer_h;
    const Page page{W, H};

    Scene scene = overview_scene(request);
    for (const char* l : {"plan-top-labels", "plan-grid-labels", "plan-codes", "plan-leaders"}) scene[l];   // print only

    // ----- frame datasources (page pixels)
    FeatureSink panel_sink{"kind"};
    FeatureSink swatch_sink{"band"};
    FeatureSink sample_line_sink{"rank", "level"};
    FeatureSink marker_sink{"slot", "kind", "name"};
    FeatureSink scalebar_sink{"kind"};
    FeatureSink text_sink{"role", "text"};
    auto text = [&](double x, double y, const char* role, const std::string& t) {
        auto f = text_sink.add(page.pt(x, y));
        put(f, "role", role);
        put(f, "text", t);
    };

    const double side_x = W - pad - sidebar_w;
    {
        auto f = panel_sink.add(page.rect(side_x, map_y, sidebar_w, map_h));
        put(f, "kind", "sidebar");
        f = panel_sink.add(page.outline(map_x - 0.5, map_y - 0.5, map_w + 1, map_h + 1));
        put(f, "kind", "frame");
    }

    // title band
    std::string title = request.title;
    std::vector<std::string> top_names;
    for (const auto& g : ds.grids)
        if (g.level == grid_levels.top && !g.name.empty()) top_names.push_back(g.name);
    if (title.empty()) {
        for (std::size_t i = 0; i < top_names.size() && i < 3; ++i) title += (i ? "、" : "") + top_names[i];
        if (top_names.size() > 3) title += " 等";
        title += title.empty() ? "网格总览图" : " 网格总览图";
    }
    text(pad, pad + 14 * s, "title", title);
    {
        std::string sub;
        auto add = [&](const std::string& part) { sub += (sub.empty() ? "" : "  ·  ") + part; };
        for (int l : levels_present) {
            const auto n = std::count_if(ds.grids.begin(), ds.grids.end(), [&](const Grid& g) { return g.level == l; });
            add(std::to_string(n) + " 个" + level_name(ds, l));
        }
        const auto residential = std::count_if(ds.buildings.begin(), ds.buildings.end(),
                                               [](const Building& b) { return b.residential; });
        add(std::to_string(residential) + " 栋住宅楼");
        if (!request.grid_households.empty()) {
            std::int64_t total = 0;
            for (std::size_t i = 0; i < ds.grids.size(); ++i)
                if (ds.grids[i].level == grid_levels.fine) total += request.grid_households[i];
            add("共 " + std::to_string(total) + " 户");
        }
        text(pad, pad + 40 * s, "subtitle", sub);
    }

    // legend
    const double lx = side_x + 14 * s;
    const double tx = lx + 38 * s;
    double y = map_y + 16 * s;
    auto section = [&](const std::string& t) {
        text(lx, y + heading / 2, "heading", t);
        y += heading;
    };
    section(request.headline_kind_name.empty() ? "住宅楼步行时间" : "到" + request.headline_kind_name + "步行时间");
    for (const auto& item : band_items) {
        auto f = swatch_sink.add(page.rect(lx, y + row / 2 - 7 * s, 28 * s, 14 * s));
        put(f, "band", item.key);
        text(tx, y + row / 2, "item", item.label);
        y += row;
    }
    y += gap;
    if (!levels_present.empty()) {
        section("网格层级");
        for (int l : levels_present) {
            auto f = sample_line_sink.add(page.hline(lx, lx + 28 * s, y + row / 2));
            put(f, "rank", grid_levels.rank(l));
            put(f, "level", l);
            text(tx, y + row / 2, "item", level_name(ds, l) + "边界");
            y += row;
        }
        y += gap;
    }
    if (!kinds_present.empty()) {
        section("服务设施");
        for (const auto& [order, kc] : kinds_present) {
            const auto& [kind, n] = kc;
            auto f = marker_sink.add(page.pt(lx + 14 * s, y + row / 2));
            put(f, "slot", slot_of_kind[kind]);
            put(f, "kind", kind);
            put(f, "name", "");
            const auto it = kind_name.find(kind);
            text(tx, y + row / 2, "item", (it == kind_name.end() ? kind : it->second) + "（" + std::to_string(n) + " 处）");
            y += row;
        }
        y += gap;
    }

    // ----- the map proper
    ensure_mapnik_setup();
    const std::filesystem::path style = request.style_file.empty() ? styles_dir() / "overview.xml" : request.style_file;
    const std::string srs = srs_for_mapnik(ds.working_crs.empty() ? std::string("epsg:3857") : ds.working_crs);
    mapnik::Map map(static_cast<unsigned>(map_w), static_cast<unsigned>(map_h), srs);
    load_style(map, style, "overview");
    map.set_srs(srs);
    if (!map.background()) map.set_background(mapnik::color(255, 255, 255));   // the map image is copied opaque
    // page pixels need no projection: a fixed srs that Mapnik knows without PROJ, the same for map and layers
    const std::string page_srs = "epsg:3857";
    mapnik::Map frame(map);
    frame.set_srs(page_srs);
    frame.resize(static_cast<unsigned>(W), static_cast<unsigned>(H));
    frame.set_background(mapnik::color(255, 255, 255));

    const std::map<std::string, std::shared_ptr<mapnik::memory_datasource>> sources = {
        {"frame-panel", panel_sink.datasource()},
        {"frame-swatches", swatch_sink.datasource()},
        {"frame-lines", sample_line_sink.datasource()},
        {"frame-markers", marker_sink.datasource()},
        {"frame-scalebar", scalebar_sink.datasource()},
        {"frame-text", text_sink.datasource()},
    };
    auto is_frame = [](const mapnik::layer& l) { return l.name().rfind("frame-", 0) == 0; };
    for (const auto& l : map.layers())
        if (!sources.count(l.name()) && !scene.count(l.name()))
            throw std::runtime_error("overview style " + style.string() + ": unknown layer '" + l.name() +
                                     "' (the renderer provides: grid-fill, roads, buildings, grid-lines, facilities, "
                                     "grid-labels, top-labels, frame-panel, frame-swatches, frame-lines, "
                                     "frame-markers, frame-scalebar, frame-text)");
    auto& map_layers = map.layers();
    map_layers.erase(std::remove_if(map_layers.begin(), map_layers.end(), is_frame), map_layers.end());
    auto& frame_layers = frame.layers();
    frame_layers.erase(std::remove_if(frame_layers.begin(), frame_layers.end(),
                                      [&](const mapnik::layer& l) { return !is_frame(l); }),
                       frame_layers.end());
    attach_scene(map, scene, srs, style.string());
    map.zoom_to_box(mapnik::box2d<double>(extent.min_corner().x(), extent.min_corner().y(), extent.max_corner().x(),
                                          extent.max_corner().y()));

    // scale bar and north arrow, now that the map scale is known (metres per pixel)
    {
        section("比例尺");
        const double m_per_px = map.scale();
        const double bar_max_px = sidebar_w - 28 * s - 40 * s;
        const double len_m = frame::nice_length(bar_max_px * m_per_px);
        const double len_px = len_m / m_per_px;
        const double bar_y = y + 6 * s, bar_h = 6 * s;
        for (int k = 0; k < 4; ++k) {
            auto f = scalebar_sink.add(page.rect(lx + k * len_px / 4, bar_y, len_px / 4, bar_h));
            put(f, "kind", k % 2 == 0 ? "dark" : "light");
        }
        text(lx, bar_y + bar_h + 11 * s, "centre", "0");
        text(lx + len_px / 2, bar_y + bar_h + 11 * s, "centre", distance_text(len_m / 2));
        text(lx + len_px, bar_y + bar_h + 11 * s, "centre", distance_text(len_m));
        // north arrow at the right of the scale bar
        const double ax = side_x + sidebar_w - 24 * s, ay = y - heading + 4 * s;
        mapnik::geometry::polygon<double> arrow;
        mapnik::geometry::linear_ring<double> r;
        r.emplace_back(ax, H - ay);
        r.emplace_back(ax + 7 * s, H - (ay + 22 * s));
        r.emplace_back(ax, H - (ay + 17 * s));
        r.emplace_back(ax - 7 * s, H - (ay + 22 * s));
        r.emplace_back(ax, H - ay);
        arrow.set_exterior_ring(std::move(r));
        auto f = scalebar_sink.add(std::move(arrow));
        put(f, "kind", "arrow");
        text(ax, ay + 33 * s, "centre", "北");
    }

    // footer
    {
        std::string foot = request.attribution;
        if (!ds.working_crs.empty()) foot += (foot.empty() ? "" : "    ") + std::string("坐标系 ") + ds.working_crs;
        foot += (foot.empty() ? "" : "    ") + std::string("仅显示网格汇总数据");
        text(pad, map_y + map_h + footer_h / 2, "note", foot);
    }

    for (auto& l : frame_layers) {
        l.set_srs(page_srs);
        l.set_datasource(sources.at(l.name()));
    }
    frame.zoom_to_box(mapnik::box2d<double>(0, 0, W, H));

    mapnik::image_rgba8 page_image(static_cast<unsigned>(W), static_cast<unsigned>(H));
    mapnik::image_rgba8 map_image(static_cast<unsigned>(map_w), static_cast<unsigned>(map_h));
    try {
        mapnik::agg_renderer<mapnik::image_rgba8> frame_renderer(frame, page_image, s);
        frame_renderer.apply();
        mapnik::agg_renderer<mapnik::image_rgba8> map_renderer(map, map_image, s);
        map_renderer.apply();
    } catch (const std::exception& e) {
        throw std::runtime_error("rendering the overview map with style " + style.string() + " failed: " + e.what());
    }
    // copy the map into its frame (both images are opaque: the map has a background colour)
    for (unsigned yy = 0; yy < map_image.height(); ++yy)
        std::memcpy(page_image.get_row(yy + static_cast<unsigned>(map_y), static_cast<unsigned>(map_x)),
                    map_image.get_row(yy), map_image.row_size());

    std::error_code ec;
    if (out_png.has_parent_path()) std::filesystem::create_directories(out_png.parent_path(), ec);
    try {
        mapnik::save_to_file(page_image, out_png.string(), "png32");
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot write " + out_png.string() + ": " + e.what());
    }
}

}  // namespace gridatlas::render
