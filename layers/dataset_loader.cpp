// Loads a project's layers into a Dataset in the working CRS: buildings, units, the roster, grid levels, entrances,
// facilities and roads, reporting every feature or row it cannot use. Layers the project does not give stay empty.
#include "dataset_loader.hpp"

#include "csv_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include <boost/geometry/index/rtree.hpp>
#include <ogr_spatialref.h>

#include "china_coordinates.hpp"
#include "crs.hpp"
#include "geometry/geos.hpp"
#include "reprojection.hpp"
#include "vector_reader.hpp"
#include "whole_numbers.hpp"

namespace gridatlas::layers {

namespace {

namespace bgi = boost::geometry::index;

// The value when `s` is a whole number; nullopt when blank or not one (callers that must report why use
// parse_whole_number and report_whole_number).
std::optional<int> parse_int(const std::string& s) { return parse_whole_number(s).value; }

// Reads field `field` of a feature as a whole number in [min, max]. A blank value is missing (nullopt, no warning); a
// value that is not one is a warning naming the place, the field, the value (unless personal) and the reason, and is
// then treated as `consequence` says (the caller acts on the nullopt).
std::optional<int> checked_int(const std::optional<std::string>& value, int min, Diagnostics& diag, const SourceLocation& where,
                               const std::string& field, const std::string& consequence, bool personal = false) {
    if (!value) return std::nullopt;
    const WholeNumber n = parse_whole_number(*value, min);
    if (n.status == WholeNumberStatus::ok || n.status == WholeNumberStatus::blank) return n.value;
    const std::string shown = personal ? "the value (not shown: roster values may be personal)" : "'" + *value + "'";
    diag.warn("bad_value", where, field + " = " + shown + " " + describe(n.status, min) + "; " + consequence,
              "write a whole number from " + std::to_string(min) + " in the " + field + " field, or leave it empty");
    return std::nullopt;
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

// A record as the user finds it: "line 12 (record 11)" in a text table or sheet, "fid 7" in a GDAL layer.
std::string record_label(const FeatureView& f) {
    if (f.sheet_row) return "row " + std::to_string(f.line);
    if (f.line > 0) return "line " + std::to_string(f.line) + " (record " + std::to_string(f.fid) + ")";
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

const std::vector<std::string>& join_exclusion_names() {
    static const std::vector<std::string> names = {"tunnel", "covered", "bridge", "layer_below_0", "layer_above_0"};
    return names;
}

bool joinable(const std::vector<std::string>& join_exclude, const RoadTags& tags) {
    const auto set = [](const std::string& v) { return !v.empty() && v != "no"; };
    const std::optional<int> layer = parse_int(tags.layer);
    for (const std::string& rule : join_exclude) {
        if ((rule == "tunnel" && set(tags.tunnel)) || (rule == "bridge" && set(tags.bridge)) ||
            (rule == "covered" && tags.covered == "yes") || (rule == "layer_below_0" && layer && *layer < 0) ||
            (rule == "layer_above_0" && layer && *layer > 0))
            return false;
    }
    return true;
}

std::string resolve_working_crs(const ProjectConfig& cfg) {
    if (cfg.working_crs != "auto" && !cfg.working_crs.empty()) {
        if (!crs_is_metric(cfg.working_crs))
            throw DataError({Severity::error, "bad_crs", {cfg.file.string(), "", "[project] working_crs", {}, {}},
                             "working_crs '" + cfg.working_crs + "' is not a projected CRS in metres",
                             "use a metric projected CRS such as EPSG:4547 (CGCS2000 / 3-degree GK CM 114E) or \"auto\""});
        return cfg.working_crs;
    }
    // The buildings' middle; a grids-only project (no buildings): the first grid level's.
    VectorReader r(cfg.has_buildings() ? cfg.buildings : cfg.grid_levels.front().source, "");
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
        if (floors)
            if (auto v = checked_int(f.value(*floors), 0, diag, where, cfg.buildings.field("floors"), "the building is kept with its floors unknown"))
                b.floors = *v;
        ds.buildings.push_back(std::move(b));
    });
    r.report_text_repairs(diag);
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
        if (it == ds.building_by_source_id.end()) {
            diag.warn("unknown_building", where, "unit points at building '" + f.text(*building) + "', which is not a usable building",
                      "fix the building id of the unit");
            return;
        }
        const auto n = checked_int(f.value(*number), 1, diag, where, src.field("number"), "the unit is not read");
        if (!n) {
            if (parse_whole_number(f.text(*number)).status == WholeNumberStatus::blank)
                diag.warn("bad_value", where, "unit has no number (" + src.field("number") + " is empty); the unit is not read",
                          "number units 1, 2, 3 … within a building");
            return;
        }
        Unit u;
        u.id = UnitId{ds.units.size()};
        u.building = it->second;
        u.number = *n;
        u.source_id = id ? f.text(*id) : std::to_string(f.fid);
        u.location = f.kind == GeometryKind::point ? f.point : ds.building(u.building).anchor;
        const std::string unknown = "the unit is kept with this value unknown";
        if (floors) u.floors = checked_int(f.value(*floors), 0, diag, where, src.field("floors"), unknown).value_or(0);
        if (per_floor)
            u.households_per_floor = checked_int(f.value(*per_floor), 0, diag, where, src.field("households_per_floor"), unknown).value_or(0);
        ds.units.push_back(u);
    });
    r.report_text_repairs(diag);
    ds.index_units();
}

