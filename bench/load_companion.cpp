#include "load_companion.hpp"

#include "load_http.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unordered_map>

namespace load {

namespace asio = boost::asio;

companion_fleet::companion_fleet(asio::io_context& io, const options& o)
  : io_(io), opt_(o), op1_(R"({"op":1,"key":")" + o.key + R"(","guildIds":[1]})") {}

void companion_fleet::set_slow(std::size_t i, int rcvbuf, int mss) {
  if (slow_.size() <= i) {
    slow_.resize(i + 1, 0);
    rcvbuf_.resize(i + 1, 0);
    mss_.resize(i + 1, 0);
  }
  slow_[i] = 1;
  rcvbuf_[i] = rcvbuf;
  mss_[i] = mss;
}

void companion_fleet::connect_all(std::size_t n, std::size_t concurrency,
                                  std::function<void()> done) {
  clients_.assign(n, nullptr);
  handshaken_.assign(n, 0);
  handshake_ms.clear();
  handshake_ms.reserve(n);
  ready_at.assign(n, {});
  target_ = n;
  next_ = in_flight_ = ready_ = 0;
  concurrency_ = concurrency == 0 ? n : concurrency;
  done_ = std::move(done);
  connecting_ = true;
  launch_more();
}

void companion_fleet::launch(std::size_t i) {
  clients_[i] = std::make_shared<ws_client>(io_, *this, i);
  if (i < slow_.size() && slow_[i])
    clients_[i]->connect(opt_.port, "/companion", rcvbuf_[i], 4096, mss_[i]);
  else
    clients_[i]->connect(opt_.port, "/companion");
}

void companion_fleet::launch_more() {
  // At most 256 connects per io-loop turn: with thousands allowed in flight, the sessions
  // already connected get their upgrade and op 1 through while the rest are still starting.
  for (int k = 0; k < 256 && in_flight_ < concurrency_ && next_ < target_; ++k) {
    ++in_flight_;
    launch(next_++);
  }
  if (in_flight_ < concurrency_ && next_ < target_ && !launch_posted_) {
    launch_posted_ = true;
    asio::post(io_, [this] {
      launch_posted_ = false;
      if (connecting_)
        launch_more();
    });
  }
}

void companion_fleet::send_op2(std::size_t i, long long guild) {
  clients_[i]->send_text(R"({"op":2,"key":")" + opt_.key + R"(","guildId":)"
                         + std::to_string(guild) + "}");
}

void companion_fleet::drop_all() {
  for (auto& c : clients_)
    if (c)
      c->drop();
}

void companion_fleet::on_open(ws_client& c) { c.send_text(op1_); }

void companion_fleet::on_message(ws_client& c, std::string_view text) {
  const auto i = c.index();
  const auto op = json_int(text, "\"op\":");
  if (!handshaken_[i]) {
    if (op != 1)
      return;
    handshaken_[i] = 1;
    const auto now = clock_type::now();
    ready_at[i] = now;
    handshake_ms.push_back(ms_between(c.started, now));
    if (slow(i))
      c.pause_reading();
    --in_flight_;
    if (++ready_ == target_ && connecting_) {
      connecting_ = false;
      auto cb = std::move(done_);
      cb();
      return;
    }
    launch_more();
    return;
  }
  if (op == 2) {
    last_op2_bytes = text.size();
    on_op2(i, json_int(text, "\"guildId\":"));
  }
}

void companion_fleet::on_closed(ws_client& c, int code, const std::string& why) {
  const auto i = c.index();
  if (clients_[i].get() != &c)
    return; // an older generation (storm) ending late
  if (connecting_ && !handshaken_[i] && retry_connects_) {
    // A storm attempt refused (e.g. 503 while old sessions still hold slots): retry soon.
    ++retries;
    auto t = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(20));
    t->async_wait([this, t, i](const boost::system::error_code&) { launch(i); });
    return;
  }
  if (closes_expected_)
    return on_close(i, code, why);
  die(1, "session " + std::to_string(i) + " failed in phase " + g_phase.load() + ": " + why);
}

bool size_op2_frame(const options& o, long long guild, std::size_t bytes) {
  if (o.admin_token.empty()) {
    std::fprintf(stderr, "load: no --admin-token: op 2 frames keep the default prefix\n");
    return false;
  }
  // The op 2 frame the node writes (proto/companion_codec) with an empty prefix.
  const std::string empty = R"({"op":2,"guildId":)" + std::to_string(guild)
                            + R"(,"prefix":"","djRoleId":0,"voiceChannelId":0,"musicChannelId":0})";
  const std::size_t n = bytes > empty.size() + 1 ? bytes - empty.size() : 1;
  const std::string body = R"({"prefix":")" + std::string(n, 'p') + R"("})";
  auto a = http_request(o.port, "PATCH", "/api/v1/guilds/" + std::to_string(guild) + "/settings",
                        "Bearer " + o.admin_token, body);
  if (a.status != 200) {
    std::fprintf(stderr, "load: PATCH settings answered %d: %s\n", a.status, a.body.c_str());
    return false;
  }
  return true;
}

