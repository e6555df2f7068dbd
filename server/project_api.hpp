// The JSON API over one measured project, with every answer cut to the asking user's scope.
//
// What each role may ask for (checked here, on the server, for every request):
//
//   capability   officer             planner   wall   admin   what it gives
//   overview     their grids         all       all    all     project, levels, kinds, grid aggregates and outlines
//   buildings    their grids         all       -      all     building footprints and counts, units with counts
//   coverage     their grids         all       -      all     coverage shares per grid, gap buildings, facilities
//   search       their grids         all       -      all     grids and buildings by code, id or name
//   households   their grids         -         -      -       households with names and phones, central households,
//                                                              party-member contacts
//   users        -                   -         -      all     the users (names, roles, grids; never a hash)
//
// An officer's grids are the codes in the users file and every grid below them. Personal fields (the head of
// household's name and the phone) are read from the roster through layers::read_personal_fields, for the grid a
// request is about and no other, and appear only in `households` answers to an officer of that grid. Error bodies
// are fixed Chinese sentences: they never repeat what was asked for. An officer asking about a grid or building
// outside their scope gets the same 403 whether it exists or not, so nothing of another grid shows through.
//
// Every answer but search and the project summary is made once per scope and kept (see cached()): the officer's
// households answer is then a copy of a kept string, not a walk over the roster; warm() makes an officer's first
// answers right after their login, off the request workers.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "lonlat.hpp"
#include "lru_cache.hpp"
#include "project_state.hpp"
#include "personal_fields.hpp"
#include "users.hpp"

namespace gridatlas::assign {
struct CentralHouseholdResult;
struct LiaisonResult;
}  // namespace gridatlas::assign

namespace gridatlas::server {

enum class Capability { overview, buildings, coverage, search, households, users };
bool can(Role role, Capability c);

// What one user may see: their role and, for an officer, the grids (by index, every level) in their scope.
struct Scope {
    std::string user;
    Role role = Role::wall;
    bool all_grids = false;
    std::vector<char> grids;          // per grid index: in scope
    std::vector<GridId> roots;        // the officer's own grids (the codes in the users file)
    // Privacy (README, "Privacy per role"): for every role but officer, people counts of a grid with fewer households
    // than this are suppressed (null, "suppressed": true), and no per-building or per-unit party count is given.
    std::size_t min_households = 5;
    bool party_detail() const { return role == Role::officer; }
    bool grid(GridId g) const { return all_grids || (g.valid() && g.index() < grids.size() && grids[g.index()]); }
};

// An answer: its body is shared (with the answer cache, then with the socket write), never copied per request.
struct ApiResponse {
    ApiResponse() = default;
    ApiResponse(int s, std::string text) : status(s), body(std::make_shared<const std::string>(std::move(text))) {}
    const std::string& text() const { return body ? *body : empty(); }

    int status = 200;
    std::shared_ptr<const std::string> body;
    std::string content_type = "application/json; charset=utf-8";
    bool invalid_text = false;   // data text in it was not valid UTF-8 and went out as U+FFFD (json_text.hpp)

private:
    static const std::string& empty() {
        static const std::string none;
        return none;
    }
};
ApiResponse api_error(int status);   // {"error": "<a fixed Chinese sentence for the status>"}

// Reads the personal fields of the given roster rows (see layers/personal_fields.hpp).
using PersonalReader =
    std::function<std::unordered_map<std::int64_t, layers::PersonalFields>(const std::set<std::int64_t>& rows)>;

class ProjectApi {
public:
    // Computes the central households and the liaison, reprojects the geometry to lon/lat and builds the indexes.
    // Without `personal`, reads the roster named by the project file. `personal_cache_grids`: how many grids' personal
    // fields are kept in memory (least recently used are dropped).
    explicit ProjectApi(pipeline::MeasuredProject project, PersonalReader personal = {}, std::size_t personal_cache_grids = 32);
    ~ProjectApi();
    ProjectApi(const ProjectApi&) = delete;
    ProjectApi& operator=(const ProjectApi&) = delete;

    // Throws std::invalid_argument naming the user and the code when an officer's grid code is not in the project.
    Scope scope_for(const User& user) const;

