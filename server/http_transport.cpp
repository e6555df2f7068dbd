// The event-driven HTTP/1.1 transport (http_transport.hpp): Boost.Beast connections on an Asio io_context, handlers on
// a worker pool, per-address limits from client_limits.hpp.
#include "http_transport.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <csignal>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

namespace gridatlas::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A fixed answer written straight to a socket the server will not read from (a refused connection).
void refuse(tcp::socket& socket, int status, const std::vector<std::pair<std::string, std::string>>& headers) {
    const std::string body = status == 429 ? R"({"error":"连接过多，请稍后再试","status":429})" : R"({"error":"服务暂不可用","status":503})";
    std::string head = "HTTP/1.1 " + std::to_string(status) + (status == 429 ? " Too Many Requests" : " Service Unavailable") +
                       "\r\nRetry-After: 1\r\nConnection: close\r\nCache-Control: no-store\r\nContent-Type: application/json; charset=utf-8\r\n";
    for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    beast::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(net::buffer(head), ec);   // a fresh socket's send buffer takes it whole, or the client is gone
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

}  // namespace

std::string url_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += (plus_is_space && s[i] == '+') ? ' ' : s[i];
        }
    }
    return out;
}

std::string HttpRequest::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return {};
}

std::vector<std::string> HttpRequest::header_values(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) out.push_back(v);
    return out;
}

std::string HttpRequest::param(std::string_view name) const {
    std::string_view q = query;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view part = q.substr(0, amp);
        const auto eq = part.find('=');
        if (url_decode(part.substr(0, eq), true) == name) return eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1), true);
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
    return {};
}

class Connection;

// Owned by HttpTransport; connections point to it without owning it: stop() ends every handler that could use it, and
// the io_context (destroyed first, with the connections its handlers hold) is its last member.
struct HttpTransport::Impl {
    TransportOptions o;
    HttpHandler handler;
    ConnectionCount count;
    RequestRate rate;
    std::mutex idle_mutex;
    std::map<std::uint64_t, std::pair<std::string, std::weak_ptr<Connection>>> idle;   // by age (id)
    std::atomic<std::uint64_t> next_id{0};
    std::atomic<int> busy{0};            // requests handed to a handler whose answer is not yet written
    std::atomic<bool> stopping{false}, started{false};
    std::atomic<int> port{0};
    std::atomic<long long> refused{0};
    std::atomic<long long> last_refusal_note{0};
    net::thread_pool workers;
    net::io_context ioc;                 // after the members connections use: destroyed (with them) first
    tcp::acceptor acceptor;
    std::vector<std::thread> io_threads;

    Impl(TransportOptions opt, HttpHandler h)
        : o(std::move(opt)), handler(std::move(h)), count(o.limits), rate(o.limits.requests_per_second, o.limits.request_burst),
          workers(static_cast<std::size_t>(std::max(1, o.workers))), acceptor(net::make_strand(ioc)) {}

    void accept();
    void admit(tcp::socket socket);
    std::shared_ptr<Connection> take_idle(const std::string* address);
    void note_refusal(const std::string& address, const char* why);
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(HttpTransport::Impl* t, tcp::socket socket, std::string address)
        : t_(t), stream_(std::move(socket)), address_(std::move(address)), id_(t_->next_id++) {}
    ~Connection() {
        set_idle(false);
        t_->count.release(address_);
    }
    void begin() { net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); }); }
    // Closes the connection if it is still idle (another client needs the room).
    void evict() {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->idle_) self->close();
        });
    }

