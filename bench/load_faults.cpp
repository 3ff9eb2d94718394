// load: S6 slow consumers and S7 reconnect storm (companion sessions).

#include "load_companion.hpp"
#include "load_http.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cmath>
#include <map>

namespace load {

namespace asio = boost::asio;

namespace {

/// Samples the node's VmRSS every period until stopped.
class rss_sampler {
public:
  rss_sampler(asio::io_context& io, long pid, double period_ms)
    : timer_(io), pid_(pid), period_(std::chrono::microseconds(
                                 static_cast<long long>(period_ms * 1000))) {}

  void start() {
    if (pid_ <= 0)
      return;
    take();
    arm();
  }
  void stop() { timer_.cancel(); stopped_ = true; }
  long take() {
    auto kb = rss_kb(pid_);
    samples_.push_back(kb);
    peak_ = std::max(peak_, kb);
    return kb;
  }
  long peak() const { return peak_; }
  /// At most `points` samples, evenly spaced, as "a,b,c" (MiB with one decimal).
  std::string series(std::size_t points) const {
    std::string out;
    if (samples_.empty())
      return out;
    const std::size_t step = std::max<std::size_t>(1, (samples_.size() + points - 1) / points);
    char buf[32];
    for (std::size_t i = 0; i < samples_.size(); i += step) {
      std::snprintf(buf, sizeof buf, "%s%.1f", out.empty() ? "" : ",", samples_[i] / 1024.0);
      out += buf;
    }
    return out;
  }

private:
  void arm() {
    timer_.expires_after(period_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_)
        return;
      take();
      arm();
    });
  }

  asio::steady_timer timer_;
  long pid_;
  std::chrono::microseconds period_;
  std::vector<long> samples_;
  long peak_ = -1;
  bool stopped_ = false;
};

} // namespace

void scenario_slow(asio::io_context& io, const options& o) {
  companion_fleet f{io, o};
  const std::size_t n = o.sessions;
  std::size_t slow_n = 0;
  // floor((i+1)p) > floor(ip): exactly floor(n·p/100) slow sessions, evenly spread.
  for (std::size_t i = 0; i < n; ++i)
    if (std::floor(static_cast<double>(i + 1) * o.slow_percent / 100.0)
        > std::floor(static_cast<double>(i) * o.slow_percent / 100.0)) {
      f.set_slow(i, o.rcvbuf, o.mss);
      ++slow_n;
    }
  const std::size_t good_n = n - slow_n;
  if (good_n == 0)
    die(1, "--slow-percent leaves no well-behaved session");
  std::size_t sender = 0;
  while (f.slow(sender))
    ++sender;

  // One guild per broadcast in flight, its op 2 frame sized to --payload.
  const long long guild_base = 4242;
  for (std::size_t s = 0; s < o.window; ++s)
    size_op2_frame(o, guild_base + static_cast<long long>(s), o.payload);

  rss_sampler rss{io, o.pid, o.sample_ms};
  asio::steady_timer drain_timer{io};
  std::vector<std::size_t> pending(o.window, 0);
  std::vector<clock_type::time_point> started(o.window);
  std::vector<double> lat;
  std::size_t sent = 0, slow_ended = 0;
  std::map<int, std::size_t> codes;
  long rss_start = -1, rss_after_broadcast = -1;
  clock_type::time_point broadcast_start;
  bool finished = false;

  auto start_round = [&](std::size_t slot) {
    ++sent;
    pending[slot] = good_n;
    started[slot] = clock_type::now();
    f.send_op2(sender, guild_base + static_cast<long long>(slot));
  };
  auto final_report = [&] {
    if (finished)
      return;
    finished = true;
    drain_timer.cancel();
    rss.stop();
    metric("slow_closed_4009_seen", codes.count(4009) ? codes[4009] : 0);
    std::size_t other = 0;
    for (auto& [code, count] : codes)
      if (code != 4009)
        other += count;
    metric("slow_closed_other", other);
    metric("slow_still_open", slow_n - slow_ended);
    std::string detail;
    for (auto& [code, count] : codes)
      detail += (detail.empty() ? "" : ",") + std::to_string(code) + ":" + std::to_string(count);
    metric("slow_close_codes", detail.empty() ? std::string("-") : detail);
    // The node's own count: the close frame may not reach a client that cannot read.
    auto m = http_request(o.port, "GET", "/metrics");
    auto closes = prometheus_value(m.body,
                                   R"(coordinator_closes_total{dialect="companion",code="4009"})");
    // The series appears with the first such close.
    metric("metrics_closes_4009", m.status == 200 && closes < 0 ? 0 : closes);
    metric("metrics_sessions_companion",
           prometheus_value(m.body, R"(coordinator_sessions{dialect="companion"})"));
    if (o.pid > 0) {
      metric("server_rss_start_kb", static_cast<long long>(rss_start));
      metric("server_rss_peak_kb", static_cast<long long>(rss.peak()));
      metric("server_rss_after_broadcast_kb", static_cast<long long>(rss_after_broadcast));
      metric("server_rss_end_kb", static_cast<long long>(rss_kb(o.pid)));
      metric("server_rss_series_mib", rss.series(24));
    }
    if (o.pid > 0)
      metric("server_rss_kb", static_cast<long long>(rss_kb(o.pid)));
    io.stop();
  };
  auto end_broadcast = [&] {
    const auto ms = ms_between(broadcast_start, clock_type::now());
    rss_after_broadcast = rss.take();
    metric("slow_sessions", slow_n);
    metric("good_sessions", good_n);
    metric("broadcast_rounds", o.rounds);
    metric("broadcast_frame_bytes", f.last_op2_bytes);
    metric("broadcast_ms", ms);
    metric("broadcast_frames_per_s", static_cast<double>(o.rounds * good_n) * 1000.0 / ms);
    latency_metrics("fanout", lat);
    if (slow_n == 0)
      return final_report();
    // Let the slow sessions read again: each sees what the node still sends, then its close.
    g_phase = "slow-drain";
    for (std::size_t i = 0; i < n; ++i)
      if (f.slow(i))
        f.client(i).resume_reading();
    drain_timer.expires_after(std::chrono::milliseconds(
      static_cast<long long>(o.drain_seconds * 1000)));
    drain_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec)
        final_report();
    });
  };

  f.on_op2 = [&](std::size_t i, long long g) {
    if (f.slow(i))
      return;
    const auto slot = static_cast<std::size_t>(g - guild_base);
    if (g < guild_base || slot >= o.window || pending[slot] == 0 || --pending[slot] != 0)
      return;
    lat.push_back(ms_between(started[slot], clock_type::now()));
    if (sent < o.rounds)
      start_round(slot);
    else if (lat.size() == o.rounds)
      end_broadcast();
  };
  f.on_close = [&](std::size_t i, int code, const std::string& why) {
    if (!f.slow(i))
      die(1, "well-behaved session " + std::to_string(i) + " closed: " + why);
    ++codes[code];
    if (++slow_ended == slow_n && g_phase.load() == std::string_view{"slow-drain"})
      final_report();
  };

  g_phase = "connect";
  const auto t0 = clock_type::now();
  f.connect_all(n, o.concurrency, [&] {
    const auto total = ms_between(t0, clock_type::now());
    metric("sessions", n);
    metric("connect_total_ms", total);
    f.expect_closes();
    rss.start();
    rss_start = rss.take();
    g_phase = "broadcast";
    broadcast_start = clock_type::now();
    for (std::size_t s = 0; s < o.window && sent < o.rounds; ++s)
      start_round(s);
  });
  io.run();
}