    ApiResponse project_info(const Scope& s) const;
    ApiResponse grid_list(const Scope& s, const std::string& level) const;
    ApiResponse grid_geojson(const Scope& s, const std::string& level) const;
    ApiResponse grid_detail(const Scope& s, const std::string& code) const;
    ApiResponse grid_buildings(const Scope& s, const std::string& code) const;
    ApiResponse building_detail(const Scope& s, const std::string& id) const;
    ApiResponse grid_households(const Scope& s, const std::string& code) const;
    ApiResponse central_households(const Scope& s, const std::string& code) const;
    ApiResponse coverage(const Scope& s, const std::string& kind, const std::string& level) const;
    ApiResponse gaps(const Scope& s, const std::string& kind, const std::string& grid) const;
    ApiResponse search(const Scope& s, const std::string& query) const;

    const pipeline::MeasuredProject& project() const { return p_; }
    const LonLatGeometry& lonlat() const { return geo_; }
    LonLatBounds bounds(const Scope& s) const;
    std::size_t personal_reads() const;   // roster reads so far (each serves one grid until dropped from the cache)
    std::size_t cached_answers() const;   // answers kept (see answer_cache_)

    // Computes and keeps the answers an officer's page asks for first — the grid outlines, each own grid's detail,
    // buildings, central households and households, then building details while the warmed answers stay within a
    // quarter of the answer cache — so the requests after a login are hits. The server calls it after an officer's
    // login on a background thread; nothing for other roles (their answers are cheap and shared by role).
    struct Warmed {
        std::size_t answers = 0, bytes = 0;
    };
    Warmed warm(const Scope& s) const;

private:
    using PersonalMap = std::unordered_map<std::int64_t, layers::PersonalFields>;
    // The answer for `key` under scope `s`, computed by `make` once (however many ask at once) and kept: the project
    // never changes while served. Keyed by the role, an officer's own grids and k, so only a scope equal to the one it
    // was made for ever gets it back (officers of the same grids share their answers, personal fields included).
    // Error answers are not kept. At most kAnswerCacheBytes.
    ApiResponse cached(const Scope& s, const std::string& key, const std::function<ApiResponse()>& make) const;
    ApiResponse make_grid_detail(const Scope& s, const std::string& code) const;
    ApiResponse make_building_detail(const Scope& s, const std::string& id) const;
    struct UnitRow;   // one unit of a building in its detail answer (project_api.cpp)
    std::vector<UnitRow> unit_rows(BuildingId b) const;
    std::string units_text(const Scope& s, std::vector<UnitRow>& units, const PersonalMap* personal) const;
    std::string central_seats_text(const Scope& s, BuildingId b, const PersonalMap* personal) const;
    ApiResponse make_grid_households(const Scope& s, const std::string& code) const;
    ApiResponse make_central_households(const Scope& s, const std::string& code) const;
    GridId find_grid(const std::string& code) const;
    BuildingId find_building(const std::string& id) const;
    bool building_in_scope(const Scope& s, BuildingId b) const;
    GridId personal_key(BuildingId b) const;   // the deepest grid holding the building: the unit of personal reads
    std::shared_ptr<const PersonalMap> personal_of(GridId key) const;
    std::string household_json(const Scope& s, HouseholdId h, const PersonalMap* personal, bool with_building) const;
    std::string contact_place(HouseholdId c, BuildingId here) const;
    int level_index(const std::string& key) const;   // -1: unknown; empty key: -2
    int finest_level() const { return static_cast<int>(p_.ds.levels.size()) - 1; }

    pipeline::MeasuredProject p_;
    std::unique_ptr<assign::CentralHouseholdResult> central_;
    std::unique_ptr<assign::LiaisonResult> liaison_;
    LonLatGeometry geo_;
    std::unordered_map<std::string, GridId> grid_by_code_;
    std::vector<std::vector<HouseholdId>> households_of_building_;   // placed households, roster order
    std::vector<std::vector<UnitId>> units_of_building_;
    std::vector<std::vector<std::size_t>> seats_of_building_;        // indices into central_->seats
    std::vector<char> is_central_;                                   // per household index
    std::vector<std::vector<std::size_t>> gap_buildings_;            // [kind][grid index]
    PersonalReader personal_reader_;
    std::size_t personal_cache_grids_;
    // Keyed by grid index; each grid costs 1, so the bound is personal_cache_grids_ grids.
    mutable LruCache<std::size_t, std::shared_ptr<const PersonalMap>> personal_cache_{personal_cache_grids_};
    mutable std::atomic<std::size_t> personal_reads_ = 0;
    static constexpr std::size_t kAnswerCacheBytes = 64u << 20;
    mutable LruCache<std::string, std::shared_ptr<const ApiResponse>> answer_cache_{kAnswerCacheBytes};
};

}  // namespace gridatlas::server
