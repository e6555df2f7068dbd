// The HTTP/1.1 transport of `gridatlas serve`: event-driven on Boost.Beast/Asio, so a connection costs a socket and a
// buffer, never a thread. Slow, idle and flooding clients therefore cannot hold the request workers:
//   - a request's header must arrive within header_timeout and its body within body_timeout of that (total, however
//     slowly the bytes trickle); a keep-alive connection with no request for idle_timeout is closed;
//   - connections are counted per address and in all; at a limit, an idle keep-alive connection (of that address
//     first) is closed to make room, else the new one gets 429 (its address's limit) or 503 (the server's) and is closed;
//   - requests per second are limited per address (a token bucket): over it, 429 with Retry-After;
//   - complete requests are handled on a pool of worker threads; the handler answers through a Responder, from any
//     thread, so slow work (password checks) can run elsewhere without holding a worker.
// Measured on the sample (README, scripts/load_stall.py): see the README's server section for the figures.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client_limits.hpp"

namespace gridatlas::server {

class Connection;

struct HttpRequest {
    std::string method;                                        // as sent ("GET")
    std::string path;                                          // percent-decoded, without the query
    std::string query;                                         // as sent, without '?'
    std::string body;
    std::string remote_addr;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, in order
    std::string header(std::string_view name) const;           // the first value of `name` (any case), "" if none
    std::vector<std::string> header_values(std::string_view name) const;
    std::string param(std::string_view name) const;            // the first query parameter `name`, decoded; "" if none
};

struct HttpResponse {
    int status = 200;
    std::string body;
    std::shared_ptr<const std::string> shared_body;   // when set, sent instead of `body` (a kept answer, not copied)
    std::string content_type = "text/plain; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;
    // For the request log: the user and the path as the handler allows them to be logged.
    std::string log_user = "-", log_path = "?";
    void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
    std::size_t body_size() const { return shared_body ? shared_body->size() : body.size(); }
    bool has_body() const { return shared_body ? !shared_body->empty() : !body.empty(); }
};

using Responder = std::function<void(HttpResponse)>;                   // call exactly once, from any thread
using HttpHandler = std::function<void(HttpRequest&&, Responder)>;     // runs on a worker thread

struct TransportOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                                             // 0: any free port
    int io_threads = 1;                                          // sockets (never block)
    int workers = 8;                                             // handlers
    std::size_t max_body_bytes = 16 * 1024;                      // larger: 413
    std::size_t max_header_bytes = 16 * 1024;                    // request line and headers; larger: 431
    std::chrono::milliseconds header_timeout{10000};
    std::chrono::milliseconds body_timeout{10000};
    std::chrono::milliseconds idle_timeout{5000};                // keep-alive with nothing asked
    std::chrono::milliseconds write_timeout{10000};
    ClientLimitOptions limits;
    std::vector<std::pair<std::string, std::string>> default_headers;   // on every answer
    // Every answer (handler's or the transport's own 4xx): the log line's source, with the body's size and the time
    // since the request was read. Called on the thread that answers (a handler's answer: never the I/O thread).
    std::function<void(const std::string& remote_addr, const std::string& method, const HttpResponse&, std::size_t body_bytes, double ms)>
        on_answer;
    std::function<void(const std::string&)> log;                 // the transport's own notes (refused connections)
};

class HttpTransport {
public:
    HttpTransport(TransportOptions options, HttpHandler handler);
    ~HttpTransport();   // stops
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    // Binds, starts the threads, returns the port. Throws std::runtime_error when the address cannot be bound.
    int start();
    // Stops accepting, lets the handlers running finish and their answers go out (up to a second), closes the rest.
    void stop();
    bool running() const;
    int port() const;
    int open_connections() const;
    int open_connections(const std::string& address) const;

private:
    friend class Connection;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "%41+b" → "A b" (plus as space when `plus_is_space`); a malformed escape is kept as is.
std::string url_decode(std::string_view s, bool plus_is_space);

}  // namespace gridatlas::server
