// Indexes of the loaded Dataset: building ids to indexes (ambiguous ids kept apart) and grids by level.
#include "model/dataset.hpp"

namespace gridatlas {

std::vector<GridId> Dataset::grids_of_level(int level) const {
    std::vector<GridId> out;
    for (const auto& g : grids)
        if (g.level == level) out.push_back(g.id);
    return out;
}

void Dataset::index_buildings() {
    building_by_source_id.clear();
    ambiguous_building_ids.clear();
    std::unordered_map<std::string, std::vector<BuildingId>> all;
    for (const auto& b : buildings) all[b.source_id].push_back(b.id);
    for (auto& [key, ids] : all) {
        if (ids.size() == 1) building_by_source_id.emplace(key, ids.front());
        else ambiguous_building_ids.emplace(key, std::move(ids));
    }
}

void Dataset::index_units() {
    units_by_building_.assign(buildings.size(), {});
    for (const auto& u : units)
        if (u.building.valid() && u.building.index() < buildings.size()) units_by_building_[u.building.index()].push_back(u.id);
}

UnitId Dataset::find_unit(BuildingId b, int number) const {
    if (!b.valid() || b.index() >= units_by_building_.size()) return {};
    for (UnitId u : units_by_building_[b.index()])
        if (units[u.index()].number == number) return u;
    return {};
}

}  // namespace gridatlas
