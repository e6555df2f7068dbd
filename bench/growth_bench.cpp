// Growth benchmark: how the engine's stages scale with their input, on synthetic inputs made here (no files), so that
// sizes from 10^3 to 10^6 edges can be run on one machine. A stage that is linear shows a constant time per item
// across the sizes; bench/plot_growth.py fits the slope of log(time) against log(size).
//   BM_WalkNetworkBuild/N: a square street lattice of about N edges (every line crosses every other: real noding)
//   BM_AccessOneKind/N:    compute_access for one service kind on that lattice, one building per block
//   BM_LiaisonOneGrid/N:   party-member contacts for one grid of N households (1 in 12 a party member, 20 households
//                          a building, contacts 5–15), as assign_liaison runs per grid
//   BM_LiaisonGridsOf400/N: the same for N households in grids of 400 (the stage at a realistic grid size)
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "assign/liaison.hpp"
#include "model/dataset.hpp"

namespace {

using namespace gridatlas;

// k east–west and k north–south streets, 100 m apart, each one line of k vertices: 2·k·(k−1) edges after noding.
std::vector<RoadLine> lattice(std::size_t edges) {
    const auto k = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(edges) / 2.0))) + 1;
    std::vector<RoadLine> roads;
    roads.reserve(2 * k);
    for (std::size_t i = 0; i < k; ++i) {
        RoadLine across, up;
        across.highway = up.highway = "residential";
        for (std::size_t j = 0; j < k; ++j) {
            across.line.emplace_back(100.0 * j, 100.0 * i);
            up.line.emplace_back(100.0 * i, 100.0 * j);
        }
        roads.push_back(std::move(across));
        roads.push_back(std::move(up));
    }
    return roads;
}

void BM_WalkNetworkBuild(benchmark::State& state) {
    const auto roads = lattice(static_cast<std::size_t>(state.range(0)));
    std::size_t edges = 0;
    for (auto _ : state) {
        const auto net = access::WalkNetwork::build(roads);
        edges = net.edges().size();
        benchmark::DoNotOptimize(edges);
    }
    state.counters["edges"] = static_cast<double>(edges);
    state.counters["ns_per_edge"] = benchmark::Counter(static_cast<double>(edges),
                                                      benchmark::Counter::kIsIterationInvariantRate |
                                                          benchmark::Counter::kInvert);
}
BENCHMARK(BM_WalkNetworkBuild)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_AccessOneKind(benchmark::State& state) {
    Dataset ds;
    ds.roads = lattice(static_cast<std::size_t>(state.range(0)));
    const auto k = ds.roads.size() / 2;
    for (std::size_t i = 0; i + 1 < k; ++i)
        for (std::size_t j = 0; j + 1 < k; ++j) {
            Building b;
            b.id = BuildingId{ds.buildings.size()};
            b.anchor = geo::Point(100.0 * j + 50, 100.0 * i + 20);
            ds.buildings.push_back(b);
        }
    ds.service_kinds = {{"clinic", "卫生站", 15, true}};
    for (std::size_t f = 0; f < std::max<std::size_t>(1, ds.buildings.size() / 500); ++f) {
        Facility fac;
        fac.id = FacilityId{ds.facilities.size()};
        fac.kind = "clinic";
        fac.location = ds.buildings[(f * 7919) % ds.buildings.size()].anchor;
        ds.facilities.push_back(fac);
    }
    const auto net = access::WalkNetwork::build(ds.roads);
    for (auto _ : state) {
        const auto r = access::compute_access(ds, net, access::WalkingOptions{}, 1);
        benchmark::DoNotOptimize(r.kinds.front().minutes.data());
    }
    state.counters["edges"] = static_cast<double>(net.edges().size());
    state.counters["ns_per_edge"] = benchmark::Counter(static_cast<double>(net.edges().size()),
                                                      benchmark::Counter::kIsIterationInvariantRate |
                                                          benchmark::Counter::kInvert);
}
BENCHMARK(BM_AccessOneKind)->RangeMultiplier(10)->Range(1'000, 1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// n households in grids of `per_grid` (the last one cut short): 20 a building on a 30 m lattice, 1 in 12 a party
// member, each grid its own square of buildings.
void liaison_households(std::size_t n, std::size_t per_grid, Dataset& ds, assign::AssignmentResult& a) {
    ds.levels = {{"grid", "网格"}};
    const std::size_t grids = (n + per_grid - 1) / per_grid;
    for (std::size_t k = 0; k < grids; ++k) {
        Grid g;
        g.id = GridId{k};
        g.code = "G" + std::to_string(k);
        ds.grids.push_back(g);
    }
    const auto side = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(per_grid) / 20.0)));
    for (std::size_t i = 0; i < n; ++i) {
        Household h;
        h.id = HouseholdId{i};
        const std::size_t grid = i / per_grid, building = (i % per_grid) / 20;
        const double x0 = 10'000.0 * static_cast<double>(grid % 1000), y0 = 10'000.0 * static_cast<double>(grid / 1000);
        h.location = geo::Point(x0 + 30.0 * static_cast<double>(building % side), y0 + 30.0 * static_cast<double>(building / side));
        h.party_members = (i * 7919) % 12 == 0 ? 1 : 0;
        ds.households.push_back(h);
        assign::HouseholdPlacement p;
        p.grids.assign(1, GridId{grid});
        a.households.push_back(p);
    }
}

void run_liaison(benchmark::State& state, std::size_t per_grid) {
    const auto n = static_cast<std::size_t>(state.range(0));
    Dataset ds;
    assign::AssignmentResult a;
    liaison_households(n, per_grid == 0 ? n : per_grid, ds, a);
    for (auto _ : state) {
        const auto r = assign::assign_liaison(ds, a);
        benchmark::DoNotOptimize(r.contact.data());
    }
    state.counters["households"] = static_cast<double>(n);
    state.counters["ns_per_household"] = benchmark::Counter(static_cast<double>(n),
                                                            benchmark::Counter::kIsIterationInvariantRate |
                                                                benchmark::Counter::kInvert);
}

// One grid of N households: how the flow grows with a grid's size (real grids hold 300–500 households).
void BM_LiaisonOneGrid(benchmark::State& state) { run_liaison(state, 0); }
BENCHMARK(BM_LiaisonOneGrid)->RangeMultiplier(4)->Range(1'000, 64'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// N households in grids of 400: how the stage grows with the number of households at a realistic grid size.
void BM_LiaisonGridsOf400(benchmark::State& state) { run_liaison(state, 400); }
BENCHMARK(BM_LiaisonGridsOf400)->RangeMultiplier(10)->Range(10'000, 1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
