// Scene layers as Mapnik features (scene_features.hpp): the one conversion every map goes through, into memory
// datasources (StyledMap, the overview) or the tiles' R-tree-indexed datasources.
#include "scene_features.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <variant>

#include <mapnik/feature_factory.hpp>
#include <mapnik/geometry.hpp>
#include <mapnik/value.hpp>
#include <unicode/unistr.h>

namespace gridatlas::render {

namespace {

template <typename Points, typename Out>
void copy_points(const Points& in, Out& out) {
    out.reserve(in.size());
    for (const auto& p : in) out.emplace_back(p.x(), p.y());
}

struct ToMapnik {
    mapnik::geometry::geometry<double> operator()(const geo::Point& p) const {
        return mapnik::geometry::point<double>(p.x(), p.y());
    }
    mapnik::geometry::geometry<double> operator()(const geo::LineString& line) const {
        mapnik::geometry::line_string<double> out;
        copy_points(line, out);
        return out;
    }
    mapnik::geometry::geometry<double> operator()(const std::vector<geo::LineString>& lines) const {
        mapnik::geometry::multi_line_string<double> out;
        out.reserve(lines.size());
        for (const auto& line : lines) {
            mapnik::geometry::line_string<double> ls;
            copy_points(line, ls);
            out.push_back(std::move(ls));
        }
        return out;
    }
    mapnik::geometry::geometry<double> operator()(const geo::MultiPolygon& mp) const {
        mapnik::geometry::multi_polygon<double> out;
        out.reserve(mp.size());
        for (const auto& poly : mp) {
            if (poly.outer().size() < 3) continue;
            mapnik::geometry::polygon<double> p;
            mapnik::geometry::linear_ring<double> outer;
            copy_points(poly.outer(), outer);
            p.set_exterior_ring(std::move(outer));
            for (const auto& hole : poly.inners()) {
                if (hole.size() < 3) continue;
                mapnik::geometry::linear_ring<double> ring;
                copy_points(hole, ring);
                p.add_hole(std::move(ring));
            }
            out.push_back(std::move(p));
        }
        return out;
    }
};

void put_value(const mapnik::feature_ptr& f, const std::string& key, const SceneValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) f->put(key, mapnik::value_integer{*i});
    else if (const auto* d = std::get_if<double>(&v)) f->put(key, *d);
    else f->put(key, icu::UnicodeString::fromUTF8(std::get<std::string>(v)));
}

}  // namespace

std::vector<mapnik::feature_ptr> scene_features(const SceneLayer& layer) {
    auto ctx = std::make_shared<mapnik::context_type>();
    for (const auto& k : layer.keys) ctx->push(k);
    std::vector<mapnik::feature_ptr> out;
    out.reserve(layer.features.size());
    mapnik::value_integer id = 0;
    for (const auto& feature : layer.features) {
        mapnik::feature_ptr f = mapnik::feature_factory::create(ctx, ++id);
        f->set_geometry(std::visit(ToMapnik{}, feature.geometry));
        const std::size_t n = std::min(layer.keys.size(), feature.values.size());
        for (std::size_t i = 0; i < n; ++i) put_value(f, layer.keys[i], feature.values[i]);
        out.push_back(std::move(f));
    }
    return out;
}

}  // namespace gridatlas::render
