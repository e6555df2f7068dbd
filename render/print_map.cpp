// Print maps. Mapnik only through StyledMap (map_setup.hpp); the page frame with Cairo (frame.hpp).
//
// Page layout (points, y down): margin, title band (title and a subtitle of aggregates), the map with a thin border,
// the legend (a sidebar on landscape pages, a band of columns under the map on portrait ones) and a footer with the
// attribution, the CRS and the date. PNG pages are a Cairo image surface scaled by dpi/72 into which the AGG map
// image is copied pixel for pixel; PDF and SVG pages are Cairo vector surfaces into which mapnik::cairo_renderer
// draws the map.
#include "print_map.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

#include <cairo.h>

#include "map_content.hpp"
#include "overview_labels.hpp"
#include "overview_map.hpp"
#include "status_marks.hpp"
#include "style_palette.hpp"
#include "vector_document.hpp"

namespace gridatlas::render {

namespace bg = boost::geometry;

// ---------------------------------------------------------------------------------------------------------------
// Names, pages

const char* to_string(MapStyle s) {
    switch (s) {
        case MapStyle::overview: return "overview";
        case MapStyle::officer: return "officer";
        case MapStyle::planner: return "planner";
    }
    return "?";
}

const char* to_string(PrintFormat f) {
    switch (f) {
        case PrintFormat::png: return "png";
        case PrintFormat::pdf: return "pdf";
        case PrintFormat::svg: return "svg";
    }
    return "?";
}

namespace {
std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

std::optional<MapStyle> parse_style(const std::string& s) {
    const auto l = lower(s);
    if (l == "overview" || l == "wall") return MapStyle::overview;
    if (l == "officer") return MapStyle::officer;
    if (l == "planner") return MapStyle::planner;
    return std::nullopt;
}

bool is_wall_style(const std::string& s) { return lower(s) == "wall"; }

std::optional<PrintFormat> parse_format(const std::string& s) {
    auto l = lower(s);
    if (!l.empty() && l.front() == '.') l.erase(0, 1);
    if (l == "png") return PrintFormat::png;
    if (l == "pdf") return PrintFormat::pdf;
    if (l == "svg") return PrintFormat::svg;
    return std::nullopt;
}

std::pair<double, double> PageSpec::size_pt() const {
    if (!(dpi >= 36 && dpi <= 1200)) throw std::invalid_argument("dpi must be in 36..1200, got " + number_text(dpi));
    if (pixel_page()) {
        if (width_px < 200 || height_px < 200 || width_px > 20000 || height_px > 20000)
            throw std::invalid_argument("pixel size must be in 200..20000 on each side, got " + std::to_string(width_px) +
                                        "x" + std::to_string(height_px));
        return {width_px * 72.0 / dpi, height_px * 72.0 / dpi};
    }
    static const std::map<std::string, std::pair<double, double>> mm = {
        {"a0", {841, 1189}}, {"a1", {594, 841}}, {"a2", {420, 594}}, {"a3", {297, 420}}, {"a4", {210, 297}}};
    const auto it = mm.find(lower(paper));
    if (it == mm.end()) throw std::invalid_argument("unknown paper '" + paper + "': use A0, A1, A2, A3 or A4");
    double w = it->second.first * 72 / 25.4, h = it->second.second * 72 / 25.4;
    if (landscape) std::swap(w, h);
    return {w, h};
}

std::string PageSpec::describe() const {
    if (pixel_page()) return std::to_string(width_px) + " × " + std::to_string(height_px) + " px";
    std::string p = paper;
    for (auto& c : p) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return p + (landscape ? " landscape" : " portrait") + ", " + number_text(dpi) + " dpi";
}

std::pair<int, int> parse_pixel_size(const std::string& s) {
    std::string t = s;
    const std::string times = "×";
    if (auto pos = t.find(times); pos != std::string::npos) t.replace(pos, times.size(), "x");
    const auto x = lower(t).find('x');
    try {
        if (x == std::string::npos) throw std::invalid_argument("no x");
        std::size_t used = 0;
        const int w = std::stoi(t.substr(0, x), &used);
        if (used != x) throw std::invalid_argument("junk");
        const std::string hs = t.substr(x + 1);
        const int h = std::stoi(hs, &used);
        if (used != hs.size()) throw std::invalid_argument("junk");
        if (w < 200 || h < 200 || w > 20000 || h > 20000) throw std::invalid_argument("range");
        return {w, h};
    } catch (const std::exception&) {
        throw std::invalid_argument("--size must be WIDTHxHEIGHT in pixels, each 200..20000 (e.g. 2400x1600), got '" + s + "'");
    }
}

std::string today() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    localtime_r(&t, &tm);
    std::ostringstream s;
    s << std::put_time(&tm, "%Y-%m-%d");
    return s.str();
}

// ---------------------------------------------------------------------------------------------------------------
// Map data

void check_map_data(const MapData& d) {
    if (d.dataset == nullptr) throw std::invalid_argument("map data: the dataset is null");
    const Dataset& ds = *d.dataset;
    auto check = [](std::size_t got, std::size_t want, const char* what, const char* of) {
        if (got != 0 && got != want)
            throw std::invalid_argument(std::string("map data: ") + what + " has " + std::to_string(got) + " entries for " +
                                        std::to_string(want) + " " + of);
    };
    check(d.buildings.size(), ds.buildings.size(), "buildings", "buildings");
    check(d.building_minutes.size(), ds.buildings.size(), "building_minutes", "buildings");
    check(d.grids.size(), ds.grids.size(), "grids", "grids");
    for (const auto& level : d.building_grid) check(level.size(), ds.buildings.size(), "building_grid", "buildings");
}

namespace {

GridId grid_of(const MapData& d, BuildingId b, int level) {
    if (level < 0 || static_cast<std::size_t>(level) >= d.building_grid.size()) return {};
    const auto& v = d.building_grid[static_cast<std::size_t>(level)];
    return b.index() < v.size() ? v[b.index()] : GridId{};
}

const BuildingFacts& facts(const MapData& d, BuildingId b) {
    static const BuildingFacts none;
    return b.index() < d.buildings.size() ? d.buildings[b.index()] : none;
}

std::string thousands(std::int64_t v) {
    std::string s = std::to_string(v < 0 ? -v : v), out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i && (s.size() - i) % 3 == 0) out += ',';
        out += s[i];
    }
    return (v < 0 ? "-" : "") + out;
}

std::string percent(double share) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(0) << share * 100 << "%";
    return s.str();
}

geo::Box grow(const geo::Box& b, double share) {
    const double w = b.max_corner().x() - b.min_corner().x(), h = b.max_corner().y() - b.min_corner().y();
    const double m = share * std::max(w, h);
    return {{b.min_corner().x() - m, b.min_corner().y() - m}, {b.max_corner().x() + m, b.max_corner().y() + m}};
}

template <typename G>
bool in_box(const G& g, const geo::Box& box) {
    if (bg::is_empty(g)) return false;
    geo::Box e;
    bg::envelope(g, e);
    return bg::intersects(e, box);
}

geo::MultiPolygon box_polygon(const geo::Box& b) {
    geo::Polygon p;
    const double x0 = b.min_corner().x(), y0 = b.min_corner().y(), x1 = b.max_corner().x(), y1 = b.max_corner().y();
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return {p};
}

// The roads meeting `box` into the scene's "roads" layer, footways first, and the named ones into "road-labels".
void add_roads(Scene& s, const Dataset& ds, const geo::Box& box) {
    auto& roads = s["roads"];
    roads.keys = {"highway", "name"};
    auto& labels = s["road-labels"];
    labels.keys = {"highway", "name"};
    for (std::size_t i : roads_by_class(ds, &box)) {
        const auto& r = ds.roads[i];
        roads.add(r.line, {r.highway, r.name});
        if (!r.name.empty()) labels.add(r.line, {r.highway, r.name});
    }
}

