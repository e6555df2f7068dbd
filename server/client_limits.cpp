// Per-address bookkeeping of the server's limits (client_limits.hpp): token buckets, connection counts, login back-off.
#include "client_limits.hpp"

#include <algorithm>
#include <cmath>

namespace gridatlas::server {

namespace {
// No map here grows without bound: past this many addresses, the entries that no longer restrict anyone are dropped.
constexpr std::size_t kMaxAddresses = 50000;

long long seconds_until(Clock::time_point t, Clock::time_point now) {
    return std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(t - now).count());
}
}  // namespace

int RequestRate::take(const std::string& address, Clock::time_point now) {
    if (rate_ <= 0) return 0;
    std::lock_guard lock(mutex_);
    if (buckets_.size() > kMaxAddresses) {
        // A full bucket restricts nobody: forgetting it changes no answer.
        std::erase_if(buckets_, [&](const auto& kv) {
            return kv.second.tokens + std::chrono::duration<double>(now - kv.second.last).count() * rate_ >= burst_;
        });
    }
    auto [it, fresh] = buckets_.try_emplace(address, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
        b.tokens = std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.last).count() * rate_);
        b.last = now;
    }
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
    }
    return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / rate_)));
}

ConnectionCount::Verdict ConnectionCount::admit(const std::string& address) {
    std::lock_guard lock(mutex_);
    int& mine = per_address_[address];
    if (mine >= per_address_limit_) return Verdict::address_full;
    if (total_ >= total_limit_) return Verdict::server_full;
    ++mine;
    ++total_;
    return Verdict::admitted;
}

void ConnectionCount::force_admit(const std::string& address) {
    std::lock_guard lock(mutex_);
    ++per_address_[address];
    ++total_;
}

void ConnectionCount::release(const std::string& address) {
    std::lock_guard lock(mutex_);
    auto it = per_address_.find(address);
    if (it == per_address_.end()) return;
    --total_;
    if (--it->second <= 0) per_address_.erase(it);
}

int ConnectionCount::total() const {
    std::lock_guard lock(mutex_);
    return total_;
}

int ConnectionCount::of(const std::string& address) const {
    std::lock_guard lock(mutex_);
    auto it = per_address_.find(address);
    return it == per_address_.end() ? 0 : it->second;
}

long long LoginThrottle::blocked(const std::string& address, const std::string& name, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    long long wait = 0;
    if (auto it = per_address_.find(address); it != per_address_.end() && it->second.locked_until > now)
        wait = seconds_until(it->second.locked_until, now);
    if (auto it = per_name_.find(address + '\n' + name); it != per_name_.end() && it->second.locked_until > now)
        wait = std::max(wait, seconds_until(it->second.locked_until, now));
    return wait;
}

void LoginThrottle::bump(Count& c, int limit, std::chrono::seconds lock, Clock::time_point now) const {
    if (c.n == 0 || now - c.first > o_.window) c = {0, now, {}};
    if (++c.n >= limit) {
        c.locked_until = now + lock;
        c.n = 0;
    }
}

void LoginThrottle::failed(const std::string& address, const std::string& name, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (auto* m : {&per_name_, &per_address_})
        if (m->size() > kMaxAddresses) std::erase_if(*m, [&](const auto& kv) { return now - kv.second.first > o_.window && kv.second.locked_until <= now; });
    bump(per_name_[address + '\n' + name], o_.failures_per_name, o_.lock, now);
    // The address's budget: once spent, no login from it is checked until the window it was spent in has passed.
    Count& a = per_address_[address];
    const auto first = (a.n == 0 || now - a.first > o_.window) ? now : a.first;
    bump(a, o_.failures_per_address, std::chrono::duration_cast<std::chrono::seconds>(first + o_.window - now), now);
}

void LoginThrottle::succeeded(const std::string& address, const std::string& name) {
    std::lock_guard lock(mutex_);
    per_name_.erase(address + '\n' + name);
}

}  // namespace gridatlas::server
