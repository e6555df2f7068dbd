// Helpers shared by the server tests: raw HTTP over a loopback socket (for requests a client library would refuse to
// send), JSON requests with a session cookie, and the canary values of the fixture roster.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gridatlas::server::test {

// A temporary directory for this test process, removed with everything in it when the tests end.
inline std::filesystem::path temp_root() {
    static const std::filesystem::path root = [] {
        auto p = std::filesystem::temp_directory_path() / ("gridatlas-server-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(p);
        return p;
    }();
    return root;
}
struct TempRootCleanup : ::testing::Environment {
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(std::filesystem::temp_directory_path() / ("gridatlas-server-test-" + std::to_string(::getpid())), ec);
    }
};
inline const bool kTempRootCleanupRegistered = (::testing::AddGlobalTestEnvironment(new TempRootCleanup), true);

// Every personal value of tests/fixtures/tiny/households.csv (names and phones).
inline const std::vector<std::string> kOwnNames = {"秘名甲QZX", "秘名乙QZX", "秘名丙QZX", "秘名己QZX"};   // grid 110101001001
inline const std::vector<std::string> kOtherNames = {"秘名丁QZX", "秘名戊QZX", "秘名癸QZX"};             // grid 110101001002
// Rows placed nowhere (a repeated household id, an unknown building, no building): they reach nobody.
inline const std::vector<std::string> kUnplacedNames = {"秘名壬QZX", "秘名庚QZX", "秘名辛QZX"};

// True when `text` holds any personal value of the fixture (a name or a phone number).
inline bool has_personal(const std::string& text) {
    return text.find("QZX") != std::string::npos || text.find("139000077") != std::string::npos;
}
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Sends `request` as is to 127.0.0.1:port and returns everything the server answers until it closes (or 3 s pass).
inline std::string raw_request(int port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return {};
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    std::size_t sent = 0;
    while (sent < request.size()) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string out;
    char buf[4096];
    while (true) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// The status code of a raw HTTP answer ("HTTP/1.1 404 Not Found" → 404), 0 when there is none.
inline int raw_status(const std::string& answer) {
    if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
    return std::atoi(answer.substr(9, 3).c_str());
}

inline bool port_open(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

struct Answer {
    int status = 0;
    std::string body;
    std::string content_type;
    std::string set_cookie;
    nlohmann::json json() const { return nlohmann::json::parse(body); }
};

// A browser-like client: keeps the session cookie it is given.
class Session {
public:
    explicit Session(int port) : client_("127.0.0.1", port) {
        client_.set_read_timeout(20, 0);
        client_.set_keep_alive(true);
    }
    Answer login(const std::string& name, const std::string& password) {
        const nlohmann::json body = {{"name", name}, {"password", password}};
        auto r = client_.Post("/api/login", body.dump(), "application/json");
        Answer a = to_answer(r);
        if (a.status == 200) {
            const auto start = a.set_cookie.find("gridatlas_session=");
            const auto end = a.set_cookie.find(';', start);
            cookie_ = a.set_cookie.substr(start, end - start);
        }
        return a;
    }
    Answer get(const std::string& path) {
        httplib::Headers h;
        if (!cookie_.empty()) h.emplace("Cookie", cookie_);
        return to_answer(client_.Get(path.c_str(), h));
    }
    Answer post(const std::string& path, const std::string& body, const std::string& type = "application/json") {
        httplib::Headers h;
        if (!cookie_.empty()) h.emplace("Cookie", cookie_);
        return to_answer(client_.Post(path.c_str(), h, body, type.c_str()));
    }
    const std::string& cookie() const { return cookie_; }
    void set_cookie(const std::string& c) { cookie_ = c; }

private:
    static Answer to_answer(const httplib::Result& r) {
        Answer a;
        if (!r) return a;
        a.status = r->status;
        a.body = r->body;
        a.content_type = r->get_header_value("Content-Type");
        a.set_cookie = r->get_header_value("Set-Cookie");
        return a;
    }
    httplib::Client client_;
    std::string cookie_;
};

}  // namespace gridatlas::server::test
