#include "dataset_loader.hpp"

#include "csv_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include <ogr_spatialref.h>

#include "china_coordinates.hpp"
#include "crs.hpp"
#include "geometry/geos.hpp"
#include "vector_reader.hpp"

namespace gridatlas::layers {

namespace {

std::optional<int> parse_int(const std::string& s) {
    std::string t = s;
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
    if (t.empty()) return std::nullopt;
    // Accept "3", "3.0" (spreadsheets) but not "3a".
    double v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || v != static_cast<double>(static_cast<long long>(v))) return std::nullopt;
    return static_cast<int>(v);
}

std::optional<bool> parse_bool(const std::string& s) {
    static const std::map<std::string, bool> words = {{"1", true}, {"0", false}, {"true", true}, {"false", false},
                                                      {"yes", true}, {"no", false}, {"y", true}, {"n", false},
                                                      {"是", true}, {"否", false}, {"t", true}, {"f", false}};
    std::string t = s;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    auto it = words.find(t);
    if (it == words.end()) return std::nullopt;
    return it->second;
}

std::string feature_label(const FeatureView& f, const std::optional<std::size_t>& id_field) {
    if (id_field && f.value(*id_field) && !f.value(*id_field)->empty()) return "'" + *f.value(*id_field) + "' (fid " + std::to_string(f.fid) + ")";
    return "fid " + std::to_string(f.fid);
}

SourceLocation at(const VectorReader& r, const FeatureView& f, const std::optional<std::size_t>& id_field) {
    SourceLocation w = r.where(feature_label(f, id_field));
    if (f.source_xy) { w.x = f.source_xy->x(); w.y = f.source_xy->y(); }
    return w;
}

// Checks a polygonal feature's geometry, repairing what GEOS can repair. Returns false when it is unusable.
bool usable_polygons(geo::GeosContext& ctx, FeatureView& f, const SourceLocation& where, const std::string& what,
                     Diagnostics& diag, geo::MultiPolygon& out, std::string& why) {
    if (f.geometry_empty) { why = "no geometry"; diag.warn("empty_geometry", where, what + " has no geometry", "draw its outline or remove the feature"); return false; }
    if (f.kind != GeometryKind::polygons) { why = "not a polygon"; diag.warn("wrong_geometry_type", where, what + " is not a polygon", "store outlines as (multi)polygons"); return false; }
    out = f.polygons;
    const std::string reason = geo::invalid_reason(ctx, out);
    if (!reason.empty()) {
        geo::make_valid(ctx, out);
        if (out.empty() || geo::bg::area(out) <= 0) {
            why = "invalid geometry (" + reason + ")";
            diag.warn("invalid_geometry", where, what + " is invalid (" + reason + ") and cannot be repaired", "redraw it");
            return false;
        }
        diag.warn("invalid_geometry", where, what + " was invalid (" + reason + "); repaired with GEOSMakeValid",
                  "check the repaired outline, or fix it in the source");
    }
    return true;
}

}  // namespace

bool walkable(const WalkabilityRules& rules, const std::string& highway, const std::string& foot, const std::string& access) {
    auto in = [](const std::vector<std::string>& v, const std::string& s) { return !s.empty() && std::find(v.begin(), v.end(), s) != v.end(); };
    if (in(rules.excluded_highways, highway)) return false;
    if (in(rules.excluded_foot, foot)) return false;
    // foot=yes/designated overrides a general access restriction.
    if (in(rules.excluded_access, access) && foot != "yes" && foot != "designated" && foot != "permissive") return false;
    return true;
}

int vertical_level(const std::string& layer, const std::string& bridge, const std::string& tunnel) {
    if (auto l = parse_int(layer)) return *l;
    if (!bridge.empty() && bridge != "no") return 1;
    if (!tunnel.empty() && tunnel != "no") return -1;
    return 0;
}

std::string resolve_working_crs(const ProjectConfig& cfg) {
    if (cfg.working_crs != "auto" && !cfg.working_crs.empty()) {
        if (!crs_is_metric(cfg.working_crs))
            throw DataError({Severity::error, "bad_crs", {cfg.file.string(), "", "[project] working_crs", {}, {}},
                             "working_crs '" + cfg.working_crs + "' is not a projected CRS in metres",
                             "use a metric projected CRS such as EPSG:4547 (CGCS2000 / 3-degree GK CM 114E) or \"auto\""});
        return cfg.working_crs;
    }
    VectorReader r(cfg.buildings, "");
    const geo::Box box = r.extent_lonlat();
    return utm_crs_for((box.min_corner().x() + box.max_corner().x()) / 2, (box.min_corner().y() + box.max_corner().y()) / 2);
}

