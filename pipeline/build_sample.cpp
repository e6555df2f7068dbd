// The `sample build` command: derives data/sample/ (layers, roster, grids, project.toml) from an OSM GeoPackage.
#include "build_sample.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>

#include "crs.hpp"
#include "geometry/geos.hpp"
#include "hierarchy/grid_drawing.hpp"
#include "model/diagnostics.hpp"
#include "sample/facility_placement.hpp"
#include "sample/residential.hpp"
#include "sample/study_area.hpp"
#include "sample/synthetic_roster.hpp"
#include "vector_reader.hpp"
#include "vector_writer.hpp"

namespace gridatlas::pipeline {

namespace {

using layers::FieldSpec;
using layers::FieldType;
using layers::FieldValue;
using layers::LayerGeometry;

constexpr const char* sample_crs = "EPSG:4326";   // the sample ships in lon/lat like most sources

struct OsmBuilding {
    std::string id;
    std::string osm_id;
    std::string name;
    geo::MultiPolygon footprint;
    geo::Point anchor;
    sample::DwellingEstimate dwelling;
};

struct OsmRoad {
    std::vector<std::string> values;
    geo::LineString line;
};

struct OsmPoi {
    std::string osm_id, category, name;
    geo::Point location;
};

const std::vector<std::string> road_fields = {"osm_id", "highway", "name", "footway", "sidewalk", "foot", "access",
                                              "service", "oneway", "layer", "bridge", "tunnel", "surface"};

// Service kinds of the sample's OSM points (see data/README.md).
const std::map<std::string, std::string> kind_of_category = {
    {"grocery", "shopping"}, {"pharmacy", "health"}, {"hospital", "health"}, {"school", "school"},
    {"kindergarten", "kindergarten"}, {"police", "police"}, {"bus_stop", "bus_stop"}};

// Synthetic community names (the sample's communities are invented, their names too).
constexpr std::array<const char*, 24> community_names = {
    "海景", "港湾", "岩城", "观海", "蔚蓝", "橄榄", "阳光", "滨海", "松林", "枫丹", "玫瑰", "灯塔",
    "云台", "翠谷", "金沙", "望月", "长堤", "花园", "山城", "新港", "石阶", "晴岚", "白帆", "青崖"};

std::string serial(int n, int width) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*d", width, n);
    return buf;
}

std::string working_crs_of(const layers::LayerSource& src) {
    layers::VectorReader r(src, "");
    const geo::Box b = r.extent_lonlat();
    return layers::utm_crs_for((b.min_corner().x() + b.max_corner().x()) / 2, (b.min_corner().y() + b.max_corner().y()) / 2);
}

// What a reader makes of one layer of the extract: the columns it had to read as empty, and the features it dropped.
class LayerAudit {
public:
    LayerAudit(layers::VectorReader& r, std::string layer, SampleReport& report) : r_(r), layer_(std::move(layer)), report_(report) {}
    // An optional column: absent from the layer, it reads as empty for every feature, said once.
    std::optional<std::size_t> optional(const std::string& column) {
        auto i = r_.request_field(column, false);
        if (!i) report_.absent_columns.push_back(layer_ + "." + column);
        return i;
    }
    void drop(const layers::FeatureView& f, const std::string& id, const std::string& reason) {
        report_.dropped.push_back({layer_, f.fid, id, reason});
    }

private:
    layers::VectorReader& r_;
    std::string layer_;
    SampleReport& report_;
};

std::string text(const layers::FeatureView& f, const std::optional<std::size_t>& i) { return i ? f.text(*i) : std::string{}; }

// Buildings: osm_id is required (the ids come from it); every other column is optional. A feature without a polygon,
// or whose polygon GEOS cannot repair, is dropped and reported; a repaired one is counted.
std::vector<OsmBuilding> read_buildings(const layers::LayerSource& src, const std::string& crs, SampleReport& report) {
    geo::GeosContext ctx;
    layers::VectorReader r(src, crs);
    LayerAudit audit(r, "buildings", report);
    auto osm_id = r.request_field("osm_id", true);
    auto osm_type = audit.optional("osm_type");
    auto building = audit.optional("building");
    auto levels = audit.optional("building_levels");
    auto height = audit.optional("height");
    auto name = audit.optional("name");
    auto amenity = audit.optional("amenity");
    auto shop = audit.optional("shop");
    std::vector<OsmBuilding> out;
    r.for_each([&](layers::FeatureView& f) {
        OsmBuilding b;
        b.osm_id = f.text(*osm_id);
        b.id = std::string(text(f, osm_type) == "relation" ? "R" : "W") + b.osm_id;
        if (f.geometry_empty) return audit.drop(f, b.id, "no geometry");
        if (f.kind != layers::GeometryKind::polygons || f.polygons.empty()) return audit.drop(f, b.id, "not a polygon");
        b.name = text(f, name);
        b.footprint = f.polygons;
        const bool invalid = !geo::invalid_reason(ctx, b.footprint).empty();
        geo::make_valid(ctx, b.footprint);
        if (b.footprint.empty()) return audit.drop(f, b.id, "invalid polygon GEOS cannot repair");
        report.repaired += invalid;
        b.anchor = geo::point_on_surface(ctx, b.footprint);
        sample::BuildingTags tags{text(f, building), text(f, amenity), text(f, shop), text(f, levels), text(f, height),
                                  geo::bg::area(b.footprint)};
        b.dwelling = sample::estimate_dwelling(tags);
        out.push_back(std::move(b));
    });
    return out;
}

// Roads: every column optional (an absent one is written empty); `covered` is carried only when the extract has it.
std::vector<OsmRoad> read_roads(const layers::LayerSource& src, const std::string& crs, const std::vector<std::string>& fields,
                                SampleReport& report) {
    layers::VectorReader r(src, crs);
    LayerAudit audit(r, "roads", report);
    std::vector<std::optional<std::size_t>> idx;
    for (const auto& f : fields) idx.push_back(audit.optional(f));
    std::vector<OsmRoad> out;
    r.for_each([&](layers::FeatureView& f) {
        const std::string id = idx.front() ? f.text(*idx.front()) : "";
        if (f.geometry_empty) return audit.drop(f, id, "no geometry");
        if (f.kind != layers::GeometryKind::lines) return audit.drop(f, id, "not a line");
        for (const auto& line : f.lines) {
            OsmRoad road;
            for (const auto& i : idx) road.values.push_back(text(f, i));
            road.line = line;
            out.push_back(std::move(road));
        }
    });
    return out;
}

// Points of interest: `category` when the extract has it, else derived from the OSM tags (sample::poi_category).
std::vector<OsmPoi> read_pois(const layers::LayerSource& src, const std::string& crs, SampleReport& report) {
    layers::VectorReader r(src, crs);
    LayerAudit audit(r, "pois", report);
    auto osm_id = r.request_field("osm_id", true);
    auto category = audit.optional("category");
    auto name = audit.optional("name");
    std::optional<std::size_t> amenity, shop, highway;
    if (!category) {
        amenity = audit.optional("amenity");
        shop = audit.optional("shop");
        highway = audit.optional("highway");
    }
    std::vector<OsmPoi> out;
    r.for_each([&](layers::FeatureView& f) {
        if (f.geometry_empty) return audit.drop(f, f.text(*osm_id), "no geometry");
        if (f.kind != layers::GeometryKind::point) return audit.drop(f, f.text(*osm_id), "not a point");
        const std::string cat = category ? f.text(*category) : sample::poi_category(text(f, amenity), text(f, shop), text(f, highway));
        out.push_back({f.text(*osm_id), cat, text(f, name), f.point});
    });
    return out;
}

// Unit entrances spread evenly along the footprint's longer side, each inside the footprint.
std::vector<geo::Point> unit_locations(const OsmBuilding& b) {
    const int n = b.dwelling.units;
    if (n <= 1) return {b.anchor};
    const geo::Box box = geo::bg::return_envelope<geo::Box>(b.footprint);
    const double w = box.max_corner().x() - box.min_corner().x(), h = box.max_corner().y() - box.min_corner().y();
    std::vector<geo::Point> out;
    for (int i = 0; i < n; ++i) {
        const double t = (i + 0.5) / n;
        geo::Point p = w >= h ? geo::Point(box.min_corner().x() + t * w, b.anchor.y()) : geo::Point(b.anchor.x(), box.max_corner().y() - t * h);
        out.push_back(geo::bg::within(p, b.footprint) ? p : b.anchor);
    }
    return out;
}

// `s` as a TOML basic string, quoted.
std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// The opening comment and [project].
std::string toml_project(const std::string& name) {
    std::string out = R"toml(# GridAtlas project file written by `gridatlas sample build` from an OpenStreetMap extract (method: data/README.md
# of the GridAtlas sources). Paths are relative to this file. In every layer table, file/layer/crs are reserved; every
# other key maps one of GridAtlas's field names (left) to the layer's field name (right).

[project]
)toml";
    out += "name = " + toml_string(name) + "\n";
    out += R"toml(working_crs = "auto"            # "auto": the UTM zone of the buildings' centre; or a metric CRS such as "EPSG:4547"
)toml";
    return out;
}

