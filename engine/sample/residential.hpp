// Deriving what OpenStreetMap lacks for the bundled sample: which buildings are dwellings, and their floors,
// stairwell units (单元) and households, from tags and footprint alone. The rules are documented in data/README.md;
// they are deterministic so the sample can be rebuilt byte for byte.
#pragma once
#include <string>

namespace gridatlas::sample {

struct BuildingTags {
    std::string building;   // OSM building=*
    std::string amenity;
    std::string shop;
    std::string levels;     // building:levels
    std::string height;     // metres
    double area_m2 = 0;     // footprint area in a metric CRS
};

struct DwellingEstimate {
    bool residential = false;
    std::string excluded_because;   // when not residential
    int floors = 0;
    int units = 0;                  // stairwell units
    int households_per_floor = 0;   // per unit
    int households = 0;             // total: units × floors × per floor, or 1 for a single-family house
};

DwellingEstimate estimate_dwelling(const BuildingTags& tags);

}  // namespace gridatlas::sample
