// Household assignment on the bundled sample: the grid hierarchy (parents and each building's grid at every level by
// largest overlap), assign_households on the sample roster, and assign_households on the roster replicated to
// 1,000,000 rows (copies get new household ids, so they do not count as duplicates; rows whose id repeats within the
// sample repeat within each copy as well). The replication is done once, outside every timed region. They are the
// same rows that scripts/scale_roster.py writes to a CSV for `gridatlas assign` and the GeoPandas and PostGIS peers
// (scripts/bench.sh runs all of them); Google Benchmark's CPU column is what those peers' CPU ratios divide by.
// The CPU column is the whole process's (MeasureProcessCPUTime): assign_households and build_grid_tree use every core,
// and the calling thread's CPU time alone would hide the other threads' share.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "assign/household_assignment.hpp"
#include "dataset_loader.hpp"
#include "hierarchy/grid_tree.hpp"
#include "project_config.hpp"

namespace {

using namespace gridatlas;

constexpr std::size_t scaled_households = 1'000'000;

struct Sample {
    Dataset ds;
    hierarchy::GridTree tree;
};

const Sample& sample() {
    static const Sample s = [] {
        Sample s;
        try {
            Diagnostics diag;
            s.ds = layers::load_dataset(layers::read_project_config(GRIDATLAS_SAMPLE_PROJECT), diag);
        } catch (const std::exception& e) {
            std::cerr << "bench_assign: cannot load " << GRIDATLAS_SAMPLE_PROJECT << ": " << e.what() << "\n";
            std::exit(2);
        }
        Diagnostics diag;
        s.tree = hierarchy::build_grid_tree(s.ds, diag);
        return s;
    }();
    return s;
}

// The sample with its roster rows replicated to `scaled_households` rows; built on first use.
const Dataset& scaled() {
    static const Dataset ds = [] {
        const Dataset& base = sample().ds;
        Dataset ds = base;
        ds.households.clear();
        ds.households.reserve(scaled_households);
        for (std::size_t i = 0; i < scaled_households; ++i) {
            const std::size_t copy = i / base.households.size();
            Household h = base.households[i % base.households.size()];
            h.id = HouseholdId{i};
            if (copy > 0 && !h.source_id.empty()) h.source_id = h.source_id + ("-r" + std::to_string(copy));
            h.row = static_cast<std::int64_t>(i) + 1;
            ds.households.push_back(std::move(h));
        }
        return ds;
    }();
    return ds;
}

// threads: 0 for build_grid_tree's own choice (every core), else that many.
void grid_tree(benchmark::State& state, unsigned threads) {
    const Sample& s = sample();
    for (auto _ : state) {
        Diagnostics diag;
        hierarchy::GridTree tree = hierarchy::build_grid_tree(s.ds, diag, threads);
        benchmark::DoNotOptimize(tree);
    }
    state.counters["buildings"] = static_cast<double>(s.ds.buildings.size());
    state.counters["grids"] = static_cast<double>(s.ds.grids.size());
}

void BM_BuildGridTree(benchmark::State& state) { grid_tree(state, 0); }
BENCHMARK(BM_BuildGridTree)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_BuildGridTree_OneThread(benchmark::State& state) { grid_tree(state, 1); }
BENCHMARK(BM_BuildGridTree_OneThread)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// threads: 0 for assign_households' own choice (every core for a large roster), else that many.
void assign(benchmark::State& state, const Dataset& ds, unsigned threads = 0) {
    const Sample& s = sample();   // the tree depends on buildings and grids only, which the scaled copy shares
    std::size_t assigned = 0;
    for (auto _ : state) {
        assign::AssignmentResult r = assign::assign_households(ds, s.tree, {}, threads);
        assigned = r.conservation[1].assigned;
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ds.households.size()));
    state.counters["households"] = static_cast<double>(ds.households.size());
    state.counters["assigned"] = static_cast<double>(assigned);
}

void BM_AssignHouseholds_Sample(benchmark::State& state) { assign(state, sample().ds); }
BENCHMARK(BM_AssignHouseholds_Sample)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_AssignHouseholds_1M(benchmark::State& state) { assign(state, scaled()); }
BENCHMARK(BM_AssignHouseholds_1M)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// The same on one thread: what the work costs, apart from how many cores share it.
void BM_AssignHouseholds_1M_OneThread(benchmark::State& state) { assign(state, scaled(), 1); }
BENCHMARK(BM_AssignHouseholds_1M_OneThread)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

}  // namespace

BENCHMARK_MAIN();