// [buildings], [units], [households] and the [[grid_levels]].
std::string toml_areas() {
    return R"toml(
[buildings]
file = "sample.gpkg"
layer = "buildings"
id = "building_id"
name = "name"
residential = "residential"     # optional: 1/0, yes/no, 是/否; without it every building counts as residential
floors = "floors"

[units]                         # optional: stairwell units (单元)
file = "sample.gpkg"
layer = "units"
id = "unit_id"
building = "building_id"
number = "unit_no"
floors = "floors"
households_per_floor = "households_per_floor"

[households]
file = "households.csv"
id = "household_id"
building = "building_id"
unit = "unit"
floor = "floor"
room = "room"
persons = "persons"
party_members = "party_members" # > 0 marks a party-member household (党员户)
name = "head_name"              # personal: read only by `gridatlas officer`, for the one grid asked for
phone = "phone"                 # personal: likewise; never in run/assign/coverage outputs or messages
status = "status"               # 常住 / 租住 / 空置 / 经营 (status_resident … status_business: the values, see README)
key_groups = "key_groups"       # personal: 重点人群 (独居老人、残疾、低保), for officer maps, atlas and web view only

# Grid levels, top first. Each level's polygons nest in the level above (by parent_code, else largest overlap).
[[grid_levels]]
key = "community"
label = "社区"
file = "sample.gpkg"
layer = "communities"
code = "code"
name = "name"

[[grid_levels]]
key = "grid"
label = "网格"
file = "sample.gpkg"
layer = "grids"
code = "code"
name = "name"
parent_code = "parent_code"
)toml";
}

