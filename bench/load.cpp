// load: a loopback load generator for a RUNNING coordinator, driving the companion dialect
// (/companion, SPEC.md §3) with Boost.Asio/Beast on one io thread.
//
//   load --port P --scenario connect|fanout|burst --sessions N [--rounds R] [--seconds T]
//        [--key K] [--admin-token A] [--pid PID] [--concurrency C]
//
// Output: one `key=value` line per metric, then `ok`. A global deadline (--seconds, default
// 60) aborts with a message on stderr and exit code 2; any other failure exits 1.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  unsigned short port = 0;
  std::string scenario;
  std::size_t sessions = 0;
  std::size_t rounds = 50;
  double seconds = 60;
  std::string key = "bench-key";
  std::string admin_token;
  long pid = 0;
  std::size_t concurrency = 128;
};

[[noreturn]] void die(int code, const std::string& msg) {
  std::fprintf(stderr, "load: %s\n", msg.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}

std::atomic<const char*> g_phase{"start"};

void usage() {
  std::fprintf(stderr,
               "usage: load --port P --scenario connect|fanout|burst --sessions N [--rounds R]\n"
               "            [--seconds T] [--key K] [--admin-token A] [--pid PID]\n"
               "            [--concurrency C]\n");
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        die(1, "missing value for " + a);
      }
      return argv[++i];
    };
    try {
      if (a == "--port") o.port = static_cast<unsigned short>(std::stoul(next()));
      else if (a == "--scenario") o.scenario = next();
      else if (a == "--sessions") o.sessions = std::stoul(next());
      else if (a == "--rounds") o.rounds = std::stoul(next());
      else if (a == "--seconds") o.seconds = std::stod(next());
      else if (a == "--key") o.key = next();
      else if (a == "--admin-token") o.admin_token = next();
      else if (a == "--pid") o.pid = std::stol(next());
      else if (a == "--concurrency") o.concurrency = std::stoul(next());
      else if (a == "-h" || a == "--help") { usage(); std::exit(0); }
      else { usage(); die(1, "unknown argument " + a); }
    } catch (const std::invalid_argument&) {
      die(1, "bad number for " + a);
    } catch (const std::out_of_range&) {
      die(1, "number out of range for " + a);
    }
  }
  if (o.port == 0 || o.sessions == 0 || o.concurrency == 0
      || (o.scenario != "connect" && o.scenario != "fanout" && o.scenario != "burst")) {
    usage();
    die(1, "need --port, --sessions > 0 and --scenario connect|fanout|burst");
  }
  if (o.sessions > 60000)
    die(1, "--sessions is bounded to 60000");
  if (o.rounds == 0 || o.rounds > 100000)
    die(1, "--rounds must be in 1..100000");
  if (!(o.seconds > 0) || o.seconds > 3600)
    die(1, "--seconds must be in (0, 3600]");
  return o;
}

/// VmRSS of `pid` in kB, or -1.
long rss_kb(long pid) {
  if (pid <= 0)
    return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

/// The first number after `"name":` in a compact JSON text, or -1.
long long json_int(std::string_view text, std::string_view quoted_name) {
  auto at = text.find(quoted_name);
  if (at == std::string_view::npos)
    return -1;
  at += quoted_name.size();
  while (at < text.size() && (text[at] == ' ' || text[at] == '"'))
    ++at;
  long long v = 0;
  bool any = false;
  while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
    v = v * 10 + (text[at] - '0');
    ++at;
    any = true;
  }
  return any ? v : -1;
}

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// p-th percentile (0..100) of sorted values, nearest-rank.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank == 0)
    rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

void metric(const char* key, double v) { std::printf("%s=%.3f\n", key, v); }
void metric(const char* key, long long v) { std::printf("%s=%lld\n", key, v); }

class bench;

/// One companion session: connect, upgrade, op 1, then read forever.
class session : public std::enable_shared_from_this<session> {
public:
  session(asio::io_context& io, bench& b, std::size_t index)
      : ws_(io), bench_(b), index_(index) {}

  void start();
  void send(std::shared_ptr<const std::string> text);
  void shut() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  clock_type::time_point started;
  clock_type::time_point ready;

private:
  void on_connect(beast::error_code ec);
  void on_upgrade(beast::error_code ec);
  void read();
  void on_read(beast::error_code ec, std::size_t);
  void write_next();

  websocket::stream<beast::tcp_stream> ws_;
  bench& bench_;
  std::size_t index_;
  beast::flat_buffer buf_;
  std::deque<std::shared_ptr<const std::string>> out_;
  bool writing_ = false;
  bool handshaken_ = false;
};

