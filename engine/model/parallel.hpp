// Splitting a loop over threads so that the result does not depend on how many there are: each thread gets a fixed
// contiguous part (or a fixed share of the items), writes only its own slots and tallies, and the caller merges the
// tallies in thread order. No work stealing, no atomics in results.
#pragma once
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

namespace gridatlas::parallel {

// requested > 0: that many (at most one per item, at least one). 0: one per core, but each thread gets at least
// min_items_per_thread items (below that, starting a thread costs more than it saves).
inline std::size_t thread_count(unsigned requested, std::size_t items, std::size_t min_items_per_thread) {
    if (requested > 0) return std::max<std::size_t>(1, std::min<std::size_t>(requested, items));
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    return std::max<std::size_t>(1, std::min(cores, items / std::max<std::size_t>(1, min_items_per_thread)));
}

// Items [first, second) of part `t` when `n` items are cut into `parts` contiguous parts.
inline std::pair<std::size_t, std::size_t> part(std::size_t n, std::size_t parts, std::size_t t) {
    return {n * t / parts, n * (t + 1) / parts};
}

// Runs work(t) for t = 0 … n-1, each on its own thread (t = 0 on the caller's). A failure in any is rethrown once all
// have finished: the lowest t's, so that the same input fails the same way.
template <class Work>
void on_threads(std::size_t n, const Work& work) {
    std::vector<std::exception_ptr> failures(std::max<std::size_t>(n, 1));
    const auto run = [&](std::size_t t) {
        try {
            work(t);
        } catch (...) {
            failures[t] = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> threads;
        if (n > 1) threads.reserve(n - 1);
        for (std::size_t t = 1; t < n; ++t) threads.emplace_back(run, t);
        run(0);
    }   // joined here
    for (const std::exception_ptr& failure : failures)
        if (failure) std::rethrow_exception(failure);
}

}  // namespace gridatlas::parallel
