// The sample's dwelling rules: exclusions by tag and size, floors from levels/height/footprint, units, households.
#include "sample/residential.hpp"

#include <gtest/gtest.h>

namespace gridatlas::sample {
namespace {

BuildingTags tags(const std::string& building, double area) {
    BuildingTags t;
    t.building = building;
    t.area_m2 = area;
    return t;
}

TEST(Dwelling, ExcludesByTagAndSize) {
    EXPECT_FALSE(estimate_dwelling(tags("church", 500)).residential);
    EXPECT_EQ(estimate_dwelling(tags("church", 500)).excluded_because, "building=church");
    auto shop = tags("yes", 500);
    shop.shop = "bakery";
    EXPECT_EQ(estimate_dwelling(shop).excluded_because, "shop=bakery");
    EXPECT_FALSE(estimate_dwelling(tags("yes", 59.9)).residential);
    EXPECT_TRUE(estimate_dwelling(tags("yes", 60)).residential);
    EXPECT_FALSE(estimate_dwelling(tags("yes", 8000.1)).residential);
}

TEST(Dwelling, SmallFootprintIsOneHousehold) {
    const auto d = estimate_dwelling(tags("house", 120));
    EXPECT_TRUE(d.residential);
    EXPECT_EQ(d.floors, 3);
    EXPECT_EQ(d.units, 1);
    EXPECT_EQ(d.households, 1);
}

TEST(Dwelling, BlockOfFlatsByFootprint) {
    // 880 m²: 5 floors; 880/220 = 4 units; 880/4/160 = 1.375 → 1 flat a floor per unit; 4×5×1 = 20 households.
    const auto d = estimate_dwelling(tags("apartments", 880));
    EXPECT_EQ(d.floors, 5);
    EXPECT_EQ(d.units, 4);
    EXPECT_EQ(d.households_per_floor, 1);
    EXPECT_EQ(d.households, 20);
}

TEST(Dwelling, FloorsFromLevelsThenHeight) {
    auto t = tags("yes", 660);   // 3 units, 660/3/160 = 1.375 → 1 a floor
    t.levels = "12";
    t.height = "9";
    EXPECT_EQ(estimate_dwelling(t).floors, 12);
    t.levels = "";
    EXPECT_EQ(estimate_dwelling(t).floors, 3);   // 9 m / 3 m
    t.height = "tall";
    EXPECT_EQ(estimate_dwelling(t).floors, 5);   // footprint 500–1000 m²
}

}  // namespace
}  // namespace gridatlas::sample
