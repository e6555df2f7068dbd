// Straight-line ("as the crow flies") coverage: a building counts as covered when a facility of the kind lies within
// a circle of radius threshold × 60 × speed around it. Many plans still draw 15-minute circles this way; the point of
// computing it here is to show how much that overstates access compared with walking the network (a river without a
// bridge, a railway, a walled compound), household by household.
//
// Circles use every facility of the kind, snapped or not (a circle needs no road), from the building's anchor (from
// each of its entrances, when it has any: the points compute_access walks from) to the facility's location. Network
// distance is never shorter than the straight line between the same two points (it adds access legs and follows
// streets), so nothing is covered by the network but not by the circle except where the two disagree by rounding.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "access/service_access.hpp"
#include "geometry/types.hpp"
#include "model/dataset.hpp"

namespace gridatlas::access {

struct StraightLineCoverage {
    std::string kind;                   // ServiceKind::key
    double threshold_minutes = 15;
    double radius_m = 0;                // threshold_minutes × 60 × speed
    std::vector<double> distance_m;     // per building index: to the nearest facility of the kind; +infinity for
                                        // non-residential buildings and when the kind has no facility
    std::vector<double> minutes;        // per building index: distance_m / speed / 60
    std::vector<FacilityId> nearest;    // per building index; invalid where distance_m is infinite
    std::vector<bool> covered;          // per building index: residential and minutes <= threshold_minutes
};

// Circle coverage of every residential building for one kind (R-tree nearest-neighbour query; equally near
// facilities go to the lowest index). Throws std::invalid_argument unless speed is positive and finite.
StraightLineCoverage straight_line_coverage(const Dataset& ds, const ServiceKind& kind, double speed_m_per_s);
// The same for every kind, in Dataset::service_kinds order.
std::vector<StraightLineCoverage> straight_line_coverage(const Dataset& ds, double speed_m_per_s);

// The union of the circles of radius_m around every facility of `kind`, for maps (round buffers of the points with
// quadrant_segments segments per quarter circle). Empty when the kind has no facility.
geo::MultiPolygon straight_line_circles(const Dataset& ds, const std::string& kind, double radius_m,
                                        int quadrant_segments = 8);

// Circle against network for one kind. Network coverage is the test the statistics use: reached and
// minutes <= threshold_minutes of the KindAccess.
struct CoverageComparison {
    std::string kind;
    double threshold_minutes = 15;
    std::size_t households = 0;                 // in residential buildings
    std::size_t households_circle = 0;          // covered by the circle
    std::size_t households_network = 0;         // reached in time over the network
    std::size_t households_circle_only = 0;     // the circle counts them covered, the network does not reach them
    std::size_t households_network_only = 0;    // the reverse; 0 except for rounding at the threshold
    std::vector<BuildingId> circle_only;        // residential buildings covered by the circle only, ascending
};

// households_per_building: per building index (e.g. Statistics::buildings[i].households); shorter vectors count
// missing buildings as 0. Throws std::invalid_argument when the two coverages do not describe the same buildings.
CoverageComparison compare_coverage(const StraightLineCoverage& circle, const KindAccess& network,
                                    const std::vector<std::size_t>& households_per_building);

}  // namespace gridatlas::access
