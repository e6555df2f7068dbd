// A synthetic household roster for the sample: deterministic (hash of building, unit, floor and room), with
// invented names and phone numbers only, party-member households at a few percent, a household status and key groups
// (重点人群) drawn from streams of their own (so that adding them changed no other column), and a small documented set
// of deliberately faulty rows so that every "unassigned" path of the pipeline shows up in the sample's run.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gridatlas::sample {

struct DwellingBuilding {
    std::string building_id;
    int units = 0;
    int floors = 0;
    int households_per_floor = 0;
    int households = 0;
};

struct RosterRow {
    std::string household_id;
    std::string building_id;
    std::string unit;        // text as in a real roster: may be empty
    int floor = 0;
    std::string room;
    std::string head_name;   // synthetic
    std::string phone;       // synthetic, 199 prefix and never a real subscriber pattern
    int persons = 0;
    int party_members = 0;
    std::string status;      // 常住 / 租住 / 空置 / 经营, and 待核实 (not one of the four) for a few rows
    std::string key_groups;  // personal: 重点人群 of the household, "、"-separated (独居老人, 残疾, 低保); mostly empty
};

struct RosterOptions {
    double party_household_share = 0.045;   // a few percent, cf. 8592 party members among 267,300 households (000)
    bool faulty_rows = true;
};

// Rows in building order, then unit, floor, room; the faulty rows come last. Household ids run H000001, H000002, …
std::vector<RosterRow> synthesize_roster(const std::vector<DwellingBuilding>& buildings, const RosterOptions& options);

// splitmix64: the deterministic hash behind every synthetic value.
std::uint64_t mix(std::uint64_t x);
std::uint64_t hash_text(const std::string& s);

}  // namespace gridatlas::sample
