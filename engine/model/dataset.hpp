// Everything one run works on, in one metric CRS: flat vectors indexed by the strong ids, plus lookups.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/records.hpp"

namespace gridatlas {

struct Dataset {
    std::string working_crs;     // e.g. "EPSG:32632"; for writers and renderers, the engine never reads it
    std::vector<Building> buildings;
    std::vector<Unit> units;
    std::vector<GridLevel> levels;
    std::vector<Grid> grids;     // all levels; Grid::level tells which
    std::vector<Household> households;
    // The roster file's own record count when the reader can tell it (delimited text): records = households +
    // rejected_at_read, checked by the run; records the reader rejected are reported with their line.
    std::optional<std::size_t> roster_records_in_file;
    std::size_t roster_rejected_at_read = 0;
    std::vector<Entrance> entrances;   // optional; a building with entrances joins the walk network only at them
    std::vector<Facility> facilities;
    std::vector<RoadLine> roads;
    std::vector<ServiceKind> service_kinds;

    // source id → building; ids that occur more than once are in ambiguous_building_ids and not here.
    std::unordered_map<std::string, BuildingId> building_by_source_id;
    std::unordered_map<std::string, std::vector<BuildingId>> ambiguous_building_ids;
    // Building features that could not be used (no or unusable geometry): source id → why. Households that point
    // at them are unassigned with that reason rather than "unknown building".
    std::unordered_map<std::string, std::string> rejected_buildings;

    const Building& building(BuildingId id) const { return buildings[id.index()]; }
    const Grid& grid(GridId id) const { return grids[id.index()]; }
    const Unit& unit(UnitId id) const { return units[id.index()]; }
    const Facility& facility(FacilityId id) const { return facilities[id.index()]; }
    std::vector<GridId> grids_of_level(int level) const;
    // (building, unit number) → unit; call index_units() after filling units.
    UnitId find_unit(BuildingId b, int number) const;
    void index_buildings();      // fills building_by_source_id / ambiguous_building_ids from buildings
    void index_units();
private:
    std::vector<std::vector<UnitId>> units_by_building_;
};

}  // namespace gridatlas
