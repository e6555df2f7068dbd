// The scene layers GridAtlas maps draw, built once from the measured project (map_content.hpp): the public, aggregate
// content shared by the overview, the print maps and the tiles. No Mapnik here.
#include "map_content.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "style_palette.hpp"

namespace gridatlas::render {

namespace bg = boost::geometry;

GridLevels::GridLevels(const Dataset& ds) {
    for (const auto& g : ds.grids)
        if (std::find(present.begin(), present.end(), g.level) == present.end()) present.push_back(g.level);
    std::sort(present.begin(), present.end());
    if (!present.empty()) top = present.front(), fine = present.back();
}

const char* GridLevels::rank(int level) const {
    if (level == top) return "top";
    if (level == fine) return "fine";
    return "mid";
}

std::vector<geo::LineString> boundary_lines(const geo::MultiPolygon& mp) {
    std::vector<geo::LineString> out;
    auto add = [&](const geo::Polygon::ring_type& r) {
        if (r.size() < 2) return;
        geo::LineString ls(r.begin(), r.end());
        if (!bg::equals(r.front(), r.back())) ls.push_back(r.front());
        out.push_back(std::move(ls));
    };
    for (const auto& poly : mp) {
        add(poly.outer());
        for (const auto& hole : poly.inners()) add(hole);
    }
    return out;
}

geo::Box content_box(const Dataset& ds) {
    geo::Box extent;
    bg::assign_inverse(extent);
    auto add = [&](const auto& g) {
        if (bg::is_empty(g)) return;
        geo::Box b;
        bg::envelope(g, b);
        bg::expand(extent, b);
    };
    auto empty = [&] { return extent.min_corner().x() > extent.max_corner().x(); };
    for (const auto& g : ds.grids) add(g.area);
    if (empty())
        for (const auto& b : ds.buildings) add(b.footprint);
    if (empty()) {
        for (const auto& r : ds.roads) add(r.line);
        for (const auto& f : ds.facilities) add(f.location);
    }
    if (empty()) throw std::invalid_argument("the dataset has no grids, buildings, roads or facilities to draw");
    return extent;
}

std::vector<std::size_t> roads_by_class(const Dataset& ds, const geo::Box* within) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < ds.roads.size(); ++i) {
        const auto& line = ds.roads[i].line;
        if (line.size() < 2) continue;
        if (within != nullptr) {
            geo::Box e;
            bg::envelope(line, e);
            if (!bg::intersects(e, *within)) continue;
        }
        order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return road_class(ds.roads[a].highway) < road_class(ds.roads[b].highway);
    });
    return order;
}

std::vector<std::size_t> largest_first(const Dataset& ds, std::vector<std::size_t> grids) {
    std::vector<double> area(ds.grids.size(), 0);
    for (std::size_t i : grids) area[i] = std::abs(bg::area(ds.grids[i].area));
    std::stable_sort(grids.begin(), grids.end(), [&](std::size_t a, std::size_t b) { return area[a] > area[b]; });
    return grids;
}

void check_content_input(const MapContentInput& in, const char* who) {
    if (in.dataset == nullptr) throw std::invalid_argument(std::string(who) + ": the dataset is null");
    const Dataset& ds = *in.dataset;
    if (!in.grid_households.empty() && in.grid_households.size() != ds.grids.size())
        throw std::invalid_argument(std::string(who) + ": grid_households has " + std::to_string(in.grid_households.size()) +
                                    " entries for " + std::to_string(ds.grids.size()) + " grids");
    if (!in.building_minutes.empty() && in.building_minutes.size() != ds.buildings.size())
        throw std::invalid_argument(std::string(who) + ": building_minutes has " + std::to_string(in.building_minutes.size()) +
                                    " entries for " + std::to_string(ds.buildings.size()) + " buildings");
}

