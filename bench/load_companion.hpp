#pragma once
// load: a fleet of companion sessions (/companion, SPEC.md §3) sharing one handler.

#include "load_options.hpp"
#include "load_stats.hpp"
#include "load_ws.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace load {

class companion_fleet : public ws_handler {
public:
  companion_fleet(boost::asio::io_context& io, const options& o);

  /// Connects sessions 0..n-1 (replacing any old ones) with at most `concurrency` handshakes
  /// in flight; `done` runs once every one has its op 1 reply.
  void connect_all(std::size_t n, std::size_t concurrency, std::function<void()> done);

  /// Marks session i slow before it connects: small SO_RCVBUF and MSS, no reading after op 1.
  void set_slow(std::size_t i, int rcvbuf, int mss);
  bool slow(std::size_t i) const { return i < slow_.size() && slow_[i]; }

  void send_op2(std::size_t i, long long guild);
  void ping(std::size_t i) { clients_[i]->send_ping(); }
  ws_client& client(std::size_t i) { return *clients_[i]; }
  std::size_t size() const { return clients_.size(); }
  /// Closes every socket without a close frame.
  void drop_all();
  /// From now on closes are expected (finish, storm): they go to on_close, not die().
  void expect_closes() { closes_expected_ = true; }
  /// A connect_all attempt that fails is retried after 20 ms (counted in `retries`).
  void retry_failed_connects() { retry_connects_ = true; }

  /// Handshake times (connect start → op 1 reply) of the last connect_all, in ms.
  std::vector<double> handshake_ms;
  /// When each session of the last connect_all got its op 1 reply.
  std::vector<clock_type::time_point> ready_at;
  std::size_t retries = 0;
  /// Bytes of the last op 2 frame received.
  std::size_t last_op2_bytes = 0;

  std::function<void(std::size_t, long long guild)> on_op2 = [](std::size_t, long long) {};
  std::function<void(std::size_t)> on_pong_of = [](std::size_t) {};
  std::function<void(std::size_t, int code, const std::string&)> on_close =
    [](std::size_t, int, const std::string&) {};

  // ws_handler
  void on_open(ws_client& c) override;
  void on_message(ws_client& c, std::string_view payload) override;
  void on_pong(ws_client& c) override { on_pong_of(c.index()); }
  void on_closed(ws_client& c, int code, const std::string& why) override;

private:
  void launch(std::size_t i);
  void launch_more();

  boost::asio::io_context& io_;
  const options& opt_;
  std::string op1_;
  std::vector<std::shared_ptr<ws_client>> clients_;
  std::vector<char> handshaken_;
  std::vector<char> slow_;
  std::vector<int> rcvbuf_, mss_;
  std::size_t target_ = 0, next_ = 0, in_flight_ = 0, ready_ = 0, concurrency_ = 1;
  std::function<void()> done_;
  bool connecting_ = false;
  bool closes_expected_ = false;
  bool retry_connects_ = false;
  bool launch_posted_ = false;
};

/// Prints what the connect phase took: sessions, connect_total_ms, handshakes_per_s and the
/// server's RSS after it (--pid); `t0` is when the first connect started.
void connect_summary(const options& o, clock_type::time_point t0);

/// S1..S3, S6 and S7: each runs on `io` and prints its metrics; `finish` ends the run.
void scenario_connect(boost::asio::io_context& io, const options& o);
void scenario_fanout(boost::asio::io_context& io, const options& o);
void scenario_burst(boost::asio::io_context& io, const options& o);
void scenario_slow(boost::asio::io_context& io, const options& o);
void scenario_storm(boost::asio::io_context& io, const options& o);

/// Sets guild `guild`'s prefix through the admin API so its op 2 frame is `bytes` long;
/// false (and a note on stderr) without an admin token or when the node refuses.
bool size_op2_frame(const options& o, long long guild, std::size_t bytes);

} // namespace load