// Kinds in slot order, with their facility counts (within `box` when given).
std::vector<std::pair<std::string, int>> kinds_present(const Dataset& ds, const std::map<std::string, int>& slots,
                                                       const geo::Box* box) {
    std::map<std::string, int> count;
    for (const auto& f : ds.facilities)
        if (!box || bg::intersects(f.location, *box)) ++count[f.kind];
    std::vector<std::pair<std::string, int>> out(count.begin(), count.end());
    std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return slots.at(a.first) < slots.at(b.first); });
    return out;
}

LegendSample sample(const std::string& style, LegendSample::Shape shape, std::map<std::string, SceneValue> attrs) {
    LegendSample s;
    s.style = style;
    s.shape = shape;
    s.attributes = std::move(attrs);
    return s;
}

frame::LegendSection facilities_section(const Dataset& ds, const std::map<std::string, int>& slots, const geo::Box* box,
                                        const std::string& main_style, const std::string& other_style,
                                        const std::string& main_kind) {
    frame::LegendSection sec{words::facilities, {}};
    const auto names = kind_names(ds);
    for (const auto& [kind, n] : kinds_present(ds, slots, box)) {
        const auto it = names.find(kind);
        const std::string& style = (other_style.empty() || kind == main_kind) ? main_style : other_style;
        sec.entries.push_back({(it == names.end() ? kind : it->second) + "（" + std::to_string(n) + " 处）",
                               sample(style, LegendSample::Shape::point,
                                      {{"slot", std::int64_t{slots.at(kind)}}, {"kind", kind}, {"name", std::string()}})});
    }
    return sec;
}

// One legend line per grid level present, drawn with the grid-lines style of its rank.
frame::LegendSection levels_section(const Dataset& ds, const GridLevels& levels) {
    frame::LegendSection lv{words::levels, {}};
    for (int l : levels.present)
        lv.entries.push_back({level_name(ds, l) + words::boundary_suffix,
                              sample("grid-lines", LegendSample::Shape::line,
                                     {{"rank", std::string(levels.rank(l))}, {"level", std::int64_t{l}}})});
    return lv;
}

}  // namespace

std::vector<BuildingId> numbered_buildings(const MapData& d, GridId grid) {
    const Dataset& ds = *d.dataset;
    if (!grid.valid() || grid.index() >= ds.grids.size()) return {};
    const int level = ds.grid(grid).level;
    std::vector<BuildingId> out;
    for (const auto& b : ds.buildings)
        if (b.residential && grid_of(d, b.id, level) == grid) out.push_back(b.id);
    geo::Box box;
    bg::envelope(ds.grid(grid).area, box);
    const double top = box.max_corner().y(), left = box.min_corner().x();
    constexpr double band_m = 60;
    std::stable_sort(out.begin(), out.end(), [&](BuildingId a, BuildingId b) {
        const auto& pa = ds.building(a).anchor;
        const auto& pb = ds.building(b).anchor;
        const auto ba = static_cast<long>(std::floor((top - pa.y()) / band_m)), bb = static_cast<long>(std::floor((top - pb.y()) / band_m));
        if (ba != bb) return ba < bb;
        if (pa.x() != pb.x()) return pa.x() - left < pb.x() - left;
        return a < b;
    });
    return out;
}

std::vector<std::vector<std::string>> officer_table_rows(const MapData& d, GridId grid) {
    std::vector<std::vector<std::string>> rows;
    int n = 0;
    for (BuildingId b : numbered_buildings(d, grid)) {
        const auto& f = facts(d, b);
        std::string central;
        for (const auto& c : f.central_places) central += (central.empty() ? "" : "、") + c;
        if (central.empty() && f.party_households == 0 && f.households > 0) central = "—";
        rows.push_back({std::to_string(++n), d.dataset->building(b).source_id, f.units ? std::to_string(f.units) : "",
                        std::to_string(f.households), std::to_string(f.persons), std::to_string(f.party_households), central});
    }
    return rows;
}

std::vector<std::string> officer_table_totals(const MapData& d, GridId grid) {
    std::int64_t units = 0, households = 0, persons = 0, party = 0, central = 0;
    const auto list = numbered_buildings(d, grid);
    for (BuildingId b : list) {
        const auto& f = facts(d, b);
        units += f.units, households += f.households, persons += f.persons, party += f.party_households;
        central += static_cast<std::int64_t>(f.central_places.size());
    }
    return {"合计", std::to_string(list.size()) + " 栋", std::to_string(units), std::to_string(households),
            std::to_string(persons), std::to_string(party), std::to_string(central) + " 户"};
}

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

namespace print {

double text_scale(double w, double h) { return std::clamp(std::sqrt(std::min(w, h) / 595.0), 0.75, 2.5); }

geo::Box grid_box(const Dataset& ds, GridId grid) {
    if (!grid.valid() || grid.index() >= ds.grids.size()) throw std::invalid_argument("grid_box: no such grid");
    const auto& area = ds.grid(grid).area;
    if (bg::is_empty(area)) throw std::invalid_argument("grid " + ds.grid(grid).code + " has no area to draw");
    geo::Box b;
    bg::envelope(area, b);
    return b;
}

std::string grid_title(const Dataset& ds, GridId grid) {
    const auto& g = ds.grid(grid);
    if (g.name.empty()) return g.code;
    if (g.code.empty() || g.code == g.name) return g.name;
    return g.name + "（" + g.code + "）";
}

std::string parent_name(const MapData& d, GridId grid) {
    const Dataset& ds = *d.dataset;
    const auto& g = ds.grid(grid);
    GridId p = g.parent;
    if (!p.valid() && !g.parent_code.empty())
        for (const auto& o : ds.grids)
            if (o.code == g.parent_code && o.level < g.level) p = o.id;
    if (!p.valid()) return "";
    const auto& pg = ds.grid(p);
    return pg.name.empty() ? pg.code : pg.name;
}

std::string scale_text(double metres_per_pt) {
    if (!(metres_per_pt > 0)) return "";
    const double denominator = metres_per_pt * 72 / 0.0254;
    const double p = std::pow(10.0, std::floor(std::log10(denominator)) - 1);
    const auto rounded = static_cast<std::int64_t>(std::round(denominator / p) * p);
    std::string digits = std::to_string(rounded), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ' ';
        out += digits[i];
    }
    return "约 1 : " + out;
}

