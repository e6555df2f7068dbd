// Map tiles with Mapnik. The scene is the overview's public content (map_content.hpp), projected to EPSG:3857 and
// R-tree-indexed once, and shared; every thread has its own TileRenderer with its own mapnik::Map. styles/tiles.xml
// declares the layers without datasources; they are attached here by name.
//
// Labels across edges: every label layer holds points (grid and community labels sit at the centre of the largest
// inscribed circle of their polygon, computed once with GEOS), features come back from a query in one global order,
// the style keeps avoid-edges off and the Map's buffer-size makes Mapnik consider (and collision-test) everything
// within that many pixels of the render. Two neighbouring metatiles therefore see the same labels near their common
// edge, in the same order, and draw a label that crosses it identically on both sides.
#include "tile_renderer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <variant>

#include <boost/geometry/index/rtree.hpp>

#include <mapnik/agg_renderer.hpp>
#include <mapnik/datasource.hpp>
#include <mapnik/feature.hpp>
#include <mapnik/feature_factory.hpp>
#include <mapnik/feature_kv_iterator.hpp>
#include <mapnik/feature_layer_desc.hpp>
#include <mapnik/featureset.hpp>
#include <mapnik/geometry.hpp>
#include <mapnik/hextree.hpp>
#include <mapnik/image.hpp>
#include <mapnik/image_util.hpp>
#include <mapnik/image_view.hpp>
#include <mapnik/layer.hpp>
#include <mapnik/load_map.hpp>
#include <mapnik/map.hpp>
#include <mapnik/params.hpp>
#include <mapnik/proj_transform.hpp>
#include <mapnik/projection.hpp>
#include <mapnik/query.hpp>
#include <mapnik/value.hpp>
#include <unicode/unistr.h>
#include <zlib.h>

#include "geometry/geos.hpp"
#include "map_content.hpp"
#include "map_setup.hpp"
#include "overview_map.hpp"
#include "scene_features.hpp"
#include "tile_labels.hpp"

namespace gridatlas::render {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Indexed in-memory layers

using IndexEntry = std::pair<geo::Box, std::uint32_t>;
using Index = bgi::rtree<IndexEntry, bgi::rstar<16>>;

geo::Box to_box(const mapnik::box2d<double>& b) { return {{b.minx(), b.miny()}, {b.maxx(), b.maxy()}}; }

// The features of one style layer, in drawing order, with an R-tree over their envelopes.
struct IndexedLayer {
    std::vector<mapnik::feature_ptr> features;
    Index index;
    mapnik::box2d<double> extent;
};

// Hands a query's features out in their global order (sorted indices), so that every render sees them in the same
// order: label placement, which depends on order, is then the same in neighbouring metatiles.
class SelectionFeatureset final : public mapnik::Featureset {
public:
    SelectionFeatureset(std::shared_ptr<const IndexedLayer> layer, std::vector<std::uint32_t> selection)
        : layer_(std::move(layer)), selection_(std::move(selection)) {}
    mapnik::feature_ptr next() override {
        if (pos_ >= selection_.size()) return {};
        return layer_->features[selection_[pos_++]];
    }
private:
    std::shared_ptr<const IndexedLayer> layer_;
    std::vector<std::uint32_t> selection_;
    std::size_t pos_ = 0;
};

// A read-only Mapnik datasource over an IndexedLayer; any number of Maps in any number of threads may share one.
class IndexedDatasource final : public mapnik::datasource {
public:
    explicit IndexedDatasource(std::shared_ptr<const IndexedLayer> layer)
        : mapnik::datasource(params()), layer_(std::move(layer)) {}
    datasource_t type() const override { return Vector; }
    boost::optional<mapnik::datasource_geometry_t> get_geometry_type() const override {
        return mapnik::datasource_geometry_t::Collection;
    }
    mapnik::featureset_ptr features(const mapnik::query& q) const override { return select(to_box(q.get_bbox())); }
    mapnik::featureset_ptr features_at_point(const mapnik::coord2d& pt, double tol) const override {
        return select(geo::Box{{pt.x - tol, pt.y - tol}, {pt.x + tol, pt.y + tol}});
    }
    mapnik::box2d<double> envelope() const override { return layer_->extent; }
    mapnik::layer_descriptor get_descriptor() const override { return {"gridatlas-tiles", "utf-8"}; }

private:
    static mapnik::parameters params() {
        mapnik::parameters p;
        p["type"] = "gridatlas-indexed";
        return p;
    }
    mapnik::featureset_ptr select(const geo::Box& box) const {
        std::vector<IndexEntry> found;
        layer_->index.query(bgi::intersects(box), std::back_inserter(found));
        if (found.empty()) return mapnik::make_invalid_featureset();
        std::vector<std::uint32_t> hits(found.size());
        for (std::size_t i = 0; i < found.size(); ++i) hits[i] = found[i].second;
        std::sort(hits.begin(), hits.end());
        return std::make_shared<SelectionFeatureset>(layer_, std::move(hits));
    }
    std::shared_ptr<const IndexedLayer> layer_;
};

// ---------------------------------------------------------------------------------------------------------------
// Projection to Web Mercator

class ToMercator {
public:
    explicit ToMercator(const std::string& working_crs) try
        : source_(srs_for_mapnik(working_crs)), target_("epsg:3857"), transform_(source_, target_) {
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot project the working CRS '" + working_crs + "' to Web Mercator: " + e.what());
    }

