#pragma once
// load: gateway dialect sessions (/gateway, SPEC.md §4): sharders and commands workers, and
// the EXECUTE_COMMAND driver that measures routing (S4, and S5's background load).

#include "load_options.hpp"
#include "load_stats.hpp"
#include "load_ws.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace load {

/// opt.sharders sharders (sessions 0..S-1) and opt.workers commands sessions (S..S+W-1).
class gateway_fleet : public ws_handler {
public:
  gateway_fleet(boost::asio::io_context& io, const options& o);

  /// Connects every session; each identifies after HELLO (a sharder asks for shard i);
  /// `done` runs once all got IDENTIFIED.
  void connect(std::function<void()> done);

  std::size_t sessions() const { return clients_.size(); }
  std::size_t sharders() const { return opt_.sharders; }
  /// The first shard sharder s holds.
  std::uint32_t shard_of(std::size_t s) const { return shards_[s].front(); }
  /// "0;1|2;..." : each sharder's shards.
  std::string shard_summary() const;

  /// Queues one EXECUTE_COMMAND of opt.payload bytes on sharder s, carrying `seq` in
  /// ids.message (the codec forwards only command, raw and ids).
  void send_command(std::size_t s, std::uint64_t guild, std::uint64_t seq);
  /// Sends op 1 on session i and remembers when, for the ack's latency.
  void heartbeat(std::size_t i);
  void expect_closes() { closes_expected_ = true; }

  /// Heartbeat → HEARTBEAT_ACK latencies, ms.
  std::vector<double> hb_ms;
  std::size_t heartbeat_requests = 0; // op 1 from the node (a heartbeat was late)
  /// A worker (0-based) received a command.
  std::function<void(std::size_t worker, std::uint64_t seq, std::uint64_t guild)> on_command =
    [](std::size_t, std::uint64_t, std::uint64_t) {};

  // ws_handler
  void on_open(ws_client&) override {}
  void on_message(ws_client& c, std::string_view payload) override;
  void on_closed(ws_client& c, int code, const std::string& why) override;

private:
  boost::asio::io_context& io_;
  const options& opt_;
  std::vector<std::shared_ptr<ws_client>> clients_;
  std::vector<std::vector<std::uint32_t>> shards_;
  std::vector<std::deque<clock_type::time_point>> hb_sent_;
  std::size_t identified_ = 0;
  std::function<void()> done_;
  bool closes_expected_ = false;
  std::string scratch_;
};

/// One measured stretch of routing.
struct route_step {
  std::string label;      // the offered rate, or "flood"
  double offered_per_s = 0;
  double seconds = 0;     // first send → last receipt
  std::size_t sent = 0, received = 0;
  std::vector<double> latency_ms; // sharder's send → worker's receipt
  double server_cpu_s = -1, client_cpu_s = 0;
  bool drained = true;    // every command arrived before the drain deadline
};

/// Sends EXECUTE_COMMANDs open loop (a rate) or closed loop (a window) and matches every
/// receipt to its send time by sequence number; also checks the routing contract: one
/// guild's commands reach one worker, in order.
class route_driver {
public:
  route_driver(boost::asio::io_context& io, const options& o, gateway_fleet& f);

  /// `rate` commands/s for `seconds`, then up to `drain_s` for the last ones to arrive.
  void run_rate(double rate, double seconds, double drain_s,
                std::function<void(route_step&)> done);
  /// `window` commands in flight for `seconds`.
  void run_flood(std::size_t window, double seconds, double drain_s,
                 std::function<void(route_step&)> done);
  /// Stops sending now (the step still drains).
  void stop_sending() { total_ = sent_in_step_; }

  std::size_t route_violations = 0; // a guild seen on two workers
  std::size_t order_violations = 0; // a guild's commands out of order
  std::size_t duplicates = 0, late = 0;

private:
  void begin(std::function<void(route_step&)> done, double drain_s);
  void tick();
  void emit(clock_type::time_point now);
  void received(std::size_t worker, std::uint64_t seq, std::uint64_t guild);
  void sending_done();
  void complete(bool drained);

  boost::asio::io_context& io_;
  const options& opt_;
  gateway_fleet& fleet_;
  boost::asio::steady_timer tick_timer_, drain_timer_;
  std::vector<clock_type::time_point> sent_at_;
  std::vector<char> got_;
  std::vector<int> worker_of_;            // per guild index, -1 = none yet
  std::vector<std::uint64_t> last_seq_;   // per guild index
  route_step step_;
  std::function<void(route_step&)> done_;
  std::uint64_t first_seq_ = 0;
  std::size_t total_ = 0, sent_in_step_ = 0, window_ = 0;
  double rate_ = 0, seconds_ = 0, drain_s_ = 0;
  clock_type::time_point start_, last_receipt_;
  double cpu0_ = 0, own0_ = 0;
  bool active_ = false, flood_ = false, sending_ = false;
};

/// S4: the rate ramp (then an optional flood step) over opt.sharders and opt.workers.
void scenario_route(boost::asio::io_context& io, const options& o);
/// S5: companions pinging, gateway sessions heartbeating, broadcasts and routing at once.
void scenario_mixed(boost::asio::io_context& io, const options& o);

/// Prints one step as ROUTE_<label>_... lines.
void print_step(const std::string& prefix, route_step& s);

} // namespace load