namespace {

// The officer scene's layers with their attribute keys.
void declare_officer_layers(Scene& s) {
    s["grid-fill"].keys = {"focus"};
    s["buildings"].keys = {"kind", "focus"};
    s["mask"];
    s["grid-lines"].keys = {"rank"};
    s["units"].keys = {"number", "label"};
    s["unit-labels"].keys = {"number", "label"};
    s["facilities"].keys = {"slot", "kind", "name"};
    s["facility-labels"].keys = {"name"};
    s["central"].keys = {"count"};
    s["party-badges"].keys = {"count", "label"};
    s["building-labels"].keys = {"name", "details"};
    s["neighbour-labels"].keys = {"name"};
    s["key-labels"].keys = {"label"};   // the atlas's key map only
    s["atlas-numbers"].keys = {"name", "details"};   // the atlas's placed numbers (atlas_placement.hpp) only
    s["atlas-leaders"];
    s["atlas-unit-labels"].keys = {"label"};         // the atlas's unit digits, placed clear of its numbers
    s["households"].keys = {"party"};
}

// Grids of the focus's level (filled, the focus apart), buildings, the veil outside the focus, and boundaries.
void add_officer_ground(Scene& s, const MapData& d, GridId focus, const geo::Box& query, const std::vector<std::size_t>& same_level,
                        const std::vector<std::size_t>& parents) {
    const Dataset& ds = *d.dataset;
    const Grid& fg = ds.grid(focus);
    for (std::size_t i : same_level) s["grid-fill"].add(ds.grids[i].area, {std::int64_t{ds.grids[i].id == focus}});
    for (const auto& b : ds.buildings)
        if (in_box(b.footprint, query))
            s["buildings"].add(b.footprint, {std::string(b.residential ? "res" : "nonres"), std::int64_t{grid_of(d, b.id, fg.level) == focus}});
    try {
        geo::MultiPolygon outside;
        bg::difference(box_polygon(query), fg.area, outside);
        if (!outside.empty()) s["mask"].add(std::move(outside), {});
    } catch (const std::exception&) {
        // an invalid grid polygon: no veil rather than no map
    }
    auto& lines = s["grid-lines"];
    for (std::size_t i : same_level)
        if (ds.grids[i].id != focus) lines.add(boundary_lines(ds.grids[i].area), {std::string("other")});
    for (std::size_t i : parents) lines.add(boundary_lines(ds.grids[i].area), {std::string("parent")});
    lines.add(boundary_lines(fg.area), {std::string("focus")});
}

// Units of the grid's buildings, where the layer gives them a place near their building; in a grids-only project
// (no buildings) each household placed in the grid is a dot, red for a party-member household (a point on the
// boundary shows in both grids; the officer list says which one has it).
void add_officer_units(Scene& s, const Dataset& ds, const Grid& fg, const std::vector<BuildingId>& numbered) {
    std::set<std::size_t> in_focus;
    for (BuildingId b : numbered) in_focus.insert(b.index());
    for (const auto& u : ds.units) {
        if (!u.building.valid() || !in_focus.count(u.building.index())) continue;
        geo::Box bb;
        bg::envelope(ds.building(u.building).footprint, bb);
        if (!bg::intersects(u.location, grow(bb, 0.25))) continue;
        s["units"].add(u.location, {std::int64_t{u.number}, std::to_string(u.number)});
        s["unit-labels"].add(u.location, {std::int64_t{u.number}, std::to_string(u.number)});
    }
    if (ds.buildings.empty())
        for (const auto& h : ds.households)
            if (h.location && bg::covered_by(*h.location, fg.area)) s["households"].add(*h.location, {std::int64_t{h.party_members > 0}});
}

// Facilities, the kind the project headlines on top; names of those inside the grid.
void add_officer_facilities(Scene& s, const MapData& d, const Grid& fg, const geo::Box& query) {
    const Dataset& ds = *d.dataset;
    const auto slots = facility_slots(ds, d.kind_key);
    std::vector<std::size_t> fac;
    for (std::size_t i = 0; i < ds.facilities.size(); ++i)
        if (bg::intersects(ds.facilities[i].location, query)) fac.push_back(i);
    std::stable_sort(fac.begin(), fac.end(), [&](std::size_t a, std::size_t b) {
        return slots.at(ds.facilities[a].kind) > slots.at(ds.facilities[b].kind);
    });
    for (std::size_t i : fac) {
        const auto& f = ds.facilities[i];
        s["facilities"].add(f.location, {std::int64_t{slots.at(f.kind)}, f.kind, f.name});
        if (!f.name.empty() && bg::covered_by(f.location, fg.area)) s["facility-labels"].add(f.location, {f.name});
    }
}

// Stars, badges, status cells and numbers of the numbered buildings: those with more households first, so they win
// the space.
void add_officer_marks(Scene& s, const MapData& d, const std::vector<BuildingId>& numbered) {
    const Dataset& ds = *d.dataset;
    std::vector<std::size_t> order(numbered.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return facts(d, numbered[a]).households > facts(d, numbered[b]).households;
    });
    for (std::size_t k : order) {
        const auto& f = facts(d, numbered[k]);
        const auto& anchor = ds.building(numbered[k]).anchor;
        if (!f.central_places.empty()) s["central"].add(anchor, {static_cast<std::int64_t>(f.central_places.size())});
        if (f.party_households > 0) s["party-badges"].add(anchor, {f.party_households, std::to_string(f.party_households)});
    }
    add_status_marks(s, d, numbered);   // the household-status cells and key-group marks (status_marks.hpp)
    for (std::size_t k : order) {
        const BuildingId b = numbered[k];
        s["building-labels"].add(ds.building(b).anchor, {std::to_string(k + 1) + "号楼", "\n" + std::to_string(facts(d, b).households) + "户"});
    }
}

void add_neighbour_labels(Scene& s, const Dataset& ds, GridId focus, const geo::Box& view, const std::vector<std::size_t>& same_level) {
    const auto view_poly = box_polygon(view);
    for (std::size_t i : same_level) {
        if (ds.grids[i].id == focus) continue;
        try {
            geo::MultiPolygon part;
            bg::intersection(ds.grids[i].area, view_poly, part);
            if (!part.empty()) s["neighbour-labels"].add(std::move(part), {ds.grids[i].name.empty() ? ds.grids[i].code : ds.grids[i].name});
        } catch (const std::exception&) {
        }
    }
}

}  // namespace

Scene officer_scene(const MapData& d, GridId focus, const geo::Box& view) {
    const Dataset& ds = *d.dataset;
    const Grid& fg = ds.grid(focus);
    const geo::Box query = grow(view, 0.12);
    const auto numbered = numbered_buildings(d, focus);
    Scene s;
    declare_officer_layers(s);
    add_roads(s, ds, query);
    std::vector<std::size_t> same_level, parents;
    for (std::size_t i = 0; i < ds.grids.size(); ++i) {
        const auto& g = ds.grids[i];
        if (!in_box(g.area, query)) continue;
        if (g.level == fg.level) same_level.push_back(i);
        else if (g.level == fg.level - 1) parents.push_back(i);
    }
    add_officer_ground(s, d, focus, query, same_level, parents);
    add_officer_units(s, ds, fg, numbered);
    add_officer_facilities(s, d, fg, query);
    add_officer_marks(s, d, numbered);
    add_neighbour_labels(s, ds, focus, view, same_level);
    return s;
}

std::vector<frame::LegendSection> officer_legend(const MapData& d, GridId grid, const geo::Box& view) {
    const Dataset& ds = *d.dataset;
    const int level = ds.grid(grid).level;
    using Shape = LegendSample::Shape;
    std::vector<frame::LegendSection> out;
    frame::LegendSection grids{"网格", {}};
    grids.entries.push_back({"本" + level_name(ds, level) + words::boundary_suffix, sample("grid-lines", Shape::line, {{"rank", std::string("focus")}})});
    grids.entries.push_back({"相邻" + level_name(ds, level) + "（淡化）", sample("grid-lines", Shape::line, {{"rank", std::string("other")}})});
    if (level > 0)
        grids.entries.push_back({level_name(ds, level - 1) + words::boundary_suffix, sample("grid-lines", Shape::line, {{"rank", std::string("parent")}})});
    out.push_back(grids);
    frame::LegendSection b{"楼栋与住户", {}};
    if (ds.buildings.empty()) {   // grids-only: households by their points
        b.entries.push_back({"住户（按坐标）", sample("households", Shape::point, {{"party", std::int64_t{0}}})});
        b.entries.push_back({"党员户（按坐标）", sample("households", Shape::point, {{"party", std::int64_t{1}}})});
        out.push_back(b);
        const auto slots = facility_slots(ds, d.kind_key);
        auto fac = facilities_section(ds, slots, &view, "facilities", "", d.kind_key);
        if (!fac.entries.empty()) out.push_back(fac);
        out.push_back({words::scale, {}, true});
        return out;
    }
    b.entries.push_back({"住宅楼（编号 / 户数）", sample("buildings", Shape::rect, {{"kind", std::string("res")}, {"focus", std::int64_t{1}}})});
    b.entries.push_back({words::nonres, sample("buildings", Shape::rect, {{"kind", std::string("nonres")}, {"focus", std::int64_t{1}}})});
    b.entries.push_back({"单元（楼道）", sample("units", Shape::point, {{"number", std::int64_t{1}}, {"label", std::string("1")}})});
    b.entries.push_back({"党员户数", sample("party-badges", Shape::point, {{"count", std::int64_t{3}}, {"label", std::string("3")}, {"legend", std::int64_t{1}}})});
    b.entries.push_back({"党员中心户所在楼栋", sample("central", Shape::point, {{"count", std::int64_t{1}}})});
    for (auto& e : status_legend(d, numbered_buildings(d, grid))) b.entries.push_back(std::move(e));
    out.push_back(b);
    const auto slots = facility_slots(ds, d.kind_key);
    auto fac = facilities_section(ds, slots, &view, "facilities", "", d.kind_key);
    if (!fac.entries.empty()) out.push_back(fac);
    out.push_back({words::scale, {}, true});
    return out;
}

