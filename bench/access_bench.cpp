// Walking access on the bundled sample: building the walk network, snapping every residential building onto it, and
// the full compute_access (building and facility snapping plus one multi-source Dijkstra per service kind).
// Wall-clock time throughout (UseRealTime): compute_access runs the kinds on several threads, and summary.json's
// stage timings, which the peer scripts compare against, are wall-clock too.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "access/service_access.hpp"
#include "access/walk_network.hpp"
#include "access/isochrones.hpp"
#include "access/network_distance.hpp"
#include "dataset_loader.hpp"
#include "project_config.hpp"

namespace {

using namespace gridatlas;

struct Sample {
    layers::ProjectConfig cfg;
    Dataset ds;
    access::WalkNetwork net;
    std::size_t residential = 0;
};

// Loaded once, on first use, outside every timed region.
const Sample& sample() {
    static const Sample s = [] {
        Sample s;
        try {
            Diagnostics diag;
            s.cfg = layers::read_project_config(GRIDATLAS_SAMPLE_PROJECT);
            s.ds = layers::load_dataset(s.cfg, diag);
        } catch (const std::exception& e) {
            std::cerr << "bench_access: cannot load " << GRIDATLAS_SAMPLE_PROJECT << ": " << e.what() << "\n";
            std::exit(2);
        }
        s.net = access::WalkNetwork::build(s.ds.roads);
        for (const Building& b : s.ds.buildings) s.residential += b.residential;
        return s;
    }();
    return s;
}

void BM_WalkNetworkBuild(benchmark::State& state) {
    const Sample& s = sample();
    for (auto _ : state) {
        access::WalkNetwork net = access::WalkNetwork::build(s.ds.roads);
        benchmark::DoNotOptimize(net);
    }
    state.counters["road_lines"] = static_cast<double>(s.ds.roads.size());
    state.counters["edges"] = static_cast<double>(s.net.edges().size());
    state.counters["nodes"] = static_cast<double>(s.net.nodes().size());
}
BENCHMARK(BM_WalkNetworkBuild)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SnapResidentialBuildings(benchmark::State& state) {
    const Sample& s = sample();
    std::size_t snapped = 0;
    for (auto _ : state) {
        snapped = 0;
        for (const Building& b : s.ds.buildings) {
            if (!b.residential) continue;
            auto snap = s.net.snap(b.anchor, s.cfg.walking.max_snap_m);
            snapped += snap.has_value();
            benchmark::DoNotOptimize(snap);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * s.residential));
    state.counters["buildings"] = static_cast<double>(s.residential);
    state.counters["snapped"] = static_cast<double>(snapped);
}
BENCHMARK(BM_SnapResidentialBuildings)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ComputeAccessAllKinds(benchmark::State& state) {
    const Sample& s = sample();
    for (auto _ : state) {
        access::AccessResult r = access::compute_access(s.ds, s.net, s.cfg.walking);
        benchmark::DoNotOptimize(r);
    }
    state.counters["kinds"] = static_cast<double>(s.ds.service_kinds.size());
    state.counters["facilities"] = static_cast<double>(s.ds.facilities.size());
}
BENCHMARK(BM_ComputeAccessAllKinds)->Unit(benchmark::kMillisecond)->UseRealTime();

// What `gridatlas run` times as "walk network" + "walking access", in one go.
void BM_NetworkPlusAccess(benchmark::State& state) {
    const Sample& s = sample();
    for (auto _ : state) {
        access::WalkNetwork net = access::WalkNetwork::build(s.ds.roads);
        access::AccessResult r = access::compute_access(s.ds, net, s.cfg.walking);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_NetworkPlusAccess)->Unit(benchmark::kMillisecond)->UseRealTime();

// The work NetworkX does in scripts/peer_networkx.py, and nothing more: given the noded graph and the snaps (which
// the peer reads from the gpkg), one multi-source shortest-path pass per kind and every building's distance.
// Built with the same adjacency (WalkGraph) each iteration, as the peer builds its nx.Graph each time.
void BM_ShortestPathsFromSnaps(benchmark::State& state) {
    const Sample& s = sample();
    const access::AccessResult snapped = access::compute_access(s.ds, s.net, s.cfg.walking);
    std::vector<std::vector<access::Snap>> sources(s.ds.service_kinds.size());
    for (std::size_t k = 0; k < sources.size(); ++k) sources[k] = access::facility_sources(s.ds, snapped, s.ds.service_kinds[k].key);
    std::vector<access::Snap> targets;
    for (const auto& snap : snapped.building_snaps)
        if (snap) targets.push_back(*snap);
    double checksum = 0;
    for (auto _ : state) {
        const access::WalkGraph graph(s.net);
        access::BoundedSearch search(graph);
        for (const auto& kind_sources : sources) {
            search.run(kind_sources, access::BoundedSearch::unreached);
            for (const auto& t : targets) checksum += search.distance_to(t);
        }
        benchmark::DoNotOptimize(checksum);
    }
    state.counters["pairs"] = static_cast<double>(targets.size() * sources.size());
}
BENCHMARK(BM_ShortestPathsFromSnaps)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
