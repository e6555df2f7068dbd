// The engine's one way to run work on all cores, so that the result does not depend on how many threads there are:
//   - on_threads + part: each thread gets a fixed contiguous part (or a fixed share of the items), writes only its own
//     slots and tallies, and the caller merges the tallies in thread order (cheap, even items: households, buildings);
//   - for_each_index: items handed out one at a time (items of very different cost: service kinds, facilities,
//     siting candidates), each writing only its own slot.
// Every entry point takes `threads` (0: one per core), the one thread option the callers pass down. No atomics in
// results; a failure is rethrown after all threads finished, always the same one for the same input.
#pragma once
#include <algorithm>
#include <atomic>
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

// Runs job(state, i) for i = 0 … count-1 on up to `threads` threads (0: one per core, never more than count), handing
// the indices out one at a time; `state` is make_state() called once on each thread (a search, scratch buffers, a
// GEOS context). job must write only the results of item i. A failure is rethrown once all have finished: the lowest
// i's, so that the same input fails the same way.
template <class MakeState, class Job>
void for_each_index(std::size_t count, unsigned threads, const MakeState& make_state, const Job& job) {
    std::vector<std::exception_ptr> failures(count);
    std::atomic<std::size_t> next{0};
    const std::size_t n = thread_count(threads, count, 1);
    on_threads(n, [&](std::size_t) {
        auto state = make_state();
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                job(state, i);
            } catch (...) {
                failures[i] = std::current_exception();
            }
        }
    });
    for (const std::exception_ptr& failure : failures)
        if (failure) std::rethrow_exception(failure);
}

// for_each_index without per-thread state: job(i).
template <class Job>
void for_each_index(std::size_t count, unsigned threads, const Job& job) {
    struct None {};
    for_each_index(count, threads, [] { return None{}; }, [&job](None&, std::size_t i) { job(i); });
}

}  // namespace gridatlas::parallel