    void apply(SceneGeometry& g) const {
        if (transform_.equal()) return;
        std::visit([this](auto& v) { project(v); }, g);
    }

private:
    template <typename Points>
    void points(Points& pts) const {
        if (pts.empty()) return;
        std::vector<double> xs, ys, zs(pts.size(), 0.0);
        xs.reserve(pts.size());
        ys.reserve(pts.size());
        for (const auto& p : pts) {
            xs.push_back(p.x());
            ys.push_back(p.y());
        }
        if (!transform_.forward(xs.data(), ys.data(), zs.data(), pts.size(), 1))
            throw std::runtime_error("projecting to Web Mercator failed (" + transform_.definition() + ")");
        std::size_t i = 0;
        for (auto& p : pts) {
            p.x(xs[i]);
            p.y(ys[i++]);
        }
    }
    void project(geo::Point& p) const {
        std::vector<geo::Point> one{p};
        points(one);
        p = one.front();
    }
    void project(geo::LineString& l) const { points(l); }
    void project(std::vector<geo::LineString>& lines) const {
        for (auto& l : lines) points(l);
    }
    void project(geo::MultiPolygon& mp) const {
        for (auto& poly : mp) {
            points(poly.outer());
            for (auto& hole : poly.inners()) points(hole);
        }
    }

    mapnik::projection source_, target_;
    mapnik::proj_transform transform_;
};

// The label anchor of a polygon: the centre of the largest circle inside its largest part (the point of the polygon
// farthest from its boundary), where a label has the most room. Falls back to a point on the surface.
geo::Point label_anchor(geo::GeosContext& ctx, const geo::MultiPolygon& mp) {
    const geo::Polygon* largest = nullptr;
    double best = -1;
    for (const auto& p : mp) {
        const double a = std::abs(bg::area(p));
        if (a > best) {
            best = a;
            largest = &p;
        }
    }
    if (largest == nullptr) return {0, 0};
    try {
        const auto g = geo::to_geos(ctx, *largest);
        const double tolerance = std::max(0.5, std::sqrt(best) / 200);
        const auto circle = geo::own(ctx, GEOSMaximumInscribedCircle_r(ctx.handle(), g.get(), tolerance),
                                     "maximum inscribed circle");
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), circle.get());
        double x = 0, y = 0;
        if (seq != nullptr && GEOSCoordSeq_getXY_r(ctx.handle(), seq, 0, &x, &y) != 0) return {x, y};
    } catch (const std::exception&) {
    }
    return geo::point_on_surface(ctx, geo::MultiPolygon{*largest});
}

