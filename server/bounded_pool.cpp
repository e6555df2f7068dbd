// The bounded job pool of bounded_pool.hpp.
#include "bounded_pool.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace gridatlas::server {

BoundedPool::BoundedPool(int threads, std::size_t queue_capacity, int nice) : capacity_(queue_capacity) {
    for (int i = 0; i < std::max(1, threads); ++i)
        threads_.emplace_back([this, nice] {
            if (nice > 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice);   // best effort: only ever lowers
            run();
        });
}

BoundedPool::~BoundedPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
}

bool BoundedPool::try_post(std::function<void()>& job) {
    {
        std::lock_guard lock(mutex_);
        if (jobs_.size() >= capacity_ || stopping_) return false;
        jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
    return true;
}

std::size_t BoundedPool::waiting() const {
    std::lock_guard lock(mutex_);
    return jobs_.size();
}

void BoundedPool::run() {
    while (true) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        job();
    }
}

}  // namespace gridatlas::server