// [facilities] and [roads]; `covered`: the roads' covered column is mapped.
std::string toml_facilities_and_roads(bool covered) {
    std::string out = R"toml(
[facilities]
file = "sample.gpkg"
layer = "facilities"
id = "facility_id"
kind = "kind"                   # values must match the [[service_kinds]] keys below
name = "name"

[roads]
file = "sample.gpkg"
layer = "roads"
id = "osm_id"
highway = "highway"
name = "name"
foot = "foot"
access = "access"
)toml";
    out += R"toml(level = "layer"                 # vertical level (OSM layer): lines only join where levels agree or a line ends
bridge = "bridge"
tunnel = "tunnel"
)toml";
    if (covered) out += "covered = \"covered\"\n";
    return out;
}

// [walking] and its profiles.
std::string toml_walking() {
    std::string out = R"toml(
[walking]
speed_m_per_s = 1.1             # adult walking pace; 15 min ≈ 990 m, GB 50180-2018's 800–1000 m circle
max_snap_m = 250                # farther from every walkable road: unreachable, reported
excluded_highways = ["motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed"]
excluded_foot = ["no"]
)toml";
    out += R"toml(excluded_access = ["private", "no"]
# Walked through, never joined by buildings and facilities (entrances join any way): a building over a tunnel joins
# the street it opens onto.
join_exclude = ["tunnel", "covered", "bridge", "layer_below_0", "layer_above_0"]
)toml";
    out += R"toml(
[walking.profiles]              # selectable with --profile in coverage and plan; "adult" is speed_m_per_s
elderly = 0.8                   # a slower older adult's pace (older pedestrians are commonly measured at 0.8–1.0 m/s)
)toml";
    return out;
}