std::string officer_subtitle(const MapData& d, GridId grid) {
    const Dataset& ds = *d.dataset;
    const auto list = numbered_buildings(d, grid);
    std::int64_t units = 0, central = 0;
    for (BuildingId b : list) units += facts(d, b).units, central += static_cast<std::int64_t>(facts(d, b).central_places.size());
    std::string sub;
    auto add = [&](const std::string& part) { sub += (sub.empty() ? "" : "  ·  ") + part; };
    const auto parent = parent_name(d, grid);
    add(ds.grid(grid).code);
    if (!parent.empty()) add(parent);
    add("住宅楼 " + std::to_string(list.size()) + " 栋");
    if (units) add("单元 " + std::to_string(units) + " 个");
    if (grid.index() < d.grids.size()) {
        const auto& g = d.grids[grid.index()];
        add(thousands(g.households) + " 户");
        add(thousands(g.persons) + " 人");
        add("党员户 " + std::to_string(g.party_households));
    }
    add("党员中心户 " + std::to_string(central));
    if (d.household_status && !d.buildings.empty()) {
        StatusCounts all{};
        for (BuildingId b : list)
            for (std::size_t i = 0; i < status_count; ++i) all[i] += facts(d, b).status[i];
        add(status_summary(all));
    }
    return sub;
}

}  // namespace print

// ---------------------------------------------------------------------------------------------------------------
// The planner and overview scenes and legends

namespace {

const char* iso_band(double minutes) {
    if (minutes <= 5) return "le5";
    if (minutes <= 10) return "le10";
    return "le15";
}

// Isochrones widest first, so the narrower (shorter walk) ones draw over them.
void add_planner_isochrones(Scene& s, const MapData& d) {
    auto& iso = s["isochrones"];
    iso.keys = {"band", "minutes"};
    auto isochrones = d.isochrones;
    std::stable_sort(isochrones.begin(), isochrones.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [minutes, area] : isochrones)
        if (!area.empty()) iso.add(area, {std::string(iso_band(minutes)), minutes});
}

// Buildings by walking minutes to the kind; residential ones beyond its threshold are gaps (outlined).
void add_planner_buildings(Scene& s, const MapData& d, const geo::Box& query) {
    const Bands bands(15);
    auto& buildings = s["buildings"];
    buildings.keys = {"band", "gap"};
    for (const auto& b : d.dataset->buildings) {
        if (!in_box(b.footprint, query)) continue;
        const double m = d.building_minutes.empty() ? std::numeric_limits<double>::quiet_NaN() : d.building_minutes[b.id.index()];
        const bool gap = b.residential && !(m <= d.kind_threshold_minutes);
        buildings.add(b.footprint, {std::string(b.residential ? bands.of(m) : "nonres"), std::int64_t{gap}});
    }
}

// Every level's boundary (finer levels first, coarser drawn over them), and the focus grid's on top.
void add_planner_grid_lines(Scene& s, const MapData& d, GridId focus, const geo::Box& query, const GridLevels& levels) {
    const Dataset& ds = *d.dataset;
    auto& lines = s["grid-lines"];
    lines.keys = {"rank", "level"};
    std::vector<std::size_t> order(ds.grids.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ds.grids[a].level > ds.grids[b].level; });
    for (std::size_t i : order) {
        const auto& g = ds.grids[i];
        if (!in_box(g.area, query)) continue;
        lines.add(boundary_lines(g.area), {std::string(levels.rank(g.level)), std::int64_t{g.level}});
    }
    if (focus.valid()) lines.add(boundary_lines(ds.grid(focus).area), {std::string("focus"), std::int64_t{ds.grid(focus).level}});
}

// The kind's facilities with their names; the other kinds' as grey context.
void add_planner_facilities(Scene& s, const MapData& d, const geo::Box& query) {
    const auto slots = facility_slots(*d.dataset, d.kind_key);
    auto& others = s["facilities-other"];
    others.keys = {"slot", "kind", "name"};
    auto& facilities = s["facilities"];
    facilities.keys = {"slot", "kind", "name"};
    auto& facility_labels = s["facility-labels"];
    facility_labels.keys = {"name"};
    for (const auto& f : d.dataset->facilities) {
        if (!bg::intersects(f.location, query)) continue;
        if (f.kind == d.kind_key) {
            facilities.add(f.location, {std::int64_t{0}, f.kind, f.name});
            if (!f.name.empty()) facility_labels.add(f.location, {f.name});
        } else {
            others.add(f.location, {std::int64_t{slots.at(f.kind)}, f.kind, f.name});
        }
    }
}

// Finest grids, larger first: name, coverage and gap households ("short": the coverage alone, where space is short).
void add_planner_grid_labels(Scene& s, const MapData& d, const geo::Box& query, int fine) {
    const Dataset& ds = *d.dataset;
    auto& labels = s["grid-labels"];
    labels.keys = {"name", "details", "short"};
    std::vector<std::size_t> grids;
    for (std::size_t i = 0; i < ds.grids.size(); ++i)
        if (ds.grids[i].level == fine && in_box(ds.grids[i].area, query)) grids.push_back(i);
    for (std::size_t i : largest_first(ds, grids)) {
        const auto& g = ds.grids[i];
        std::string details, short_line;
        if (i < d.grids.size() && d.grids[i].covered_households >= 0 && d.grids[i].households > 0) {
            const auto& f = d.grids[i];
            const double share = double(f.covered_households) / double(f.households);
            details = "\n覆盖 " + percent(share);
            if (f.households > f.covered_households) details += "\n缺口 " + std::to_string(f.households - f.covered_households) + "户";
            short_line = "\n" + percent(share);
        }
        labels.add(g.area, {g.name.empty() ? g.code : g.name, details, short_line});
    }
}

Scene planner_scene(const MapData& d, GridId focus, const geo::Box& view) {
    const Dataset& ds = *d.dataset;
    const geo::Box query = grow(view, 0.12);
    const GridLevels levels(ds);
    Scene s;
    auto& fill = s["grid-fill"];
    for (const auto& g : ds.grids)
        if (g.level == levels.fine && in_box(g.area, query)) fill.add(g.area, {});
    add_planner_isochrones(s, d);
    add_roads(s, ds, query);
    add_planner_buildings(s, d, query);
    add_planner_grid_lines(s, d, focus, query, levels);
    add_planner_facilities(s, d, query);
    add_planner_grid_labels(s, d, query, levels.fine);
    return s;
}