class bench {
public:
  bench(asio::io_context& io, options o) : io_(io), opt_(std::move(o)) {
    op1_ = std::make_shared<const std::string>(R"({"op":1,"key":")" + opt_.key
                                               + R"(","guildIds":[1]})");
  }

  void run_connect_phase(std::function<void()> done) {
    on_all_ready_ = std::move(done);
    phase_start_ = clock_type::now();
    sessions_.reserve(opt_.sessions);
    while (in_flight_ < opt_.concurrency && next_ < opt_.sessions)
      launch_one();
  }

  // ---- callbacks from sessions ----
  void failed(std::size_t i, const std::string& what) {
    if (stopping_)
      return;
    die(1, "session " + std::to_string(i) + " failed in phase " + g_phase.load() + ": " + what);
  }

  void handshake_done(std::size_t i) {
    auto& s = sessions_[i];
    s->ready = clock_type::now();
    handshake_ms_.push_back(ms_between(s->started, s->ready));
    --in_flight_;
    ++ready_count_;
    if (ready_count_ == opt_.sessions) {
      phase_end_ = clock_type::now();
      auto cb = std::move(on_all_ready_);
      cb();
      return;
    }
    while (in_flight_ < opt_.concurrency && next_ < opt_.sessions)
      launch_one();
  }

  void received(std::size_t, std::string_view text) {
    auto op = json_int(text, "\"op\":");
    if (op != 2)
      return;  // op 3/10/11 etc. are not ours
    ++frames_;
    auto g = json_int(text, "\"guildId\":");
    auto it = pending_.find(g);
    if (it == pending_.end())
      return;
    if (--it->second == 0) {
      pending_.erase(it);
      on_guild_complete_(g);
    }
  }

  // ---- scenarios ----
  void scenario_connect() {
    g_phase = "connect";
    run_connect_phase([this] {
      auto total = ms_between(phase_start_, phase_end_);
      std::sort(handshake_ms_.begin(), handshake_ms_.end());
      finish_connect_metrics(total);
      finish();
    });
  }

  void scenario_fanout() {
    g_phase = "connect";
    run_connect_phase([this] {
      report_connect_summary();
      g_phase = "fanout";
      on_guild_complete_ = [this](long long) {
        latencies_.push_back(ms_between(round_start_, clock_type::now()));
        if (++round_ < opt_.rounds)
          fanout_round();
        else
          finish_fanout();
      };
      fanout_round();
    });
  }

  void scenario_burst() {
    g_phase = "connect";
    run_connect_phase([this] {
      report_connect_summary();
      g_phase = "burst";
      std::size_t complete = 0;
      on_guild_complete_ = [this, complete](long long) mutable {
        if (++complete == opt_.rounds) {
          auto ms = ms_between(burst_start_, clock_type::now());
          metric("burst_requests", static_cast<long long>(opt_.rounds));
          metric("burst_frames", static_cast<long long>(frames_));
          metric("burst_total_ms", ms);
          metric("burst_frames_per_s", static_cast<double>(frames_) * 1000.0 / ms);
          metric("burst_requests_per_s", static_cast<double>(opt_.rounds) * 1000.0 / ms);
          finish();
        }
      };
      frames_ = 0;
      burst_start_ = clock_type::now();
      for (std::size_t r = 0; r < opt_.rounds; ++r) {
        auto g = static_cast<long long>(1000000 + r);
        pending_[g] = opt_.sessions;
        sessions_[0]->send(op2(g));
      }
    });
  }

  const options& opt() const { return opt_; }
  std::shared_ptr<const std::string> op1() const { return op1_; }

private:
  void launch_one() {
    auto i = next_++;
    ++in_flight_;
    sessions_.push_back(std::make_shared<session>(io_, *this, i));
    sessions_.back()->start();
  }

  std::shared_ptr<const std::string> op2(long long guild) const {
    return std::make_shared<const std::string>(R"({"op":2,"key":")" + opt_.key
                                               + R"(","guildId":)" + std::to_string(guild) + "}");
  }

  void fanout_round() {
    auto g = static_cast<long long>(1000 + round_);
    pending_[g] = opt_.sessions;
    round_start_ = clock_type::now();
    // Rotate the sender over the sessions.
    sessions_[round_ % sessions_.size()]->send(op2(g));
  }

  void finish_fanout() {
    std::sort(latencies_.begin(), latencies_.end());
    metric("fanout_rounds", static_cast<long long>(latencies_.size()));
    metric("fanout_frames", static_cast<long long>(frames_));
    metric("fanout_p50_ms", percentile(latencies_, 50));
    metric("fanout_p99_ms", percentile(latencies_, 99));
    metric("fanout_max_ms", latencies_.back());
    double sum = 0;
    for (auto v : latencies_)
      sum += v;
    metric("fanout_mean_ms", sum / static_cast<double>(latencies_.size()));
    finish();
  }

  void report_connect_summary() {
    auto total = ms_between(phase_start_, phase_end_);
    metric("sessions", static_cast<long long>(opt_.sessions));
    metric("connect_total_ms", total);
    metric("handshakes_per_s", static_cast<double>(opt_.sessions) * 1000.0 / total);
    if (opt_.pid > 0)
      metric("server_rss_after_connect_kb", static_cast<long long>(rss_kb(opt_.pid)));
  }

  void finish_connect_metrics(double total) {
    metric("sessions", static_cast<long long>(opt_.sessions));
    metric("concurrency", static_cast<long long>(opt_.concurrency));
    metric("connect_total_ms", total);
    metric("handshakes_per_s", static_cast<double>(opt_.sessions) * 1000.0 / total);
    metric("handshake_p50_ms", percentile(handshake_ms_, 50));
    metric("handshake_p99_ms", percentile(handshake_ms_, 99));
    metric("handshake_max_ms", handshake_ms_.back());
  }

  void finish() {
    if (opt_.pid > 0)
      metric("server_rss_kb", static_cast<long long>(rss_kb(opt_.pid)));
    stopping_ = true;
    for (auto& s : sessions_)
      s->shut();
    io_.stop();
  }

  asio::io_context& io_;
  options opt_;
  std::shared_ptr<const std::string> op1_;
  std::vector<std::shared_ptr<session>> sessions_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t ready_count_ = 0;
  std::function<void()> on_all_ready_;
  std::function<void(long long)> on_guild_complete_ = [](long long) {};
  clock_type::time_point phase_start_, phase_end_, round_start_, burst_start_;
  std::vector<double> handshake_ms_;
  std::vector<double> latencies_;
  std::unordered_map<long long, std::size_t> pending_;
  std::size_t round_ = 0;
  std::size_t frames_ = 0;
  bool stopping_ = false;

