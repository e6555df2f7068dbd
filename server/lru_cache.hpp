// One thread-safe least-recently-used cache bounded by bytes, used by the server for every cache it keeps (rendered
// tiles, per-grid personal rosters, serialised API answers). The caller states each entry's cost in bytes when it
// puts it; when the total passes the bound the least recently used entries are dropped, but the newest entry is always
// kept (so one oversized answer is still served from the cache until something else replaces it). get_or_make()
// computes a missing value once however many threads ask for it at the same time: the others wait for that result.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace gridatlas::server {

template <class Key, class Value, class Hash = std::hash<Key>>
class LruCache {
public:
    explicit LruCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    LruCache(const LruCache&) = delete;
    LruCache& operator=(const LruCache&) = delete;

    // The value under `key`, which becomes the most recently used; nothing when absent.
    std::optional<Value> get(const Key& key) {
        std::lock_guard lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) return std::nullopt;
        order_.splice(order_.begin(), order_, it->second);
        return it->second->value;
    }

    // Stores (or replaces) `key` as the most recently used entry costing `bytes`, then drops the least recently used
    // entries while the total exceeds the bound (never the entry just stored).
    void put(const Key& key, Value value, std::size_t bytes) {
        std::lock_guard lock(mutex_);
        store(key, std::move(value), bytes);
    }

    // The value under `key`. When absent, `make()` computes it outside the lock, once: threads asking for the same key
    // meanwhile wait for that result rather than compute it again (64 connections asking for one grid's answer cost
    // one computation). The result is stored at `cost(value)` bytes, or not at all when `cost` gives nullopt (an error
    // answer, say). An exception from `make` reaches every thread waiting for it, and nothing is stored.
    template <class Make, class Cost>
    Value get_or_make(const Key& key, Make&& make, Cost&& cost) {
        std::promise<Value> mine;
        std::shared_future<Value> theirs;
        {
            std::lock_guard lock(mutex_);
            if (auto it = index_.find(key); it != index_.end()) {
                order_.splice(order_.begin(), order_, it->second);
                return it->second->value;
            }
            if (auto it = making_.find(key); it != making_.end()) {
                theirs = it->second;
                ++waiting_;
            } else {
                making_.emplace(key, mine.get_future().share());
            }
        }
        if (theirs.valid()) {
            struct Waited {
                LruCache& c;
                ~Waited() {
                    std::lock_guard lock(c.mutex_);
                    --c.waiting_;
                }
            } waited{*this};
            return theirs.get();
        }
        try {
            Value v = make();
            const std::optional<std::size_t> bytes = cost(static_cast<const Value&>(v));
            std::lock_guard lock(mutex_);
            if (bytes) store(key, v, *bytes);
            making_.erase(key);
            mine.set_value(v);
            return v;
        } catch (...) {
            std::lock_guard lock(mutex_);
            making_.erase(key);
            mine.set_exception(std::current_exception());
            throw;
        }
    }

    // Threads now waiting in get_or_make() for a value another thread is computing.
    std::size_t waiting() const {
        std::lock_guard lock(mutex_);
        return waiting_;
    }

    void clear() {
        std::lock_guard lock(mutex_);
        index_.clear();
        order_.clear();
        bytes_ = 0;
    }

    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return order_.size();
    }

    std::size_t bytes() const {
        std::lock_guard lock(mutex_);
        return bytes_;
    }

private:
    struct Entry {
        Key key;
        Value value;
        std::size_t bytes;
    };

    void store(const Key& key, Value value, std::size_t bytes) {   // mutex_ held
        if (auto it = index_.find(key); it != index_.end()) {
            bytes_ -= it->second->bytes;
            order_.erase(it->second);
            index_.erase(it);
        }
        order_.push_front(Entry{key, std::move(value), bytes});
        index_.emplace(key, order_.begin());
        bytes_ += bytes;
        while (bytes_ > max_bytes_ && order_.size() > 1) {
            bytes_ -= order_.back().bytes;
            index_.erase(order_.back().key);
            order_.pop_back();
        }
    }

    const std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::list<Entry> order_;   // most recently used first
    std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;
    std::size_t bytes_ = 0;
    std::unordered_map<Key, std::shared_future<Value>, Hash> making_;   // being computed by get_or_make()
    std::size_t waiting_ = 0;
};

}  // namespace gridatlas::server