// The [[service_kinds]] of the 15-minute circle.
std::string toml_service_kinds() {
    return R"toml(
# The 15-minute service circle (15分钟服务圈). life_circle = true: counts towards a household's "complete" circle.
[[service_kinds]]
key = "party_mass_centre"
name = "党群服务中心"
minutes = 15
life_circle = true

[[service_kinds]]
key = "shopping"
name = "平价购物"
minutes = 15
life_circle = true

[[service_kinds]]
key = "elderly_care"
name = "老年日间照料"
minutes = 15
life_circle = true

[[service_kinds]]
key = "mediation"
name = "矛盾调解"
minutes = 15
life_circle = true

[[service_kinds]]
key = "health"
name = "卫生医疗"
minutes = 15
life_circle = true

[[service_kinds]]
key = "school"
name = "学校"
minutes = 10                    # GB 50180-2018: primary school in the 10-minute circle
life_circle = false

[[service_kinds]]
key = "kindergarten"
name = "幼儿园"
minutes = 5                     # GB 50180-2018: kindergarten in the 5-minute circle
life_circle = false

[[service_kinds]]
key = "bus_stop"
name = "公交站"
minutes = 5
life_circle = false

[[service_kinds]]
key = "police"
name = "警务室"
minutes = 15
life_circle = false
)toml";
}

// [rules] and [map].
std::string toml_rules_and_map(const std::string& name) {
    std::string out = R"toml(
[rules]
standalone_party_org_households = 300
community_max_households = 3000
grid_min_households = 300
grid_max_households = 500

[map]
headline_kind = "party_mass_centre"
)toml";
    out += "title = " + toml_string(name + " · 网格与15分钟服务圈") + "\n";
    out += R"toml(width_px = 2400
attribution = "© OpenStreetMap contributors"   # the sample is OSM-derived; other data: its own credit, or none
)toml";
    return out;
}

// The project file beside the outputs, as `gridatlas run` reads it (data/sample/project.toml is this for the bundled
// sample). `covered`: the extract's roads have a covered column, mapped for [walking] join_exclude.
std::string project_toml(const std::string& name, bool covered) {
    return toml_project(name) + toml_areas() + toml_facilities_and_roads(covered) + toml_walking() + toml_service_kinds() +
           toml_rules_and_map(name);
}

// The sample's areas: grids of 300–500 households cut by the roads, and communities made of whole grids.
struct SampleAreas {
    std::vector<std::size_t> dwellings;                 // indexes of residential buildings, in the extract's order
    std::vector<hierarchy::WeightedPoint> points;       // one per dwelling: anchor, households
    std::vector<hierarchy::DrawnRegion> grids;
    std::vector<hierarchy::DrawnRegion> communities;
    std::vector<std::vector<std::size_t>> grids_of_community;
    std::vector<std::string> community_code, community_name;
};

// Communities: contiguous groups of grids, then hamlets too small to stand alone join the nearest community.
std::vector<hierarchy::DrawnRegion> draw_communities(const std::vector<hierarchy::DrawnRegion>& grids, const SampleConfig& config) {
    const auto merged = hierarchy::merge_regions(grids, {config.community_min_households, config.community_max_households, 1500, false});
    std::vector<geo::MultiPolygon> merged_areas;
    std::vector<double> merged_weights;
    for (const auto& m : merged) { merged_areas.push_back(m.area); merged_weights.push_back(m.weight); }
    std::vector<hierarchy::DrawnRegion> communities;
    for (const auto& group : sample::absorb_light_regions(merged_areas, merged_weights, config.community_min_households / 2)) {
        hierarchy::DrawnRegion c;
        std::vector<geo::MultiPolygon> parts;
        for (auto i : group) {
            parts.push_back(merged[i].area);
            c.points.insert(c.points.end(), merged[i].points.begin(), merged[i].points.end());
            c.weight += merged[i].weight;
        }
        c.area = sample::union_areas(parts);
        std::sort(c.points.begin(), c.points.end());
        communities.push_back(std::move(c));
    }
    return communities;
}

