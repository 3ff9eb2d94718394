// load: S5 mixed: every session heartbeating while broadcasts and command routing run.
// Companion sessions have no heartbeat op (SPEC.md §3: liveness is websocket pings), so
// they send websocket pings and time the pong; gateway sessions send op 1 and time op 4.

#include "load_companion.hpp"
#include "load_gateway.hpp"

namespace load {

namespace asio = boost::asio;

void scenario_mixed(asio::io_context& io, const options& o) {
  companion_fleet cf{io, o};
  gateway_fleet gf{io, o};
  route_driver rd{io, o, gf};
  asio::steady_timer ticker{io}, grace{io};
  const std::size_t n = o.sessions;
  constexpr long long bguild = 7000; // broadcast guilds, one per slot in flight
  constexpr std::size_t slots = 8;
  constexpr auto tick = std::chrono::milliseconds(10);
  for (std::size_t s = 0; s < slots; ++s)
    size_op2_frame(o, bguild + static_cast<long long>(s), o.payload);

  std::vector<clock_type::time_point> ping_sent(n);
  std::vector<char> ping_out(n, 0);
  std::vector<double> ping_ms, fanout_ms, lag_ms;
  std::size_t ping_skipped = 0, bcast_sent = 0, bcast_skipped = 0, tick_no = 0;
  std::vector<std::size_t> pending(slots, 0);
  std::vector<clock_type::time_point> bstart(slots);
  clock_type::time_point start;
  double cpu0 = 0, own0 = 0;
  bool ticking = false, route_done = false, finished = false;
  route_step route;

  auto finish = [&] {
    if (finished)
      return;
    finished = true;
    const double wall = std::chrono::duration<double>(clock_type::now() - start).count();
    metric("mixed_companion_sessions", n);
    metric("mixed_gateway_sessions", gf.sessions());
    metric("mixed_seconds", wall);
    latency_metrics("hb_gateway", gf.hb_ms);
    latency_metrics("ping_companion", ping_ms);
    std::vector<double> all = gf.hb_ms;
    all.insert(all.end(), ping_ms.begin(), ping_ms.end());
    latency_metrics("heartbeat_all", all);
    metric("ping_skipped_unanswered", ping_skipped);
    metric("heartbeat_requests", gf.heartbeat_requests);
    metric("broadcasts_sent", bcast_sent);
    metric("broadcasts_skipped_busy", bcast_skipped);
    metric("broadcast_frame_bytes", cf.last_op2_bytes);
    latency_metrics("fanout", fanout_ms);
    latency_metrics("client_loop_lag", lag_ms);
    if (o.route_per_s > 0)
      print_step("mixed_route", route);
    metric("route_violations", rd.route_violations + rd.order_violations);
    if (o.pid > 0) {
      metric("server_cpu_pct", 100.0 * (cpu_seconds(o.pid) - cpu0) / wall);
      metric("server_rss_kb", static_cast<long long>(rss_kb(o.pid)));
    }
    metric("client_cpu_pct", 100.0 * (own_cpu_seconds() - own0) / wall);
    cf.expect_closes();
    gf.expect_closes();
    io.stop();
  };
  auto maybe_finish = [&] {
    if (ticking || !route_done)
      return;
    for (auto p : pending)
      if (p != 0)
        return; // a broadcast is still arriving (the grace timer bounds this)
    finish();
  };

  cf.on_pong_of = [&](std::size_t i) {
    if (!ping_out[i])
      return;
    ping_out[i] = 0;
    ping_ms.push_back(ms_between(ping_sent[i], clock_type::now()));
  };
  cf.on_op2 = [&](std::size_t, long long g) {
    const auto slot = static_cast<std::size_t>(g - bguild);
    if (g < bguild || slot >= slots || pending[slot] == 0 || --pending[slot] != 0)
      return;
    fanout_ms.push_back(ms_between(bstart[slot], clock_type::now()));
    maybe_finish();
  };

  const std::size_t ping_every = std::max<std::size_t>(1, static_cast<std::size_t>(o.ping_ms / 10));
  const std::size_t hb_every = std::max<std::size_t>(1, static_cast<std::size_t>(o.hb_ms / 10));
  std::function<void()> on_tick = [&] {
    const auto now = clock_type::now();
    // How late this tick runs: the client's own io thread was busy (reading a broadcast to
    // 1000 sessions, say). Every client-side latency above includes up to this much.
    lag_ms.push_back(ms_between(ticker.expiry(), now));
    const double elapsed = std::chrono::duration<double>(now - start).count();
    // Each session's ping and heartbeat fall in its own tick of the period: spread evenly.
    for (std::size_t i = tick_no % ping_every; i < n; i += ping_every) {
      if (ping_out[i]) {
        ++ping_skipped;
        continue;
      }
      ping_out[i] = 1;
      ping_sent[i] = now;
      cf.ping(i);
    }
    for (std::size_t j = tick_no % hb_every; j < gf.sessions(); j += hb_every)
      gf.heartbeat(j);
    const auto due = static_cast<std::size_t>(elapsed * o.broadcast_per_s);
    while (bcast_sent + bcast_skipped < due) {
      std::size_t slot = 0;
      while (slot < slots && pending[slot] != 0)
        ++slot;
      if (slot == slots) {
        ++bcast_skipped;
        continue;
      }
      ++bcast_sent;
      pending[slot] = n;
      bstart[slot] = now;
      cf.send_op2(bcast_sent % n, bguild + static_cast<long long>(slot));
    }
    ++tick_no;
    if (elapsed >= o.run_seconds) {
      ticking = false;
      grace.expires_after(std::chrono::seconds(3));
      grace.async_wait([&](const boost::system::error_code& ec) {
        if (!ec)
          finish();
      });
      return maybe_finish();
    }
    ticker.expires_at(ticker.expiry() + tick);
    ticker.async_wait([&](const boost::system::error_code& ec) {
      if (!ec)
        on_tick();
    });
  };

  auto run = [&] {
    g_phase = "mixed";
    start = clock_type::now();
    cpu0 = cpu_seconds(o.pid);
    own0 = own_cpu_seconds();
    ticking = true;
    ticker.expires_at(start);
    on_tick();
    if (o.route_per_s > 0)
      rd.run_rate(o.route_per_s, o.run_seconds, 3.0, [&](route_step& s) {
        route = std::move(s);
        route_done = true;
        maybe_finish();
      });
    else
      route_done = true;
  };

  g_phase = "connect";
  const auto t0 = clock_type::now();
  cf.connect_all(n, o.concurrency, [&] {
    metric("connect_total_ms", ms_between(t0, clock_type::now()));
    g_phase = "gateway-connect";
    gf.connect([&] {
      metric("sharder_shards", gf.shard_summary());
      run();
    });
  });
  io.run();
}

} // namespace load
