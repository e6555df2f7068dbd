// Every roster row placed in its unit, building and grid at every level, or given its reason, on all cores; and the
// conservation tallies. See household_assignment.hpp.
#include "assign/household_assignment.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "model/parallel.hpp"

namespace gridatlas::assign {

std::size_t LevelConservation::unassigned() const {
    std::size_t n = 0;
    for (const auto& [_, c] : unassigned_by_reason) n += c;
    return n;
}

const ShortString& AssignmentResult::room(const Household& h) const {
    static const ShortString none;
    if (!h.room.empty() || address_rooms.empty()) return h.room;
    const auto it = std::lower_bound(address_rooms.begin(), address_rooms.end(), h.id,
                                     [](const auto& entry, HouseholdId id) { return entry.first < id; });
    return it != address_rooms.end() && it->first == h.id ? it->second : none;
}

bool AssignmentResult::balanced() const {
    for (const auto& c : conservation)
        if (!c.balanced()) return false;
    return true;
}

namespace {

// Rows per enum value. Both enums are std::uint8_t, so 256 slots hold any value, present or future; the names are
// looked up once per value at the end, not once per row.
static_assert(std::is_same_v<std::underlying_type_t<Reason>, std::uint8_t>);
static_assert(std::is_same_v<std::underlying_type_t<PlacedBy>, std::uint8_t>);
using Tally = std::array<std::size_t, 256>;

struct Tallies {
    std::vector<Tally> levels;   // unit, building, then each grid level
    std::vector<Tally> flags;    // each grid level: rows per GridFlag
    Tally placed_by{};
    // One placed row; `row_flags`: its grid flags per level (empty unless the project has no buildings).
    void count(const HouseholdPlacement& p, std::span<const GridFlag> row_flags) {
        ++placed_by[static_cast<std::uint8_t>(p.placed_by)];
        ++levels[0][static_cast<std::uint8_t>(p.unit_reason)];
        ++levels[1][static_cast<std::uint8_t>(p.building_reason)];
        for (std::size_t l = 0; l < flags.size(); ++l) {
            ++levels[2 + l][static_cast<std::uint8_t>(p.grid_reasons[l])];
            ++flags[l][static_cast<std::uint8_t>(row_flags.empty() ? GridFlag::none : row_flags[l])];
        }
    }
};

// With an automatic thread count, a thread gets at least this many rows: below it, starting one costs more than it
// saves (the sample's 46,763 rows take ~7 ms on one core).
constexpr std::size_t min_rows_per_thread = 16'384;

// Per row: 1 when it repeats the household id of an earlier row (an empty id repeats nothing).
//
// A std::unordered_set<std::string> of the ids cost ~0.85 s of the 1.2 s that 1,000,000 rows took: a node and a
// string per id. Here the table is open addressing over row numbers, with the high half of the id's hash beside each
// to skip most string comparisons. The high half also picks the thread that looks at an id, and every thread walks
// the rows in roster order, so the first row of an id is the one kept whatever the number of threads. The hashes
// are computed again in the second pass rather than kept (8 bytes a row less at the peak of a run).
std::vector<std::uint8_t> duplicate_rows(const std::vector<Household>& rows, std::size_t threads) {
    const std::size_t n = rows.size();
    const auto hash = [](const Household& h) { return static_cast<std::uint64_t>(std::hash<std::string_view>{}(h.source_id)); };
    const auto owner = [threads](std::uint64_t hash) { return static_cast<std::size_t>((hash >> 32) % threads); };
    std::vector<std::vector<std::size_t>> ids(threads, std::vector<std::size_t>(threads, 0));   // [part][owner]
    parallel::on_threads(threads, [&](std::size_t t) {
        const auto [begin, end] = parallel::part(n, threads, t);
        for (std::size_t i = begin; i < end; ++i)
            if (!rows[i].source_id.empty()) ++ids[t][owner(hash(rows[i]))];
    });
    std::vector<std::uint8_t> duplicate(n, 0);
    parallel::on_threads(threads, [&](std::size_t t) {
        std::size_t mine = 0;
        for (const auto& part : ids) mine += part[t];
        std::size_t capacity = 16;
        while (capacity < 2 * mine) capacity *= 2;   // at most half full: short probe runs
        const std::size_t mask = capacity - 1;
        std::vector<std::uint64_t> table(capacity, 0);   // high hash half << 32 | row + 1; 0: free
        for (std::size_t i = 0; i < n; ++i) {
            if (rows[i].source_id.empty()) continue;
            const std::uint64_t h = hash(rows[i]);
            if (owner(h) != t) continue;
            const std::uint64_t high = h >> 32;
            for (std::size_t slot = h & mask;; slot = (slot + 1) & mask) {
                const std::uint64_t entry = table[slot];
                if (entry == 0) {
                    table[slot] = high << 32 | (i + 1);
                    break;
                }
                if (entry >> 32 == high && rows[(entry & 0xFFFF'FFFFu) - 1].source_id == rows[i].source_id) {
                    duplicate[i] = 1;
                    break;
                }
            }
        }
    });
    return duplicate;
}


// Places one row after another. A roster lists a building's households together, so a row mostly names the building
// and unit of the row before it: the last lookups are kept (one placer per thread).
class RowPlacer {
public:
    // `rooms`: where the rows whose room comes from their address go, in row order.
    RowPlacer(const Dataset& ds, const hierarchy::GridTree& tree, const BuildingResolver& resolver,
              const GridLocator* grids_only, std::vector<std::pair<HouseholdId, ShortString>>& rooms)
        : ds_(ds), tree_(tree), resolver_(resolver), grids_only_(grids_only), rooms_(rooms) {}

    // `flags`: the row's grid flags per level in a project without buildings (all none on entry), else empty.
    void place(const Household& h, bool duplicate, HouseholdPlacement& p, std::span<GridFlag> flags) {
        const std::size_t nlevels = ds_.levels.size();
        p.grids.assign(nlevels, GridId{});
        p.grid_reasons.assign(nlevels, Reason::assigned);
        if (duplicate) {
            p.building_reason = Reason::duplicate_household_id;
            as_written(h, p);
        } else if (grids_only_) {
            in_grids(h, p, flags);
            return;
        } else {
            building_of(h, p);
        }
        if (p.building_reason != Reason::assigned) unplaced(p, p.building_reason);
        else unit_and_grids(p);
    }

private:
    const Dataset& ds_;
    const hierarchy::GridTree& tree_;
    const BuildingResolver& resolver_;
    const GridLocator* grids_only_;
    std::vector<std::pair<HouseholdId, ShortString>>& rooms_;
    const ShortString* last_ref_ = nullptr;
    BuildingMatch last_match_;
    BuildingId last_unit_building_;
    int last_unit_number_ = 0;
    UnitId last_unit_;

    static void as_written(const Household& h, HouseholdPlacement& p) {
        p.unit_number = h.unit_number;
        p.floor = h.floor;
    }

    static void unplaced(HouseholdPlacement& p, Reason why) {
        p.building = BuildingId{};
        p.placed_by = PlacedBy::none;
        p.building_reason = why;
        p.unit_reason = why;
        p.grid_reasons.assign(p.grid_reasons.size(), why);
    }

    // A row that names a building id is resolved from that id alone (household_placement.hpp, step 1), with its
    // unit, floor and room as written: the same id as the row before gives the same building.
    void building_of(const Household& h, HouseholdPlacement& p) {
        if (last_ref_ && !h.building_ref.empty() && h.building_ref == *last_ref_) {
            p.building_reason = last_match_.reason;
            p.building = last_match_.building;
            p.placed_by = last_match_.placed_by;
            as_written(h, p);
            return;
        }
        BuildingMatch m = resolver_.resolve(h);
        p.building_reason = m.reason;
        p.building = m.building;
        p.placed_by = m.placed_by;
        p.distance_m = static_cast<float>(m.distance_m);
        p.unit_number = m.unit_number;
        p.floor = m.floor;
        if (h.room.empty() && !m.room.empty()) rooms_.emplace_back(h.id, std::move(m.room));
        if (!h.building_ref.empty()) {
            last_ref_ = &h.building_ref;
            last_match_.reason = m.reason;
            last_match_.placed_by = m.placed_by;
            last_match_.building = m.building;
        }
    }

    void unit_and_grids(HouseholdPlacement& p) {
        if (!p.unit_number) {
            p.unit_reason = Reason::no_unit_given;
        } else {
            if (!last_unit_building_.valid() || p.building != last_unit_building_ || *p.unit_number != last_unit_number_) {
                last_unit_ = ds_.find_unit(p.building, *p.unit_number);
                last_unit_building_ = p.building;
                last_unit_number_ = *p.unit_number;
            }
            p.unit = last_unit_;
            p.unit_reason = p.unit.valid() ? Reason::assigned : Reason::unknown_unit;
        }
        for (std::size_t l = 0; l < p.grids.size(); ++l) {
            p.grids[l] = tree_.grid_of(p.building, static_cast<int>(l));
            p.grid_reasons[l] = p.grids[l].valid() ? Reason::assigned : Reason::outside_grids;
        }
    }

    // A project without buildings: a row with coordinates goes straight into the grids (whatever else it names, since
    // no building id or address can be resolved); a row without is unplaced. Units and buildings: no_buildings_layer.
    void in_grids(const Household& h, HouseholdPlacement& p, std::span<GridFlag> flags) {
        as_written(h, p);
        const bool named_nothing = !h.location && h.building_ref.empty() && h.address.empty();
        unplaced(p, named_nothing ? Reason::missing_building_ref : Reason::no_buildings_layer);
        if (!h.location) return;
        grids_only_->locate(*h.location, std::span<GridId>(p.grids.data(), p.grids.size()), flags);
        bool any = false;
        for (std::size_t l = 0; l < p.grids.size(); ++l) {
            p.grid_reasons[l] = p.grids[l].valid() ? Reason::assigned : Reason::outside_grids;
            any = any || p.grids[l].valid();
        }
        if (any) p.placed_by = PlacedBy::point_in_grid;
    }
};

// The threads' parts into the result: the rooms addresses gave, in row order (so sorted by household), and the
// tallies summed into the conservation and placed_by counts (sums do not depend on the order the threads finished in).
void gather(const std::vector<Tallies>& tallies, std::vector<std::vector<std::pair<HouseholdId, ShortString>>>& rooms,
            AssignmentResult& result) {
    for (auto& part : rooms) std::move(part.begin(), part.end(), std::back_inserter(result.address_rooms));
    for (const Tallies& tally : tallies) {
        for (std::size_t k = 0; k < tally.levels.size(); ++k) {
            LevelConservation& c = result.conservation[k];
            for (std::size_t r = 0; r < tally.levels[k].size(); ++r) {
                const std::size_t rows = tally.levels[k][r];
                if (rows == 0) continue;
                c.roster += rows;
                if (static_cast<Reason>(r) == Reason::assigned) c.assigned += rows;
                else c.unassigned_by_reason[to_string(static_cast<Reason>(r))] += rows;
            }
        }
        for (std::size_t l = 0; l < tally.flags.size(); ++l)
            for (std::size_t f = 1; f < tally.flags[l].size(); ++f)   // 0: GridFlag::none
                if (tally.flags[l][f] > 0)
                    result.conservation[2 + l].flagged[to_string(static_cast<GridFlag>(f))] += tally.flags[l][f];
        for (std::size_t b = 0; b < tally.placed_by.size(); ++b)
            if (tally.placed_by[b] > 0) result.placed_by[to_string(static_cast<PlacedBy>(b))] += tally.placed_by[b];
    }
}

}  // namespace

AssignmentResult assign_households(const Dataset& ds, const hierarchy::GridTree& tree, const PlacementOptions& options,
                                   unsigned threads) {
    const std::size_t n = ds.households.size();
    if (n >= 0xFFFF'FFFFu)   // row + 1 must fit the duplicate table's 32 bits (household ids are 32-bit anyway)
        throw std::length_error("assign_households: more than 4,294,967,294 roster rows; split the roster");
    const std::size_t nlevels = ds.levels.size();
    const std::size_t nthreads = parallel::thread_count(threads, n, min_rows_per_thread);
    AssignmentResult result;
    for (const char* level : {"unit", "building"}) result.conservation.push_back({level, 0, 0, {}, {}});
    for (const auto& l : ds.levels) result.conservation.push_back({l.key, 0, 0, {}, {}});

    // Making the output (for a million rows ~110 MB of fresh pages, a quarter of the time) goes on beside the duplicate
    // search.
    std::vector<std::uint8_t> duplicate;
    std::optional<const BuildingResolver> resolver;   // const: safe to share between threads
    std::optional<const GridLocator> grids_only;      // a project without buildings: points straight into grids
    const auto prepare = [&](std::size_t duplicate_threads) {
        duplicate = duplicate_rows(ds.households, duplicate_threads);
        resolver.emplace(ds, options);
        if (ds.buildings.empty()) grids_only.emplace(ds, tree);
    };
    const auto make_output = [&] {
        result.households.resize(n);
        result.levels = nlevels;
        if (ds.buildings.empty()) result.grid_flags.assign(n * nlevels, GridFlag::none);
    };
    if (nthreads == 1) {
        make_output();
        prepare(1);
    } else {
        parallel::on_threads(2, [&](std::size_t t) {
            if (t == 1) make_output();
            else prepare(nthreads - 1);
        });
    }
    std::vector<std::vector<std::pair<HouseholdId, ShortString>>> rooms(nthreads);   // per thread, in row order
    std::vector<Tallies> tallies(nthreads, Tallies{std::vector<Tally>(2 + nlevels, Tally{}),
                                                   std::vector<Tally>(nlevels, Tally{}), Tally{}});

    // Each thread places a contiguous part of the roster and tallies it; a row's placement depends only on the row
    // and its duplicate flag.
    parallel::on_threads(nthreads, [&](std::size_t t) {
        const auto [begin, end] = parallel::part(n, nthreads, t);
        Tallies& tally = tallies[t];
        RowPlacer placer{ds, tree, *resolver, grids_only ? &*grids_only : nullptr, rooms[t]};
        for (std::size_t i = begin; i < end; ++i) {
            const Household& h = ds.households[i];
            if (h.id.index() >= n)
                throw std::logic_error("assign_households: household row " + std::to_string(h.row) +
                                       " has an id beyond the roster; ids must be positions in Dataset::households");
            HouseholdPlacement& p = result.households[h.id.index()];
            const std::span<GridFlag> flags = result.grid_flags.empty()
                ? std::span<GridFlag>{} : std::span<GridFlag>(result.grid_flags).subspan(h.id.index() * nlevels, nlevels);
            placer.place(h, duplicate[i] != 0, p, flags);
            tally.count(p, flags);
        }
    });
    gather(tallies, rooms, result);
    return result;
}

}  // namespace gridatlas::assign