// The features of one scene layer, R-tree-indexed (bulk-loaded, packed).
std::shared_ptr<const IndexedLayer> index_layer(const SceneLayer& scene_layer) {
    auto layer = std::make_shared<IndexedLayer>();
    layer->features = scene_features(scene_layer);
    std::vector<IndexEntry> entries;
    entries.reserve(layer->features.size());
    bool first = true;
    for (std::uint32_t i = 0; i < layer->features.size(); ++i) {
        const auto env = layer->features[i]->envelope();
        if (!env.valid()) continue;
        entries.push_back({to_box(env), i});
        if (first) layer->extent = env;
        else layer->extent.expand_to_include(env);
        first = false;
    }
    layer->index = Index(entries.begin(), entries.end());
    return layer;
}

mapnik::box2d<double> to_mapnik(const MercatorBox& b) { return {b.minx, b.miny, b.maxx, b.maxy}; }

// ---------------------------------------------------------------------------------------------------------------
// Paletted PNG with one palette per render
//
// Mapnik's "png8:m=h" builds a colour tree (hextree), a palette and a pixel → index hash for every tile: most of a
// tile's encoding time. Here the tree is built once per render — for a metatile, from a regular sample of its pixels —
// and every tile of the metatile is written with that palette: the same colour gets the same palette entry in every
// tile (no seams between tiles of a metatile), and each tile only maps pixels (a one-entry cache catches runs) and
// deflates. The quantizer is Mapnik's own hextree (mapnik/hextree.hpp), gamma 2 and full alpha, as "png8:m=h".

void put_u32(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v >> 24));
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

void put_chunk(std::string& out, const char* type, const std::string& data) {
    put_u32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    out.append(type, 4);
    out.append(data);
    const auto crc = crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(out.data() + start), static_cast<uInt>(out.size() - start));
    put_u32(out, static_cast<std::uint32_t>(crc));
}

// An 8-bit indexed PNG: palette entries with alpha < 255 first (tRNS lists only those), rows unfiltered.
std::string indexed_png(unsigned width, unsigned height, const std::vector<mapnik::rgba>& palette,
                        const std::vector<std::uint8_t>& rows /* (1 + width) × height, filter bytes included */, int level) {
    std::string png("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    put_u32(ihdr, width);
    put_u32(ihdr, height);
    ihdr += std::string("\x08\x03\x00\x00\x00", 5);   // bit depth 8, colour type 3 (indexed), deflate, no filter, no interlace
    put_chunk(png, "IHDR", ihdr);
    std::string plte, trns;
    for (const auto& c : palette) {
        plte.push_back(static_cast<char>(c.r));
        plte.push_back(static_cast<char>(c.g));
        plte.push_back(static_cast<char>(c.b));
        if (c.a < 255) trns.resize(static_cast<std::size_t>(&c - palette.data()) + 1, '\xff');
    }
    for (std::size_t i = 0; i < trns.size(); ++i) trns[i] = static_cast<char>(palette[i].a);
    put_chunk(png, "PLTE", plte);
    if (!trns.empty()) put_chunk(png, "tRNS", trns);
    uLongf size = compressBound(static_cast<uLong>(rows.size()));
    std::string idat(size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(idat.data()), &size, rows.data(), static_cast<uLong>(rows.size()), level) != Z_OK)
        throw std::runtime_error("zlib failed to compress a tile");
    idat.resize(size);
    put_chunk(png, "IDAT", idat);
    put_chunk(png, "IEND", std::string());
    return png;
}