void scenario_storm(asio::io_context& io, const options& o) {
  companion_fleet f{io, o};
  asio::steady_timer pause{io};
  clock_type::time_point dropped;
  double drop_ms = 0, server_cpu0 = 0, client_cpu0 = 0;
  // /proc/net/netstat name → metric name.
  const std::vector<std::pair<std::string, std::string>> counters{
    {"ListenOverflows", "listen_overflows"}, {"TCPSynRetrans", "syn_retransmits"},
    {"TCPReqQFullDrop", "syn_queue_drops"}};
  std::vector<long long> before(counters.size(), 0);
  g_phase = "connect";
  const auto t0 = clock_type::now();
  f.connect_all(o.sessions, o.concurrency, [&] {
    connect_summary(o, t0);
    // A quiet moment, then every connection goes at once and comes straight back.
    pause.expires_after(std::chrono::milliseconds(300));
    pause.async_wait([&](const boost::system::error_code&) {
      g_phase = "storm";
      f.expect_closes();
      f.retry_failed_connects();
      for (std::size_t k = 0; k < counters.size(); ++k)
        before[k] = tcp_ext_counter(counters[k].first);
      server_cpu0 = cpu_seconds(o.pid);
      client_cpu0 = own_cpu_seconds();
      dropped = clock_type::now();
      f.drop_all();
      drop_ms = ms_between(dropped, clock_type::now());
      f.connect_all(o.sessions, o.storm_concurrency, [&] {
        const auto now = clock_type::now();
        std::vector<double> back;
        back.reserve(o.sessions);
        for (auto t : f.ready_at)
          back.push_back(ms_between(dropped, t));
        metric("storm_concurrency",
               o.storm_concurrency == 0 ? o.sessions : o.storm_concurrency);
        metric("storm_drop_ms", drop_ms);
        metric("storm_server_cpu_s", o.pid > 0 ? cpu_seconds(o.pid) - server_cpu0 : -1.0);
        metric("storm_client_cpu_s", own_cpu_seconds() - client_cpu0);
        // Connections the node's accept queue could not take (the kernel drops the SYN or
        // the final ACK and the client retries after 1 s): counters of the whole network
        // namespace, so other loopback traffic counts too.
        for (std::size_t k = 0; k < counters.size(); ++k)
          metric("tcp_" + counters[k].second, tcp_ext_counter(counters[k].first) - before[k]);
        metric("storm_all_back_ms", ms_between(dropped, now));
        metric("storm_retries", f.retries);
        latency_metrics("storm_reconnect", back);
        latency_metrics("storm_handshake", f.handshake_ms);
        auto m = http_request(o.port, "GET", "/metrics");
        metric("metrics_sessions_companion",
               prometheus_value(m.body, R"(coordinator_sessions{dialect="companion"})"));
        if (o.pid > 0)
          metric("server_rss_kb", static_cast<long long>(rss_kb(o.pid)));
        io.stop();
      });
    });
  });
  io.run();
}

} // namespace load
