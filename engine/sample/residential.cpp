// The sample's dwelling rules: which OSM buildings are dwellings, and their floors, units and households from tags
// and footprint (the rules are documented in data/README.md; see residential.hpp).
#include "sample/residential.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string_view>

namespace gridatlas::sample {

namespace {

// building=* values that are never dwellings.
constexpr std::array<std::string_view, 36> non_residential = {
    "church", "chapel", "cathedral", "mosque", "synagogue", "temple", "religious", "school", "university", "college",
    "kindergarten", "hospital", "commercial", "retail", "supermarket", "industrial", "warehouse", "office", "public",
    "civic", "government", "hotel", "roof", "garage", "garages", "carport", "shed", "hangar", "railway",
    "train_station", "transportation", "parking", "service", "kiosk", "stadium", "construction"};

constexpr double min_dwelling_m2 = 60;      // below: sheds, garages, kiosks
constexpr double max_dwelling_m2 = 8000;    // above, with no tag saying otherwise: malls, halls, depots
constexpr double single_family_m2 = 150;    // a footprint this small is one household (house, villa)
constexpr double unit_footprint_m2 = 220;   // one stairwell with two or three flats a floor
constexpr double flat_m2 = 160;             // gross floor area per household, walls, stairs and corridors included

std::optional<double> parse_number(const std::string& s) {
    try {
        std::size_t used = 0;
        double v = std::stod(s, &used);
        if (used == 0 || !std::isfinite(v) || v <= 0) return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

int floors_from_footprint(double area) {
    if (area < 100) return 2;
    if (area < 250) return 3;
    if (area < 500) return 4;
    if (area < 1000) return 5;
    if (area < 2000) return 6;
    return 8;
}

}  // namespace

DwellingEstimate estimate_dwelling(const BuildingTags& t) {
    DwellingEstimate e;
    if (std::find(non_residential.begin(), non_residential.end(), t.building) != non_residential.end()) {
        e.excluded_because = "building=" + t.building;
        return e;
    }
    if (!t.amenity.empty()) { e.excluded_because = "amenity=" + t.amenity; return e; }
    if (!t.shop.empty()) { e.excluded_because = "shop=" + t.shop; return e; }
    if (t.area_m2 < min_dwelling_m2) { e.excluded_because = "footprint under 60 m²"; return e; }
    if (t.area_m2 > max_dwelling_m2) { e.excluded_because = "footprint over 8000 m²"; return e; }

    e.residential = true;
    if (auto levels = parse_number(t.levels)) e.floors = static_cast<int>(std::lround(*levels));
    else if (auto height = parse_number(t.height)) e.floors = std::max(1, static_cast<int>(std::lround(*height / 3.0)));
    else e.floors = floors_from_footprint(t.area_m2);
    e.floors = std::clamp(e.floors, 1, 60);

    if (t.area_m2 < single_family_m2) {
        e.units = 1;
        e.households_per_floor = 1;
        e.households = 1;
        return e;
    }
    e.units = std::clamp(static_cast<int>(std::lround(t.area_m2 / unit_footprint_m2)), 1, 8);
    e.households_per_floor = std::clamp(static_cast<int>(std::lround(t.area_m2 / e.units / flat_m2)), 1, 3);
    e.households = e.units * e.floors * e.households_per_floor;
    return e;
}

}  // namespace gridatlas::sample