// Which grids make each community: merge_regions concatenates point lists, so grids are matched by their first point;
// a grid without dwellings joins the community whose area holds it.
void group_grids(SampleAreas& a) {
    std::vector<int> community_of_point(a.points.size(), -1);
    for (std::size_t c = 0; c < a.communities.size(); ++c)
        for (auto p : a.communities[c].points) community_of_point[p] = static_cast<int>(c);
    a.grids_of_community.assign(a.communities.size(), {});
    for (std::size_t g = 0; g < a.grids.size(); ++g) {
        if (a.grids[g].points.empty()) continue;
        a.grids_of_community[community_of_point[a.grids[g].points.front()]].push_back(g);
    }
    for (std::size_t g = 0; g < a.grids.size(); ++g)
        if (a.grids[g].points.empty()) {
            for (std::size_t c = 0; c < a.communities.size(); ++c)
                if (geo::bg::intersects(a.communities[c].area, a.grids[g].area)) { a.grids_of_community[c].push_back(g); break; }
        }
    for (auto& members : a.grids_of_community) std::sort(members.begin(), members.end());  // reading order: serials follow it
}

SampleAreas draw_areas(const std::vector<OsmBuilding>& buildings, const std::vector<OsmRoad>& roads, const SampleConfig& config) {
    SampleAreas a;
    for (std::size_t i = 0; i < buildings.size(); ++i)
        if (buildings[i].dwelling.residential) a.dwellings.push_back(i);
    std::vector<geo::MultiPolygon> footprints;
    for (auto i : a.dwellings) {
        footprints.push_back(buildings[i].footprint);
        a.points.push_back({buildings[i].anchor, static_cast<double>(buildings[i].dwelling.households)});
    }
    const geo::MultiPolygon area = sample::settled_area(footprints, 100);
    std::vector<geo::LineString> road_lines;
    for (const auto& r : roads) road_lines.push_back(r.line);
    // Without re-splitting: the committed sample (and the golden images and counts drawn from it) stays as drawn.
    a.grids = hierarchy::draw_regions(area, road_lines, a.points, {config.grid_min_households, config.grid_max_households, 500, false});
    a.communities = draw_communities(a.grids, config);
    group_grids(a);
    // Codes: admin code + street 001 + community serial (3) [+ grid serial (3)].
    const std::string street = config.admin_code + "001";
    for (std::size_t c = 0; c < a.communities.size(); ++c) {
        a.community_code.push_back(street + serial(static_cast<int>(c + 1), 3));
        a.community_name.push_back(std::string(community_names[c % community_names.size()]) +
                                   (c >= community_names.size() ? std::to_string(c / community_names.size() + 1) : "") + "社区");
    }
    return a;
}

void write_areas(layers::VectorWriter& w, const std::string& crs, const SampleAreas& a, SampleReport& report) {
    w.begin_layer("communities", LayerGeometry::polygon, crs, {{"code"}, {"name"}, {"households", FieldType::integer}}, sample_crs);
    for (std::size_t c = 0; c < a.communities.size(); ++c)
        w.add({a.community_code[c], a.community_name[c], std::int64_t(a.communities[c].weight)}, a.communities[c].area);
    report.communities = a.communities.size();
    w.begin_layer("grids", LayerGeometry::polygon, crs, {{"code"}, {"name"}, {"parent_code"}, {"households", FieldType::integer}}, sample_crs);
    for (std::size_t c = 0; c < a.communities.size(); ++c) {
        const auto& members = a.grids_of_community[c];
        for (std::size_t k = 0; k < members.size(); ++k) {
            const auto& g = a.grids[members[k]];
            w.add({a.community_code[c] + serial(static_cast<int>(k + 1), 3), a.community_name[c] + "第" + std::to_string(k + 1) + "网格",
                   a.community_code[c], std::int64_t(g.weight)},
                  g.area);
            ++report.grids;
        }
    }
}

