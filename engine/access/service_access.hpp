// Walking time from every building to the nearest facility of each service kind over the walk network
// (multi-source shortest paths, one pass per kind, bounded by a search limit), and the reasons a building or facility
// cannot be reached.
#pragma once
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "access/walk_network.hpp"
#include "model/dataset.hpp"

namespace gridatlas::access {

struct WalkingOptions {
    double speed_m_per_s = 1.1;     // see data/README.md for the source
    double max_snap_m = 250;        // farther from every walkable edge: unreachable, reported
    // Every search stops at this walking time: a building with no facility of a kind within it is reported
    // beyond_search_limit (no minutes), not disconnected. +infinity searches the whole network. The project file's
    // default is 4 × the largest service kind's threshold (layers/project_config.cpp).
    double search_limit_min = std::numeric_limits<double>::infinity();
};

enum class Reach : std::uint8_t {
    reached,                // minutes is finite
    no_road_nearby,         // the building (every entrance, when it has entrances) is farther than max_snap_m from
                            // every walkable edge
    no_facility_of_kind,    // the dataset has no (snappable) facility of this kind at all
    disconnected,           // its piece of network holds no facility of this kind
    not_residential,        // not a residential building: not snapped, no access computed
    beyond_search_limit,    // connected to a facility of this kind, but farther than the search limit
};
const char* to_string(Reach r);

// Where a residential building joins the network: its anchor, or one of its entrances (Dataset::entrances).
struct AccessPoint {
    static constexpr std::uint32_t anchor = std::numeric_limits<std::uint32_t>::max();
    BuildingId building;
    std::uint32_t entrance = anchor;   // index into Dataset::entrances, or `anchor`
    geo::Point location;
    std::optional<Snap> snap;          // empty: farther than max_snap_m from every walkable edge
    // An anchor with no street edge (WalkNetwork::JoinTo::street) within max_snap_m joined the nearest edge of any
    // kind instead (a tunnel, bridge, …): reachable, and reported. Entrances join any edge and never set this.
    bool fallback = false;
};

struct KindAccess {
    static constexpr std::uint32_t no_point = std::numeric_limits<std::uint32_t>::max();
    std::string kind;                   // ServiceKind::key
    double threshold_minutes = 15;
    double search_limit_minutes = std::numeric_limits<double>::infinity();   // WalkingOptions::search_limit_min
    std::vector<double> minutes;        // per building index; +infinity when not reached
    std::vector<FacilityId> nearest;    // per building index; invalid when not reached
    std::vector<Reach> reach;           // per building index
    std::vector<std::uint32_t> via;     // per building index: the AccessResult::points index the minutes start
                                        // from (which entrance, or the anchor); no_point when not reached
};

// Minutes per building for maps and bands: as `minutes`, except that a building beyond the search limit gets a value
// just past the limit (it is beyond every threshold band, not "unreachable"); unreached buildings stay +infinity.
std::vector<double> minutes_for_bands(const KindAccess& kind);

struct AccessResult {
    // The residential buildings' points, grouped by building in building order: building b's are
    // points[point_start[b] .. point_start[b + 1]). A building without entrances has one, its anchor.
    std::vector<AccessPoint> points;
    std::vector<std::uint32_t> point_start;            // buildings + 1 entries
    // Per building index: the snap of its point nearest the network (its anchor's when it has no entrances), and
    // that point's index in `points` (KindAccess::no_point when none snapped or the building is not residential).
    std::vector<std::optional<Snap>> building_snaps;
    std::vector<std::uint32_t> building_snap_point;
    std::vector<std::optional<Snap>> facility_snaps;   // per facility index
    std::vector<bool> facility_fallback;                // per facility index: as AccessPoint::fallback
    std::vector<KindAccess> kinds;                      // in Dataset::service_kinds order
    const KindAccess* find(const std::string& kind) const;
    std::span<const AccessPoint> points_of(BuildingId b) const {
        if (b.index() + 1 >= point_start.size()) return {};
        return {points.data() + point_start[b.index()], points.data() + point_start[b.index() + 1]};
    }
};

// Computes access for every residential building of `ds` to every kind in ds.service_kinds.
// A building joins the network at each of its entrances when it has any (Dataset::entrances; those of other
// buildings' are ignored here), else at Building::anchor; its minutes are the shortest over its points. Facilities
// join at Facility::location. Anchors and facilities join the nearest street edge (RoadLine::joinable), or, with none
// within max_snap_m, the nearest edge of any kind (`fallback`, for the caller to report); an entrance is a mapped door
// and joins the nearest edge whatever its kind. Points farther than max_snap_m from the network are left unsnapped;
// facilities so far take no part (facility_snaps[i] empty) and the caller reports them and unsnapped entrances.
// A building's reason is the first that applies: not_residential, no_road_nearby, no_facility_of_kind, disconnected
// (no snapped point of it shares a connected component with a facility of the kind), beyond_search_limit.
// Equal distances go to the lowest facility index, then to the building's first point, so results do not depend on
// the threads the kinds run on (`threads`, 0: one per core; see model/parallel.hpp).
// Throws std::invalid_argument unless speed_m_per_s is positive and finite and search_limit_min is positive.
AccessResult compute_access(const Dataset& ds, const WalkNetwork& net, const WalkingOptions& options,
                            unsigned threads = 0);

}  // namespace gridatlas::access