// The roster's x/y columns (in [households] crs) → the working CRS. Null when the roster has no coordinates.
struct CoordinateTransform {
    Reprojection to_working;
    std::optional<geo::Point> operator()(double x, double y) const {
        if (to_working.source_is_geographic() && (x < -180 || x > 180 || y < -90 || y > 90)) return std::nullopt;
        return to_working.point(x, y);  // GCJ-02 / BD-09: the offset removed first
    }
};

std::unique_ptr<CoordinateTransform> roster_transform(const LayerSource& src, const std::string& working_crs, const VectorReader& r) {
    try {
        return std::make_unique<CoordinateTransform>(CoordinateTransform{Reprojection(src.crs, working_crs, r.where())});
    } catch (const DataError& e) {
        Diagnostic d = e.diagnostic();
        d.message = "the roster's coordinates (crs in [households]): " + d.message;
        throw DataError(d);
    }
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

// The status column: a value outside the vocabulary is `unknown`. One warning per distinct value (a status word is
// not personal) with how many rows carry it and the first of them, after the whole roster is read.
struct StatusReader {
    const StatusVocabulary& vocabulary;
    struct Unknown {
        std::size_t rows = 0;
        std::string first;   // the first few rows, e.g. "line 650, line 862"
    };
    std::map<std::string, Unknown> unknown;   // by value ("" for an empty status)
    HouseholdStatus read(const std::optional<std::string>& value, const std::string& row) {
        if (auto s = vocabulary.match(value.value_or(""))) return *s;
        std::string v = value.value_or("");
        if (v.find_first_not_of(" \t\r\n") == std::string::npos) v.clear();
        Unknown& u = unknown[v.size() > 40 ? v.substr(0, 40) + "…" : v];
        if (++u.rows <= 5) u.first += (u.first.empty() ? "" : ", ") + row;
        return HouseholdStatus::unknown;
    }
    void report(const VectorReader& r, Diagnostics& diag) const {
        std::size_t shown = 0;
        for (const auto& [value, u] : unknown) {
            if (++shown > 20) {
                diag.warn("unknown_status", r.where(), std::to_string(unknown.size() - 20) + " more status values are none of the four", "");
                break;
            }
            const std::string rows = std::to_string(u.rows) + (u.rows == 1 ? " row (" : " rows (") + u.first + (u.rows > 5 ? ", …)" : ")");
            diag.warn("unknown_status", r.where(),
                      (value.empty() ? std::string("the status is empty on ") : "the status \"" + value + "\" on ") + rows +
                          " is none of resident/rented/vacant/business; those households are counted as unknown (未知)",
                      "fix the value, or list it under status_resident / status_rented / status_vacant / status_business in [households]");
        }
    }
};

// The box of the roster's coordinates in their own CRS (rows whose x and y are both numbers), for the overlap check.
struct RosterExtent {
    std::size_t points = 0;
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    void add(double x, double y) {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        if (points++ == 0) minx = maxx = x, miny = maxy = y;
        minx = std::min(minx, x), maxx = std::max(maxx, x), miny = std::min(miny, y), maxy = std::max(maxy, y);
    }
};

// The roster's fields and what reading it row by row found: bad coordinates and numbers, statuses (load_households).
class RosterRows {
public:
    RosterRows(const LayerSource& src, const StatusVocabulary& vocabulary, VectorReader& r, const std::string& working_crs)
        : src_(src), r_(r), statuses_{vocabulary, {}} {
        id_ = r.request_field("id", true);
        // A roster that locates its rows by address or coordinates may have no building column.
        building_ = r.request_field("building", src.maps("building") || (!src.maps("address") && !src.maps("x")));
        address_ = r.request_field("address", src.maps("address"));
        x_ = r.request_field("x", src.maps("x"));
        y_ = r.request_field("y", src.maps("y"));
        if (x_ && y_) transform_ = roster_transform(src, working_crs, r);
        unit_ = r.request_field("unit", src.maps("unit"));
        floor_ = r.request_field("floor", src.maps("floor"));
        room_ = r.request_field("room", false);
        persons_ = r.request_field("persons", src.maps("persons"));
        party_ = r.request_field("party_members", src.maps("party_members"));
        status_ = r.request_field("status", src.maps("status"));
    }

    Household read(FeatureView& f, HouseholdId id, Diagnostics& diag) {
        Household h;
        h.id = id;
        h.row = f.fid;
        h.source_id = f.text(*id_);
        if (building_) h.building_ref = f.text(*building_);
        if (address_) {
            const std::string a = f.text(*address_);
            if (a.find_first_not_of(" \t\r\n") != std::string::npos) h.address = a;
        }
        if (transform_) read_location(f, h);
        h.unit_number = number(f, unit_, "unit", diag);
        h.floor = number(f, floor_, "floor", diag);
        if (room_) h.room = f.text(*room_);
        h.persons = number(f, persons_, "persons", diag).value_or(0);
        h.party_members = number(f, party_, "party_members", diag).value_or(0);
        if (status_) h.status = statuses_.read(f.value(*status_), record_label(f));
        return h;
    }

    // The warnings of the whole roster, after its last row.
    void report(Dataset& ds, Diagnostics& diag) {
        statuses_.report(r_, diag);
        if (bad_numbers_ > 20)
            diag.warn("bad_value", r_.where(), std::to_string(bad_numbers_ - 20) + " more roster values are not whole numbers (treated as unknown)",
                      "fix them as the first 20 above");
        if (const CsvTable* t = r_.text_table()) report_text_table(*t, r_, ds, diag);
        r_.report_text_repairs(diag);
        if (bad_coordinates_)
            diag.warn("bad_coordinates", r_.where(),
                      std::to_string(bad_coordinates_) + " rows have coordinates that are not numbers or not valid in " + src_.crs + " (at " +
                          bad_coordinate_rows_ + (bad_coordinates_ > 5 ? ", …" : "") + "); they are placed as if they had none",
                      "check the x/y columns and crs in [households] (lon/lat in EPSG:4326: x is the longitude)");
    }

    RosterExtent extent;

private:
    void read_location(FeatureView& f, Household& h) {
        const auto vx = f.value(*x_), vy = f.value(*y_);
        const bool blank = (!vx || vx->find_first_not_of(" \t") == std::string::npos) && (!vy || vy->find_first_not_of(" \t") == std::string::npos);
        if (blank) return;
        const auto px = vx ? parse_double(*vx) : std::nullopt, py = vy ? parse_double(*vy) : std::nullopt;
        if (px && py) h.location = (*transform_)(*px, *py);
        if (px && py) extent.add(*px, *py);
        if (!h.location && ++bad_coordinates_ <= 5)   // rows only: coordinates locate a home
            bad_coordinate_rows_ += (bad_coordinate_rows_.empty() ? "" : ", ") +
                                    (f.line > 0 ? (f.sheet_row ? "row " : "line ") + std::to_string(f.line) : "fid " + std::to_string(f.fid));
    }

    // A roster value that is not a whole number is treated as missing (the household is kept): the warning names file,
    // line, column and reason but not the value, which may be personal (a shifted row puts names there).
    std::optional<int> number(FeatureView& f, const std::optional<std::size_t>& field, const char* what, Diagnostics& diag) {
        if (!field || !f.value(*field)) return std::nullopt;
        const WholeNumber n = parse_whole_number(*f.value(*field), 0);
        if (n.status == WholeNumberStatus::ok || n.status == WholeNumberStatus::blank) return n.value;
        if (++bad_numbers_ <= 20)
            diag.warn("bad_value", r_.where(record_label(f)),
                      what + (src_.field(what) != what ? " (column '" + src_.field(what) + "')" : std::string()) + " " + describe(n.status, 0) +
                          "; the household is kept with " + what + " unknown" +
                          (std::string(what) == "persons" || std::string(what) == "party_members" ? " (counted as 0)" : ""),
                      "write a whole number from 0 in that cell, or leave it empty");
        return std::nullopt;
    }

    const LayerSource& src_;
    VectorReader& r_;
    std::optional<std::size_t> id_, building_, address_, x_, y_, unit_, floor_, room_, persons_, party_, status_;
    std::unique_ptr<CoordinateTransform> transform_;
    StatusReader statuses_;
    std::size_t bad_coordinates_ = 0, bad_numbers_ = 0;
    std::string bad_coordinate_rows_;
};

RosterExtent load_households(const LayerSource& src, const StatusVocabulary& vocabulary, Dataset& ds, Diagnostics& diag) {
    VectorReader r(src, "");
    RosterRows rows(src, vocabulary, r, ds.working_crs);
    // One block for the roster (a text roster has at most one record a line, so a few lines of slack at most): no
    // doubling copies of every household while reading it.
    if (const CsvTable* t = r.text_table()) ds.households.reserve(static_cast<std::size_t>(t->lines_in_file));
    r.for_each([&](FeatureView& f) { ds.households.push_back(rows.read(f, HouseholdId{ds.households.size()}, diag)); });
    rows.report(ds, diag);
    if (ds.households.empty())
        diag.warn("empty_layer", r.where(), "the household roster is empty: nothing to assign", "check the file and its layer");
    return rows.extent;
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
    r.report_text_repairs(diag);
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
    r.report_text_repairs(diag);
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
    r.report_text_repairs(diag);
    for (const auto& [k, n] : unknown_kinds)
        diag.warn("unknown_kind", r.where(), std::to_string(n) + " facilities of kind '" + k + "' match no [[service_kinds]] entry; they are drawn but not measured",
                  "add a [[service_kinds]] with key = \"" + k + "\" to measure them");
}

// [walking] join_exclude: only the known rule names (a misspelt one would silently exclude nothing).
void check_join_exclude(const ProjectConfig& cfg) {
    const auto& names = join_exclusion_names();
    for (const std::string& rule : cfg.walkability.join_exclude)
        if (std::find(names.begin(), names.end(), rule) == names.end()) {
            std::string list;
            for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
            throw DataError({Severity::error, "bad_project_file", {cfg.file.string(), "", "[walking] join_exclude", {}, {}},
                             "join_exclude names '" + rule + "', which is not a rule",
                             "use any of: " + list + " (an empty list lets buildings join every walkable way)"});
        }
}

void load_roads(const ProjectConfig& cfg, Dataset& ds, Diagnostics& diag) {
    check_join_exclude(cfg);
    VectorReader r(cfg.roads, ds.working_crs);
    auto id = r.request_field("id", false);
    auto highway = r.request_field("highway", false);
    auto name = r.request_field("name", false);
    auto foot = r.request_field("foot", false);
    auto access = r.request_field("access", false);
    auto level = r.request_field("level", false);
    auto bridge = r.request_field("bridge", false);
    auto tunnel = r.request_field("tunnel", false);
    auto covered = r.request_field("covered", false);
    // A column the project maps but the layer lacks is read as empty everywhere: said once, it changes who joins where.
    const std::pair<std::string, const std::optional<std::size_t>*> vertical[] = {
        {"level", &level}, {"bridge", &bridge}, {"tunnel", &tunnel}, {"covered", &covered}};
    for (const auto& [key, column] : vertical)
        if (cfg.roads.maps(key) && !*column)
            diag.warn("missing_field", r.where(), "the roads layer has no field '" + cfg.roads.field(key) + "' (for " + key + "); every road is read without it",
                      "map " + key + " to a field of the layer, or remove the mapping");
    auto text = [](const FeatureView& f, const std::optional<std::size_t>& i) { return i ? f.text(*i) : std::string{}; };
    std::size_t skipped = 0;
    r.for_each([&](FeatureView& f) {
        if (f.geometry_empty || f.kind != GeometryKind::lines) {
            if (++skipped <= 5) diag.warn("wrong_geometry_type", at(r, f, id), "road is not a line; it is not part of the network", "store roads as lines");
            return;
        }
        const RoadTags tags{text(f, level), text(f, bridge), text(f, tunnel), text(f, covered)};
        if (!tags.layer.empty() && !parse_int(tags.layer)) {
            std::size_t cut = std::min<std::size_t>(tags.layer.size(), 40);   // shown up to 40 bytes, never half a character
            while (cut < tags.layer.size() && cut > 0 && (static_cast<unsigned char>(tags.layer[cut]) & 0xC0) == 0x80) --cut;
            diag.warn("bad_layer_value", at(r, f, id),
                      "road's " + cfg.roads.field("level") + " value '" + tags.layer.substr(0, cut) +
                          "' is not a whole number; its level comes from bridge/tunnel alone and the layer rules of "
                          "[walking] join_exclude do not apply to it",
                      "write the vertical layer as a whole number (OSM layer: -5 … 5)");
        }
        const bool walk = walkable(cfg.walkability, text(f, highway), text(f, foot), text(f, access));
        for (const auto& line : f.lines) {
            RoadLine road;
            road.source_id = id ? f.text(*id) : std::to_string(f.fid);
            road.highway = text(f, highway);
            road.name = text(f, name);
            road.line = line;
            road.level = vertical_level(tags.layer, tags.bridge, tags.tunnel);
            road.walkable = walk;
            road.joinable = joinable(cfg.walkability.join_exclude, tags);
            ds.roads.push_back(std::move(road));
        }
    });
    if (skipped > 5) diag.warn("wrong_geometry_type", r.where(), std::to_string(skipped - 5) + " more non-line road features", "");
    r.report_text_repairs(diag);
    if (std::none_of(ds.roads.begin(), ds.roads.end(), [](const RoadLine& l) { return l.walkable; }))
        throw DataError({Severity::error, "empty_layer", r.where(), "the roads layer has no walkable line",
                         "check the layer and the [walking] exclusions"});
}


// Where one geometry layer lies: in lon/lat to compare layers, in its own CRS for the message.
struct LayerPlace {
    std::string what;            // "buildings", "grid level 'grid' (网格)", …
    SourceLocation where;
    std::string crs;             // the CRS it was read in, as declared or carried by the file
    std::array<double, 4> own;   // minx, miny, maxx, maxy in that CRS
    geo::Box lonlat;
    bool optional = false;
};

std::string box_text(double minx, double miny, double maxx, double maxy, int precision) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(precision);
    out << "(" << minx << ", " << miny << ") – (" << maxx << ", " << maxy << ")";
    return out.str();
}