namespace {

// Every layer of the public content, with its attribute keys, in the order public_map_content lists them.
void declare_public_layers(Scene& scene) {
    scene["grid-fill"].keys = {"tone"};
    scene["roads"].keys = {"highway", "name"};
    scene["road-labels"].keys = {"highway", "name"};
    scene["buildings"].keys = {"band"};
    scene["building-labels"].keys = {"name"};
    scene["grid-lines"].keys = {"rank", "level"};
    scene["facilities"].keys = {"slot", "kind", "name"};
    scene["facility-labels"].keys = {"slot", "name"};
    scene["grid-labels"].keys = {"name", "details", "code_line", "label", "code"};
    scene["top-labels"].keys = {"label"};
}

void add_roads(Scene& scene, const Dataset& ds, bool labels) {
    std::vector<std::size_t> road_order = roads_by_class(ds);
    for (std::size_t i : road_order) scene["roads"].add(ds.roads[i].line, {ds.roads[i].highway, ds.roads[i].name});
    if (!labels) return;
    // names of the larger roads first: they win the space
    std::stable_sort(road_order.begin(), road_order.end(), [&](std::size_t a, std::size_t b) {
        return road_class(ds.roads[a].highway) > road_class(ds.roads[b].highway);
    });
    auto& road_labels = scene["road-labels"];
    for (std::size_t i : road_order) {
        const auto& r = ds.roads[i];
        if (!r.name.empty() && road_class(r.highway) > 0) road_labels.add(r.line, {r.highway, r.name});
    }
}

void add_buildings(Scene& scene, const MapContentInput& in) {
    const Dataset& ds = *in.dataset;
    const Bands bands(in.headline_threshold_minutes);
    auto& buildings = scene["buildings"];
    auto& building_labels = scene["building-labels"];
    for (std::size_t i = 0; i < ds.buildings.size(); ++i) {
        const auto& b = ds.buildings[i];
        if (b.footprint.empty()) continue;
        const char* band = "nonres";
        if (b.residential) band = in.building_minutes.empty() ? "unknown" : bands.of(in.building_minutes[i]);
        buildings.add(b.footprint, {std::string(band)});
        if (in.labels && !b.name.empty()) building_labels.add(b.anchor, {b.name});
    }
}

// Finest first, so coarser boundaries are drawn over the finer ones they coincide with.
void add_grid_lines(Scene& scene, const Dataset& ds, const GridLevels& levels) {
    std::vector<std::size_t> order(ds.grids.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ds.grids[a].level > ds.grids[b].level; });
    auto& lines = scene["grid-lines"];
    for (std::size_t i : order) {
        const auto& g = ds.grids[i];
        if (!bg::is_empty(g.area)) lines.add(boundary_lines(g.area), {std::string(levels.rank(g.level)), std::int64_t{g.level}});
    }
}

// Kinds listed first (the headline services) are drawn last, on top: a mediation room inside a party-mass service
// centre must not hide the centre's marker. Their names are placed first.
void add_facilities(Scene& scene, const Dataset& ds, const std::map<std::string, int>& slot_of_kind, bool labels) {
    std::vector<std::size_t> order(ds.facilities.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return slot_of_kind.at(ds.facilities[a].kind) > slot_of_kind.at(ds.facilities[b].kind);
    });
    auto& facilities = scene["facilities"];
    for (std::size_t i : order) {
        const auto& f = ds.facilities[i];
        facilities.add(f.location, {std::int64_t{slot_of_kind.at(f.kind)}, f.kind, f.name});
    }
    if (!labels) return;
    auto& facility_labels = scene["facility-labels"];
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const auto& f = ds.facilities[*it];
        if (!f.name.empty()) facility_labels.add(f.location, {std::int64_t{slot_of_kind.at(f.kind)}, f.name});
    }
}

void add_grid_labels(Scene& scene, const MapContentInput& in, const std::vector<std::size_t>& fine_grids,
                     const std::vector<std::size_t>& top_grids) {
    const Dataset& ds = *in.dataset;
    auto& grid_labels = scene["grid-labels"];
    for (std::size_t i : largest_first(ds, fine_grids)) {
        const auto& g = ds.grids[i];
        const std::string name = g.name.empty() ? g.code : g.name;
        const std::string code_line = (!g.code.empty() && g.code != name) ? "\n" + g.code : std::string();
        std::string details = code_line;
        if (!in.grid_households.empty() && in.grid_households[i] >= 0)   // < 0: suppressed (fewer than k households)
            details.append("\n").append(std::to_string(in.grid_households[i])).append("户");
        grid_labels.add(g.area, {name, details, code_line, name + details, g.code});
    }
    auto& top_labels = scene["top-labels"];
    for (std::size_t i : largest_first(ds, top_grids)) {
        const auto& g = ds.grids[i];
        top_labels.add(g.area, {g.name.empty() ? g.code : g.name});
    }
}

}  // namespace

Scene public_map_content(const MapContentInput& in) {
    check_content_input(in, "map content");
    const Dataset& ds = *in.dataset;
    const GridLevels levels(ds);
    std::vector<std::size_t> fine_grids, top_grids;
    for (std::size_t i = 0; i < ds.grids.size(); ++i) {
        if (bg::is_empty(ds.grids[i].area)) continue;
        if (ds.grids[i].level == levels.fine) fine_grids.push_back(i);
        if (ds.grids[i].level == levels.top && levels.top != levels.fine) top_grids.push_back(i);
    }
    Scene scene;
    declare_public_layers(scene);
    const auto tones = grid_tones(ds, fine_grids, 6);
    for (std::size_t k = 0; k < fine_grids.size(); ++k) scene["grid-fill"].add(ds.grids[fine_grids[k]].area, {std::int64_t{tones[k]}});
    add_roads(scene, ds, in.labels);
    add_buildings(scene, in);
    add_grid_lines(scene, ds, levels);
    add_facilities(scene, ds, facility_slots(ds, in.headline_kind), in.labels);
    if (in.labels) add_grid_labels(scene, in, fine_grids, top_grids);
    return scene;
}

}  // namespace gridatlas::render
