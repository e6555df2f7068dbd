// The server-side session store (sessions.hpp): random tokens from libsodium, idle and absolute expiry, logout.
#include "sessions.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace gridatlas::server {

SessionStore::SessionStore(SessionLimits limits, std::function<Clock::time_point()> now) : limits_(limits), now_(std::move(now)) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

bool SessionStore::well_formed(const std::string& token) {
    if (token.size() != 64) return false;
    return std::all_of(token.begin(), token.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string SessionStore::key_of(const std::string& token) {
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
    return std::string(reinterpret_cast<const char*>(h), sizeof h);
}

bool SessionStore::expired(const Entry& e, Clock::time_point now) const {
    return now - e.last_seen >= limits_.idle || now - e.created >= limits_.absolute;
}

void SessionStore::prune_locked(Clock::time_point now) {
    for (auto it = sessions_.begin(); it != sessions_.end();)
        it = expired(it->second, now) ? sessions_.erase(it) : std::next(it);
    while (sessions_.size() >= limits_.max_sessions && !sessions_.empty()) {
        auto oldest = std::min_element(sessions_.begin(), sessions_.end(),
                                       [](const auto& a, const auto& b) { return a.second.created < b.second.created; });
        sessions_.erase(oldest);
    }
}

std::string SessionStore::create(const std::string& user) {
    unsigned char raw[32];   // 256 bits
    randombytes_buf(raw, sizeof raw);
    char hex[2 * sizeof raw + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    std::string token(hex, 2 * sizeof raw);
    sodium_memzero(hex, sizeof hex);
    const auto now = now_();
    std::lock_guard lock(mutex_);
    if (++creates_since_prune_ >= 64 || sessions_.size() >= limits_.max_sessions) {
        prune_locked(now);
        creates_since_prune_ = 0;
    }
    sessions_[key_of(token)] = Entry{user, now, now};
    return token;
}

std::optional<std::string> SessionStore::touch(const std::string& token) {
    if (!well_formed(token)) return std::nullopt;
    const std::string key = key_of(token);
    const auto now = now_();
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return std::nullopt;
    if (expired(it->second, now)) {
        sessions_.erase(it);
        return std::nullopt;
    }
    it->second.last_seen = now;
    return it->second.user;
}

void SessionStore::remove(const std::string& token) {
    if (!well_formed(token)) return;
    const std::string key = key_of(token);
    std::lock_guard lock(mutex_);
    sessions_.erase(key);
}

std::size_t SessionStore::remove_user(const std::string& user) {
    std::lock_guard lock(mutex_);
    return std::erase_if(sessions_, [&](const auto& kv) { return kv.second.user == user; });
}

std::size_t SessionStore::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

}  // namespace gridatlas::server