std::string place_text(const LayerPlace& p) {
    const auto& b = p.lonlat;
    return "lon/lat " + box_text(b.min_corner().x(), b.min_corner().y(), b.max_corner().x(), b.max_corner().y(), 4) + " (" +
           box_text(p.own[0], p.own[1], p.own[2], p.own[3], std::abs(p.own[2]) <= 360 && std::abs(p.own[3]) <= 360 ? 6 : 1) + " in " + (p.crs.empty() ? "its CRS" : p.crs) + ")";
}

bool apart(const LayerPlace& a, const LayerPlace& b) {
    return lonlat_boxes_apart(a.lonlat.min_corner().x(), a.lonlat.min_corner().y(), a.lonlat.max_corner().x(), a.lonlat.max_corner().y(),
                              b.lonlat.min_corner().x(), b.lonlat.min_corner().y(), b.lonlat.max_corner().x(), b.lonlat.max_corner().y());
}

// The layers of a project with geometry, where they lie (a layer read twice, by levels sharing it, once).
// The roster's coordinates as a place: their box in the roster's CRS and in lon/lat (nothing when there are none or
// the box cannot be brought to lon/lat: the rows are reported as bad coordinates then).
std::optional<LayerPlace> roster_place(const ProjectConfig& cfg, const RosterExtent& e) {
    if (e.points == 0) return std::nullopt;
    const SourceLocation where{cfg.households.file.string(), cfg.households.layer, {}, {}, {}};
    double xs[2] = {e.minx, e.maxx}, ys[2] = {e.miny, e.maxy};
    try {
        if (!Reprojection(cfg.households.crs, "EPSG:4326", where).transform(2, xs, ys)) return std::nullopt;
    } catch (const DataError&) {
        return std::nullopt;   // an unknown CRS already stopped the roster's reading
    }
    return LayerPlace{"roster coordinates (x, y)", where, cfg.households.crs, {e.minx, e.miny, e.maxx, e.maxy},
                      geo::Box({xs[0], ys[0]}, {xs[1], ys[1]}), false};
}