private:
    void set_idle(bool idle) {
        if (idle == idle_) return;
        idle_ = idle;
        std::lock_guard lock(t_->idle_mutex);
        if (idle) t_->idle.emplace(id_, std::make_pair(address_, weak_from_this()));
        else t_->idle.erase(id_);
    }

    void close() {
        set_idle(false);
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

    // Waits for the first byte of the next request: the connection is idle (and may be closed for another) meanwhile.
    void wait_for_request() {
        if (t_->stopping) return close();
        if (buffer_.size() > 0) return read_header();
        set_idle(true);
        stream_.expires_after(t_->o.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->set_idle(false);
            if (ec) return self->close();
            self->buffer_.commit(n);
            self->read_header();
        });
    }

    void read_header() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(t_->o.max_header_bytes));
        parser_->body_limit(t_->o.max_body_bytes);
        start_ = std::chrono::steady_clock::now();
        stream_.expires_after(t_->o.header_timeout);
        http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->read_failed(ec);
            self->stream_.expires_after(self->t_->o.body_timeout);
            http::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec2, std::size_t) {
                if (ec2) return self->read_failed(ec2);
                self->got_request();
            });
        });
    }

    void read_failed(beast::error_code ec) {
        int status = 0;
        if (ec == http::error::body_limit) status = 413;
        else if (ec == http::error::header_limit) status = 431;
        else if (ec != beast::error::timeout && ec != http::error::end_of_stream && ec != net::error::eof &&
                 ec != net::error::operation_aborted && ec != net::error::connection_reset && ec.category() == http::make_error_code(http::error::end_of_stream).category())
            status = 400;   // a malformed request (Beast's parse errors)
        if (!status) return close();
        HttpResponse r;
        r.status = status;
        r.content_type = "application/json; charset=utf-8";
        r.body = status == 413 ? R"({"error":"请求内容过大","status":413})" : status == 431 ? R"({"error":"请求头过大","status":431})"
                                                                                       : R"({"error":"请求无效","status":400})";
        method_ = "?";
        linger_ = true;
        write(std::move(r), false);
    }

    // After an answer to a request not read whole (413): stop sending, then read and drop what the client still sends
    // for a moment, so closing does not reset the connection before the client has read the answer.
    void linger_close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(std::chrono::seconds(2));
        drained_ = 0;
        drain();
    }
    void drain() {
        buffer_.clear();
        stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->drained_ += n;
            if (ec || self->drained_ > (4u << 20)) return self->close();
            self->drain();
        });
    }

    void got_request() {
        auto& m = parser_->get();
        method_ = std::string(m.method_string());
        const bool keep_alive = m.keep_alive();
        if (t_->stopping) return close();
        HttpResponse limited;
        if (const int wait = t_->rate.take(address_, std::chrono::steady_clock::now())) {
            limited.status = 429;
            limited.content_type = "application/json; charset=utf-8";
            limited.body = R"({"error":"请求过于频繁，请稍后再试","status":429})";
            limited.set_header("Retry-After", std::to_string(wait));
            return write(std::move(limited), keep_alive);
        }
        HttpRequest req = to_request(m);
        stream_.expires_never();
        ++t_->busy;
        net::post(t_->workers, [self = shared_from_this(), req = std::move(req), keep_alive]() mutable {
            Responder answer = [self, keep_alive](HttpResponse r) {
                self->note_answer(r);   // here, on the answering thread: logging never holds the I/O thread
                net::post(self->stream_.get_executor(), [self, keep_alive, r = std::move(r)]() mutable {
                    self->write(std::move(r), keep_alive, false);
                    --self->t_->busy;
                });
            };
            try {
                self->t_->handler(std::move(req), answer);
            } catch (...) {
                HttpResponse r;
                r.status = 500;
                answer(std::move(r));
            }
        });
    }

    HttpRequest to_request(http::request<http::string_body>& m) {
        HttpRequest r;
        r.method = std::string(m.method_string());
        const std::string_view target(m.target().data(), m.target().size());
        const auto q = target.find('?');
        r.path = url_decode(target.substr(0, q), false);
        if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
        r.body = std::move(m.body());
        r.remote_addr = address_;
        for (const auto& f : m) {
            std::string name(f.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            r.headers.emplace_back(std::move(name), std::string(f.value()));
        }
        return r;
    }

    void note_answer(const HttpResponse& r) const {
        if (!t_->o.on_answer) return;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
        t_->o.on_answer(address_, method_, r, r.body_size(), ms);
    }

    // On the I/O thread. `note`: log it here (the transport's own answers; a handler's was noted when it answered).
    void write(HttpResponse r, bool keep_alive, bool note = true) {
        if (note) note_answer(r);
        keep_alive = keep_alive && !t_->stopping;
        // The body is shared, not copied: a kept answer goes out from the cache's own string, held until written.
        auto body = r.shared_body ? std::move(r.shared_body) : std::make_shared<const std::string>(std::move(r.body));
        auto res = std::make_shared<http::response<http::span_body<const char>>>(static_cast<http::status>(r.status), 11);
        for (const auto& [k, v] : t_->o.default_headers) res->set(k, v);
        for (const auto& [k, v] : r.headers) res->insert(k, v);
        res->set(http::field::content_type, r.content_type);
        res->body() = http::span_body<const char>::value_type(body->data(), body->size());
        res->keep_alive(keep_alive);
        res->prepare_payload();
        stream_.expires_after(t_->o.write_timeout);
        http::async_write(stream_, *res, [self = shared_from_this(), res, body, keep_alive](beast::error_code ec, std::size_t) {
            if (!ec && self->linger_) return self->linger_close();
            if (ec || !keep_alive) return self->close();
            self->wait_for_request();
        });
    }

    HttpTransport::Impl* t_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string address_;
    std::string method_ = "?";
    std::uint64_t id_;
    bool idle_ = false;
    bool linger_ = false;
    std::size_t drained_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

void HttpTransport::Impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [self = this](beast::error_code ec, tcp::socket socket) {
        if (!self->acceptor.is_open()) return;
        if (!ec) self->admit(std::move(socket));
        self->accept();   // an accept error (out of descriptors) skips that client, never the listener
    });
}

