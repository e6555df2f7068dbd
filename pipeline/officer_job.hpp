// `gridatlas officer`: the grid officer's list (网格员台账) for one grid — its buildings, stairwell units and households,
// the party-member households (党员户), the party-member central household (党员中心户) of each building or unit and
// each household's party-member contact (党员联系户) — as a table for the terminal and as files:
//   officer_<code>.csv   one row per household, UTF-8 with a byte-order mark so that Excel shows Chinese correctly
//   officer_<code>.gpkg  grid (its outline and counts), buildings (footprints with counts and the central household),
//                        units (points with counts), households (the CSV's table; points when the project has no
//                        buildings layer and households are placed by their coordinates)
//
// Personal data: this is the one place where the head of household's name and the phone number ([households] name
// and phone) appear. They are read for the households of this grid only (layers::read_personal_fields), held in
// the report, written to the two officer files and the terminal table, and nowhere else: never into Diagnostics,
// messages or any other output. With personal = false they are not even read. A contact is shown by where it lives
// (building, unit, room); its name only when contact_names is asked for.
#pragma once
#include <climits>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/diagnostics.hpp"
#include "model/household_status.hpp"
#include "model/ids.hpp"

namespace gridatlas {
struct Dataset;
}
namespace gridatlas::assign {
struct AssignmentResult;
struct HouseholdPlacement;
}

namespace gridatlas::pipeline {

// "2单元": a stairwell unit as officers name it.
std::string unit_label(int number);

// The unit a placed household is listed under (the officer list, the atlas's building table): the unit it was placed
// in, else the number the roster gives (a unit its building lacks), else none.
struct ListedUnit {
    int number = 0;                         // 0: not known
    bool registered = true;                 // false: the roster names a unit the building does not have
    std::pair<int, bool> order() const { return {number == 0 ? INT32_MAX : number, registered}; }
    std::string label() const;              // "2单元", "2单元?", "单元未知"
};
ListedUnit listed_unit(const Dataset& ds, const assign::HouseholdPlacement& p);
// Where household `c` lives, as an officer finds it: "2单元 301" ("户号 <id>" when the roster gives no room), with
// its building's id in front when that is not `here`. The one place text of the officer list, the officer map and
// the atlas (the central household 党员中心户, the party-member contact).
std::string place_of(const Dataset& ds, const assign::AssignmentResult& a, HouseholdId c, BuildingId here);

struct OfficerConfig {
    std::filesystem::path project_file;
    std::string grid;                       // a grid code of any level (or a grid name that is unique)
    std::filesystem::path out_dir;
    bool personal = true;                   // read and show names and phones
    bool contact_names = false;             // also show the contact's name (needs personal)
};

struct OfficerHousehold {
    std::string household_id;
    std::int64_t row = 0;                   // roster row
    std::optional<int> floor;
    std::string room;
    int persons = 0;
    HouseholdStatus status = HouseholdStatus::not_given;   // 常住 / 租住 / 空置 / 经营 / 未知, when the roster has the field
    bool party = false;                     // 党员户
    bool central = false;                   // 党员中心户 of its building or unit
    std::string placed_by;                  // building_id, address, point_in_building, nearest_building, point_in_grid
    double distance_m = 0;                  // nearest_building only
    std::optional<double> x, y;             // the row's point (working CRS), when the roster gives one
    std::string grid_flag;                  // point_in_grid: on_grid_edge, on_shared_boundary, in_overlapping_grids; else empty
    // The party-member contact (党员联系户).
    bool contact_self = false;              // the household is a contact itself
    std::size_t contact_load = 0;           // households it serves, itself included (contacts only)
    std::string contact_id;                 // empty: no contact
    std::string contact_place;              // where the contact lives: "2单元 301", or "<building> 2单元 301" elsewhere
    std::int64_t contact_distance_m = -1;
    // Personal: empty unless asked for.
    std::string name;
    std::string phone;
    std::string contact_name;
};

struct OfficerUnit {
    int number = 0;                         // 0: households whose unit is not known
    bool registered = true;                 // the unit exists in the units layer (false: the roster names a unit the
                                            // building does not have)
    std::optional<double> x, y;             // the unit's location (working CRS), when registered
    std::string central_id;                 // the central household of this unit (per-unit buildings) or empty
    std::vector<OfficerHousehold> households;
};

struct OfficerBuilding {
    std::string building_id;
    std::string name;
    int floors = 0;
    bool residential = true;
    bool per_unit_central = false;          // a large building: one central household per unit
    std::string central_id;                 // the building's central household (not per unit), or empty
    std::size_t households = 0, persons = 0, party_households = 0;
    std::vector<OfficerUnit> units;         // by number, unknown unit last
};

struct OfficerReport {
    std::string project;
    std::string grid_code, grid_name, level_key, level_name;
    std::vector<std::pair<std::string, std::string>> ancestors;     // (level name, "code name"), top first
    std::vector<OfficerBuilding> buildings;                         // by building id; without a buildings layer one
                                                                    // entry with an empty id holds every household
    bool by_points = false;                                         // no buildings layer: households placed by point
    std::vector<std::string> skipped;                               // "walking access skipped: …", one per stage
    std::size_t households = 0, persons = 0, party_households = 0, units = 0;
    std::size_t contacts = 0, uncovered = 0;                        // liaison inside the grid
    std::map<std::string, std::size_t> not_placed;                  // roster rows naming a building of this grid
                                                                    // but not placed, per reason
    bool personal = false, contact_names = false;
    bool household_status = false;                                 // the roster gives a status: status columns and counts
    std::filesystem::path csv, gpkg;
};

// Throws DataError for input that stops the job, including an unknown grid (the message lists similar codes).
OfficerReport officer_job(const OfficerConfig& config, Diagnostics& diag);

// The terminal table: building → unit → households, aligned for a terminal that shows East Asian wide characters
// in two columns.
std::string format_officer_table(const OfficerReport& report);

// Columns a terminal uses to show `s` (UTF-8): East Asian wide and full-width characters count 2, combining marks 0.
std::size_t terminal_columns(const std::string& s);

}  // namespace gridatlas::pipeline
