#pragma once
// A coord::net::server with test hooks: every upgrade is recorded and gets a test_sink,
// which echoes frames and obeys a few commands; on_http echoes the target.

#include "metrics/registry.hpp"
#include "net/server.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace coord::net::testing {

using namespace std::chrono_literals;

/// Polls `pred` every 2 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// A close code as a printable value: -1 for none.
inline int code_of(std::optional<std::uint16_t> code) { return code ? *code : -1; }

/// What the hooks saw, shared by every sink of one server.
struct recorder {
  std::mutex mtx;
  std::vector<upgrade_request> opens;
  std::vector<std::shared_ptr<connection>> connections;
  std::vector<std::uint16_t> closes;
  std::vector<std::string> http_targets;
  std::atomic<int> pongs{0};
  std::atomic<std::size_t> max_queued{0};

  std::size_t close_count() {
    std::lock_guard lock(mtx);
    return closes.size();
  }
  std::vector<std::uint16_t> closes_seen() {
    std::lock_guard lock(mtx);
    return closes;
  }
  std::shared_ptr<connection> connection_at(std::size_t i) {
    std::lock_guard lock(mtx);
    return i < connections.size() ? connections[i] : nullptr;
  }
};

/// Echoes every frame, except these text commands:
/// "more" sends one 16 KiB frame; "flood" sends 64 frames of 16 KiB at once;
/// "close:<code>:<reason>" sends "bye" then closes with code and reason.
class test_sink : public session_sink {
public:
  test_sink(std::weak_ptr<connection> conn, std::shared_ptr<recorder> rec)
    : conn_(std::move(conn)), rec_(std::move(rec)) {}

  void on_frame(std::string data, bool binary) override {
    auto conn = conn_.lock();
    if (!conn)
      return;
    if (!binary && data == "more")
      return send(*conn, std::string(16 * 1024, 'm'));
    if (!binary && data == "flood") {
      for (int i = 0; i < 64; ++i)
        send(*conn, std::string(16 * 1024, 'f'));
      return;
    }
    if (!binary && data.rfind("close:", 0) == 0) {
      const auto colon = data.find(':', 6);
      send(*conn, "bye");
      conn->close(static_cast<std::uint16_t>(std::stoi(data.substr(6, colon - 6))),
                  data.substr(colon + 1));
      return;
    }
    send(*conn, std::move(data), binary);
  }

  void on_pong() override { ++rec_->pongs; }

  void on_closed(std::uint16_t code) override {
    std::lock_guard lock(rec_->mtx);
    rec_->closes.push_back(code);
  }

private:
  void send(connection& conn, std::string data, bool binary = false) {
    conn.send(make_buffer(std::move(data)), binary);
    // Right after a send is when the queue is fullest.
    const auto q = conn.queued_bytes();
    auto seen = rec_->max_queued.load();
    while (q > seen && !rec_->max_queued.compare_exchange_weak(seen, q)) {
    }
  }

  std::weak_ptr<connection> conn_;
  std::shared_ptr<recorder> rec_;
};

/// Options for a test server: port 0, small limits so the tests run fast.
inline server_options test_options() {
  server_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 1;
  o.max_frame_bytes = 64 * 1024;
  o.outbound_queue_bytes = 64 * 1024;
  o.max_body_bytes = 1024;
  o.max_sessions = 100;
  o.handshake_timeout = 2s;
  o.close_timeout = 2s;
  return o;
}

/// A started server whose hooks feed `rec`. Upgrades whose target contains "refuse" get no
/// sink; on_http answers 200 with the target, except "/drop" (never answered) and "/slow"
/// (answered from another thread).
struct test_server {
  explicit test_server(server_options opts = test_options())
    : srv(with_port0(std::move(opts)), hooks(rec), metrics) {
    srv.start();
  }
  ~test_server() { srv.stop(); }

  std::uint16_t port() const { return srv.local_port(); }

  static server_options with_port0(server_options o) {
    o.port = 0;
    return o;
  }

  static server_hooks hooks(std::shared_ptr<recorder> rec) {
    server_hooks h;
    h.on_open = [rec](std::shared_ptr<connection> conn,
                      const upgrade_request& req) -> std::shared_ptr<session_sink> {
      {
        std::lock_guard lock(rec->mtx);
        rec->opens.push_back(req);
        rec->connections.push_back(conn);
      }
      if (req.target.find("refuse") != std::string::npos)
        return nullptr;
      return std::make_shared<test_sink>(conn, rec);
    };
    h.on_http = [rec](http_request req, std::shared_ptr<http_responder> responder) {
      {
        std::lock_guard lock(rec->mtx);
        rec->http_targets.push_back(req.target);
      }
      if (req.target == "/drop")
        return; // the responder dies unanswered
      if (req.target == "/slow") {
        std::thread([responder] { responder->respond({202, "later", "text/plain"}); }).detach();
        return;
      }
      responder->respond({200, req.method + " " + req.target + " " + req.body, "text/plain"});
    };
    return h;
  }

  metrics::registry metrics;
  std::shared_ptr<recorder> rec = std::make_shared<recorder>();
  server srv;
};

} // namespace coord::net::testing