void write_buildings_and_units(layers::VectorWriter& w, const std::string& crs, const std::vector<OsmBuilding>& buildings,
                               const SampleAreas& a, SampleReport& report) {
    w.begin_layer("buildings", LayerGeometry::polygon, crs,
                  {{"building_id"}, {"osm_id"}, {"name"}, {"residential", FieldType::integer}, {"excluded_because"},
                   {"floors", FieldType::integer}, {"units", FieldType::integer}, {"households_per_floor", FieldType::integer},
                   {"households", FieldType::integer}},
                  sample_crs);
    for (const auto& b : buildings) {
        const auto& d = b.dwelling;
        w.add({b.id, b.osm_id, b.name, std::int64_t(d.residential), d.excluded_because, std::int64_t(d.floors), std::int64_t(d.units),
               std::int64_t(d.households_per_floor), std::int64_t(d.households)},
              b.footprint);
    }
    w.begin_layer("units", LayerGeometry::point, crs,
                  {{"unit_id"}, {"building_id"}, {"unit_no", FieldType::integer}, {"floors", FieldType::integer},
                   {"households_per_floor", FieldType::integer}},
                  sample_crs);
    for (auto i : a.dwellings) {
        const auto& b = buildings[i];
        const auto locations = unit_locations(b);
        for (int u = 1; u <= b.dwelling.units; ++u) {
            w.add({b.id + "-" + std::to_string(u), b.id, std::int64_t(u), std::int64_t(b.dwelling.floors),
                   std::int64_t(b.dwelling.households_per_floor)},
                  locations[u - 1]);
            ++report.units;
        }
        report.households += static_cast<std::size_t>(b.dwelling.households);
    }
}

// Per community a party-mass service centre (with its mediation room) at the household-weighted medoid of its
// dwellings, and an elderly day-care centre at the medoid of its most populous grid not holding the centre.
void write_rule_facilities(layers::VectorWriter& w, const std::vector<OsmBuilding>& buildings, const SampleAreas& a,
                           SampleReport& report) {
    auto medoid_of = [&](const std::vector<std::size_t>& idx) {
        std::vector<geo::Point> pts;
        std::vector<double> wts;
        for (auto p : idx) { pts.push_back(a.points[p].location); wts.push_back(a.points[p].weight); }
        return idx[sample::weighted_medoid(pts, wts)];
    };
    for (std::size_t c = 0; c < a.communities.size(); ++c) {
        if (a.communities[c].points.empty()) continue;
        const std::size_t centre = medoid_of(a.communities[c].points);
        const auto& cb = buildings[a.dwellings[centre]];
        const auto& code = a.community_code[c];
        const auto& name = a.community_name[c];
        w.add({"PMC-" + code, std::string("party_mass_centre"), name + "党群服务中心", "rule:medoid:" + cb.id}, cb.anchor);
        w.add({"MED-" + code, std::string("mediation"), name + "矛盾调解室", "rule:in-centre:" + cb.id}, cb.anchor);
        std::vector<std::size_t> by_weight = a.grids_of_community[c];
        std::stable_sort(by_weight.begin(), by_weight.end(), [&](auto x, auto y) { return a.grids[x].weight > a.grids[y].weight; });
        for (auto g : by_weight) {
            const auto& gp = a.grids[g].points;
            if (gp.empty() || std::find(gp.begin(), gp.end(), centre) != gp.end()) continue;
            const auto& eb = buildings[a.dwellings[medoid_of(gp)]];
            w.add({"ELD-" + code, std::string("elderly_care"), name + "老年日间照料中心", "rule:medoid:" + eb.id}, eb.anchor);
            ++report.facilities;
            break;
        }
        report.facilities += 2;
    }
}

// Facilities: the OSM points of known categories, then the rule-placed ones.
void write_facilities(layers::VectorWriter& w, const std::string& crs, const std::vector<OsmPoi>& pois,
                      const std::vector<OsmBuilding>& buildings, const SampleAreas& a, SampleReport& report) {
    w.begin_layer("facilities", LayerGeometry::point, crs, {{"facility_id"}, {"kind"}, {"name"}, {"source"}}, sample_crs);
    for (const auto& p : pois) {
        auto it = kind_of_category.find(p.category);
        if (it == kind_of_category.end()) continue;
        w.add({"N" + p.osm_id, it->second, p.name, std::string("osm")}, p.location);
        ++report.facilities;
    }
    write_rule_facilities(w, buildings, a, report);
}