namespace {

void load_buildings(const ProjectConfig& cfg, Dataset& ds, Diagnostics& diag, geo::GeosContext& ctx) {
    VectorReader r(cfg.buildings, ds.working_crs);
    if (r.feature_count() == 0)
        throw DataError({Severity::error, "empty_layer", r.where(), "the buildings layer has no usable building",
                         "the layer has no features: check the file and its layer"});
    auto id = r.request_field("id", true);
    auto name = r.request_field("name", false);
    auto residential = r.request_field("residential", cfg.buildings.maps("residential"));
    auto floors = r.request_field("floors", cfg.buildings.maps("floors"));
    std::map<std::string, std::vector<std::int64_t>> fids_by_id;
    r.for_each([&](FeatureView& f) {
        const SourceLocation where = at(r, f, id);
        std::string source_id = f.text(*id);
        if (source_id.empty()) {
            source_id = "fid:" + std::to_string(f.fid);
            diag.warn("missing_id", where, "building has no id; it is kept as '" + source_id + "' but no household can point at it",
                      "fill in the id field");
        }
        fids_by_id[source_id].push_back(f.fid);
        Building b;
        std::string why;
        if (!usable_polygons(ctx, f, where, "building", diag, b.footprint, why)) {
            ds.rejected_buildings[source_id] = why;
            return;
        }
        b.id = BuildingId{ds.buildings.size()};
        b.source_id = source_id;
        if (name) b.name = f.text(*name);
        b.area_m2 = geo::bg::area(b.footprint);
        b.anchor = geo::point_on_surface(ctx, b.footprint);
        if (residential && f.value(*residential)) {
            auto v = parse_bool(*f.value(*residential));
            if (!v) diag.warn("bad_value", where, "residential = '" + *f.value(*residential) + "' is not yes/no; taken as residential", "use 1/0 or yes/no");
            b.residential = v.value_or(true);
        }
        if (floors && f.value(*floors)) {
            auto v = parse_int(*f.value(*floors));
            if (!v || *v < 0) diag.warn("bad_value", where, "floors = '" + *f.value(*floors) + "' is not a whole number", "fix the value");
            else b.floors = *v;
        }
        ds.buildings.push_back(std::move(b));
    });
    if (ds.buildings.empty())
        throw DataError({Severity::error, "empty_layer", r.where(), "the buildings layer has no usable building",
                         "check the layer and its geometries (see the warnings above)"});
    ds.index_buildings();
    for (const auto& [sid, fids] : fids_by_id) {
        if (fids.size() < 2) continue;
        if (auto it = ds.building_by_source_id.find(sid); it != ds.building_by_source_id.end()) {
            ds.ambiguous_building_ids[sid].push_back(it->second);   // its twin was rejected: still ambiguous
            ds.building_by_source_id.erase(it);
        }
        std::string list;
        for (auto fid : fids) list += (list.empty() ? "" : ", ") + std::to_string(fid);
        diag.warn("duplicate_id", r.where("'" + sid + "'"), "building id is used by " + std::to_string(fids.size()) + " features (fids " + list + ")",
                  "give each building its own id; households pointing at it are listed as unassigned (ambiguous_building)");
    }
}

void load_units(const LayerSource& src, Dataset& ds, Diagnostics& diag) {
    VectorReader r(src, ds.working_crs);
    auto id = r.request_field("id", false);
    auto building = r.request_field("building", true);
    auto number = r.request_field("number", true);
    auto floors = r.request_field("floors", false);
    auto per_floor = r.request_field("households_per_floor", false);
    r.for_each([&](FeatureView& f) {
        const SourceLocation where = at(r, f, id);
        auto it = ds.building_by_source_id.find(f.text(*building));
        auto n = parse_int(f.text(*number));
        if (it == ds.building_by_source_id.end()) {
            diag.warn("unknown_building", where, "unit points at building '" + f.text(*building) + "', which is not a usable building",
                      "fix the building id of the unit");
            return;
        }
        if (!n || *n <= 0) {
            diag.warn("bad_value", where, "unit number '" + f.text(*number) + "' is not a positive whole number", "number units 1, 2, 3 … within a building");
            return;
        }
        Unit u;
        u.id = UnitId{ds.units.size()};
        u.building = it->second;
        u.number = *n;
        u.source_id = id ? f.text(*id) : std::to_string(f.fid);
        u.location = f.kind == GeometryKind::point ? f.point : ds.building(u.building).anchor;
        if (floors) u.floors = parse_int(f.text(*floors)).value_or(0);
        if (per_floor) u.households_per_floor = parse_int(f.text(*per_floor)).value_or(0);
        ds.units.push_back(u);
    });
    ds.index_units();
}

// The roster's x/y columns (in [households] crs) → the working CRS. Null when the roster has no coordinates.
struct CoordinateTransform {
    OGRSpatialReference source, target;
    std::unique_ptr<OGRCoordinateTransformation, void (*)(OGRCoordinateTransformation*)> ct{nullptr, OGRCoordinateTransformation::DestroyCT};
    bool geographic = false;
    OffsetCrs offset = OffsetCrs::none;
    std::optional<geo::Point> operator()(double x, double y) const {
        if (!std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
        if (geographic && (x < -180 || x > 180 || y < -90 || y > 90)) return std::nullopt;
        if (offset != OffsetCrs::none) {  // GCJ-02 / BD-09 → WGS 84 (the published inverse, iterated)
            const LonLat w = offset_to_wgs84(offset, {x, y});
            x = w.lon, y = w.lat;
        }
        if (ct && !ct->Transform(1, &x, &y)) return std::nullopt;
        if (!std::isfinite(x) || !std::isfinite(y)) return std::nullopt;
        return geo::Point{x, y};
    }
};

std::unique_ptr<CoordinateTransform> roster_transform(const LayerSource& src, const std::string& working_crs, const VectorReader& r) {
    auto t = std::make_unique<CoordinateTransform>();
    t->offset = offset_crs_of(src.crs);
    if (t->source.SetFromUserInput(t->offset == OffsetCrs::none ? src.crs.c_str() : "EPSG:4326") != OGRERR_NONE)
        throw DataError({Severity::error, "bad_crs", r.where(), "crs = '" + src.crs + "' of the roster's coordinates is not a CRS PROJ knows",
                         "write it as EPSG:4326 (lon/lat), EPSG:4547, …"});
    t->target.SetFromUserInput(working_crs.c_str());
    t->source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    t->target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    t->geographic = t->source.IsGeographic();
    if (!t->source.IsSame(&t->target)) {
        t->ct.reset(OGRCreateCoordinateTransformation(&t->source, &t->target));
        if (!t->ct)
            throw DataError({Severity::error, "bad_crs", r.where(), "cannot transform the roster's coordinates from " + src.crs + " to " + working_crs,
                             "check crs in [households]"});
    }
    return t;
}

std::optional<double> parse_double(const std::string& s) {
    std::string t = s;
    t.erase(0, t.find_first_not_of(" \t"));
    t.erase(t.find_last_not_of(" \t") + 1);
    if (t.empty()) return std::nullopt;
    double v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
    return v;
}

// The strict reader's account of a text roster: every rejected record (a warning each, with its line: it is not a
// household) and every repair (the first 20 of each kind, then a count).
void report_text_table(const CsvTable& t, const VectorReader& r, Dataset& ds, Diagnostics& diag) {
    ds.roster_records_in_file = static_cast<std::size_t>(t.records_in_file);
    ds.roster_rejected_at_read = t.rejected.size();
    const auto at = [&](const CsvProblem& p) {
        return r.where("line " + std::to_string(p.line) + " (record " + std::to_string(p.record) + ")");
    };
    for (const CsvProblem& p : t.rejected) diag.warn(p.code, at(p), p.message + "; it is not read as a household", p.hint);
    std::map<std::string, std::size_t> seen;
    for (const CsvProblem& p : t.notes)
        if (++seen[p.code] <= 20) diag.warn(p.code, at(p), p.message, p.hint);
    for (const auto& [code, n] : seen)
        if (n > 20) diag.warn(code, r.where(), std::to_string(n - 20) + " more records like the above", "");
    if (!t.rejected.empty())
        diag.warn("roster_records_rejected", r.where(),
                  std::to_string(t.rejected.size()) + " of the file's " + std::to_string(t.records_in_file) +
                      " records could not be read (each is listed with its line); the roster counts them",
                  "fix those lines and run again");
}

// The status column: a value outside the vocabulary is `unknown` with a warning naming the row and the value (a
// status word is not personal), the first 20 one by one, then a count.
struct StatusReader {
    const StatusVocabulary& vocabulary;
    std::size_t unknown = 0;
    HouseholdStatus read(const std::optional<std::string>& value, const VectorReader& r, std::int64_t row, Diagnostics& diag) {
        if (auto s = vocabulary.match(value.value_or(""))) return *s;
        if (++unknown <= 20) {
            const std::string v = value.value_or("");
            const bool blank = v.find_first_not_of(" \t\r\n") == std::string::npos;
            diag.warn("unknown_status", r.where("row " + std::to_string(row)),
                      blank ? "the status is empty; the household is counted as unknown (未知)"
                            : "the status \"" + (v.size() > 40 ? v.substr(0, 40) + "…" : v) +
                                  "\" is none of resident/rented/vacant/business; the household is counted as unknown (未知)",
                      "fix the value, or list it under status_resident / status_rented / status_vacant / status_business in [households]");
        }
        return HouseholdStatus::unknown;
    }
};

void load_households(const LayerSource& src, const StatusVocabulary& vocabulary, Dataset& ds, Diagnostics& diag) {
    VectorReader r(src, "");
    auto id = r.request_field("id", true);
    // A roster that locates its rows by address or coordinates may have no building column.
    auto building = r.request_field("building", src.maps("building") || (!src.maps("address") && !src.maps("x")));
    auto address = r.request_field("address", src.maps("address"));
    auto x = r.request_field("x", src.maps("x"));
    auto y = r.request_field("y", src.maps("y"));
    const auto transform = x && y ? roster_transform(src, ds.working_crs, r) : nullptr;
    std::size_t bad_coordinates = 0;
    std::string bad_coordinate_rows;
    auto unit = r.request_field("unit", src.maps("unit"));
    auto floor = r.request_field("floor", src.maps("floor"));
    auto room = r.request_field("room", false);
    auto persons = r.request_field("persons", src.maps("persons"));
    auto party = r.request_field("party_members", src.maps("party_members"));
    auto status = r.request_field("status", src.maps("status"));
    StatusReader statuses{vocabulary};
    std::size_t bad_numbers = 0;
    r.for_each([&](FeatureView& f) {
        Household h;
        h.id = HouseholdId{ds.households.size()};
        h.row = f.fid;
        h.source_id = f.text(*id);
        if (building) h.building_ref = f.text(*building);
        if (address) {
            h.address = f.text(*address);
            if (h.address.find_first_not_of(" \t\r\n") == std::string::npos) h.address.clear();
        }
        if (transform) {
            const auto vx = f.value(*x), vy = f.value(*y);
            const bool blank = (!vx || vx->find_first_not_of(" \t") == std::string::npos) &&
                               (!vy || vy->find_first_not_of(" \t") == std::string::npos);
            if (!blank) {
                const auto px = vx ? parse_double(*vx) : std::nullopt, py = vy ? parse_double(*vy) : std::nullopt;
                if (px && py) h.location = (*transform)(*px, *py);
                if (!h.location && ++bad_coordinates <= 5)   // rows only: coordinates locate a home
                    bad_coordinate_rows += (bad_coordinate_rows.empty() ? "" : ", ") + std::to_string(f.fid);
            }
        }
        auto number = [&](const std::optional<std::size_t>& field, const char* what) -> std::optional<int> {
            if (!field || !f.value(*field) || f.value(*field)->empty()) return std::nullopt;
            auto v = parse_int(*f.value(*field));
            if (!v || *v < 0) {
                // The value itself may be personal; name the column and the row only.
                if (++bad_numbers <= 20)
                    diag.warn("bad_value", r.where("row " + std::to_string(f.fid)), std::string(what) + " is not a whole number",
                              "fix the value; the row is kept with the field left empty");
                return std::nullopt;
            }
            return v;
        };
        h.unit_number = number(unit, "unit");
        h.floor = number(floor, "floor");
        if (room) h.room = f.text(*room);
        h.persons = number(persons, "persons").value_or(0);
        h.party_members = number(party, "party_members").value_or(0);
        if (status) h.status = statuses.read(f.value(*status), r, f.fid, diag);
        ds.households.push_back(std::move(h));
    });
    if (statuses.unknown > 20)
        diag.warn("unknown_status", r.where(), std::to_string(statuses.unknown - 20) + " more rows have a status that is none of the four", "");
    if (bad_numbers > 20)
        diag.warn("bad_value", r.where(), std::to_string(bad_numbers - 20) + " more rows have values that are not whole numbers", "");
    if (const CsvTable* t = r.text_table()) report_text_table(*t, r, ds, diag);
    if (bad_coordinates)
        diag.warn("bad_coordinates", r.where(),
                  std::to_string(bad_coordinates) + " rows have coordinates that are not numbers or not valid in " + src.crs +
                      " (rows " + bad_coordinate_rows + (bad_coordinates > 5 ? ", …" : "") + "); they are placed as if they had none",
                  "check the x/y columns and crs in [households] (lon/lat in EPSG:4326: x is the longitude)");
    if (ds.households.empty())
        diag.warn("empty_layer", r.where(), "the household roster is empty: nothing to assign", "check the file and its layer");
}

// Whether a feature's level value selects a level: the same text (trimmed), or the same whole number ("2", 2, 2.0).
bool same_level_value(const std::string& value, const std::string& wanted) {
    const auto trim = [](std::string t) {
        t.erase(0, t.find_first_not_of(" \t"));
        t.erase(t.find_last_not_of(" \t") + 1);
        return t;
    };
    const std::string a = trim(value), b = trim(wanted);
    if (a == b) return true;
    const auto x = parse_int(a), y = parse_int(b);
    return x && y && *x == *y;
}

// "'社区' (1), '网格' (2)": the values of a level field with their feature counts, at most `limit` of them.
std::string value_list(const std::map<std::string, std::size_t>& values, std::size_t limit = 20) {
    std::string out;
    std::size_t shown = 0;
    for (const auto& [v, n] : values) {
        if (shown++ == limit) { out += ", …"; break; }
        out += (out.empty() ? "" : ", ") + (v.empty() ? std::string("(empty)") : "'" + v + "'") + " (" + std::to_string(n) + ")";
    }
    return out;
}

// What one level read from its layer's level field: every value with its feature count, for the levels that share
// the layer to report the features none of them takes.
struct LevelFieldValues {
    SourceLocation layer;
    std::map<std::string, std::size_t> counts;
};

LevelFieldValues load_grid_level(const GridLevelSource& level, int index, Dataset& ds, Diagnostics& diag, geo::GeosContext& ctx) {
    LayerSource src = level.source;
    if (!level.level_field.empty()) src.fields["level_field"] = level.level_field;
    VectorReader r(src, ds.working_crs);
    if (r.feature_count() == 0)
        throw DataError({Severity::error, "empty_layer", r.where(), "the " + level.label + " level's layer has no features",
                         "check the file and its layer, or remove the level from [[grid_levels]]"});
    auto code = r.request_field("code", true);
    auto name = r.request_field("name", false);
    auto parent = r.request_field("parent_code", false);
    const auto level_of = level.level_field.empty() ? std::nullopt : r.request_field("level_field", true);
    LevelFieldValues values{r.where(), {}};
    std::size_t selected = 0, count = 0;
    r.for_each([&](FeatureView& f) {
        if (level_of) {
            const std::string value = f.text(*level_of);
            ++values.counts[value];
            if (!same_level_value(value, level.level_value)) return;
            ++selected;
        }
        const SourceLocation where = at(r, f, code);
        Grid g;
        std::string why;
        if (!usable_polygons(ctx, f, where, level.label + " grid", diag, g.area, why)) return;
        g.id = GridId{ds.grids.size()};
        g.level = index;
        g.code = f.text(*code);
        g.origin = where;
        if (g.code.empty()) {
            g.code = level.key + "-fid" + std::to_string(f.fid);
            diag.warn("missing_code", where, level.label + " grid has no code; it is called '" + g.code + "'", "fill in the code field");
        }
        if (name) g.name = f.text(*name);
        if (parent && index > 0) g.parent_code = f.text(*parent);
        ds.grids.push_back(std::move(g));
        ++count;
    });
    if (level_of && selected == 0)
        throw DataError({Severity::error, "empty_layer", r.where(),
                         "no feature has " + level.level_field + " = '" + level.level_value + "' for the " + level.label +
                             " level ('" + level.key + "'); the values in the layer are " + value_list(values.counts),
                         "set level_value of [[grid_levels]] '" + level.key + "' to one of them, or fix the layer's " +
                             level.level_field + " field"});
    if (count == 0)
        throw DataError({Severity::error, "empty_layer", r.where(), "the " + level.label + " level has no usable grid polygon",
                         "check the layer, or remove the level from [[grid_levels]]"});
    return values;
}

// Levels that share one layer through a level field: features whose value selects none of them are reported once per
// layer, not dropped silently.
void load_grid_levels(const ProjectConfig& cfg, Dataset& ds, Diagnostics& diag, geo::GeosContext& ctx) {
    struct Shared {
        LevelFieldValues values;
        std::vector<std::string> wanted;
        std::vector<std::string> levels;
    };
    std::map<std::tuple<std::string, std::string, std::string>, Shared> shared;
    for (std::size_t i = 0; i < cfg.grid_levels.size(); ++i) {
        const GridLevelSource& level = cfg.grid_levels[i];
        LevelFieldValues values = load_grid_level(level, static_cast<int>(i), ds, diag, ctx);
        if (level.level_field.empty()) continue;
        Shared& s = shared[{values.layer.file, values.layer.layer, level.level_field}];
        if (s.levels.empty()) s.values = std::move(values);
        s.wanted.push_back(level.level_value);
        s.levels.push_back(level.key);
    }
    for (const auto& [key, s] : shared) {
        std::map<std::string, std::size_t> unmatched;
        std::size_t features = 0;
        for (const auto& [value, n] : s.values.counts)
            if (std::none_of(s.wanted.begin(), s.wanted.end(), [&](const std::string& w) { return same_level_value(value, w); })) {
                unmatched[value] = n;
                features += n;
            }
        if (unmatched.empty()) continue;
        std::string levels;
        for (const auto& l : s.levels) levels += (levels.empty() ? "" : ", ") + l;
        diag.warn("unmatched_level", s.values.layer,
                  std::to_string(features) + " feature" + (features == 1 ? "" : "s") + " of the layer have a " + std::get<2>(key) +
                      " that no [[grid_levels]] entry selects: " + value_list(unmatched) + "; they are not read",
                  "add a [[grid_levels]] entry with level_value for them, or correct their " + std::get<2>(key) +
                      " (levels reading this layer: " + levels + ")");
    }
}

// [entrances]: points, each naming the building it belongs to.
void load_entrances(const LayerSource& src, Dataset& ds, Diagnostics& diag) {
    VectorReader r(src, ds.working_crs);
    auto id = r.request_field("id", src.maps("id"));
    auto building = r.request_field("building", true);
    r.for_each([&](FeatureView& f) {
        const SourceLocation where = at(r, f, id);
        if (f.geometry_empty || f.kind != GeometryKind::point) {
            diag.warn(f.geometry_empty ? "empty_geometry" : "wrong_geometry_type", where,
                      f.geometry_empty ? "entrance has no location" : "entrance is not a point",
                      "store entrances as points; this one is not used");
            return;
        }
        const std::string ref = f.text(*building);
        auto it = ds.building_by_source_id.find(ref);
        if (it == ds.building_by_source_id.end()) {
            std::string why = "which is not in the buildings layer";
            if (ref.empty()) why = "an empty id";
            else if (ds.ambiguous_building_ids.count(ref)) why = "an id that several buildings share";
            else if (auto rejected = ds.rejected_buildings.find(ref); rejected != ds.rejected_buildings.end())
                why = "which was rejected (" + rejected->second + ")";
            diag.warn("unknown_building", where, "entrance names building '" + ref + "', " + why + "; the entrance is not used",
                      "set the entrance's " + src.field("building") + " to the id of the building it opens into");
            return;
        }
        Entrance e;
        e.source_id = id && !f.text(*id).empty() ? f.text(*id) : "fid:" + std::to_string(f.fid);
        e.building = it->second;
        e.location = f.point;
        e.origin = where;
        ds.entrances.push_back(std::move(e));
    });
}

void load_facilities(const LayerSource& src, Dataset& ds, Diagnostics& diag, geo::GeosContext& ctx) {
    VectorReader r(src, ds.working_crs);
    auto id = r.request_field("id", false);
    auto kind = r.request_field("kind", true);
    auto name = r.request_field("name", false);
    std::map<std::string, std::size_t> unknown_kinds;
    r.for_each([&](FeatureView& f) {
        const SourceLocation where = at(r, f, id);
        Facility fac;
        fac.id = FacilityId{ds.facilities.size()};
        fac.source_id = id && !f.text(*id).empty() ? f.text(*id) : "fid:" + std::to_string(f.fid);
        fac.kind = f.text(*kind);
        fac.origin = where;
        if (name) fac.name = f.text(*name);
        if (f.geometry_empty) {
            diag.warn("empty_geometry", where, "facility has no location", "give it a point");
            return;
        }
        if (f.kind == GeometryKind::point) fac.location = f.point;
        else if (f.kind == GeometryKind::polygons) fac.location = geo::point_on_surface(ctx, f.polygons);
        else fac.location = f.lines.front().front();
        if (std::none_of(ds.service_kinds.begin(), ds.service_kinds.end(), [&](const ServiceKind& k) { return k.key == fac.kind; }))
            ++unknown_kinds[fac.kind];
        ds.facilities.push_back(std::move(fac));
    });
    for (const auto& [k, n] : unknown_kinds)
        diag.warn("unknown_kind", r.where(), std::to_string(n) + " facilities of kind '" + k + "' match no [[service_kinds]] entry; they are drawn but not measured",
                  "add a [[service_kinds]] with key = \"" + k + "\" to measure them");
}

void load_roads(const ProjectConfig& cfg, Dataset& ds, Diagnostics& diag) {
    VectorReader r(cfg.roads, ds.working_crs);
    auto id = r.request_field("id", false);
    auto highway = r.request_field("highway", false);
    auto name = r.request_field("name", false);
    auto foot = r.request_field("foot", false);
    auto access = r.request_field("access", false);
    auto level = r.request_field("level", false);
    auto bridge = r.request_field("bridge", false);
    auto tunnel = r.request_field("tunnel", false);
    auto text = [](const FeatureView& f, const std::optional<std::size_t>& i) { return i ? f.text(*i) : std::string{}; };
    std::size_t skipped = 0;
    r.for_each([&](FeatureView& f) {
        if (f.geometry_empty || f.kind != GeometryKind::lines) {
            if (++skipped <= 5) diag.warn("wrong_geometry_type", at(r, f, id), "road is not a line; it is not part of the network", "store roads as lines");
            return;
        }
        for (const auto& line : f.lines) {
            RoadLine road;
            road.source_id = id ? f.text(*id) : std::to_string(f.fid);
            road.highway = text(f, highway);
            road.name = text(f, name);
            road.line = line;
            road.level = vertical_level(text(f, level), text(f, bridge), text(f, tunnel));
            road.walkable = walkable(cfg.walkability, road.highway, text(f, foot), text(f, access));
            ds.roads.push_back(std::move(road));
        }
    });
    if (skipped > 5) diag.warn("wrong_geometry_type", r.where(), std::to_string(skipped - 5) + " more non-line road features", "");
    if (std::none_of(ds.roads.begin(), ds.roads.end(), [](const RoadLine& l) { return l.walkable; }))
        throw DataError({Severity::error, "empty_layer", r.where(), "the roads layer has no walkable line",
                         "check the layer and the [walking] exclusions"});
}

}  // namespace

Dataset load_dataset(const ProjectConfig& cfg, Diagnostics& diag) {
    geo::GeosContext ctx;
    Dataset ds;
    ds.working_crs = resolve_working_crs(cfg);
    ds.service_kinds = cfg.service_kinds;
    for (const auto& l : cfg.grid_levels) ds.levels.push_back({l.key, l.label});
    load_buildings(cfg, ds, diag, ctx);
    if (cfg.units) load_units(*cfg.units, ds, diag);
    else ds.index_units();
    load_households(cfg.households, cfg.household_status, ds, diag);
    load_grid_levels(cfg, ds, diag, ctx);
    if (cfg.entrances) load_entrances(*cfg.entrances, ds, diag);
    load_facilities(cfg.facilities, ds, diag, ctx);
    load_roads(cfg, ds, diag);
    return ds;
}

}  // namespace gridatlas::layers
