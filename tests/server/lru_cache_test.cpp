// Unit tests of server/lru_cache.hpp: evictions by byte bound and recency, worked out by hand.
#include "lru_cache.hpp"

#include <gtest/gtest.h>

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