class PaletteEncoder {
public:
    // The palette of image region (x0, y0, w, h), from every `stride`-th pixel of every `stride`-th row.
    PaletteEncoder(const mapnik::image_rgba8& image, unsigned x0, unsigned y0, unsigned w, unsigned h, unsigned stride, int level)
        : tree_(256, 2.0), level_(level) {
        tree_.insert(mapnik::rgba(0, 0, 0, 0));   // a transparent entry always, at index 0 (quantize maps clear pixels there)
        for (unsigned y = y0; y < y0 + h; y += stride) {
            const std::uint32_t* row = image.get_row(y);
            for (unsigned x = x0; x < x0 + w; x += stride) {
                const std::uint32_t v = row[x];
                tree_.insert(mapnik::rgba(U2RED(v), U2GREEN(v), U2BLUE(v), U2ALPHA(v)));
            }
        }
        tree_.create_palette(palette_);
    }
    std::string encode(const mapnik::image_rgba8& image, unsigned x0, unsigned y0, unsigned size) {
        rows_.resize(static_cast<std::size_t>(size + 1) * size);
        for (unsigned y = 0; y < size; ++y) {
            const std::uint32_t* row = image.get_row(y0 + y, x0);
            std::uint8_t* out = &rows_[static_cast<std::size_t>(y) * (size + 1)];
            out[0] = 0;   // filter: none (the usual choice for indexed images)
            std::uint32_t last = row[0];
            std::uint8_t index = lookup(last);
            for (unsigned x = 0; x < size; ++x) {
                if (row[x] != last) {
                    last = row[x];
                    index = lookup(last);
                }
                out[x + 1] = index;
            }
        }
        return indexed_png(size, size, palette_, rows_, level_);
    }

private:
    // colour → palette index: a direct-mapped cache in front of the tree's own (slower) nearest-colour search
    std::uint8_t lookup(std::uint32_t colour) {
        const std::size_t slot = (colour * 2654435761u) >> (32 - kCacheBits);
        if (cache_key_[slot] != colour) {
            cache_key_[slot] = colour;
            cache_index_[slot] = static_cast<std::uint8_t>(tree_.quantize(colour));
        }
        return cache_index_[slot];
    }
    static constexpr unsigned kCacheBits = 12;
    mapnik::hextree<mapnik::rgba> tree_;
    std::vector<mapnik::rgba> palette_;
    std::vector<std::uint8_t> rows_;
    std::vector<std::uint64_t> cache_key_ = std::vector<std::uint64_t>(std::size_t{1} << kCacheBits, ~std::uint64_t{0});
    std::vector<std::uint8_t> cache_index_ = std::vector<std::uint8_t>(std::size_t{1} << kCacheBits, 0);
    int level_;
};

// A one-colour tile: a one-entry palette, all zeros.
std::string uniform_png(std::uint32_t rgba, unsigned size, int level) {
    const std::vector<mapnik::rgba> palette{mapnik::rgba(U2RED(rgba), U2GREEN(rgba), U2BLUE(rgba), U2ALPHA(rgba))};
    const std::vector<std::uint8_t> rows(static_cast<std::size_t>(size + 1) * size, 0);
    return indexed_png(size, size, palette, rows, level);
}