std::vector<LayerPlace> layer_places(const ProjectConfig& cfg, const std::string& working_crs) {
    std::vector<LayerPlace> places;
    std::set<std::pair<std::string, std::string>> seen;
    const auto add = [&](const LayerSource& src, std::string what, bool optional) {
        if (!seen.insert({src.file.string(), src.layer}).second) return;
        VectorReader r(src, working_crs);
        const auto own = r.extent_own_crs();
        if (!own) return;   // a table, or a layer without features: nothing to compare
        places.push_back({std::move(what), r.where(), r.crs_description(), *own, r.extent_lonlat(), optional});
    };
    if (cfg.has_buildings()) add(cfg.buildings, "buildings", false);
    for (const auto& level : cfg.grid_levels) add(level.source, "grid level '" + level.key + "' (" + level.label + ")", false);
    if (cfg.has_facilities()) add(cfg.facilities, "facilities", false);
    if (cfg.has_roads()) add(cfg.roads, "roads", false);
    if (cfg.units) add(*cfg.units, "units", true);
    if (cfg.entrances) add(*cfg.entrances, "entrances", true);
    return places;
}

// Layers that do not overlap after reprojection cannot describe the same place: one of them is declared in the wrong
// CRS. The layer most others overlap is taken as right (buildings on a tie); each layer apart from it stops the run
// (a warning for optional layers) naming both layers, their extents and the CRS its values would fit.
void check_layers_overlap(const ProjectConfig& cfg, const std::string& working_crs, const RosterExtent& roster, Diagnostics& diag) {
    std::vector<LayerPlace> places = layer_places(cfg, working_crs);
    if (auto p = roster_place(cfg, roster)) places.push_back(std::move(*p));
    if (places.size() < 2) return;
    std::size_t ref = 0, best = 0;
    for (std::size_t i = 0; i < places.size(); ++i) {
        const auto n = static_cast<std::size_t>(std::count_if(places.begin(), places.end(), [&](const LayerPlace& o) { return !apart(places[i], o); }));
        if (n > best) best = n, ref = i;
    }
    const LayerPlace& r = places[ref];
    std::optional<Diagnostic> first;
    for (const LayerPlace& p : places) {
        if (&p == &r || !apart(p, r)) continue;
        const auto fits = crs_fitting(p.own[0], p.own[1], p.own[2], p.own[3], r.lonlat.min_corner().x(), r.lonlat.min_corner().y(),
                                      r.lonlat.max_corner().x(), r.lonlat.max_corner().y());
        Diagnostic d{p.optional ? Severity::warning : Severity::error, "layers_apart", p.where,
                     "after reprojection the " + p.what + " layer, at " + place_text(p) + ", does not overlap the " + r.what +
                         " layer (" + r.where.file + (r.where.layer.empty() ? "" : ", layer '" + r.where.layer + "'") + "), at " +
                         place_text(r) + (fits ? "; the " + p.what + " values fit " + *fits + " there" : std::string()),
                     fits ? "if the " + p.what + " layer is in " + *fits + ", declare it with crs = \"" + fits->substr(0, fits->find(' ')) +
                                "\" in its table; otherwise check the crs of both layers"
                          : "declare the CRS each layer is really in with crs = \"EPSG:…\" in its table (the values of both are shown above)"};
        if (p.optional) diag.warn(d.code, d.where, d.message + "; it is not used where it matters", d.hint);
        else if (!first) first = d;
        else diag.warn(d.code, d.where, d.message, d.hint);
    }
    if (first) throw DataError(*first);
}

