// A few threads with a bounded queue, for work that must never occupy the request workers nor pile up without end:
// the Argon2id password checks (64 MiB and tens of milliseconds each). A job offered when the queue is full is
// refused at once, so the caller can answer "busy, retry" instead of waiting.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gridatlas::server {

class BoundedPool {
public:
    // `nice` > 0 lowers the threads' CPU priority (Linux: per thread), so the request workers win the cores when both
    // want them: a login flood then slows logins, never the answers to people already logged in.
    BoundedPool(int threads, std::size_t queue_capacity, int nice = 0);
    ~BoundedPool();   // runs the queued jobs, then joins
    BoundedPool(const BoundedPool&) = delete;
    BoundedPool& operator=(const BoundedPool&) = delete;

    // Queues `job`; false (and `job` untouched) when `queue_capacity` jobs already wait.
    bool try_post(std::function<void()>& job);
    std::size_t waiting() const;

private:
    void run();
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace gridatlas::server
