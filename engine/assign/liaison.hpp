// Party members contact households (党员联系户, seeds 001 and 003): every household of a grid gets a party-member
// household of the same grid as its contact, each contact serving between min and max households (itself included),
// at the least total straight-line distance — or, where the grid has too few party members, as many households as
// possible at the least distance, with the shortfall reported.
//
// Why a min-cost flow and not first-come: first-come hands the nearest contact to whoever is processed first and
// leaves later households far away; the flow minimises the grid's total distance over all households at once.
//
// The network, per grid of the chosen level (the finest by default):
//   source → location (capacity: households there) → contact group (cost: distance in whole centimetres) → sink.
// A location is a distinct position (the household's own coordinates when the roster has them, else its building's
// anchor); households sharing one are interchangeable, so the network has a node per building, not per household.
// Contacts sharing one position are likewise one node (a group) whose capacities are the sum of theirs.
// A party-member household is its own contact: it serves itself first and that counts towards its load.
// Each contact's arc to the sink is split in two: the first (min − 1) households cost nothing extra, the rest up to
// (max − 1) cost one "over-minimum" unit each. Costs compare lexicographically as (over-minimum units, distance), so
// the result is, in this order: the most households covered (a max flow); then the least total shortfall below min
// (the lower bound is honoured wherever the grid's households allow it; contacts still below it are listed); then
// the least total distance. Solved exactly by successive shortest paths with potentials on a sparse network: each
// location starts with arcs to its 8 nearest groups (an R-tree query); after the flow, the full network's missing
// arcs are priced with the flow's potentials and any that would lower the cost are added and the grid solved again
// (too few households routed: twice the neighbours), so the result is the full network's optimum. Each Dijkstra uses
// a binary heap, stops at the sink and touches only what it explores (the source's arcs come from an ordered set).
// 1M households in the sample's 144 grids (~7,000 a grid): about 1–2 s, where the dense solver took 150–210 s.
// Deterministic: locations ordered by their first household index, contacts by household index, ties likewise.
// Within one location, households (roster order) go to the location's contacts nearest first (ties: lower index);
// within a group, to its contacts in household order, each filled to the minimum before any goes beyond it.
// Only ids, counts and distances leave this module: no names or phones.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "assign/household_assignment.hpp"
#include "model/dataset.hpp"

namespace gridatlas::assign {

struct LiaisonOptions {
    std::size_t min_households = 5;     // per contact, itself included: a target, honoured when the grid allows it
    std::size_t max_households = 15;    // per contact, itself included: never exceeded
    std::size_t nearest_contacts = 0;   // 0: every contact of the grid is a candidate; K > 0: only the K nearest per
                                        // location (sparser, but may leave households uncovered that the full
                                        // network would cover: reported as beyond_nearest_contacts)
    std::string level;                  // a GridLevel key; empty: the finest level
};

enum class LiaisonShortfall : std::uint8_t {
    none,
    not_enough_party_members,   // contacts × max < households: the grid cannot be covered
    beyond_nearest_contacts,    // capacity suffices, but not within the K nearest contacts
};
const char* to_string(LiaisonShortfall s);

struct GridLiaison {
    GridId grid;
    std::size_t households = 0;         // households placed in the grid
    std::size_t contacts = 0;           // party-member households among them
    std::size_t capacity = 0;           // contacts × max
    std::size_t covered = 0;            // households with a contact, contacts included
    std::size_t uncovered = 0;          // households − covered
    std::size_t underloaded_contacts = 0;   // contacts serving fewer than min
    std::int64_t total_distance_cm = 0;     // sum over covered households
    LiaisonShortfall shortfall = LiaisonShortfall::none;
};

struct LiaisonResult {
    int level = -1;                         // the grid level used
    std::vector<HouseholdId> contact;       // per household index: its contact (itself for a contact); invalid when
                                            // uncovered or not placed in a grid of the level
    std::vector<std::int32_t> distance_cm;  // per household index: distance to its contact; -1 without one (32 bits
                                            // per household: 21,474 km at most, more is stored as that)
    std::vector<std::uint32_t> load;        // per household index: households it serves (0 unless a contact)
    std::vector<GridLiaison> grids;         // grids of the level holding households, by grid index
    std::vector<std::size_t> short_grids;   // indices into grids whose shortfall is not none
    std::vector<HouseholdId> underloaded;   // contacts serving fewer than min, by grid then household index
    std::size_t outside_grids = 0;          // households not placed in any grid of the level
};

// Throws std::invalid_argument when max_households is 0, min_households > max_households, or the level key names
// no grid level.
LiaisonResult assign_liaison(const Dataset& ds, const AssignmentResult& assignment, const LiaisonOptions& options = {});

}  // namespace gridatlas::assign
