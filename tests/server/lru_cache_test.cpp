// Unit tests of server/lru_cache.hpp: evictions by byte bound and recency, worked out by hand; one computation per
// missing key however many threads ask at once.
#include "lru_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using gridatlas::server::LruCache;

TEST(LruCache, DropsLeastRecentlyUsedWhenOverTheBound) {
    LruCache<int, std::string> c(10);
    c.put(1, "a", 4);   // 4 bytes
    c.put(2, "b", 4);   // 8 bytes
    ASSERT_EQ(c.get(1), "a");   // order now 1, 2
    c.put(3, "c", 4);   // 12 > 10: drops 2 (least recent) -> 8 bytes
    EXPECT_EQ(c.get(2), std::nullopt);
    EXPECT_EQ(c.get(1), "a");
    EXPECT_EQ(c.get(3), "c");
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.bytes(), 8u);
}

TEST(LruCache, ReplacingAKeyRecountsItsBytes) {
    LruCache<int, std::string> c(10);
    c.put(1, "a", 3);
    c.put(2, "b", 3);
    c.put(1, "A", 6);   // 1 replaced: 3 + 6 = 9 bytes, nothing dropped
    EXPECT_EQ(c.bytes(), 9u);
    EXPECT_EQ(c.get(1), "A");
    EXPECT_EQ(c.get(2), "b");   // order 2, 1
    c.put(3, "c", 2);   // 11 > 10: drops 1 (least recent) -> 3 + 2 = 5
    EXPECT_EQ(c.get(1), std::nullopt);
    EXPECT_EQ(c.bytes(), 5u);
}

TEST(LruCache, KeepsTheNewestEntryEvenWhenItAloneExceedsTheBound) {
    LruCache<int, std::string> c(10);
    c.put(1, "a", 4);
    c.put(2, "big", 25);   // drops 1; 2 alone is over the bound but kept
    EXPECT_EQ(c.get(1), std::nullopt);
    EXPECT_EQ(c.get(2), "big");
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.bytes(), 25u);
    c.put(3, "c", 1);   // 26 > 10: drops 2 -> 1 byte
    EXPECT_EQ(c.get(2), std::nullopt);
    EXPECT_EQ(c.bytes(), 1u);
    c.clear();
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.bytes(), 0u);
}

TEST(LruCache, ManyThreadsKeepTheByteCountExact) {
    LruCache<int, int> c(100);   // each entry costs 10 bytes: at most 10 kept
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&c, t] {
            for (int i = 0; i < 2000; ++i) {
                c.put((t * 7 + i) % 37, i, 10);
                (void)c.get(i % 37);
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(c.size(), 10u);
    EXPECT_EQ(c.bytes(), 100u);
}

TEST(LruCache, GetOrMakeComputesOnceWhileOthersWait) {
    LruCache<int, std::string> c(100);
    std::atomic<int> made{0};
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto cost = [](const std::string& v) -> std::optional<std::size_t> { return v.size(); };
    std::string first, second;
    std::thread maker([&] {
        first = c.get_or_make(7, [&] { ++made; released.wait(); return std::string("seven"); }, cost);
    });
    while (made.load() == 0) std::this_thread::yield();   // the maker is inside make()
    std::thread waiter([&] { second = c.get_or_make(7, [&] { ++made; return std::string("other"); }, cost); });
    while (c.waiting() == 0) std::this_thread::yield();   // the waiter waits for the maker's result
    release.set_value();
    maker.join();
    waiter.join();
    EXPECT_EQ(made.load(), 1);
    EXPECT_EQ(first, "seven");
    EXPECT_EQ(second, "seven");
    EXPECT_EQ(c.waiting(), 0u);
    EXPECT_EQ(c.bytes(), 5u);
    EXPECT_EQ(c.get_or_make(7, [&] { ++made; return std::string("again"); }, cost), "seven");   // a hit
    EXPECT_EQ(made.load(), 1);
}

TEST(LruCache, GetOrMakeKeepsNothingWhenCostSaysNoAndPassesExceptionsOn) {
    LruCache<int, std::string> c(100);
    auto never = [](const std::string&) -> std::optional<std::size_t> { return std::nullopt; };
    EXPECT_EQ(c.get_or_make(1, [] { return std::string("error"); }, never), "error");
    EXPECT_EQ(c.size(), 0u);
    auto cost = [](const std::string& v) -> std::optional<std::size_t> { return v.size(); };
    EXPECT_THROW(c.get_or_make(2, []() -> std::string { throw std::runtime_error("failed"); }, cost), std::runtime_error);
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.get_or_make(2, [] { return std::string("ok"); }, cost), "ok");   // a failure is not remembered
    EXPECT_EQ(c.get(2), "ok");
    // Bounded as put() is: 2 + 60 + 60 > 100 drops 2, then 3 (least recent first), leaving 4's 60 bytes.
    c.get_or_make(3, [] { return std::string(60, 'a'); }, cost);
    c.get_or_make(4, [] { return std::string(60, 'b'); }, cost);
    EXPECT_EQ(c.get(3), std::nullopt);
    EXPECT_EQ(c.bytes(), 60u);
}
