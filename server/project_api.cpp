// The JSON API over one measured project (project_api.hpp): each answer cut to the asking user's scope, the privacy
// rules per role (suppress_people, Scope::party_detail), and the one answer cache that makes each answer once per scope.
#include "project_api.hpp"

#include "json_text.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>
#include <variant>

#include "assign/central_households.hpp"
#include "assign/grid_statistics.hpp"
#include "assign/liaison.hpp"
#include "model/natural_order.hpp"

namespace gridatlas::server {

using json = nlohmann::json;

bool can(Role role, Capability c) {
    switch (c) {
        case Capability::overview: return true;
        case Capability::buildings:
        case Capability::coverage:
        case Capability::search: return role != Role::wall;
        case Capability::households: return role == Role::officer;
        case Capability::users: return role == Role::admin;
    }
    return false;
}

ApiResponse api_error(int status) {
    const char* msg = "服务器内部错误";
    switch (status) {
        case 400: msg = "请求无效"; break;
        case 401: msg = "请先登录"; break;
        case 403: msg = "无权访问"; break;
        case 404: msg = "未找到"; break;
        case 405: msg = "不支持该请求方法"; break;
        case 413: msg = "请求内容过大"; break;
        case 415: msg = "请求格式不支持"; break;
        case 429: msg = "尝试次数过多，请稍后再试"; break;
        case 503: msg = "服务暂不可用"; break;
        default: break;
    }
    return {status, json_text(json{{"error", msg}, {"status", status}})};
}

namespace {


json minutes_json(double m) { return std::isfinite(m) ? json(std::round(m * 10) / 10) : json(nullptr); }

// A building's minutes to every kind ({kind: minutes or null}) and, for the kinds it is not reached in, why
// ({kind: "beyond_search_limit" | "disconnected" | …}; the page says "超过 60 分钟" rather than "不可达" for the first).
std::pair<json, json> minutes_and_reach(const access::AccessResult& access, BuildingId b) {
    json minutes = json::object(), reach = json::object();
    for (const auto& ka : access.kinds) {
        minutes[ka.kind] = minutes_json(ka.minutes[b.index()]);
        if (ka.reach[b.index()] != access::Reach::reached) reach[ka.kind] = access::to_string(ka.reach[b.index()]);
    }
    return {std::move(minutes), std::move(reach)};
}
double share(std::size_t part, std::size_t whole) { return whole ? std::round(1000.0 * double(part) / double(whole)) / 1000 : 0.0; }

json bounds_json(const LonLatBounds& b) {
    if (b.empty()) return nullptr;
    return json::array({b.west, b.south, b.east, b.north});
}

std::string lower_ascii(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

ApiResponse ok(const json& j) { return {200, json_text(j)}; }

// {"resident": n, "rented": n, "vacant": n, "business": n, "unknown": n}: households by status (常住 / 租住 / 空置 / 经营).
json status_json(const StatusCounts& c) {
    json j = json::object();
    for (std::size_t i = 0; i < status_count; ++i) j[status_key(counted_statuses[i])] = c[i];
    return j;
}

// A group of fewer than k households, for a role that must not learn about single households: its people counts go.
void suppress_people(json& j) {
    for (const char* key : {"households", "persons", "party_households", "party_members", "complete_circle_households", "covered",
                            "households_by_status"})
        if (j.contains(key)) j[key] = nullptr;
    j["suppressed"] = true;
}

// A FeatureCollection from pre-serialised geometries and property objects.
struct FeatureCollection {
    std::string text = R"({"type":"FeatureCollection","features":[)";
    bool first = true;
    std::size_t count = 0;
    void add(const std::string& geometry, const json& properties) {
        if (!first) text += ',';
        first = false;
        text += R"({"type":"Feature","geometry":)";
        text += geometry;
        text += R"(,"properties":)";
        text += json_text(properties);
        text += '}';
        ++count;
    }
    std::string finish(const json& extra = json::object()) {
        text += "]";
        for (const auto& [k, v] : extra.items()) text += ",\"" + k + "\":" + json_text(v);
        text += "}";
        return std::move(text);
    }
};

std::string point_geometry(LonLat p) { return json_text(json{{"type", "Point"}, {"coordinates", {p.lon, p.lat}}}); }

}  // namespace

ProjectApi::ProjectApi(pipeline::MeasuredProject project, PersonalReader personal, std::size_t personal_cache_grids)
    : p_(std::move(project)), personal_reader_(std::move(personal)), personal_cache_grids_(std::max<std::size_t>(1, personal_cache_grids)) {
    const Dataset& ds = p_.ds;
    central_ = std::make_unique<assign::CentralHouseholdResult>(std::move(p_.central));
    liaison_ = std::make_unique<assign::LiaisonResult>(std::move(p_.liaison));
    geo_ = to_lonlat(ds);
    for (const Grid& g : ds.grids) grid_by_code_.emplace(g.code, g.id);
    households_of_building_.resize(ds.buildings.size());
    for (const Household& h : ds.households) {
        const auto& pl = p_.assignment.households[h.id.index()];
        if (pl.building.valid()) households_of_building_[pl.building.index()].push_back(h.id);
    }
    units_of_building_.resize(ds.buildings.size());
    for (const Unit& u : ds.units)
        if (u.building.valid() && u.building.index() < ds.buildings.size()) units_of_building_[u.building.index()].push_back(u.id);
    for (auto& list : units_of_building_)
        std::sort(list.begin(), list.end(), [&](UnitId a, UnitId b) { return ds.unit(a).number < ds.unit(b).number; });
    seats_of_building_.resize(ds.buildings.size());
    is_central_.assign(ds.households.size(), 0);
    for (std::size_t i = 0; i < central_->seats.size(); ++i) {
        const auto& seat = central_->seats[i];
        if (seat.building.valid()) seats_of_building_[seat.building.index()].push_back(i);
        if (seat.central.valid()) is_central_[seat.central.index()] = 1;
    }
    gap_buildings_.assign(ds.service_kinds.size(), std::vector<std::size_t>(ds.grids.size(), 0));
    for (std::size_t k = 0; k < ds.service_kinds.size() && k < p_.access.kinds.size(); ++k)
        for (const Building& b : ds.buildings) {
            if (!b.residential || assign::covered(p_.access, k, b.id)) continue;
            for (std::size_t l = 0; l < ds.levels.size(); ++l)
                if (GridId g = p_.tree.grid_of(b.id, static_cast<int>(l)); g.valid()) ++gap_buildings_[k][g.index()];
        }
    if (!personal_reader_) {
        const layers::LayerSource source = p_.cfg.households;
        personal_reader_ = [source](const std::set<std::int64_t>& rows) { return layers::read_personal_fields(source, rows); };
    }
}

ProjectApi::~ProjectApi() = default;

GridId ProjectApi::find_grid(const std::string& code) const {
    auto it = grid_by_code_.find(code);
    return it == grid_by_code_.end() ? GridId{} : it->second;
}

BuildingId ProjectApi::find_building(const std::string& id) const {
    auto it = p_.ds.building_by_source_id.find(id);
    return it == p_.ds.building_by_source_id.end() ? BuildingId{} : it->second;
}

int ProjectApi::level_index(const std::string& key) const {
    if (key.empty()) return -2;
    for (std::size_t l = 0; l < p_.ds.levels.size(); ++l)
        if (p_.ds.levels[l].key == key) return static_cast<int>(l);
    return -1;
}

Scope ProjectApi::scope_for(const User& user) const {
    Scope s;
    s.user = user.name;
    s.role = user.role;
    if (user.role != Role::officer) {
        s.all_grids = true;
        return s;
    }
    s.grids.assign(p_.ds.grids.size(), 0);
    for (const auto& code : user.grids) {
        const GridId g = find_grid(code);
        if (!g.valid()) throw std::invalid_argument("user '" + user.name + "': grid code '" + code + "' is not a grid of this project");
        s.roots.push_back(g);
        std::vector<GridId> stack{g};
        while (!stack.empty()) {
            const GridId x = stack.back();
            stack.pop_back();
            if (s.grids[x.index()]) continue;
            s.grids[x.index()] = 1;
            for (GridId c : p_.tree.children[x.index()]) stack.push_back(c);
        }
    }
    return s;
}

bool ProjectApi::building_in_scope(const Scope& s, BuildingId b) const {
    if (!b.valid()) return false;
    if (s.all_grids) return true;
    for (std::size_t l = 0; l < p_.ds.levels.size(); ++l)
        if (s.grid(p_.tree.grid_of(b, static_cast<int>(l)))) return true;
    return false;
}

GridId ProjectApi::personal_key(BuildingId b) const {
    for (int l = finest_level(); l >= 0; --l)
        if (GridId g = p_.tree.grid_of(b, l); g.valid()) return g;
    return {};
}

std::size_t ProjectApi::personal_reads() const { return personal_reads_.load(); }

std::shared_ptr<const ProjectApi::PersonalMap> ProjectApi::personal_of(GridId key) const {
    if (!key.valid()) return std::make_shared<const PersonalMap>();
    // Read outside any lock (the roster scan takes a while and other grids should not wait for it), once per grid
    // however many requests want it; each grid costs 1, so the bound is personal_cache_grids_ grids.
    return personal_cache_.get_or_make(
        key.index(),
        [&] {
            const int level = p_.ds.grid(key).level;
            std::set<std::int64_t> rows;
            for (const Household& h : p_.ds.households) {
                const auto& pl = p_.assignment.households[h.id.index()];
                if (static_cast<std::size_t>(level) < pl.grids.size() && pl.grids[level] == key) rows.insert(h.row);
            }
            auto map = std::make_shared<const PersonalMap>(personal_reader_(rows));
            ++personal_reads_;
            return map;
        },
        [](const std::shared_ptr<const PersonalMap>&) -> std::optional<std::size_t> { return 1; });
}

namespace {

// Whose answers may be shared: the role, the officer's own grids (their scope follows from them) and k.
std::string scope_key(const Scope& s) {
    std::string key = std::string(to_string(s.role)) + (s.all_grids ? ":all" : ":grids");
    std::vector<std::uint32_t> roots;
    for (GridId g : s.roots) roots.push_back(g.value);
    std::sort(roots.begin(), roots.end());
    for (std::uint32_t r : roots) {
        key += ',';
        key += std::to_string(r);
    }
    key += ":k";
    key += std::to_string(s.min_households);
    return key;
}

}  // namespace

ApiResponse ProjectApi::cached(const Scope& s, const std::string& key, const std::function<ApiResponse()>& make) const {
    const std::string full = scope_key(s) + '\n' + key;
    auto answer = answer_cache_.get_or_make(
        full,
        [&] {
            ApiResponse a = make();
            a.invalid_text = a.invalid_text || take_invalid_text_note();   // travels with the answer to every request
            return std::make_shared<const ApiResponse>(std::move(a));
        },
        [&](const std::shared_ptr<const ApiResponse>& a) -> std::optional<std::size_t> {
            if (a->status != 200) return std::nullopt;   // errors are cheap, and unknown codes must not fill the cache
            return a->text().size() + full.size();
        });
    return *answer;
}

ProjectApi::Warmed ProjectApi::warm(const Scope& s) const {
    Warmed w;
    if (!can(s.role, Capability::households)) return w;
    const Dataset& ds = p_.ds;
    auto keep = [&](const ApiResponse& a) {
        ++w.answers;
        w.bytes += a.text().size();
    };
    keep(grid_geojson(s, ""));
    for (GridId g : s.roots) {
        const std::string& code = ds.grid(g).code;
        keep(grid_detail(s, code));
        keep(grid_buildings(s, code));
        keep(central_households(s, code));
        keep(grid_households(s, code));
    }
    // Building answers as long as the warmed answers stay within a quarter of the cache: warming one officer's
    // community must not push everyone else's answers out.
    for (GridId g : s.roots)
        for (const Building& b : ds.buildings) {
            if (w.bytes > kAnswerCacheBytes / 4) return w;
            if (p_.tree.grid_of(b.id, ds.grid(g).level) == g) keep(building_detail(s, b.source_id));
        }
    return w;
}

std::size_t ProjectApi::cached_answers() const { return answer_cache_.size(); }

LonLatBounds ProjectApi::bounds(const Scope& s) const {
    LonLatBounds b;
    if (s.all_grids) {
        for (const auto& g : geo_.grid_bounds) if (!g.empty()) b.add(g);
        if (b.empty())
            for (const auto& x : geo_.building_bounds) if (!x.empty()) b.add(x);
    } else {
        for (GridId g : s.roots) if (!geo_.grid_bounds[g.index()].empty()) b.add(geo_.grid_bounds[g.index()]);
    }
    return b;
}

namespace {

// The officer's 403 for an unknown code is the same as for a code outside their scope.
template <typename Id>
std::variant<Id, ApiResponse> gate(const Scope& s, Id id, bool in_scope) {
    if (s.role == Role::officer) {
        if (!id.valid() || !in_scope) return api_error(403);
    } else if (!id.valid()) {
        return api_error(404);
    }
    return id;
}

}  // namespace

// --- overview ------------------------------------------------------------------------------------------------------

ApiResponse ProjectApi::project_info(const Scope& s) const {
    const Dataset& ds = p_.ds;
    json levels = json::array();
    for (const auto& l : ds.levels) levels.push_back({{"key", l.key}, {"name", l.name}});
    json kinds = json::array();
    for (const auto& k : ds.service_kinds) {
        const auto* ka = p_.access.find(k.key);
        const double limit = ka ? ka->search_limit_minutes : std::numeric_limits<double>::infinity();
        kinds.push_back({{"key", k.key}, {"name", k.name}, {"minutes", k.minutes}, {"life_circle", k.in_life_circle},
                         {"search_limit_minutes", minutes_json(limit)}});
    }
    std::size_t households = 0, persons = 0, party = 0, grids = 0;
    std::vector<GridId> tops;
    if (s.all_grids) {
        tops = ds.grids_of_level(0);
    } else {
        for (GridId g : s.roots) {
            bool nested = false;   // counted through an ancestor that is a root too
            for (GridId up = p_.tree.parent[g.index()]; up.valid(); up = p_.tree.parent[up.index()])
                if (std::find(s.roots.begin(), s.roots.end(), up) != s.roots.end()) nested = true;
            if (!nested && std::find(tops.begin(), tops.end(), g) == tops.end()) tops.push_back(g);
        }
    }
    for (GridId g : tops) {
        const auto& t = p_.stats.grids[g.index()].people;
        households += t.households;
        persons += t.persons;
        party += t.party_households;
    }
    for (const Grid& g : ds.grids) grids += s.grid(g.id);
    json totals = {{"grids", grids}, {"households", households}, {"persons", persons}, {"party_households", party}};
    if (!s.party_detail() && households < s.min_households) suppress_people(totals);
    std::string headline = p_.cfg.map.headline_kind;
    if (headline.empty() && !ds.service_kinds.empty()) headline = ds.service_kinds.front().key;
    return ok({{"name", p_.cfg.name},
               {"levels", levels},
               {"kinds", kinds},
               {"headline_kind", headline},
               {"bounds", bounds_json(bounds(s))},
               {"totals", totals}});
}

namespace {

json grid_properties(const pipeline::MeasuredProject& p, const std::vector<std::vector<std::size_t>>& gaps, const Scope& s, GridId id) {
    const Dataset& ds = p.ds;
    const Grid& g = ds.grid(id);
    const auto& st = p.stats.grids[id.index()];
    json coverage = json::object(), gap = json::object();
    for (std::size_t k = 0; k < ds.service_kinds.size() && k < st.covered_households.size(); ++k) {
        coverage[ds.service_kinds[k].key] = share(st.covered_households[k], st.people.households);
        gap[ds.service_kinds[k].key] = gaps[k][id.index()];
    }
    const GridId parent = p.tree.parent[id.index()];
    json j = {{"code", g.code},
            {"name", g.name},
            {"level", ds.levels[g.level].key},
            {"level_name", ds.levels[g.level].name},
            {"parent_code", parent.valid() && s.grid(parent) ? ds.grid(parent).code : ""},
            {"buildings", st.buildings},
            {"households", st.people.households},
            {"persons", st.people.persons},
            {"party_households", st.people.party_households},
            {"party_members", st.people.party_members},
            {"complete_circle_households", st.complete_circle_households},
            {"coverage", coverage},
            {"gap_buildings", gap}};
    if (p.stats.household_status) j["households_by_status"] = status_json(st.people.status);   // per grid: every role
    if (!s.party_detail() && st.people.households < s.min_households) suppress_people(j);
    return j;
}

}  // namespace

ApiResponse ProjectApi::grid_list(const Scope& s, const std::string& level) const {
    return cached(s, "grids?" + level, [&]() -> ApiResponse {
        const int l = level_index(level);
        if (l == -1) return api_error(400);
        json list = json::array();
        for (const Grid& g : p_.ds.grids)
            if ((l == -2 || g.level == l) && s.grid(g.id)) {
                json j = grid_properties(p_, gap_buildings_, s, g.id);
                j["bounds"] = bounds_json(geo_.grid_bounds[g.id.index()]);
                list.push_back(std::move(j));
            }
        return ok({{"grids", list}});
    });
}

ApiResponse ProjectApi::grid_geojson(const Scope& s, const std::string& level) const {
    return cached(s, "geojson?" + level, [&]() -> ApiResponse {
        const int l = level_index(level);
        if (l == -1) return api_error(400);
        FeatureCollection fc;
        for (const Grid& g : p_.ds.grids)
            if ((l == -2 || g.level == l) && s.grid(g.id)) fc.add(geo_.grid_areas[g.id.index()], grid_properties(p_, gap_buildings_, s, g.id));
        return {200, fc.finish()};
    });
}

ApiResponse ProjectApi::grid_detail(const Scope& s, const std::string& code) const {
    return cached(s, "grid/" + code, [&] { return make_grid_detail(s, code); });
}

ApiResponse ProjectApi::make_grid_detail(const Scope& s, const std::string& code) const {
    const GridId found = find_grid(code);
    auto r = gate(s, found, s.grid(found));
    if (auto* e = std::get_if<ApiResponse>(&r)) return *e;
    const GridId g = std::get<GridId>(r);
    json j = grid_properties(p_, gap_buildings_, s, g);
    j["bounds"] = bounds_json(geo_.grid_bounds[g.index()]);
    json children = json::array();
    for (GridId c : p_.tree.children[g.index()])
        if (s.grid(c)) children.push_back({{"code", p_.ds.grid(c).code}, {"name", p_.ds.grid(c).name}});
    j["children"] = children;
    // Central-household seats and the party-member liaison count party households building by building: officers only.
    if (!s.party_detail()) return ok(j);
    std::size_t seats = 0, without = 0;
    for (const Building& b : p_.ds.buildings)
        if (p_.tree.grid_of(b.id, p_.ds.grid(g).level) == g)
            for (std::size_t i : seats_of_building_[b.id.index()]) {
                ++seats;
                without += !central_->seats[i].central.valid();
            }
    j["central_seats"] = seats;
    j["central_seats_without_party_household"] = without;
    if (liaison_->level == p_.ds.grid(g).level)
        for (const auto& gl : liaison_->grids)
            if (gl.grid == g)
                j["liaison"] = {{"contacts", gl.contacts}, {"covered", gl.covered}, {"uncovered", gl.uncovered},
                                {"shortfall", assign::to_string(gl.shortfall)}};
    return ok(j);
}

// --- buildings -----------------------------------------------------------------------------------------------------

namespace {

// Officers only: households of a key group (重点人群) per building of grid `g`, read from the roster's personal
// key_groups field for the grid's households and kept as counts; the groups' words never leave this function.
// Empty when the project maps no key-group field.
std::vector<std::size_t> key_group_households(const pipeline::MeasuredProject& p, GridId g) {
    if (!layers::has_key_groups(p.cfg.households)) return {};
    const auto level = static_cast<std::size_t>(p.ds.grid(g).level);
    std::set<std::int64_t> rows;
    for (const Household& h : p.ds.households) {
        const auto& pl = p.assignment.households[h.id.index()];
        if (level < pl.grids.size() && pl.grids[level] == g) rows.insert(h.row);
    }
    const auto groups = layers::read_key_groups(p.cfg.households, rows);
    std::vector<std::size_t> per_building(p.ds.buildings.size(), 0);
    for (const Household& h : p.ds.households) {
        const auto& pl = p.assignment.households[h.id.index()];
        if (pl.building_reason == assign::Reason::assigned && pl.building.valid() && rows.count(h.row) && groups.count(h.row))
            ++per_building[pl.building.index()];
    }
    return per_building;
}

}  // namespace

ApiResponse ProjectApi::grid_buildings(const Scope& s, const std::string& code) const {
    return cached(s, "buildings/" + code, [&]() -> ApiResponse {
        if (!can(s.role, Capability::buildings)) return api_error(403);
        const GridId found = find_grid(code);
        auto r = gate(s, found, s.grid(found));
        if (auto* e = std::get_if<ApiResponse>(&r)) return *e;
        const GridId g = std::get<GridId>(r);
        const Dataset& ds = p_.ds;
        const int level = ds.grid(g).level;
        const auto key_groups = can(s.role, Capability::households) ? key_group_households(p_, g) : std::vector<std::size_t>{};
        FeatureCollection fc;
        for (const Building& b : ds.buildings) {
            if (p_.tree.grid_of(b.id, level) != g) continue;
            const auto& t = p_.stats.buildings[b.id.index()];
            auto [minutes, reach] = minutes_and_reach(p_.access, b.id);
            json props = {{"id", b.source_id}, {"name", b.name}, {"residential", b.residential}, {"floors", b.floors},
                          {"households", t.households}, {"persons", t.persons}, {"party_households", t.party_households},
                          {"units", units_of_building_[b.id.index()].size()}, {"minutes", minutes}, {"reach", reach}};
            if (can(s.role, Capability::households)) {
                std::size_t centrals = 0;
                for (std::size_t i : seats_of_building_[b.id.index()]) centrals += central_->seats[i].central.valid();
                props["central_households"] = centrals;
                // Per building: officers only (their own grids, by the gate above); other roles see per-grid aggregates.
                if (p_.stats.household_status) props["households_by_status"] = status_json(t.status);
                if (!key_groups.empty()) props["key_group_households"] = key_groups[b.id.index()];
            }
            if (!s.party_detail()) props.erase("party_households");
            fc.add(geo_.building_footprints[b.id.index()], props);
        }
        return {200, fc.finish({{"grid", ds.grid(g).code}})};
    });
}

std::string ProjectApi::contact_place(HouseholdId c, BuildingId here) const {
    const Household& h = p_.ds.households[c.index()];
    const auto& pl = p_.assignment.households[c.index()];
    std::string s;
    if (pl.building.valid() && pl.building != here) s = p_.ds.building(pl.building).source_id + " ";
    if (pl.unit_number) s += std::to_string(*pl.unit_number) + "单元 ";
    const ShortString& room = p_.assignment.room(h);
    s += room.empty() ? "户号 " + h.source_id : room.str();
    return s;
}

std::string ProjectApi::household_json(const Scope& s, HouseholdId id, const PersonalMap* personal, bool with_building) const {
    const Dataset& ds = p_.ds;
    const Household& h = ds.households[id.index()];
    const auto& pl = p_.assignment.households[id.index()];
    json j = {{"id", h.source_id},
              {"unit", pl.unit.valid() ? json(ds.unit(pl.unit).number) : pl.unit_number ? json(*pl.unit_number) : json(nullptr)},
              {"floor", pl.floor ? json(*pl.floor) : json(nullptr)},
              {"room", p_.assignment.room(h).str()},
              {"persons", h.persons},
              {"party", h.party_members > 0},
              {"party_members", h.party_members},
              {"central", is_central_[id.index()] != 0}};
    if (h.status != HouseholdStatus::not_given) j["status"] = status_key(h.status);   // officers only reach this
    if (with_building && pl.building.valid()) {
        j["building_id"] = ds.building(pl.building).source_id;
        j["building_name"] = ds.building(pl.building).name;
    }
    j["name"] = "";
    j["phone"] = "";
    if (personal)
        if (auto it = personal->find(h.row); it != personal->end()) {
            j["name"] = it->second.name;
            j["phone"] = it->second.phone;
        }
    const HouseholdId c = id.index() < liaison_->contact.size() ? liaison_->contact[id.index()] : HouseholdId{};
    if (c.valid() && building_in_scope(s, p_.assignment.households[c.index()].building)) {
        json contact = {{"id", ds.households[c.index()].source_id}, {"self", c == id}, {"place", contact_place(c, pl.building)},
                        {"distance_m", liaison_->distance_cm[id.index()] < 0 ? json(nullptr)
                                                                             : json((liaison_->distance_cm[id.index()] + 50) / 100)}};
        if (personal)
            if (auto it = personal->find(ds.households[c.index()].row); it != personal->end()) contact["name"] = it->second.name;
        j["contact"] = contact;
    } else {
        j["contact"] = nullptr;
    }
    if (id.index() < liaison_->load.size() && liaison_->load[id.index()] > 0) j["contact_load"] = liaison_->load[id.index()];
    return json_text(j);
}

ApiResponse ProjectApi::building_detail(const Scope& s, const std::string& id) const {
    return cached(s, "building/" + id, [&] { return make_building_detail(s, id); });
}

// Units: the registered ones, then any number the roster uses that the units layer lacks, then "unknown".
struct ProjectApi::UnitRow {
    int number = 0;
    bool registered = false;
    int floors = 0, per_floor = 0;
    std::vector<HouseholdId> households;
    std::size_t persons = 0, party = 0;
    StatusCounts status{};
};

std::vector<ProjectApi::UnitRow> ProjectApi::unit_rows(BuildingId b) const {
    const Dataset& ds = p_.ds;
    std::vector<UnitRow> units;
    auto row_of = [&](int number, bool registered) -> UnitRow& {
        for (auto& u : units)
            if (u.number == number && u.registered == registered) return u;
        UnitRow row;
        row.number = number;
        row.registered = registered;
        units.push_back(std::move(row));
        return units.back();
    };
    for (UnitId u : units_of_building_[b.index()]) {
        UnitRow& row = row_of(ds.unit(u).number, true);
        row.floors = ds.unit(u).floors;
        row.per_floor = ds.unit(u).households_per_floor;
    }
    for (HouseholdId h : households_of_building_[b.index()]) {
        const auto& pl = p_.assignment.households[h.index()];
        const bool registered = pl.unit.valid();
        const int number = registered ? ds.unit(pl.unit).number : pl.unit_number.value_or(0);
        UnitRow& row = row_of(number, registered || number == 0);
        row.households.push_back(h);
        row.persons += static_cast<std::size_t>(std::max(ds.households[h.index()].persons, 0));
        row.party += ds.households[h.index()].party_members > 0;
        if (const std::size_t slot = status_slot(ds.households[h.index()].status); slot < status_count) ++row.status[slot];
    }
    std::stable_sort(units.begin(), units.end(), [](const UnitRow& a, const UnitRow& b) {
        const int na = a.number == 0 ? INT_MAX : a.number, nb = b.number == 0 ? INT_MAX : b.number;
        return na < nb;
    });
    return units;
}

// The units as a JSON array; for officers each with its households by floor and room ("list") and status counts.
std::string ProjectApi::units_text(const Scope& s, std::vector<UnitRow>& units, const PersonalMap* personal) const {
    const Dataset& ds = p_.ds;
    const bool personal_ok = can(s.role, Capability::households);
    std::string out = "[";
    for (std::size_t i = 0; i < units.size(); ++i) {
        auto& u = units[i];
        json uj = {{"number", u.number == 0 ? json(nullptr) : json(u.number)}, {"registered", u.registered}, {"floors", u.floors},
                   {"households_per_floor", u.per_floor}, {"households", u.households.size()}, {"persons", u.persons},
                   {"party_households", u.party}};
        if (!s.party_detail()) uj.erase("party_households");
        if (personal_ok && p_.stats.household_status) uj["households_by_status"] = status_json(u.status);   // officers only
        std::string text = json_text(uj);
        if (personal_ok) {
            std::sort(u.households.begin(), u.households.end(), [&](HouseholdId a, HouseholdId c) {
                const auto& pa = p_.assignment.households[a.index()];
                const auto& pc = p_.assignment.households[c.index()];
                const int fa = pa.floor.value_or(INT_MAX), fc = pc.floor.value_or(INT_MAX);
                if (fa != fc) return fa < fc;
                const ShortString& ra = p_.assignment.room(ds.households[a.index()]);
                const ShortString& rc = p_.assignment.room(ds.households[c.index()]);
                if (ra != rc) return natural_less(ra, rc);
                return ds.households[a.index()].row < ds.households[c.index()].row;
            });
            std::string list = "[";
            for (std::size_t k = 0; k < u.households.size(); ++k) {
                if (k) list += ',';
                list += household_json(s, u.households[k], personal, false);
            }
            text.pop_back();
            text += ",\"list\":" + list + "]}";
        }
        if (i) out += ',';
        out += text;
    }
    return out + "]";
}

// The building's central-household seats (officers only) as a JSON array.
std::string ProjectApi::central_seats_text(const Scope& s, BuildingId b, const PersonalMap* personal) const {
    json seats = json::array();
    for (std::size_t i : seats_of_building_[b.index()]) {
        const auto& seat = central_->seats[i];
        seats.push_back({{"unit", seat.unit.valid() ? json(p_.ds.unit(seat.unit).number) : json(nullptr)}, {"per_unit", seat.per_unit},
                         {"households", seat.households}, {"party_households", seat.party_households},
                         {"central", seat.central.valid() ? json::parse(household_json(s, seat.central, personal, false)) : json(nullptr)}});
    }
    return json_text(seats);
}

ApiResponse ProjectApi::make_building_detail(const Scope& s, const std::string& id) const {
    if (!can(s.role, Capability::buildings)) return api_error(403);
    const BuildingId found = find_building(id);
    auto r = gate(s, found, building_in_scope(s, found));
    if (auto* e = std::get_if<ApiResponse>(&r)) return *e;
    const BuildingId b = std::get<BuildingId>(r);
    const Dataset& ds = p_.ds;
    const Building& bd = ds.building(b);
    const bool personal_ok = can(s.role, Capability::households);
    std::shared_ptr<const PersonalMap> personal;
    if (personal_ok) personal = personal_of(personal_key(b));

    json grids = json::array();
    for (std::size_t l = 0; l < ds.levels.size(); ++l) {
        const GridId g = p_.tree.grid_of(b, static_cast<int>(l));
        if (g.valid() && s.grid(g))
            grids.push_back({{"level", ds.levels[l].key}, {"level_name", ds.levels[l].name}, {"code", ds.grid(g).code}, {"name", ds.grid(g).name}});
    }
    auto [minutes, reach] = minutes_and_reach(p_.access, b);
    const auto& t = p_.stats.buildings[b.index()];
    json j = {{"id", bd.source_id}, {"name", bd.name}, {"floors", bd.floors}, {"residential", bd.residential},
              {"grids", grids}, {"households", t.households}, {"persons", t.persons}, {"party_households", t.party_households},
              {"minutes", minutes}, {"reach", reach}, {"anchor", {geo_.building_anchors[b.index()].lon, geo_.building_anchors[b.index()].lat}},
              {"bounds", bounds_json(geo_.building_bounds[b.index()])}};
    if (!s.party_detail()) j.erase("party_households");
    if (personal_ok && p_.stats.household_status) j["households_by_status"] = status_json(t.status);   // officers only
    std::string text = json_text(j);
    text.pop_back();
    if (personal_ok) text += ",\"central\":" + central_seats_text(s, b, personal.get());
    std::vector<UnitRow> units = unit_rows(b);
    text += ",\"units\":" + units_text(s, units, personal.get()) + "}";
    return {200, text};
}

// --- households (officers only) ------------------------------------------------------------------------------------

ApiResponse ProjectApi::grid_households(const Scope& s, const std::string& code) const {
    return cached(s, "households/" + code, [&] { return make_grid_households(s, code); });
}

ApiResponse ProjectApi::make_grid_households(const Scope& s, const std::string& code) const {
    if (!can(s.role, Capability::households)) return api_error(403);
    const GridId found = find_grid(code);
    auto r = gate(s, found, s.grid(found));
    if (auto* e = std::get_if<ApiResponse>(&r)) return *e;
    const GridId g = std::get<GridId>(r);
    const Dataset& ds = p_.ds;
    const int level = ds.grid(g).level;
    std::vector<HouseholdId> list;
    for (const Household& h : ds.households) {
        const auto& pl = p_.assignment.households[h.id.index()];
        if (static_cast<std::size_t>(level) < pl.grids.size() && pl.grids[level] == g && pl.building.valid()) list.push_back(h.id);
    }
    std::sort(list.begin(), list.end(), [&](HouseholdId a, HouseholdId c) {
        const auto& pa = p_.assignment.households[a.index()];
        const auto& pc = p_.assignment.households[c.index()];
        if (pa.building != pc.building) return natural_less(ds.building(pa.building).source_id, ds.building(pc.building).source_id);
        const int ua = pa.unit_number.value_or(INT_MAX), uc = pc.unit_number.value_or(INT_MAX);
        if (ua != uc) return ua < uc;
        const int fa = pa.floor.value_or(INT_MAX), fc = pc.floor.value_or(INT_MAX);
        if (fa != fc) return fa < fc;
        const ShortString& ra = p_.assignment.room(ds.households[a.index()]);
        const ShortString& rc = p_.assignment.room(ds.households[c.index()]);
        if (ra != rc) return natural_less(ra, rc);
        return ds.households[a.index()].row < ds.households[c.index()].row;
    });
    std::unordered_map<std::uint32_t, std::shared_ptr<const PersonalMap>> maps;
    std::string text = "[";
    for (std::size_t i = 0; i < list.size(); ++i) {
        const GridId key = personal_key(p_.assignment.households[list[i].index()].building);
        auto& m = maps[key.value];
        if (!m) m = personal_of(key);
        if (i) text += ',';
        text += household_json(s, list[i], m.get(), true);
    }
    text += "]";
    const json head = {{"grid", {{"code", ds.grid(g).code}, {"name", ds.grid(g).name}, {"level", ds.levels[level].key}}}, {"count", list.size()}};
    std::string out = json_text(head);
    out.pop_back();
    out += ",\"households\":" + text + "}";
    return {200, out};
}

ApiResponse ProjectApi::central_households(const Scope& s, const std::string& code) const {
    return cached(s, "central/" + code, [&] { return make_central_households(s, code); });
}

ApiResponse ProjectApi::make_central_households(const Scope& s, const std::string& code) const {
    if (!can(s.role, Capability::households)) return api_error(403);
    const GridId found = find_grid(code);
    auto r = gate(s, found, s.grid(found));
    if (auto* e = std::get_if<ApiResponse>(&r)) return *e;
    const GridId g = std::get<GridId>(r);
    const Dataset& ds = p_.ds;
    const int level = ds.grid(g).level;
    std::vector<BuildingId> buildings;
    for (const Building& b : ds.buildings)
        if (p_.tree.grid_of(b.id, level) == g) buildings.push_back(b.id);
    std::sort(buildings.begin(), buildings.end(),
              [&](BuildingId a, BuildingId c) { return natural_less(ds.building(a).source_id, ds.building(c).source_id); });
    json seats = json::array();
    std::size_t without = 0;
    std::unordered_map<std::uint32_t, std::shared_ptr<const PersonalMap>> maps;   // one look-up per grid, not per building
    for (BuildingId b : buildings) {
        auto& personal = maps[personal_key(b).value];
        if (!personal) personal = personal_of(personal_key(b));
        for (std::size_t i : seats_of_building_[b.index()]) {
            const auto& seat = central_->seats[i];
            without += !seat.central.valid();
            seats.push_back({{"building_id", ds.building(b).source_id}, {"building_name", ds.building(b).name},
                             {"unit", seat.unit.valid() ? json(ds.unit(seat.unit).number) : json(nullptr)}, {"per_unit", seat.per_unit},
                             {"households", seat.households}, {"party_households", seat.party_households},
                             {"anchor", {geo_.building_anchors[b.index()].lon, geo_.building_anchors[b.index()].lat}},
                             {"central", seat.central.valid() ? json::parse(household_json(s, seat.central, personal.get(), false)) : json(nullptr)}});
        }
    }
    return ok({{"grid", {{"code", ds.grid(g).code}, {"name", ds.grid(g).name}}}, {"seats", seats}, {"seats_without_central", without}});
}

// --- coverage and gaps ---------------------------------------------------------------------------------------------

namespace {

int kind_of(const Dataset& ds, const std::string& key) {
    for (std::size_t k = 0; k < ds.service_kinds.size(); ++k)
        if (ds.service_kinds[k].key == key) return static_cast<int>(k);
    return -1;
}

json kind_json(const ServiceKind& k) { return {{"key", k.key}, {"name", k.name}, {"minutes", k.minutes}}; }

}  // namespace

ApiResponse ProjectApi::coverage(const Scope& s, const std::string& kind, const std::string& level) const {
    return cached(s, "coverage?" + kind + "&" + level, [&]() -> ApiResponse {
        if (!can(s.role, Capability::coverage)) return api_error(403);
        const Dataset& ds = p_.ds;
        const int k = kind_of(ds, kind);
        if (k < 0) return api_error(404);
        int l = level_index(level);
        if (l == -1) return api_error(400);
        if (l == -2) l = finest_level();
        json grids = json::array();
        std::size_t households = 0, covered = 0, gaps = 0;
        for (GridId g : ds.grids_of_level(l)) {
            if (!s.grid(g)) continue;
            const auto& st = p_.stats.grids[g.index()];
            const std::size_t c = st.covered_households[k];
            grids.push_back({{"code", ds.grid(g).code}, {"name", ds.grid(g).name}, {"households", st.people.households}, {"covered", c},
                             {"share", share(c, st.people.households)}, {"gap_buildings", gap_buildings_[k][g.index()]}});
            if (!s.party_detail() && st.people.households < s.min_households) suppress_people(grids.back());
            households += st.people.households;
            covered += c;
            gaps += gap_buildings_[k][g.index()];
        }
        if (s.all_grids) {
            const auto& t = p_.stats.kinds[k];
            households = t.households;
            covered = t.covered_households;
            gaps = t.gap_buildings;
        }
        return ok({{"kind", kind_json(ds.service_kinds[k])}, {"level", ds.levels[l].key},
                   {"totals", {{"households", households}, {"covered", covered}, {"share", share(covered, households)}, {"gap_buildings", gaps}}},
                   {"grids", grids}});
    });
}

ApiResponse ProjectApi::gaps(const Scope& s, const std::string& kind, const std::string& grid) const {
    return cached(s, "gaps?" + kind + "&" + grid, [&]() -> ApiResponse {
        if (!can(s.role, Capability::coverage)) return api_error(403);
        const Dataset& ds = p_.ds;
        const int k = kind_of(ds, kind);
        if (k < 0) return api_error(404);
        GridId only;
        if (!grid.empty()) {
            auto r = gate(s, find_grid(grid), s.grid(find_grid(grid)));
            if (auto* e = std::get_if<ApiResponse>(&r)) return *e;
            only = std::get<GridId>(r);
        }
        const auto& ka = p_.access.kinds[k];
        FeatureCollection fc;
        std::size_t households = 0;
        for (const Building& b : ds.buildings) {
            if (!b.residential || assign::covered(p_.access, k, b.id) || !building_in_scope(s, b.id)) continue;
            if (only.valid() && p_.tree.grid_of(b.id, ds.grid(only).level) != only) continue;
            const GridId finest = p_.tree.grid_of(b.id, finest_level());
            const std::size_t n = p_.stats.buildings[b.id.index()].households;
            households += n;
            fc.add(point_geometry(geo_.building_anchors[b.id.index()]),
                   {{"id", b.source_id}, {"name", b.name}, {"households", n}, {"minutes", minutes_json(ka.minutes[b.id.index()])},
                    {"reach", access::to_string(ka.reach[b.id.index()])},
                    {"grid", finest.valid() && s.grid(finest) ? ds.grid(finest).code : ""}});
        }
        json facilities = json::array();
        for (const Facility& f : ds.facilities)
            if (f.kind == ds.service_kinds[k].key)
                facilities.push_back({{"id", f.source_id}, {"name", f.name}, {"lon", geo_.facilities[f.id.index()].lon},
                                      {"lat", geo_.facilities[f.id.index()].lat}});
        const std::size_t count = fc.count;
        return {200, fc.finish({{"kind", kind_json(ds.service_kinds[k])}, {"gap_buildings", count}, {"gap_households", households},
                                {"facilities", facilities}})};
    });
}

// --- search --------------------------------------------------------------------------------------------------------

ApiResponse ProjectApi::search(const Scope& s, const std::string& query) const {
    if (!can(s.role, Capability::search)) return api_error(403);
    std::string q = query;
    while (!q.empty() && std::isspace(static_cast<unsigned char>(q.front()))) q.erase(q.begin());
    while (!q.empty() && std::isspace(static_cast<unsigned char>(q.back()))) q.pop_back();
    if (q.empty() || q.size() > 64) return api_error(400);
    q = lower_ascii(q);
    const Dataset& ds = p_.ds;
    constexpr std::size_t limit = 20;
    json grids = json::array(), buildings = json::array();
    for (const Grid& g : ds.grids) {
        if (grids.size() == limit) break;
        if (!s.grid(g.id)) continue;
        if (lower_ascii(g.code).find(q) != std::string::npos || lower_ascii(g.name).find(q) != std::string::npos)
            grids.push_back({{"code", g.code}, {"name", g.name}, {"level", ds.levels[g.level].key},
                             {"bounds", bounds_json(geo_.grid_bounds[g.id.index()])}});
    }
    for (const Building& b : ds.buildings) {
        if (buildings.size() == limit) break;
        if (!building_in_scope(s, b.id)) continue;
        if (lower_ascii(b.source_id).find(q) != std::string::npos || lower_ascii(b.name).find(q) != std::string::npos) {
            const GridId finest = p_.tree.grid_of(b.id, finest_level());
            buildings.push_back({{"id", b.source_id}, {"name", b.name}, {"grid", finest.valid() && s.grid(finest) ? ds.grid(finest).code : ""},
                                 {"anchor", {geo_.building_anchors[b.id.index()].lon, geo_.building_anchors[b.id.index()].lat}}});
        }
    }
    return ok({{"grids", grids}, {"buildings", buildings}});
}

}  // namespace gridatlas::server