// The study area: the grids of the top level, boxes indexed for the few point and line tests a layer needs.
class StudyArea {
public:
    explicit StudyArea(const Dataset& ds) {
        if (ds.levels.empty()) return;
        std::vector<Entry> entries;
        for (GridId g : ds.grids_of_level(0)) {
            if (ds.grid(g).area.empty()) continue;
            entries.emplace_back(geo::bg::return_envelope<geo::Box>(ds.grid(g).area), areas_.size());
            areas_.push_back(&ds.grid(g).area);
        }
        index_ = Index(entries.begin(), entries.end());
    }
    bool empty() const { return areas_.empty(); }
    bool holds(const geo::Point& p) const {
        for (auto it = index_.qbegin(bgi::intersects(p)); it != index_.qend(); ++it)
            if (geo::bg::covered_by(p, *areas_[it->second])) return true;
        return false;
    }
    bool crosses(const geo::LineString& line) const {
        for (auto it = index_.qbegin(bgi::intersects(geo::bg::return_envelope<geo::Box>(line))); it != index_.qend(); ++it)
            if (geo::bg::intersects(line, *areas_[it->second])) return true;
        return false;
    }

private:
    using Entry = std::pair<geo::Box, std::size_t>;
    using Index = bgi::rtree<Entry, bgi::quadratic<16>>;
    std::vector<const geo::MultiPolygon*> areas_;
    Index index_;
};