// "png8" or "png8:z=N": the palette encoder above, zlib level N (default 4); anything else goes to Mapnik.
std::optional<int> own_png8_level(const std::string& format) {
    if (format == "png8") return 4;   // 3 % larger than level 6 at half the time (measured on the sample's tiles)
    if (format.rfind("png8:z=", 0) == 0 && format.size() == 8 && format[7] >= '0' && format[7] <= '9') return format[7] - '0';
    return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// TileScene

struct TileScene::Impl {
    std::map<std::string, std::shared_ptr<const IndexedLayer>> layers;
    Index all;                 // every feature's envelope, for the cheap "is there anything here" test
    MercatorBox bounds{0, 0, -1, -1};
    MercatorBox grid_bounds{0, 0, -1, -1};
    std::size_t features = 0;
    std::string summary;
};

TileScene::TileScene() : impl_(std::make_unique<Impl>()) {}
TileScene::~TileScene() = default;

namespace {

// The overview's public content for tiles, projected to EPSG:3857: area labels at fixed anchors (so that every render
// sees the same point, see the top of this file), and each grid label with the zoom from which it is drawn ([fit_z]:
// its label covers at most half of the grid, tile_labels.hpp).
Scene tile_content(const TileSceneInput& in) {
    MapContentInput content;
    content.dataset = in.dataset;
    content.grid_households = in.grid_households;
    content.building_minutes = in.building_minutes;
    content.headline_threshold_minutes = in.headline_threshold_minutes;
    content.headline_kind = in.headline_kind;
    check_content_input(content, "TileScene::build");
    const Dataset& ds = *in.dataset;
    if (ds.grids.empty() && ds.buildings.empty() && ds.roads.empty() && ds.facilities.empty())
        throw std::invalid_argument("TileScene::build: the dataset has no grids, buildings, roads or facilities to draw");
    if (ds.working_crs.empty()) throw std::invalid_argument("TileScene::build: the dataset has no working CRS");

    ensure_mapnik_setup();
    Scene layers = public_map_content(content);
    std::vector<double> grid_areas;   // m², per grid label, in the (metric) working CRS
    {
        geo::GeosContext geos;
        for (const char* name : {"grid-labels", "top-labels"})
            for (auto& f : layers.at(name).features) {
                const auto& area = std::get<geo::MultiPolygon>(f.geometry);
                if (std::string_view(name) == "grid-labels") grid_areas.push_back(std::abs(bg::area(area)));
                f.geometry = label_anchor(geos, area);
            }
    }
    const ToMercator proj(ds.working_crs);
    for (auto& [name, layer] : layers)
        for (auto& f : layer.features) proj.apply(f.geometry);
    auto& grid_labels = layers.at("grid-labels");
    grid_labels.keys.push_back("fit_z");
    for (std::size_t i = 0; i < grid_labels.features.size(); ++i) {
        auto& f = grid_labels.features[i];
        const double y = std::get<geo::Point>(f.geometry).y();
        const double latitude = std::atan(std::sinh(y / 6378137.0)) * 180 / 3.14159265358979323846;
        f.values.push_back(std::int64_t{grid_label_fit_zoom(grid_areas[i], latitude, std::get<std::string>(f.values[0]),
                                                            std::get<std::string>(f.values[4]))});
    }
    return layers;
}

// A digest of everything drawn (attributes and envelopes): a resume must not mix tiles of other data.
class Digest {
public:
    void add(const IndexedLayer& layer) {
        for (const auto& f : layer.features) {
            for (const auto& [key, value] : *f) {
                const std::string text = key + "=" + value.to_string() + ";";
                mix(text.data(), text.size());
            }
            const auto env = f->envelope();
            const double c[4] = {env.minx(), env.miny(), env.maxx(), env.maxy()};
            mix(c, sizeof c);
        }
    }
    std::uint64_t value() const { return digest_; }

private:
    void mix(const void* data, std::size_t n) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            digest_ ^= p[i];
            digest_ *= 1099511628211ull;
        }
    }
    std::uint64_t digest_ = 1469598103934665603ull;
};

void grow(MercatorBox& into, const MercatorBox& b) {
    if (into.empty()) into = b;
    else into = {std::min(into.minx, b.minx), std::min(into.miny, b.miny), std::max(into.maxx, b.maxx), std::max(into.maxy, b.maxy)};
}

}  // namespace

std::shared_ptr<const TileScene> TileScene::build(const TileSceneInput& in) {
    const Scene layers = tile_content(in);
    std::shared_ptr<TileScene> scene(new TileScene());
    Impl& impl = *scene->impl_;
    for (const auto& [name, layer] : layers) impl.layers[name] = index_layer(layer);
    std::vector<IndexEntry> all;
    std::ostringstream summary;
    summary.precision(3);
    summary << std::fixed;
    Digest digest;
    for (const auto& [name, layer] : impl.layers) {
        summary << name << "=" << layer->features.size() << " ";
        impl.features += layer->features.size();
        digest.add(*layer);
        for (const auto& entry : layer->index) all.push_back({entry.first, static_cast<std::uint32_t>(all.size())});
        if (layer->features.empty()) continue;
        const MercatorBox b{layer->extent.minx(), layer->extent.miny(), layer->extent.maxx(), layer->extent.maxy()};
        grow(impl.bounds, b);
        if (name == "grid-fill" || name == "grid-lines") grow(impl.grid_bounds, b);
    }
    if (impl.grid_bounds.empty()) impl.grid_bounds = impl.bounds;
    if (impl.bounds.empty()) throw std::invalid_argument("TileScene::build: the dataset has nothing with a geometry to draw");
    impl.all = Index(all.begin(), all.end());
    summary << "digest=" << std::hex << digest.value() << std::dec << " bounds=" << impl.bounds.minx << "," << impl.bounds.miny << ","
            << impl.bounds.maxx << "," << impl.bounds.maxy;
    impl.summary = summary.str();
    return scene;
}

MercatorBox TileScene::bounds() const { return impl_->bounds; }
MercatorBox TileScene::grid_bounds() const { return impl_->grid_bounds; }
std::size_t TileScene::feature_count() const { return impl_->features; }
std::string TileScene::summary() const { return impl_->summary; }

