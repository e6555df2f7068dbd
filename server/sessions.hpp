// Server-side sessions: a random 256-bit token (libsodium's randombytes_buf, sent as 64 hex characters in an
// HttpOnly, SameSite=Strict cookie) maps to a user name. A session ends when it has been idle too long, when it is
// older than the absolute limit, on logout, or when the server stops (nothing is stored on disk). The store keeps
// only a BLAKE2b hash of each token, so neither a memory dump nor a timing difference in the lookup gives a token
// away. Thread-safe.
#pragma once
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace gridatlas::server {

struct SessionLimits {
    std::chrono::seconds idle{30 * 60};          // ends after this long without a request
    std::chrono::seconds absolute{8 * 60 * 60};  // ends this long after login, whatever happens
    std::size_t max_sessions = 10000;            // the oldest are dropped beyond this
};

class SessionStore {
public:
    using Clock = std::chrono::steady_clock;
    explicit SessionStore(SessionLimits limits = {}, std::function<Clock::time_point()> now = Clock::now);

    // A new session for `user`; returns its token (64 lowercase hex characters).
    std::string create(const std::string& user);
    // The user of a live session, refreshing its idle time; nullopt for an unknown, malformed or expired token
    // (an expired one is removed).
    std::optional<std::string> touch(const std::string& token);
    void remove(const std::string& token);
    std::size_t remove_user(const std::string& user);
    std::size_t size() const;
    const SessionLimits& limits() const { return limits_; }

    // True when `token` has the shape of a token (64 hex characters): anything else is rejected unhashed.
    static bool well_formed(const std::string& token);

private:
    struct Entry {
        std::string user;
        Clock::time_point created, last_seen;
    };
    static std::string key_of(const std::string& token);
    bool expired(const Entry& e, Clock::time_point now) const;
    void prune_locked(Clock::time_point now);

    SessionLimits limits_;
    std::function<Clock::time_point()> now_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> sessions_;   // key: BLAKE2b-256 of the token (raw bytes)
    std::size_t creates_since_prune_ = 0;
};

}  // namespace gridatlas::server
