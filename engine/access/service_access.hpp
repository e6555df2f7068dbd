// Walking time from every building to the nearest facility of each service kind over the walk network
// (multi-source shortest paths, one pass per kind), and the reasons a building or facility cannot be reached.
#pragma once
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "access/walk_network.hpp"
#include "model/dataset.hpp"

namespace gridatlas::access {

struct WalkingOptions {
    double speed_m_per_s = 1.1;     // see data/README.md for the source
    double max_snap_m = 250;        // farther from every walkable edge: unreachable, reported
};

enum class Reach : std::uint8_t {
    reached,                // minutes is finite
    no_road_nearby,         // the building is farther than max_snap_m from every walkable edge
    no_facility_of_kind,    // the dataset has no (snappable) facility of this kind at all
    disconnected,           // its piece of network holds no facility of this kind
    not_residential,        // not a residential building: not snapped, no access computed
};
const char* to_string(Reach r);

struct KindAccess {
    std::string kind;                   // ServiceKind::key
    double threshold_minutes = 15;
    std::vector<double> minutes;        // per building index; +infinity when not reached
    std::vector<FacilityId> nearest;    // per building index; invalid when not reached
    std::vector<Reach> reach;           // per building index
};

struct AccessResult {
    std::vector<std::optional<Snap>> building_snaps;   // per building index (residential ones only are snapped)
    std::vector<std::optional<Snap>> facility_snaps;   // per facility index
    std::vector<KindAccess> kinds;                      // in Dataset::service_kinds order
    const KindAccess* find(const std::string& kind) const;
};

// Computes access for every residential building of `ds` to every kind in ds.service_kinds.
// Snapping uses Building::anchor and Facility::location. Facilities farther than max_snap_m from the network are
// left unsnapped (facility_snaps[i] empty) and take no part; the caller reports them.
// A building's reason is the first that applies: not_residential, no_road_nearby, no_facility_of_kind, disconnected.
// Equal distances go to the lowest facility index, so results do not depend on the threads the kinds run on.
// Throws std::invalid_argument unless speed_m_per_s is positive and finite.
AccessResult compute_access(const Dataset& ds, const WalkNetwork& net, const WalkingOptions& options);

}  // namespace gridatlas::access