bool TileScene::has_data_in(const MercatorBox& box) const {
    const geo::Box b{{box.minx, box.miny}, {box.maxx, box.maxy}};
    return impl_->all.qbegin(bgi::intersects(b)) != impl_->all.qend();
}

// ---------------------------------------------------------------------------------------------------------------
// TileRenderer

struct TileRenderer::Impl {
    std::shared_ptr<const TileScene> scene;
    TileRenderOptions options;
    std::filesystem::path style;
    std::unique_ptr<mapnik::Map> map;
    int buffer_px = 0;
    std::optional<int> png8_level;   // set: GridAtlas's paletted encoder (one palette per render), this zlib level
    std::unordered_map<std::uint32_t, std::string> uniform_cache;   // one-colour tiles, encoded once per colour

    int tile_px() const { return 256 * options.scale; }

    // Renders `box` into a w × h image (straight alpha); Mapnik queries and places labels `buffer_px` beyond it.
    mapnik::image_rgba8 render(const MercatorBox& box, unsigned w, unsigned h) {
        map->resize(w, h);
        map->set_buffer_size(buffer_px * options.scale);
        map->zoom_to_box(to_mapnik(box));
        mapnik::image_rgba8 image(w, h);
        try {
            mapnik::agg_renderer<mapnik::image_rgba8> renderer(*map, image, static_cast<double>(options.scale));
            renderer.apply();
        } catch (const std::exception& e) {
            throw std::runtime_error("rendering tiles with style " + style.string() + " failed: " + e.what());
        }
        if (image.get_premultiplied()) mapnik::demultiply_alpha(image);
        return image;
    }

    // Mapnik's encoder for one tile (formats other than "png8").
    std::string encode(const mapnik::image_rgba8& image, unsigned x, unsigned y, unsigned size) const {
        mapnik::image_view_rgba8 view(x, y, size, size, image);
        try {
            return mapnik::save_to_string(view, options.image_format);
        } catch (const std::exception& e) {
            throw std::runtime_error("encoding a tile as '" + options.image_format + "' failed: " + e.what());
        }
    }

    // What a size × size block holds: nothing (no pixel visible: alpha below 5 of 255, what the paletted encoder
    // makes transparent too), one colour, or a picture.
    enum class Content { empty, uniform, mixed };
    static Content classify(const mapnik::image_rgba8& image, unsigned x, unsigned y, unsigned size, std::uint32_t& colour) {
        // pixels are 0xAABBGGRR (R, G, B, A in memory on a little-endian machine): alpha is the high byte
        constexpr std::uint32_t invisible = 5;
        colour = image.get_row(y, x)[0];
        bool uniform = true, transparent = true;
        for (unsigned r = 0; r < size && (uniform || transparent); ++r) {
            const std::uint32_t* row = image.get_row(y + r, x);
            for (unsigned c = 0; c < size; ++c) {
                uniform = uniform && row[c] == colour;
                transparent = transparent && (row[c] >> 24) < invisible;
            }
        }
        if (transparent) return Content::empty;
        return uniform ? Content::uniform : Content::mixed;
    }
};

