// What one client address may hold of the server: connections at once (per address and in all), requests per second
// (a token bucket per address), and the login controls (a back-off per (address, name) and a failure budget per
// address). Plain bookkeeping with the time passed in, so tests drive it without waiting; thread-safe.
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gridatlas::server {

using Clock = std::chrono::steady_clock;

struct ClientLimitOptions {
    int max_connections = 1000;            // open connections in all (idle keep-alive ones are closed to make room)
    int connections_per_address = 32;      // open connections from one address
    double requests_per_second = 100;      // sustained, per address; 0: no limit
    double request_burst = 400;            // a page loading its tiles at once
};

// Requests per second per address: a token bucket of `burst` tokens refilled at `rate` per second.
class RequestRate {
public:
    RequestRate(double rate, double burst) : rate_(rate), burst_(burst) {}
    // 0 when the request may go on, else the whole seconds to wait (≥ 1) for the next token.
    int take(const std::string& address, Clock::time_point now);

private:
    struct Bucket {
        double tokens;
        Clock::time_point last;
    };
    double rate_, burst_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

// Open connections per address and in all.
class ConnectionCount {
public:
    explicit ConnectionCount(const ClientLimitOptions& o) : total_limit_(o.max_connections), per_address_limit_(o.connections_per_address) {}
    enum class Verdict { admitted, address_full, server_full };
    // Counts the connection in when there is room; otherwise counts nothing and says which limit is reached.
    Verdict admit(const std::string& address);
    // Counts it in whatever the limits (after an idle connection was closed to make room for it).
    void force_admit(const std::string& address);
    void release(const std::string& address);
    int total() const;
    int of(const std::string& address) const;

private:
    int total_limit_, per_address_limit_;
    mutable std::mutex mutex_;
    int total_ = 0;
    std::unordered_map<std::string, int> per_address_;
};

struct LoginLimitOptions {
    int failures_per_name = 5;                             // per (address, name) in `window`: then `lock` of back-off
    int failures_per_address = 20;                         // per address, any names, in `window`: then 429 until it ends
    std::chrono::seconds window = std::chrono::minutes(10);
    std::chrono::seconds lock = std::chrono::minutes(1);
};

// Login controls that slow an attacker and never lock the owner out from another address: every count is per address.
class LoginThrottle {
public:
    explicit LoginThrottle(LoginLimitOptions o) : o_(o) {}
    // 0 when a login from `address` for `name` may be checked, else the seconds to wait (≥ 1).
    long long blocked(const std::string& address, const std::string& name, Clock::time_point now);
    void failed(const std::string& address, const std::string& name, Clock::time_point now);
    void succeeded(const std::string& address, const std::string& name);

private:
    struct Count {
        int n = 0;
        Clock::time_point first, locked_until;
    };
    void bump(Count& c, int limit, std::chrono::seconds lock, Clock::time_point now) const;
    LoginLimitOptions o_;
    std::mutex mutex_;
    std::unordered_map<std::string, Count> per_name_, per_address_;
};

}  // namespace gridatlas::server