std::vector<frame::LegendSection> planner_legend(const MapData& d, const geo::Box* view, GridId focus) {
    const Dataset& ds = *d.dataset;
    using Shape = LegendSample::Shape;
    std::vector<frame::LegendSection> out;
    const std::string kind = d.kind_name.empty() ? d.kind_key : d.kind_name;
    frame::LegendSection minutes{minutes_heading(kind), {}};
    for (const auto& band : Bands(15).legend()) {
        std::string label = band.label;
        if (std::string(band.key) == "beyond") label = "> 15 分钟";
        minutes.entries.push_back({label, sample("buildings", Shape::rect, {{"band", std::string(band.key)}, {"gap", std::int64_t{0}}})});
    }
    minutes.entries.push_back({"缺口：超过 " + number_text(d.kind_threshold_minutes) + " 分钟的住宅楼",
                               sample("buildings", Shape::rect, {{"band", std::string("beyond")}, {"gap", std::int64_t{1}}})});
    out.push_back(minutes);
    if (!d.isochrones.empty()) {
        frame::LegendSection iso{"步行等时圈（沿实际路网）", {}};
        auto list = d.isochrones;
        std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [m, area] : list)
            iso.entries.push_back({number_text(m) + " 分钟可达范围", sample("isochrones", Shape::rect, {{"band", std::string(iso_band(m))}, {"minutes", m}})});
        out.push_back(iso);
    }
    const GridLevels levels(ds);
    if (!levels.present.empty()) {
        auto lv = levels_section(ds, levels);
        if (focus.valid())
            lv.entries.push_back({"所选" + level_name(ds, ds.grid(focus).level), sample("grid-lines", Shape::line, {{"rank", std::string("focus")}, {"level", std::int64_t{ds.grid(focus).level}}})});
        out.push_back(lv);
    }
    // the mapped kind, then every other kind as one entry: on the planner they are context
    int mapped = 0, others = 0;
    for (const auto& f : ds.facilities) {
        if (view && !bg::intersects(f.location, *view)) continue;
        (f.kind == d.kind_key ? mapped : others) += 1;
    }
    frame::LegendSection fac{words::facilities, {}};
    if (mapped)
        fac.entries.push_back({kind + "（" + std::to_string(mapped) + " 处）",
                               sample("facilities", Shape::point, {{"slot", std::int64_t{0}}, {"kind", d.kind_key}, {"name", std::string()}})});
    if (others)
        fac.entries.push_back({"其他服务设施（" + std::to_string(others) + " 处）",
                               sample("facilities-other", Shape::point, {{"slot", std::int64_t{1}}, {"kind", std::string()}, {"name", std::string()}})});
    if (!fac.entries.empty()) out.push_back(fac);
    out.push_back({words::scale, {}, true});
    return out;
}

OverviewRequest overview_request(const MapData& d) {
    OverviewRequest r;
    r.dataset = d.dataset;
    for (const auto& g : d.grids) r.grid_households.push_back(g.households);
    r.building_minutes = d.building_minutes;
    r.headline_threshold_minutes = d.kind_threshold_minutes;
    r.headline_kind_name = d.kind_name.empty() ? d.kind_key : d.kind_name;
    return r;
}

// A line of the public legend table (style_palette.hpp) with its sample drawn by the overview style.
std::optional<LegendSample> public_sample(const LegendLine& line, const GridLevels& levels, const std::map<std::string, int>& slots) {
    using Shape = LegendSample::Shape;
    if (line.key.rfind("level:", 0) == 0) {
        const std::int64_t l = std::stoll(line.key.substr(6));
        return sample("grid-lines", Shape::line, {{"rank", std::string(levels.rank(static_cast<int>(l)))}, {"level", l}});
    }
    if (line.key.rfind("kind:", 0) == 0) {
        const std::string kind = line.key.substr(5);
        return sample("facilities", Shape::point, {{"slot", std::int64_t{slots.at(kind)}}, {"kind", kind}, {"name", std::string()}});
    }
    return sample("buildings", Shape::rect, {{"band", line.key}});
}

std::vector<frame::LegendSection> overview_legend(const MapData& d) {
    const Dataset& ds = *d.dataset;
    const std::string kind = d.kind_name.empty() ? d.kind_key : d.kind_name;
    const GridLevels levels(ds);
    const auto slots = facility_slots(ds, kind);
    std::vector<frame::LegendSection> out;
    for (const auto& table : public_legend(ds, kind, d.kind_threshold_minutes)) {
        frame::LegendSection sec{table.heading, {}};
        for (const auto& line : table.lines) sec.entries.push_back({line.words, public_sample(line, levels, slots)});
        if (table.heading == words::facilities) sec.entries.push_back({words::markers_merged, std::nullopt});
        out.push_back(std::move(sec));
    }
    out.push_back({words::scale, {}, true});
    return out;
}

std::string overview_subtitle(const MapData& d) {
    const Dataset& ds = *d.dataset;
    std::string sub;
    auto add = [&](const std::string& part) { sub += (sub.empty() ? "" : "  ·  ") + part; };
    const std::vector<int>& levels = GridLevels(ds).present;
    for (int l : levels) {
        const auto n = std::count_if(ds.grids.begin(), ds.grids.end(), [&](const Grid& g) { return g.level == l; });
        add(std::to_string(n) + " 个" + level_name(ds, l));
    }
    add(std::to_string(std::count_if(ds.buildings.begin(), ds.buildings.end(), [](const Building& b) { return b.residential; })) + " 栋住宅楼");
    if (!d.grids.empty() && !levels.empty()) {
        std::int64_t total = 0;
        for (std::size_t i = 0; i < ds.grids.size(); ++i)
            if (ds.grids[i].level == levels.back()) total += d.grids[i].households;
        add("共 " + thousands(total) + " 户");
    }
    add(words::aggregates_only);
    return sub;
}

std::string planner_subtitle(const MapData& d, GridId focus) {
    const Dataset& ds = *d.dataset;
    std::int64_t households = 0, covered = 0, gaps = 0, facilities = 0;
    const int fine = GridLevels(ds).fine;
    for (std::size_t i = 0; i < ds.grids.size() && i < d.grids.size(); ++i) {
        const bool take = focus.valid() ? ds.grids[i].id == focus : ds.grids[i].level == fine;
        if (!take || d.grids[i].covered_households < 0) continue;
        households += d.grids[i].households;
        covered += d.grids[i].covered_households;
    }
    for (const auto& b : ds.buildings) {
        if (!b.residential || d.building_minutes.empty()) continue;
        if (focus.valid() && grid_of(d, b.id, ds.grid(focus).level) != focus) continue;
        gaps += !(d.building_minutes[b.id.index()] <= d.kind_threshold_minutes);
    }
    for (const auto& f : ds.facilities) facilities += f.kind == d.kind_key;
    std::string sub;
    auto add = [&](const std::string& part) { sub += (sub.empty() ? "" : "  ·  ") + part; };
    if (households > 0)
        add("步行 " + number_text(d.kind_threshold_minutes) + " 分钟内覆盖 " + percent(double(covered) / double(households)) +
            " 的住户（" + thousands(covered) + " / " + thousands(households) + "）");
    add("缺口住宅楼 " + thousands(gaps) + " 栋");
    add(d.kind_name + "设施 " + std::to_string(facilities) + " 处");
    return sub;
}

// ---------------------------------------------------------------------------------------------------------------
// The page

struct Rect {
    double x = 0, y = 0, w = 0, h = 0;
};

struct Layout {
    double W = 0, H = 0, ts = 1, margin = 0;
    Rect title, map, legend, footer;
    Rect index;                   // the index of codes under the map (h = 0: none)
    double legend_column_w = 0;
};

// The index of codes → names printed under an overview's map, for the names that do not fit on it.
struct CodeIndex {
    std::vector<std::pair<std::string, std::string>> entries;   // code → name (communities' letters first)
    double max_ems = 0;                                          // the widest entry, in ems (estimated_ems)

    explicit CodeIndex(std::vector<std::pair<std::string, std::string>> e = {}) : entries(std::move(e)) {
        for (const auto& [code, name] : entries) max_ems = std::max(max_ems, estimated_ems(code + "  " + name));
    }
    static double font(double ts) { return 6.6 * ts; }
    static double row(double ts) { return 9.5 * ts; }
    static double heading(double ts) { return 13 * ts; }
    double column_w(double ts) const { return (max_ems + 1.5) * font(ts); }
    int columns(double w, double ts) const { return std::max(1, static_cast<int>(w / column_w(ts))); }
    int rows(double w, double ts) const {
        const int c = columns(w, ts);
        return static_cast<int>((entries.size() + c - 1) / c);
    }
    double height(double w, double ts) const {
        return entries.empty() ? 0 : heading(ts) + rows(w, ts) * row(ts) + 4 * ts;
    }
    // Whether `other` fits in the space this one reserves in a band `w` wide.
    bool holds(const CodeIndex& other, double w, double ts) const {
        if (other.entries.empty()) return true;
        if (entries.empty() || other.max_ems > max_ems + 1e-9) return false;
        return other.entries.size() <= static_cast<std::size_t>(rows(w, ts) * columns(w, ts));
    }
};