TileRenderer::TileRenderer(std::shared_ptr<const TileScene> scene, TileRenderOptions options)
    : impl_(std::make_unique<Impl>()) {
    if (!scene) throw std::invalid_argument("TileRenderer: the scene is null");
    if (options.scale != 1 && options.scale != 2)
        throw std::invalid_argument("TileRenderer: scale must be 1 (256 px) or 2 (512 px, @2x), got " + std::to_string(options.scale));
    if (options.buffer_px < 0 || options.buffer_px > 1024)
        throw std::invalid_argument("TileRenderer: buffer_px must be in 0..1024, got " + std::to_string(options.buffer_px));
    impl_->scene = std::move(scene);
    impl_->options = std::move(options);
    ensure_mapnik_setup();
    impl_->style = impl_->options.style_file.empty() ? styles_dir() / "tiles.xml" : impl_->options.style_file;
    impl_->map = std::make_unique<mapnik::Map>(256, 256, "epsg:3857");
    load_style(*impl_->map, impl_->style, "tile");
    impl_->map->set_srs("epsg:3857");
    impl_->buffer_px = impl_->options.buffer_px > 0 ? impl_->options.buffer_px : impl_->map->buffer_size();
    impl_->png8_level = own_png8_level(impl_->options.image_format);
    if (!impl_->png8_level && impl_->options.image_format.rfind("png", 0) != 0)
        throw std::invalid_argument("TileRenderer: image_format must be png8, png8:z=N or a Mapnik PNG format (png32 …), got '" +
                                    impl_->options.image_format + "'");
    const auto& layers = impl_->scene->impl().layers;
    for (auto& l : impl_->map->layers()) {
        const auto it = layers.find(l.name());
        if (it == layers.end()) {
            std::string known;
            for (const auto& [name, layer] : layers) known += (known.empty() ? "" : ", ") + name;
            throw std::runtime_error("tile style " + impl_->style.string() + ": unknown layer '" + l.name() +
                                     "' (the renderer provides: " + known + ")");
        }
        l.set_srs("epsg:3857");
        l.set_datasource(std::make_shared<IndexedDatasource>(it->second));
        if (!impl_->options.grid_names && (l.name() == "top-labels" || l.name() == "grid-labels")) l.set_active(false);
    }
}

TileRenderer::~TileRenderer() = default;

int TileRenderer::tile_px() const { return impl_->tile_px(); }
int TileRenderer::buffer_px() const { return impl_->buffer_px; }

MetatileResult TileRenderer::render_metatile(const Metatile& m) {
    if (m.cols < 1 || m.rows < 1 || m.cols > 64 || m.rows > 64)
        throw std::invalid_argument("render_metatile: a metatile has 1..64 columns and rows, got " +
                                    std::to_string(m.cols) + " × " + std::to_string(m.rows));
    const unsigned t = static_cast<unsigned>(impl_->tile_px());
    const auto image = impl_->render(m.bounds(), t * m.cols, t * m.rows);
    MetatileResult out;
    std::optional<PaletteEncoder> palette;   // built on the first tile that needs it, from the whole metatile
    for (int r = 0; r < m.rows; ++r)
        for (int c = 0; c < m.cols; ++c) {
            const unsigned x = t * c, y = t * r;
            std::uint32_t colour = 0;
            switch (Impl::classify(image, x, y, t, colour)) {
            case Impl::Content::empty:
                ++out.empty_tiles;
                break;
            case Impl::Content::uniform: {
                ++out.uniform_tiles;
                auto it = impl_->uniform_cache.find(colour);
                if (it == impl_->uniform_cache.end())
                    it = impl_->uniform_cache
                             .emplace(colour, impl_->png8_level ? uniform_png(colour, t, *impl_->png8_level) : impl_->encode(image, x, y, t))
                             .first;
                out.tiles.push_back({m.tile(c, r), it->second});
                break;
            }
            case Impl::Content::mixed:
                if (impl_->png8_level) {
                    if (!palette) {
                        // about half a million samples, whatever the metatile's size
                        const double pixels = double(image.width()) * image.height();
                        const auto stride = static_cast<unsigned>(std::max(1.0, std::ceil(std::sqrt(pixels / 524288.0))));
                        palette.emplace(image, 0, 0, image.width(), image.height(), stride, *impl_->png8_level);
                    }
                    out.tiles.push_back({m.tile(c, r), palette->encode(image, x, y, t)});
                } else {
                    out.tiles.push_back({m.tile(c, r), impl_->encode(image, x, y, t)});
                }
                break;
            }
        }
    return out;
}

std::optional<std::string> TileRenderer::render_tile(const TileId& id) {
    const unsigned t = static_cast<unsigned>(impl_->tile_px());
    const auto image = impl_->render(tile_bounds(id), t, t);
    std::uint32_t colour = 0;
    if (Impl::classify(image, 0, 0, t, colour) == Impl::Content::empty) return std::nullopt;
    if (impl_->png8_level) return PaletteEncoder(image, 0, 0, t, t, 1, *impl_->png8_level).encode(image, 0, 0, t);
    return impl_->encode(image, 0, 0, t);
}

}  // namespace gridatlas::render
