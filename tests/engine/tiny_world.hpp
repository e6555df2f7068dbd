// A hand-made world small enough to check by hand (coordinates in metres):
//
//   community C1 = (0,0)–(200,100); grids G1 = (0,0)–(100,100) and G2 = (100,0)–(200,100), both children of C1.
//   B1 (10,10)–(30,30) in G1; B2 (170,10)–(190,30) in G2; B3 (90,50)–(120,70) straddles: 10 m of its 30 m width in
//   G1, 20 m in G2 → G2 with share 2/3; B4 (300,300)–(310,310) lies in no grid; two non-residential buildings share
//   the id "BX"; building "BR" was rejected by the loader.
//   Units: B1 has units 1 and 2, B2 and B3 have unit 1.
#pragma once
#include "model/dataset.hpp"

namespace gridatlas::test {

inline geo::MultiPolygon rect(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return geo::MultiPolygon{p};
}

inline Building building(Dataset& ds, const std::string& id, geo::MultiPolygon footprint, bool residential = true) {
    Building b;
    b.id = BuildingId{ds.buildings.size()};
    b.source_id = id;
    b.footprint = std::move(footprint);
    b.area_m2 = geo::bg::area(b.footprint);
    geo::bg::centroid(b.footprint, b.anchor);
    b.residential = residential;
    ds.buildings.push_back(b);
    return b;
}

inline void grid(Dataset& ds, int level, const std::string& code, const std::string& parent_code, geo::MultiPolygon area) {
    Grid g;
    g.id = GridId{ds.grids.size()};
    g.level = level;
    g.code = code;
    g.name = code;
    g.parent_code = parent_code;
    g.area = std::move(area);
    ds.grids.push_back(g);
}

inline void unit(Dataset& ds, BuildingId b, int number) {
    Unit u;
    u.id = UnitId{ds.units.size()};
    u.building = b;
    u.number = number;
    ds.units.push_back(u);
}

inline void household(Dataset& ds, const std::string& id, const std::string& building, std::optional<int> unit_no,
                      int persons, int party_members = 0) {
    Household h;
    h.id = HouseholdId{ds.households.size()};
    h.row = static_cast<std::int64_t>(ds.households.size() + 1);
    h.source_id = id;
    h.building_ref = building;
    h.unit_number = unit_no;
    h.persons = persons;
    h.party_members = party_members;
    ds.households.push_back(h);
}

inline Dataset tiny_world() {
    Dataset ds;
    ds.working_crs = "EPSG:32650";
    ds.levels = {{"community", "社区"}, {"grid", "网格"}};
    grid(ds, 0, "C1", "", rect(0, 0, 200, 100));
    grid(ds, 1, "G1", "C1", rect(0, 0, 100, 100));
    grid(ds, 1, "G2", "", rect(100, 0, 200, 100));   // no parent code: found by overlap
    const Building b1 = building(ds, "B1", rect(10, 10, 30, 30));
    const Building b2 = building(ds, "B2", rect(170, 10, 190, 30));
    const Building b3 = building(ds, "B3", rect(90, 50, 120, 70));
    building(ds, "B4", rect(300, 300, 310, 310));
    building(ds, "BX", rect(20, 60, 30, 70), false);
    building(ds, "BX", rect(40, 60, 50, 70), false);
    ds.rejected_buildings["BR"] = "no geometry";
    ds.index_buildings();
    unit(ds, b1.id, 1);
    unit(ds, b1.id, 2);
    unit(ds, b2.id, 1);
    unit(ds, b3.id, 1);
    ds.index_units();
    household(ds, "H1", "B1", 1, 3, 1);
    household(ds, "H2", "B1", 2, 2);
    household(ds, "H3", "B2", 1, 4, 2);
    household(ds, "H4", "B3", 1, 1);
    household(ds, "H5", "B3", 5, 2);          // B3 has no unit 5
    household(ds, "H6", "B9", 1, 1);          // no such building
    household(ds, "H7", "", 1, 1);            // building left blank
    household(ds, "H1", "B2", 1, 5);          // H1 entered twice
    household(ds, "H8", "B4", std::nullopt, 1);  // building outside every grid, no unit given
    household(ds, "H9", "BX", 1, 1);          // ambiguous building id
    household(ds, "H10", "BR", 1, 1);         // rejected building
    ds.service_kinds = {{"k1", "党群服务中心", 15, true}, {"k2", "公交站", 5, false}};
    return ds;
}

}  // namespace gridatlas::test