// The legend beside the map (right) or under it; `side` chooses.
Layout layout_page(double W, double H, const std::vector<frame::LegendSection>& sections, bool side,
                   const CodeIndex& index) {
    Layout L;
    L.W = W, L.H = H;
    L.ts = print::text_scale(W, H);
    const double ts = L.ts;
    L.margin = std::max(18.0, 0.032 * std::min(W, H));
    const double gap = 8 * ts;
    L.title = {L.margin, L.margin, W - 2 * L.margin, 36 * ts};
    L.footer = {L.margin, H - L.margin - 10 * ts, W - 2 * L.margin, 10 * ts};
    const double top = L.title.y + L.title.h + gap * 0.5, bottom = L.footer.y - gap * 0.6;
    const double column_w = 150 * ts;
    const frame::LegendStyle style{ts, 0, ""};
    if (side) {
        // a sidebar of one column, or two when one is too tall
        double lw = column_w + 16 * ts;
        const double h1 = frame::legend_height(nullptr, sections, 1, column_w, style);
        if (h1 > bottom - top - 18 * ts) lw = 2 * column_w + 16 * ts;
        L.legend = {W - L.margin - lw, top, lw, bottom - top};
        L.legend_column_w = column_w;
        L.map = {L.margin, top, L.legend.x - gap - L.margin, bottom - top};
    } else {
        const double inner_w = W - 2 * L.margin - 16 * ts;
        const int columns = std::max(1, static_cast<int>(inner_w / column_w));
        const double cw = inner_w / columns;
        const double lh = frame::legend_height(nullptr, sections, columns, cw, style) + 18 * ts;   // + padding
        L.legend = {L.margin, bottom - lh, W - 2 * L.margin, lh};
        L.legend_column_w = cw;
        L.map = {L.margin, top, W - 2 * L.margin, L.legend.y - gap - top};
    }
    if (const double ih = index.height(L.map.w, ts); ih > 0) {
        L.index = {L.map.x, L.map.y + L.map.h - ih, L.map.w, ih};
        L.map.h -= ih + gap;
    }
    // whole points, so that the map's size is exact in every format
    L.map.x = std::round(L.map.x), L.map.y = std::round(L.map.y);
    L.map.w = std::floor(L.map.w), L.map.h = std::floor(L.map.h);
    return L;
}

// The layout that shows `target` at the larger scale (portrait pages: the legend under the map unless the side
// gives a clearly larger map).
Layout layout_page(double W, double H, const std::vector<frame::LegendSection>& sections, const geo::Box& target,
                   const CodeIndex& index = CodeIndex()) {
    const double tw = target.max_corner().x() - target.min_corner().x(), th = target.max_corner().y() - target.min_corner().y();
    auto m_per_pt = [&](const Layout& L) {
        if (L.map.w < 50 || L.map.h < 50) return std::numeric_limits<double>::infinity();
        return std::max(tw / L.map.w, th / L.map.h);
    };
    const Layout side = layout_page(W, H, sections, true, index), under = layout_page(W, H, sections, false, index);
    const double preference = W >= H ? 1.0 : 1.1;   // portrait: the side must win by 10 %
    const Layout& best = m_per_pt(side) * preference <= m_per_pt(under) ? side : under;
    if (best.map.w < 50 || best.map.h < 50) throw std::invalid_argument("the page is too small for the map and its legend");
    return best;
}

struct PageText {
    std::string title, subtitle, date, attribution, crs;
};

// The title and its subtitle in the title band, the subtitle never shortened: broken between its parts onto a second
// line when it is too long for one (an officer map's counts by status on A4), smaller only if two lines are not enough.
void draw_title_band(cairo_t* cr, const Layout& L, const PageText& t) {
    const double ts = L.ts;
    const frame::Font title{17 * ts, true, 0x1b1b1b};
    frame::Font sub{8.2 * ts, false, 0x555555};
    auto lines = frame::wrap_at(cr, t.subtitle, "  ·  ", sub, L.title.w);
    while (lines.size() > 2 && sub.size > 5 * ts) {
        sub.size -= 0.4 * ts;
        lines = frame::wrap_at(cr, t.subtitle, "  ·  ", sub, L.title.w);
    }
    const bool two = lines.size() > 1;
    frame::text(cr, L.title.x, L.title.y + (two ? 8 : 11) * ts, frame::ellipsize(cr, t.title, title, L.title.w), title);
    for (std::size_t k = 0; k < lines.size(); ++k)
        frame::text(cr, L.title.x, L.title.y + (two ? 22.5 + 8.5 * static_cast<double>(k) : 28) * ts, lines[k], sub);
}

// Title band, legend (words; its samples are returned) and footer.
std::vector<LegendSample> draw_frame(cairo_t* cr, const Layout& L, const PageText& t,
                                     const std::vector<frame::LegendSection>& sections, double metres_per_pt,
                                     bool paper) {
    const double ts = L.ts;
    using frame::Align;
    using frame::Font;
    frame::fill_rect(cr, 0, 0, L.W, L.H, 0xffffff);
    draw_title_band(cr, L, t);
    // legend panel
    frame::fill_rect(cr, L.legend.x, L.legend.y, L.legend.w, L.legend.h, 0xffffff);
    frame::stroke_rect(cr, L.legend.x, L.legend.y, L.legend.w, L.legend.h, 0xd9d6cf, 0.6 * ts);
    const frame::LegendStyle style{ts, metres_per_pt, paper ? print::scale_text(metres_per_pt) : std::string()};
    const double pad = 8 * ts;
    auto samples = frame::legend(cr, sections, L.legend.x + pad, L.legend.y + pad, L.legend.w - 2 * pad,
                                 L.legend.h - 2 * pad, L.legend_column_w, style);
    // footer
    const Font foot{6.8 * ts, false, 0x6b6b6b};
    std::string left = t.attribution;
    if (!t.crs.empty()) left += (left.empty() ? "" : "    ") + std::string("坐标系 ") + t.crs;
    frame::text(cr, L.footer.x, L.footer.y + L.footer.h / 2, left, foot);
    frame::text(cr, L.footer.x + L.footer.w, L.footer.y + L.footer.h / 2, words::date_prefix + t.date + "    GridAtlas", foot,
                Align::right);
    return samples;
}

// The index band: a heading, then "code  name" entries down the columns, codes in the map's colours for them.
void draw_index(cairo_t* cr, const Layout& L, const CodeIndex& index) {
    if (index.entries.empty() || L.index.h <= 0) return;
    const double ts = L.ts;
    frame::fill_rect(cr, L.index.x, L.index.y, L.index.w, L.index.h, 0xffffff);
    frame::stroke_rect(cr, L.index.x, L.index.y, L.index.w, L.index.h, 0xd9d6cf, 0.6 * ts);
    frame::text(cr, L.index.x + 6 * ts, L.index.y + CodeIndex::heading(ts) / 2 + 1 * ts, words::code_index,
                frame::Font{8 * ts, true, 0x222222});
    const int cols = index.columns(L.index.w, ts);
    const int rows = index.rows(L.index.w, ts);
    const double col_w = L.index.w / cols;
    const frame::Font name_font{CodeIndex::font(ts), false, 0x333333};
    for (std::size_t k = 0; k < index.entries.size(); ++k) {
        const auto& [code, name] = index.entries[k];
        const double x = L.index.x + 6 * ts + static_cast<double>(k / rows) * col_w;
        const double y = L.index.y + CodeIndex::heading(ts) + (static_cast<double>(k % rows) + 0.5) * CodeIndex::row(ts);
        const bool letter = !code.empty() && std::isalpha(static_cast<unsigned char>(code[0]));
        const double w = frame::text(cr, x, y, code, frame::Font{CodeIndex::font(ts), true, letter ? 0x7a1f1fu : 0x12457au});
        frame::text(cr, x + w + 0.5 * CodeIndex::font(ts), y, name, name_font);
    }
}

