// Process-wide Mapnik setup (fonts, input plugins), the PNG reader and StyledMap: a Scene drawn with a strict-loaded
// XML style by Mapnik's AGG or Cairo renderer (map_setup.hpp).
#include "map_setup.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include <mapnik/agg_renderer.hpp>
#include <mapnik/color.hpp>
#include <mapnik/datasource_cache.hpp>
#include <mapnik/feature.hpp>
#include <mapnik/feature_factory.hpp>
#include <mapnik/font_engine_freetype.hpp>
#include <mapnik/geometry.hpp>
#include <mapnik/image.hpp>
#include <mapnik/image_reader.hpp>
#include <mapnik/image_util.hpp>
#include <mapnik/layer.hpp>
#include <mapnik/load_map.hpp>
#include <mapnik/map.hpp>
#include <mapnik/memory_datasource.hpp>
#include <mapnik/params.hpp>
#include <mapnik/value.hpp>
#include <cairo.h>
#include <unicode/unistr.h>

#include "cairo_shared_faces.hpp"
#include "scene_features.hpp"

#ifndef GRIDATLAS_MAPNIK_PLUGINS
#define GRIDATLAS_MAPNIK_PLUGINS "/usr/lib/mapnik/3.1/input"
#endif

namespace gridatlas::render {

std::vector<std::filesystem::path> font_directories() {
    return {"/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/dejavu"};
}

void ensure_mapnik_setup() {
    static std::once_flag once;
    std::call_once(once, [] {
        std::error_code ec;
        for (const auto& dir : font_directories())
            if (std::filesystem::is_directory(dir, ec))
                mapnik::freetype_engine::register_fonts(dir.string(), /*recurse=*/true);
        // The overview uses in-memory data only; plugins are registered for styles that read files (ogr, gdal …).
        const std::filesystem::path plugins = GRIDATLAS_MAPNIK_PLUGINS;
        if (std::filesystem::is_directory(plugins, ec))
            mapnik::datasource_cache::instance().register_datasources(plugins.string());
    });
}

std::vector<std::string> registered_font_faces() {
    ensure_mapnik_setup();
    return mapnik::freetype_engine::face_names();
}

RgbaImage read_png_rgba(const std::filesystem::path& png) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(png, ec)) throw std::runtime_error("PNG not found: " + png.string());
    std::unique_ptr<mapnik::image_reader> reader;
    try {
        reader.reset(mapnik::get_image_reader(png.string(), "png"));
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot read PNG " + png.string() + ": " + e.what());
    }
    if (!reader) throw std::runtime_error("cannot read PNG " + png.string());
    RgbaImage out;
    out.width = static_cast<int>(reader->width());
    out.height = static_cast<int>(reader->height());
    mapnik::image_rgba8 image(reader->width(), reader->height());
    reader->read(0, 0, image);
    if (image.get_premultiplied()) mapnik::demultiply_alpha(image);
    out.rgba.resize(static_cast<std::size_t>(out.width) * out.height * 4);
    const std::uint8_t* bytes = image.bytes();   // R, G, B, A in memory order
    std::copy(bytes, bytes + out.rgba.size(), out.rgba.begin());
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Scenes → Mapnik

namespace {

namespace bg = boost::geometry;

std::shared_ptr<mapnik::memory_datasource> datasource_of(const SceneLayer& layer) {
    mapnik::parameters p;
    p["type"] = "memory";
    auto ds = std::make_shared<mapnik::memory_datasource>(p);
    for (auto& f : scene_features(layer)) ds->push(std::move(f));
    return ds;
}

bool is_frame_layer(const mapnik::layer& l) { return l.name().rfind("frame-", 0) == 0; }

// Page units need no projection: a fixed srs that Mapnik knows without PROJ, the same for map and layers.
constexpr const char* page_srs = "epsg:3857";

}  // namespace

std::string srs_for_mapnik(const std::string& crs) {
    if (crs.size() > 5 && (crs.rfind("EPSG:", 0) == 0 || crs.rfind("epsg:", 0) == 0)) return "epsg:" + crs.substr(5);
    return crs;
}

void load_style(mapnik::Map& map, const std::filesystem::path& style, const std::string& what) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(style, ec))
        throw std::runtime_error(what + " style file not found: " + style.string());
    try {
        mapnik::load_map(map, style.string(), /*strict=*/true);
    } catch (const std::exception& e) {
        std::string msg = "cannot load " + what + " style " + style.string() + ": " + e.what();
        if (std::string(e.what()).find("font face") != std::string::npos)
            msg += " (Chinese labels need fonts-noto-cjk: '" + std::string(cjk_regular_face) + "' in " +
                   font_directories().front().string() + ")";
        throw std::runtime_error(msg);
    }
}