public:
  bool stopping() const { return stopping_; }
};

void session::start() {
  started = clock_type::now();
  tcp::endpoint ep{asio::ip::make_address_v4("127.0.0.1"), bench_.opt().port};
  beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
  beast::get_lowest_layer(ws_).async_connect(
    ep, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
}

void session::on_connect(beast::error_code ec) {
  if (ec)
    return bench_.failed(index_, "connect: " + ec.message());
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
  ws_.async_handshake("127.0.0.1:" + std::to_string(bench_.opt().port), "/companion",
                      [self = shared_from_this()](beast::error_code ec) { self->on_upgrade(ec); });
}

void session::on_upgrade(beast::error_code ec) {
  if (ec)
    return bench_.failed(index_, "upgrade: " + ec.message());
  // From here on the websocket layer owns timeouts; the bench deadline bounds the rest.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(30);
  t.idle_timeout = websocket::stream_base::none();
  t.keep_alive_pings = false;
  ws_.set_option(t);
  ws_.text(true);
  send(bench_.op1());
  read();
}

void session::send(std::shared_ptr<const std::string> text) {
  out_.push_back(std::move(text));
  if (!writing_)
    write_next();
}

void session::write_next() {
  if (out_.empty()) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto msg = out_.front();
  ws_.async_write(asio::buffer(*msg),
                  [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                    if (ec)
                      return self->bench_.failed(self->index_, "write: " + ec.message());
                    self->out_.pop_front();
                    self->write_next();
                  });
}

void session::read() {
  ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void session::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    std::string what = "read: " + ec.message();
    if (ec == websocket::error::closed)
      what += " (close code " + std::to_string(ws_.reason().code) + " \""
              + std::string(ws_.reason().reason.c_str()) + "\")";
    return bench_.failed(index_, what);
  }
  auto data = buf_.cdata();
  std::string_view text{static_cast<const char*>(data.data()), data.size()};
  if (!handshaken_) {
    auto op = json_int(text, "\"op\":");
    if (op == 1) {
      handshaken_ = true;
      buf_.consume(buf_.size());
      bench_.handshake_done(index_);
      if (bench_.stopping())
        return;
      return read();
    }
  } else {
    bench_.received(index_, text);
  }
  buf_.consume(buf_.size());
  if (bench_.stopping())
    return;
  read();
}

void raise_nofile(std::size_t want) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want + 64)
    die(1, "open file limit " + std::to_string(rl.rlim_cur) + " is too low for "
             + std::to_string(want) + " sessions (raise ulimit -n)");
}

} // namespace

int main(int argc, char** argv) {
  auto opt = parse(argc, argv);
  raise_nofile(opt.sessions);

  // Watchdog: never hang, whatever the io thread is doing.
  auto deadline_s = opt.seconds;
  std::thread([deadline_s] {
    std::this_thread::sleep_for(std::chrono::duration<double>(deadline_s));
    die(2, "deadline of " + std::to_string(deadline_s) + " s exceeded (phase "
             + g_phase.load() + "); aborting");
  }).detach();

  std::printf("scenario=%s\n", opt.scenario.c_str());
  asio::io_context io{1};
  bench b{io, opt};
  if (opt.scenario == "connect")
    b.scenario_connect();
  else if (opt.scenario == "fanout")
    b.scenario_fanout();
  else
    b.scenario_burst();
  try {
    io.run();
  } catch (const std::exception& e) {
    die(1, std::string("io error: ") + e.what());
  }
  std::printf("ok\n");
  std::fflush(stdout);
  std::_Exit(0);  // skip tearing down thousands of sockets and the detached watchdog
}