// Markers of one kind that would overlap on paper (closer than `radius_m`) drawn once: 161 bus stops otherwise bury a
// town centre. The headline kind (slot 0) keeps every marker. Features carry (slot, kind, name).
void thin_markers(SceneLayer& layer, double radius_m) {
    std::map<std::string, std::vector<geo::Point>> kept;
    std::vector<SceneLayer::Feature> out;
    for (auto& f : layer.features) {
        const auto* p = std::get_if<geo::Point>(&f.geometry);
        if (p == nullptr || std::get<std::int64_t>(f.values[0]) == 0) {
            out.push_back(std::move(f));
            continue;
        }
        auto& same = kept[std::get<std::string>(f.values[1])];
        const bool near = std::any_of(same.begin(), same.end(), [&](const geo::Point& q) { return bg::distance(*p, q) < radius_m; });
        if (near) continue;
        same.push_back(*p);
        out.push_back(std::move(f));
    }
    layer.features = std::move(out);
}

// The overview's labels for a map frame of layout L showing `view`.
OverviewLabelPlan overview_labels(const MapData& d, const Layout& L, const geo::Box& view, double map_scale) {
    OverviewLabelInput in;
    in.dataset = d.dataset;
    for (const auto& g : d.grids) in.grid_households.push_back(g.households);
    in.headline_kind = d.kind_key;
    in.view = view;
    in.map_w_pt = L.map.w, in.map_h_pt = L.map.h;
    in.style_scale = map_scale;
    return plan_overview_labels(in);
}

void check_cairo(cairo_status_t status, const std::filesystem::path& out) {
    if (status != CAIRO_STATUS_SUCCESS)
        throw std::runtime_error("cannot write " + out.string() + ": " + cairo_status_to_string(status));
}

// The request's page, its orientation chosen from the map's extent when asked; throws for a PNG too large.
PageSpec resolved_page(const PrintRequest& request, const Dataset& ds) {
    PageSpec page = request.page;
    if (page.auto_orientation && !page.pixel_page()) {
        const geo::Box b = request.focus.valid() ? print::grid_box(ds, request.focus) : content_box(ds);
        page.landscape = b.max_corner().x() - b.min_corner().x() > b.max_corner().y() - b.min_corner().y();
    }
    const auto [W, H] = page.size_pt();
    const double k = page.dpi / 72.0;   // PNG pixels per point
    if (request.format == PrintFormat::png) {
        const double px = std::round(W * k) * std::round(H * k);
        if (px > 120e6)
            throw std::invalid_argument("a " + page.describe() + " PNG would have " + number_text(std::round(px / 1e6)) +
                                        " million pixels (at most 120): lower --dpi, or write a PDF");
    }
    return page;
}

// What the map must show: the focus grid (with every numbered building on officer maps), else everything.
geo::Box map_target(const PrintRequest& request, const MapData& d) {
    const Dataset& ds = *d.dataset;
    geo::Box target = request.focus.valid() ? print::grid_box(ds, request.focus) : content_box(ds);
    if (request.style == MapStyle::officer && request.focus.valid())   // every numbered building inside the frame
        for (BuildingId b : numbered_buildings(d, request.focus)) bg::expand(target, ds.building(b).anchor);
    return target;
}

// The legend before the layout (its size shapes the map frame), over `view` when known.
std::vector<frame::LegendSection> style_legend(const PrintRequest& request, const MapData& d, const geo::Box& view) {
    switch (request.style) {
        case MapStyle::overview: return overview_legend(d);
        case MapStyle::planner: return planner_legend(d, request.focus.valid() ? &view : nullptr, request.focus);
        case MapStyle::officer: return print::officer_legend(d, request.focus, view);
    }
    return {};
}

// Noto Sans CJK's ideographs are about 0.88 em tall; the smallest label of overview.xml (names at "small" size,
// codes) is 9 nominal units.
constexpr double kCjkGlyphEm = 0.88;
constexpr double kSmallestLabelNominal = 9;

// overview.xml's nominal sizes → points: pixels of a 1200 px wide page (× 0.62) at the page's text scale. A wall print
// makes the smallest label's glyphs kWallGlyphMm tall on A0 (scale 2.86: grid names 14 → 40 pt, a 14 mm em; community
// names 19 → 54 pt), and as much smaller on smaller paper as the text scale is (A1 6.7 mm, A2 5.7 mm, A3 4.8 mm).
double overview_label_scale(const Layout& L, bool wall) {
    const double scale = L.ts * 0.62;
    if (!wall) return scale;
    const double a0_ts = 2;
    return std::max(scale, kWallGlyphMm * 72 / 25.4 / kCjkGlyphEm / kSmallestLabelNominal * L.ts / a0_ts);
}

// The page's layout, the map's extent and (overview) the label plan with its index of codes.
struct PlannedPage {
    Layout L;
    geo::Box view;
    OverviewLabelPlan labels;
    CodeIndex index;
};

PlannedPage plan_page(const PrintRequest& request, const MapData& d, double W, double H,
                      const std::vector<frame::LegendSection>& sections, const geo::Box& target) {
    PlannedPage p{layout_page(W, H, sections, target), {}, {}, CodeIndex()};
    const double margin_share = request.style == MapStyle::officer ? 0.05 : 0.03;
    const double min_margin = request.style == MapStyle::officer ? 18 : 0;
    auto fit = [&] { return fit_extent(target, p.L.map.w, p.L.map.h, margin_share, 10, min_margin); };
    p.view = fit();
    if (request.style != MapStyle::overview) return p;
    // The overview names what fits and indexes the rest under the map: the index takes room from the map, which may
    // leave more names without room, so the page is laid out again until the room reserved holds the index.
    p.labels = overview_labels(d, p.L, p.view, overview_label_scale(p.L, request.wall));
    CodeIndex reserved;
    for (int pass = 0; pass < 6 && !reserved.holds(CodeIndex(p.labels.index), p.L.map.w, p.L.ts); ++pass) {
        CodeIndex want(p.labels.index);
        if (want.entries.size() < reserved.entries.size()) want.entries = reserved.entries;
        want.max_ems = std::max(want.max_ems, reserved.max_ems);
        reserved = want;
        p.L = layout_page(W, H, sections, target, reserved);
        p.view = fit();
        p.labels = overview_labels(d, p.L, p.view, overview_label_scale(p.L, request.wall));
    }
    p.index = CodeIndex(p.labels.index);
    return p;
}

// The overview's scene with the planned labels and thinned markers.
Scene overview_print_scene(const MapData& d, PlannedPage& p, double map_scale) {
    OverviewRequest r = overview_request(d);
    r.draw_labels = false;   // placed by the label plan
    Scene scene = overview_scene(r);
    for (auto& [name, layer] : p.labels.layers) scene[name] = std::move(layer);
    thin_markers(scene["facilities"], 10 * map_scale * (p.view.max_corner().x() - p.view.min_corner().x()) / p.L.map.w);
    return scene;
}

PageText page_text(const PrintRequest& request, const MapData& d) {
    const Dataset& ds = *d.dataset;
    PageText text;
    switch (request.style) {
        case MapStyle::overview:
            text.title = (d.project_name.empty() ? std::string() : d.project_name + " · ") + (request.wall ? "网格挂图" : "网格总览图");
            text.subtitle = overview_subtitle(d);
            if (request.focus.valid()) text.title += " · " + print::grid_title(ds, request.focus);
            break;
        case MapStyle::planner:
            text.title = (d.kind_name.empty() ? d.kind_key : d.kind_name) + " · 15分钟服务圈规划图";
            if (request.focus.valid()) text.title += " · " + print::grid_title(ds, request.focus);
            text.subtitle = planner_subtitle(d, request.focus);
            break;
        case MapStyle::officer:
            text.title = print::grid_title(ds, request.focus) + " · 网格员工作图";
            text.subtitle = print::officer_subtitle(d, request.focus);
            break;
    }
    if (!request.title.empty()) text.title = request.title;
    text.date = request.date.empty() ? today() : request.date;
    text.attribution = request.attribution;
    text.crs = ds.working_crs;
    return text;
}