void attach_scene(mapnik::Map& map, const Scene& scene, const std::string& srs, const std::string& style_for_messages) {
    for (auto& l : map.layers()) {
        if (is_frame_layer(l)) continue;
        const auto it = scene.find(l.name());
        if (it == scene.end()) {
            std::string known;
            for (const auto& [name, layer] : scene) known += (known.empty() ? "" : ", ") + name;
            throw std::runtime_error("style " + style_for_messages + ": unknown layer '" + l.name() +
                                     "' (the renderer provides: " + known + ")");
        }
        l.set_srs(srs);
        l.set_datasource(datasource_of(it->second));
    }
}

double MapView::metres_per_unit() const {
    const double w = extent.max_corner().x() - extent.min_corner().x();
    return width > 0 ? w / width : 0;
}

geo::Box fit_extent(const geo::Box& box, double width, double height, double margin_share, double min_margin_m,
                    double min_margin_units) {
    double x0 = box.min_corner().x(), y0 = box.min_corner().y(), x1 = box.max_corner().x(), y1 = box.max_corner().y();
    if (!(x1 >= x0) || !(y1 >= y0)) x0 = y0 = 0, x1 = y1 = 1;
    double m = std::max(min_margin_m, margin_share * std::max(x1 - x0, y1 - y0));
    // a margin of u map units at the final scale: m >= u * (side + 2m) / size, i.e. m >= u * side / (size - 2u)
    const double u = std::clamp(min_margin_units, 0.0, 0.2 * std::min(width, height));
    if (u > 0) m = std::max({m, u * (x1 - x0) / (width - 2 * u), u * (y1 - y0) / (height - 2 * u)});
    x0 -= m, y0 -= m, x1 += m, y1 += m;
    const double aspect = height / std::max(1e-9, width);
    double w = x1 - x0, h = y1 - y0;
    if (h / w < aspect) h = w * aspect;
    else w = h / aspect;
    const double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    return geo::Box({cx - w / 2, cy - h / 2}, {cx + w / 2, cy + h / 2});
}

struct StyledMap::Impl {
    std::filesystem::path style;
    std::string srs;
    std::unique_ptr<mapnik::Map> map;   // loaded, frame layers removed; copied for every render

    mapnik::Map prepared(const Scene& scene, const MapView& view) const {
        if (view.width <= 0 || view.height <= 0)
            throw std::invalid_argument("map size must be positive, got " + std::to_string(view.width) + " × " +
                                        std::to_string(view.height));
        mapnik::Map m(*map);
        m.resize(static_cast<unsigned>(view.width), static_cast<unsigned>(view.height));
        attach_scene(m, scene, srs, style.string());
        m.zoom_to_box(mapnik::box2d<double>(view.extent.min_corner().x(), view.extent.min_corner().y(),
                                            view.extent.max_corner().x(), view.extent.max_corner().y()));
        return m;
    }
};

StyledMap::StyledMap(const std::filesystem::path& style, const std::string& working_crs) : impl_(std::make_unique<Impl>()) {
    ensure_mapnik_setup();
    impl_->style = style;
    impl_->srs = srs_for_mapnik(working_crs.empty() ? std::string("epsg:3857") : working_crs);
    impl_->map = std::make_unique<mapnik::Map>(256, 256, impl_->srs);
    std::string what = style.stem().string();
    load_style(*impl_->map, style, what);
    impl_->map->set_srs(impl_->srs);
    if (!impl_->map->background()) impl_->map->set_background(mapnik::color(255, 255, 255));
    auto& layers = impl_->map->layers();
    layers.erase(std::remove_if(layers.begin(), layers.end(), is_frame_layer), layers.end());
}

StyledMap::~StyledMap() = default;
StyledMap::StyledMap(StyledMap&&) noexcept = default;
StyledMap& StyledMap::operator=(StyledMap&&) noexcept = default;

const std::filesystem::path& StyledMap::style() const { return impl_->style; }

std::vector<std::string> StyledMap::layer_names() const {
    std::vector<std::string> out;
    for (const auto& l : impl_->map->layers()) out.push_back(l.name());
    return out;
}