// A layer none of whose features lies in a grid of the top level (the study area) likely describes another place,
// and the measures that need it come out empty or 0 %: said once per layer, so that it never reads as a finding
// about the area. (Layers that do not even overlap stop the
// run in check_layers_overlap.)
void warn_outside_study_area(const ProjectConfig& cfg, const Dataset& ds, Diagnostics& diag) {
    const StudyArea area(ds);
    if (area.empty()) return;
    const std::string level = "'" + ds.levels[0].key + "' (" + ds.levels[0].name + ")";
    const auto warn = [&](const LayerSource& src, std::size_t n, const std::string& what) {
        diag.warn("nothing_in_study_area", {src.file.string(), src.layer, "", {}, {}},
                  "none of the layer's " + std::to_string(n) + " " + what + " lies in a grid of the top level " + level +
                      " (the study area); measures that need the layer may be empty or 0 %",
                  "check that the layer covers the place the grids cover, and its crs");
    };
    const auto none = [](const auto& records, const auto& inside) { return std::none_of(records.begin(), records.end(), inside); };
    if (!ds.buildings.empty() && none(ds.buildings, [&](const Building& b) { return area.holds(b.anchor); }))
        warn(cfg.buildings, ds.buildings.size(), "buildings");
    if (!ds.facilities.empty() && none(ds.facilities, [&](const Facility& f) { return area.holds(f.location); }))
        warn(cfg.facilities, ds.facilities.size(), "facilities");
    if (cfg.entrances && !ds.entrances.empty() && none(ds.entrances, [&](const Entrance& e) { return area.holds(e.location); }))
        warn(*cfg.entrances, ds.entrances.size(), "entrances");
    if (!ds.roads.empty() && none(ds.roads, [&](const RoadLine& r) { return area.crosses(r.line); }))
        warn(cfg.roads, ds.roads.size(), "road lines");
    const auto located = static_cast<std::size_t>(
        std::count_if(ds.households.begin(), ds.households.end(), [](const Household& h) { return h.location.has_value(); }));
    if (located > 0 && none(ds.households, [&](const Household& h) { return h.location && area.holds(*h.location); }))
        warn(cfg.households, located, "households with coordinates");
}

}  // namespace

Dataset load_dataset(const ProjectConfig& cfg, Diagnostics& diag) {
    geo::GeosContext ctx;
    Dataset ds;
    ds.working_crs = resolve_working_crs(cfg);
    ds.service_kinds = cfg.service_kinds;
    for (const auto& l : cfg.grid_levels) ds.levels.push_back({l.key, l.label});
    // Layers the project does not give stay empty (read_project_config allows units and entrances only with
    // buildings); ProjectState says which stages that skips.
    if (cfg.has_buildings()) load_buildings(cfg, ds, diag, ctx);
    else ds.index_buildings();
    if (cfg.units) load_units(*cfg.units, ds, diag);
    else ds.index_units();
    const RosterExtent roster = load_households(cfg.households, cfg.household_status, ds, diag);
    load_grid_levels(cfg, ds, diag, ctx);
    if (cfg.entrances) load_entrances(*cfg.entrances, ds, diag);
    if (cfg.has_facilities()) load_facilities(cfg.facilities, ds, diag, ctx);
    if (cfg.has_roads()) load_roads(cfg, ds, diag);
    check_layers_overlap(cfg, ds.working_crs, roster, diag);
    warn_outside_study_area(cfg, ds, diag);
    return ds;
}

}  // namespace gridatlas::layers