std::shared_ptr<Connection> HttpTransport::Impl::take_idle(const std::string* address) {
    std::lock_guard lock(idle_mutex);
    for (auto it = idle.begin(); it != idle.end(); ++it) {
        if (address && it->second.first != *address) continue;
        auto c = it->second.second.lock();
        if (!c) continue;   // ending: its destructor removes it
        idle.erase(it);
        return c;
    }
    return nullptr;
}

void HttpTransport::Impl::note_refusal(const std::string& address, const char* why) {
    const long long n = ++refused;
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    long long last = last_refusal_note;
    if (now - last < 10 || !last_refusal_note.compare_exchange_strong(last, now)) return;   // one note per 10 s at most
    if (o.log) o.log("connections refused: " + std::to_string(n) + " so far; the latest from " + address + " (" + why + ")");
}

void HttpTransport::Impl::admit(tcp::socket socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    if (ec) return;
    std::string address = endpoint.address().to_string();
    if (stopping) return;
    const auto verdict = count.admit(address);
    if (verdict != ConnectionCount::Verdict::admitted) {
        const bool mine = verdict == ConnectionCount::Verdict::address_full;
        auto victim = take_idle(mine ? &address : nullptr);
        if (!victim) {
            note_refusal(address, mine ? "its address's connection limit" : "the server's connection limit");
            return refuse(socket, mine ? 429 : 503, o.default_headers);
        }
        victim->evict();
        count.force_admit(address);
    }
    socket.set_option(tcp::no_delay(true), ec);   // small answers: never wait for a delayed ACK
    std::make_shared<Connection>(this, std::move(socket), std::move(address))->begin();
}

HttpTransport::HttpTransport(TransportOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {
    // A client gone mid-answer must not end the process (Asio sends with MSG_NOSIGNAL; this covers every other write,
    // as cpp-httplib's server did).
    ::signal(SIGPIPE, SIG_IGN);
}

HttpTransport::~HttpTransport() { stop(); }

int HttpTransport::start() {
    Impl& t = *impl_;
    if (t.started) return t.port;
    beast::error_code ec;
    tcp::resolver resolver(t.ioc);
    const auto found = resolver.resolve(t.o.host, std::to_string(t.o.port), ec);
    const std::string where = t.o.host + ":" + std::to_string(t.o.port);
    if (ec || found.empty()) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
    const tcp::endpoint endpoint = found.begin()->endpoint();
    t.acceptor.open(endpoint.protocol(), ec);
    if (!ec) t.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) t.acceptor.bind(endpoint, ec);
    if (!ec) t.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + " (in use, or not an address of this machine): " + ec.message());
    t.port = t.acceptor.local_endpoint().port();
    t.started = true;
    t.accept();
    for (int i = 0; i < std::max(1, t.o.io_threads); ++i) t.io_threads.emplace_back([&t] { t.ioc.run(); });
    return t.port;
}

void HttpTransport::stop() {
    Impl& t = *impl_;
    if (!t.started || t.stopping.exchange(true)) return;
    net::post(t.acceptor.get_executor(), [&t] {
        beast::error_code ec;
        t.acceptor.close(ec);
    });
    t.workers.join();   // handlers running finish; connections hand no new ones (stopping)
    for (int i = 0; i < 1000 && t.busy > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    t.ioc.stop();
    for (auto& th : t.io_threads) th.join();
    t.io_threads.clear();
}

bool HttpTransport::running() const { return impl_->started && !impl_->stopping; }
int HttpTransport::port() const { return impl_->port; }
int HttpTransport::open_connections() const { return impl_->count.total(); }
int HttpTransport::open_connections(const std::string& address) const { return impl_->count.of(address); }

}  // namespace gridatlas::server