RgbaImage StyledMap::render_image(const Scene& scene, const MapView& view) const {
    mapnik::Map m = impl_->prepared(scene, view);
    mapnik::image_rgba8 image(static_cast<unsigned>(view.width), static_cast<unsigned>(view.height));
    try {
        mapnik::agg_renderer<mapnik::image_rgba8> ren(m, image, view.scale_factor);
        ren.apply();
    } catch (const std::exception& e) {
        throw std::runtime_error("rendering with style " + impl_->style.string() + " failed: " + e.what());
    }
    if (image.get_premultiplied()) mapnik::demultiply_alpha(image);
    RgbaImage out;
    out.width = view.width;
    out.height = view.height;
    out.rgba.assign(image.bytes(), image.bytes() + static_cast<std::size_t>(view.width) * view.height * 4);
    return out;
}

void StyledMap::render_cairo(cairo_t* cr, const Scene& scene, const MapView& view) const {
    mapnik::Map m = impl_->prepared(scene, view);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, view.width, view.height);
    cairo_clip(cr);
    try {
        render_cairo_shared_faces(m, mapnik::cairo_ptr(cairo_reference(cr), mapnik::cairo_closer()), view.scale_factor);
    } catch (const std::exception& e) {
        cairo_restore(cr);
        throw std::runtime_error("rendering with style " + impl_->style.string() + " failed: " + e.what());
    }
    cairo_restore(cr);
}

void StyledMap::render_samples(cairo_t* cr, const std::vector<LegendSample>& samples, double scale_factor) const {
    if (samples.empty()) return;
    double x0 = samples[0].x, y0 = samples[0].y, x1 = x0, y1 = y0;
    for (const auto& s : samples) {
        x0 = std::min(x0, s.x), y0 = std::min(y0, s.y);
        x1 = std::max(x1, s.x + s.w), y1 = std::max(y1, s.y + s.h);
    }
    // room for strokes and markers that reach beyond their rectangles
    const double pad = 20 * scale_factor;
    x0 -= pad, y0 -= pad, x1 += pad, y1 += pad;
    const int w = static_cast<int>(std::ceil(x1 - x0)), h = static_cast<int>(std::ceil(y1 - y0));

    mapnik::Map m(*impl_->map);
    m.layers().clear();
    m.set_srs(page_srs);
    m.set_background(mapnik::color(0, 0, 0, 0));
    m.resize(static_cast<unsigned>(w), static_cast<unsigned>(h));
    // one layer per sample, in order, so later samples draw over earlier ones as listed
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto& s = samples[i];
        if (!m.find_style(s.style))
            throw std::runtime_error("style " + impl_->style.string() + " has no <Style name=\"" + s.style +
                                     "\"> for the legend");
        SceneLayer layer;
        std::vector<SceneValue> values;
        for (const auto& [k, v] : s.attributes) {
            layer.keys.push_back(k);
            values.push_back(v);
        }
        // page (y down) → legend map (y up, origin at the bottom-left of the padded box)
        const double lx = s.x - x0, ly = y1 - (s.y + s.h);
        SceneGeometry g;
        if (s.shape == LegendSample::Shape::point) {
            g = geo::Point(lx + s.w / 2, ly + s.h / 2);
        } else if (s.shape == LegendSample::Shape::line) {
            g = geo::LineString{{lx, ly + s.h / 2}, {lx + s.w, ly + s.h / 2}};
        } else {
            geo::Polygon p;
            p.outer() = {{lx, ly}, {lx, ly + s.h}, {lx + s.w, ly + s.h}, {lx + s.w, ly}, {lx, ly}};
            g = geo::MultiPolygon{p};
        }
        layer.add(std::move(g), std::move(values));
        mapnik::layer l("legend-" + std::to_string(i), page_srs);
        l.add_style(s.style);
        l.set_datasource(datasource_of(layer));
        m.add_layer(std::move(l));
    }
    m.zoom_to_box(mapnik::box2d<double>(0, 0, w, h));
    cairo_save(cr);
    cairo_translate(cr, x0, y0);
    try {
        render_cairo_shared_faces(m, mapnik::cairo_ptr(cairo_reference(cr), mapnik::cairo_closer()), scale_factor);
    } catch (const std::exception& e) {
        cairo_restore(cr);
        throw std::runtime_error("drawing the legend with style " + impl_->style.string() + " failed: " + e.what());
    }
    cairo_restore(cr);
}

}  // namespace gridatlas::render