// Roads as read, for the walking network.
void write_roads(layers::VectorWriter& w, const std::string& crs, const std::vector<std::string>& columns,
                 const std::vector<OsmRoad>& roads) {
    std::vector<FieldSpec> rf;
    for (const auto& f : columns) rf.push_back({f});
    w.begin_layer("roads", LayerGeometry::line, crs, rf, sample_crs);
    for (const auto& r : roads) {
        std::vector<FieldValue> v(r.values.begin(), r.values.end());
        w.add(v, r.line);
    }
}

void write_roster(const std::filesystem::path& out_dir, const std::vector<OsmBuilding>& buildings, const SampleAreas& a,
                  SampleReport& report) {
    std::vector<sample::DwellingBuilding> dwelling_list;
    for (auto i : a.dwellings) {
        const auto& d = buildings[i].dwelling;
        dwelling_list.push_back({buildings[i].id, d.units, d.floors, d.households_per_floor, d.households});
    }
    const auto rows = sample::synthesize_roster(dwelling_list, {});
    std::vector<std::vector<std::string>> table;
    table.reserve(rows.size());
    for (const auto& r : rows)
        table.push_back({r.household_id, r.building_id, r.unit, std::to_string(r.floor), r.room, r.head_name, r.phone,
                         std::to_string(r.persons), std::to_string(r.party_members), r.status, r.key_groups});
    layers::write_csv(out_dir / "households.csv",
                      {"household_id", "building_id", "unit", "floor", "room", "head_name", "phone", "persons", "party_members",
                       "status", "key_groups"}, table);
    report.roster_rows = rows.size();
}

// dropped.csv (what was left out of the extract, if anything) and the project file `run` accepts.
void write_report_files(const SampleConfig& config, const std::vector<std::string>& road_columns, SampleReport& report) {
    if (!report.dropped.empty()) {
        std::vector<std::vector<std::string>> dropped;
        for (const auto& d : report.dropped) dropped.push_back({d.layer, std::to_string(d.fid), d.id, d.reason});
        layers::write_csv(config.out_dir / "dropped.csv", {"layer", "fid", "id", "reason"}, dropped);
    }
    const std::string name = config.name.empty() ? config.osm_gpkg.stem().string() : config.name;
    const bool covered = std::find(road_columns.begin(), road_columns.end(), "covered") != road_columns.end();
    report.project_file = config.out_dir / "project.toml";
    std::ofstream toml(report.project_file, std::ios::binary | std::ios::trunc);
    toml << project_toml(name, covered);
    toml.close();
    if (!toml)
        throw DataError({Severity::error, "write_failed", {report.project_file.string(), "", "", {}, {}}, "cannot write the project file",
                         "check the directory exists and is writable"});
}

}  // namespace

SampleReport build_sample(const SampleConfig& config) {
    SampleReport report;
    layers::LayerSource buildings_src{"buildings", config.osm_gpkg, "buildings", "", {}, {}};
    layers::LayerSource roads_src{"roads", config.osm_gpkg, "roads", "", {}, {}};
    layers::LayerSource pois_src{"pois", config.osm_gpkg, "pois", "", {}, {}};
    const std::string crs = working_crs_of(buildings_src);

    std::vector<std::string> road_columns = road_fields;
    const auto road_names = layers::VectorReader(roads_src, crs).field_names();
    if (std::find(road_names.begin(), road_names.end(), "covered") != road_names.end()) road_columns.push_back("covered");
    const std::vector<OsmBuilding> buildings = read_buildings(buildings_src, crs, report);
    const std::vector<OsmRoad> roads = read_roads(roads_src, crs, road_columns, report);
    const std::vector<OsmPoi> pois = read_pois(pois_src, crs, report);
    report.buildings = buildings.size();
    report.roads = roads.size();

    const SampleAreas areas = draw_areas(buildings, roads, config);
    report.residential = areas.dwellings.size();
    layers::VectorWriter w(config.out_dir / "sample.gpkg", /*deterministic=*/true);
    write_areas(w, crs, areas, report);
    write_buildings_and_units(w, crs, buildings, areas, report);
    write_facilities(w, crs, pois, buildings, areas, report);
    write_roads(w, crs, road_columns, roads);
    w.close();
    write_roster(config.out_dir, buildings, areas, report);
    write_report_files(config, road_columns, report);
    return report;
}

}  // namespace gridatlas::pipeline
