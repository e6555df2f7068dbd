// The household-weighted medoid that places the sample's unmapped facilities (see facility_placement.hpp).
#include "sample/facility_placement.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace gridatlas::sample {

std::size_t weighted_medoid(const std::vector<geo::Point>& points, const std::vector<double>& weights) {
    if (points.empty() || points.size() != weights.size()) throw std::invalid_argument("weighted_medoid: bad input");
    std::size_t best = 0;
    double best_cost = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < points.size(); ++i) {
        double cost = 0;
        for (std::size_t j = 0; j < points.size() && cost < best_cost; ++j)
            cost += weights[j] * geo::bg::distance(points[i], points[j]);
        if (cost < best_cost) { best_cost = cost; best = i; }
    }
    return best;
}

std::string poi_category(const std::string& amenity, const std::string& shop, const std::string& highway) {
    static constexpr std::array<const char*, 3> grocery = {"supermarket", "convenience", "greengrocer"};
    static constexpr std::array<const char*, 5> amenities = {"pharmacy", "hospital", "school", "kindergarten", "police"};
    if (std::find(grocery.begin(), grocery.end(), shop) != grocery.end()) return "grocery";
    if (std::find(amenities.begin(), amenities.end(), amenity) != amenities.end()) return amenity;
    if (highway == "bus_stop") return "bus_stop";
    return "other";
}

}  // namespace gridatlas::sample