// Everything a page is drawn from, once planned.
struct PageParts {
    const StyledMap& styled;
    const PlannedPage& planned;
    const PageText& text;
    const std::vector<frame::LegendSection>& sections;
    const Scene& scene;
    MapView map_view;
    bool paper;
    double sample_scale;   // the legend samples' (the map's, but on a wall print the overview's usual)
};

// Frame, legend samples and index into `cr` (in points).
void draw_page_frame(cairo_t* cr, const PageParts& p, double metres_per_pt) {
    const auto samples = draw_frame(cr, p.planned.L, p.text, p.sections, metres_per_pt, p.paper);
    p.styled.render_samples(cr, samples, p.sample_scale);
    draw_index(cr, p.planned.L, p.planned.index);
}

// The AGG map image copied pixel for pixel into a Cairo image surface at (mx, my).
void copy_map_image(cairo_surface_t* surface, const RgbaImage& img, int mx, int my) {
    cairo_surface_flush(surface);
    unsigned char* data = cairo_image_surface_get_data(surface);
    const int stride = cairo_image_surface_get_stride(surface);
    for (int y = 0; y < img.height; ++y) {
        auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::size_t>(y + my) * stride) + mx;
        const std::uint8_t* src = &img.rgba[static_cast<std::size_t>(y) * img.width * 4];
        for (int x = 0; x < img.width; ++x, src += 4) {
            const std::uint32_t a = src[3];
            const std::uint32_t r = src[0] * a / 255, g = src[1] * a / 255, b = src[2] * a / 255;
            row[x] = (a << 24) | (r << 16) | (g << 8) | b;   // premultiplied ARGB in native order
        }
    }
    cairo_surface_mark_dirty(surface);
}

// A PNG page: the frame by Cairo at dpi/72, the map by AGG at device resolution. Fills the result's pixel size.
void write_png_page(const PageParts& p, const PageSpec& page, PrintResult& result, const std::filesystem::path& out) {
    const Layout& L = p.planned.L;
    const double k = page.dpi / 72.0;
    const int pw = static_cast<int>(std::round(L.W * k)), ph = static_cast<int>(std::round(L.H * k));
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph);
    cairo_t* cr = cairo_create(surface);
    struct Guard {
        cairo_surface_t* s;
        cairo_t* c;
        ~Guard() { cairo_destroy(c), cairo_surface_destroy(s); }
    } guard{surface, cr};
    check_cairo(cairo_status(cr), out);
    cairo_scale(cr, k, k);
    draw_page_frame(cr, p, result.metres_per_pt);
    const int mx = static_cast<int>(std::round(L.map.x * k)), my = static_cast<int>(std::round(L.map.y * k));
    MapView px_view = p.map_view;
    px_view.width = std::min(static_cast<int>(std::round(L.map.w * k)), pw - mx);
    px_view.height = std::min(static_cast<int>(std::round(L.map.h * k)), ph - my);
    px_view.scale_factor = p.map_view.scale_factor * k;
    px_view.extent = p.planned.view;   // same aspect to within a pixel
    copy_map_image(surface, p.styled.render_image(p.scene, px_view), mx, my);
    frame::stroke_rect(cr, L.map.x - 0.25, L.map.y - 0.25, L.map.w + 0.5, L.map.h + 0.5, 0x8a8782, 0.5 * L.ts);
    cairo_surface_flush(surface);
    check_cairo(cairo_surface_write_to_png(surface, out.c_str()), out);
    result.width_px = pw, result.height_px = ph;
}

// A PDF or SVG page: frame and map as vectors.
void write_vector_page(const PageParts& p, PrintFormat format, const PrintResult& result, const std::filesystem::path& out) {
    const Layout& L = p.planned.L;
    VectorDocument doc(format == PrintFormat::pdf ? VectorDocument::Kind::pdf : VectorDocument::Kind::svg, out, L.W, L.H,
                       p.text.title);
    cairo_t* cr = doc.cr();
    draw_page_frame(cr, p, result.metres_per_pt);
    cairo_save(cr);
    cairo_translate(cr, L.map.x, L.map.y);
    p.styled.render_cairo(cr, p.scene, p.map_view);
    cairo_restore(cr);
    frame::stroke_rect(cr, L.map.x - 0.25, L.map.y - 0.25, L.map.w + 0.5, L.map.h + 0.5, 0x8a8782, 0.5 * L.ts);
    cairo_show_page(cr);
    doc.finish();
}

void check_print_request(const PrintRequest& request) {
    if (request.data == nullptr) throw std::invalid_argument("render_print_map: request.data is null");
    check_map_data(*request.data);
    if (request.focus.valid() && request.focus.index() >= request.data->dataset->grids.size())
        throw std::invalid_argument("render_print_map: the focus grid is not in the dataset");
    if (request.style == MapStyle::officer && !request.focus.valid())
        throw std::invalid_argument("the officer map is of one grid: give its code (--grid)");
    if (request.wall && request.style != MapStyle::overview)
        throw std::invalid_argument("a wall print is an overview map: request.wall with style " + std::string(to_string(request.style)));
    const std::string paper = lower(request.page.paper);
    if (request.wall && !request.page.pixel_page() && (paper == "a3" || paper == "a4"))
        throw std::invalid_argument("a wall print (--style wall, labels read from 2–3 m) needs A0, A1 or A2 paper, got " +
                                    request.page.paper + ": print A3/A4 with --style overview");
}

}  // namespace

PrintResult render_print_map(const PrintRequest& request, const std::filesystem::path& out) {
    check_print_request(request);
    const MapData& d = *request.data;
    const PageSpec page = resolved_page(request, *d.dataset);
    const auto [W, H] = page.size_pt();
    const bool paper = !page.pixel_page();
    frame::check_fonts();
    const std::filesystem::path style_dir = request.styles.empty() ? styles_dir() : request.styles;
    const StyledMap styled(style_dir / (std::string(to_string(request.style)) + ".xml"), d.dataset->working_crs);

    const geo::Box target = map_target(request, d);
    std::vector<frame::LegendSection> sections =
        style_legend(request, d, request.style == MapStyle::officer ? grow(target, 0.3) : target);
    PlannedPage planned = plan_page(request, d, W, H, sections, target);
    // counts of what the fitted view shows
    if (request.style == MapStyle::officer || (request.style == MapStyle::planner && request.focus.valid()))
        sections = style_legend(request, d, planned.view);

    double map_scale = planned.L.ts;
    Scene scene;
    PrintResult result;
    switch (request.style) {
        case MapStyle::overview:
            map_scale = overview_label_scale(planned.L, request.wall);
            scene = overview_print_scene(d, planned, map_scale);
            result.names_on_map = planned.labels.top_named + planned.labels.fine_named;
            result.names_in_index = static_cast<int>(planned.labels.index.size());
            result.crowded_labels = planned.labels.crowded;
            result.smallest_label_mm = kSmallestLabelNominal * map_scale * kCjkGlyphEm * 25.4 / 72;
            break;
        case MapStyle::planner: scene = planner_scene(d, request.focus, planned.view); break;
        case MapStyle::officer: scene = print::officer_scene(d, request.focus, planned.view); break;
    }
    const PageText text = page_text(request, d);
    const PageParts parts{styled, planned, text, sections, scene,
                          MapView{planned.view, static_cast<int>(planned.L.map.w), static_cast<int>(planned.L.map.h), map_scale}, paper,
                          request.style == MapStyle::overview ? overview_label_scale(planned.L, false) : map_scale};
    result.page = page.describe();
    result.width_pt = W, result.height_pt = H;
    result.metres_per_pt = parts.map_view.metres_per_unit();
    result.scale_denominator = paper ? result.metres_per_pt * 72 / 0.0254 : 0;

    std::error_code ec;
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path(), ec);
    if (request.format == PrintFormat::png) write_png_page(parts, page, result, out);
    else write_vector_page(parts, request.format, result, out);
    return result;
}

}  // namespace gridatlas::render