void connect_summary(const options& o, clock_type::time_point t0) {
  const auto total = ms_between(t0, clock_type::now());
  metric("sessions", o.sessions);
  metric("connect_total_ms", total);
  metric("handshakes_per_s", static_cast<double>(o.sessions) * 1000.0 / total);
  if (o.pid > 0)
    metric("server_rss_after_connect_kb", static_cast<long long>(rss_kb(o.pid)));
}

namespace {

/// Ends the run: final RSS, then stop the io loop (sockets die with the process).
void finish(asio::io_context& io, const options& o, companion_fleet& f) {
  if (o.pid > 0)
    metric("server_rss_kb", static_cast<long long>(rss_kb(o.pid)));
  f.expect_closes();
  io.stop();
}

} // namespace

void scenario_connect(asio::io_context& io, const options& o) {
  companion_fleet f{io, o};
  g_phase = "connect";
  const auto t0 = clock_type::now();
  f.connect_all(o.sessions, o.concurrency, [&] {
    const auto total = ms_between(t0, clock_type::now());
    std::sort(f.handshake_ms.begin(), f.handshake_ms.end());
    metric("sessions", o.sessions);
    metric("concurrency", o.concurrency);
    metric("connect_total_ms", total);
    metric("handshakes_per_s", static_cast<double>(o.sessions) * 1000.0 / total);
    metric("handshake_p50_ms", percentile(f.handshake_ms, 50));
    metric("handshake_p99_ms", percentile(f.handshake_ms, 99));
    metric("handshake_max_ms", f.handshake_ms.back());
    finish(io, o, f);
  });
  io.run();
}

void scenario_fanout(asio::io_context& io, const options& o) {
  companion_fleet f{io, o};
  std::vector<double> lat;
  std::size_t round = 0, frames = 0, pending = 0;
  clock_type::time_point round_start;
  long long guild = 0;
  auto next_round = [&] {
    guild = 1000 + static_cast<long long>(round);
    pending = o.sessions;
    round_start = clock_type::now();
    f.send_op2(round % o.sessions, guild); // rotate the sender
  };
  f.on_op2 = [&](std::size_t, long long g) {
    ++frames;
    if (g != guild || --pending != 0)
      return;
    lat.push_back(ms_between(round_start, clock_type::now()));
    if (++round < o.rounds)
      return next_round();
    metric("fanout_rounds", lat.size());
    metric("fanout_frames", frames);
    std::sort(lat.begin(), lat.end());
    double sum = 0;
    for (auto v : lat)
      sum += v;
    metric("fanout_p50_ms", percentile(lat, 50));
    metric("fanout_p99_ms", percentile(lat, 99));
    metric("fanout_max_ms", lat.back());
    metric("fanout_mean_ms", sum / static_cast<double>(lat.size()));
    finish(io, o, f);
  };
  g_phase = "connect";
  const auto t0 = clock_type::now();
  f.connect_all(o.sessions, o.concurrency, [&] {
    connect_summary(o, t0);
    g_phase = "fanout";
    next_round();
  });
  io.run();
}

void scenario_burst(asio::io_context& io, const options& o) {
  companion_fleet f{io, o};
  std::unordered_map<long long, std::size_t> pending;
  std::size_t complete = 0, frames = 0;
  clock_type::time_point start;
  f.on_op2 = [&](std::size_t, long long g) {
    ++frames;
    auto it = pending.find(g);
    if (it == pending.end() || --it->second != 0)
      return;
    pending.erase(it);
    if (++complete < o.rounds)
      return;
    const auto ms = ms_between(start, clock_type::now());
    metric("burst_requests", o.rounds);
    metric("burst_frames", frames);
    metric("burst_total_ms", ms);
    metric("burst_frames_per_s", static_cast<double>(frames) * 1000.0 / ms);
    metric("burst_requests_per_s", static_cast<double>(o.rounds) * 1000.0 / ms);
    finish(io, o, f);
  };
  g_phase = "connect";
  const auto t0 = clock_type::now();
  f.connect_all(o.sessions, o.concurrency, [&] {
    connect_summary(o, t0);
    g_phase = "burst";
    start = clock_type::now();
    for (std::size_t r = 0; r < o.rounds; ++r) {
      const auto g = static_cast<long long>(1000000 + r);
      pending[g] = o.sessions;
      f.send_op2(0, g);
    }
  });
  io.run();
}

} // namespace load
