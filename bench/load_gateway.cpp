#include "load_gateway.hpp"

#include "load_http.hpp"

#include <cinttypes>

namespace load {

namespace asio = boost::asio;

namespace {

/// Guild snowflakes start here; guild k of --guilds is guild_base + k.
constexpr std::uint64_t guild_base = 100000000000000000ull;

/// The k-th command's guild index: a multiplicative hash spreads consecutive commands.
std::size_t guild_index(std::uint64_t seq, std::size_t guilds) {
  return static_cast<std::size_t>((seq * 0x9E3779B97F4A7C15ull) >> 17) % guilds;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

} // namespace

// ---- gateway_fleet ----

gateway_fleet::gateway_fleet(asio::io_context& io, const options& o) : io_(io), opt_(o) {}

void gateway_fleet::connect(std::function<void()> done) {
  done_ = std::move(done);
  const std::size_t n = opt_.sharders + opt_.workers;
  shards_.assign(opt_.sharders, {});
  hb_sent_.assign(n, {});
  for (std::size_t i = 0; i < n; ++i) {
    clients_.push_back(std::make_shared<ws_client>(io_, *this, i));
    // Workers read a lot: a bigger read chunk saves syscalls.
    clients_.back()->connect(opt_.port, "/gateway", 0, i < opt_.sharders ? 16384 : 262144);
  }
}

std::string gateway_fleet::shard_summary() const {
  std::string out;
  for (std::size_t s = 0; s < shards_.size(); ++s) {
    if (s)
      out += ';';
    for (std::size_t k = 0; k < shards_[s].size(); ++k)
      out += (k ? "|" : "") + std::to_string(shards_[s][k]);
  }
  return out;
}

void gateway_fleet::send_command(std::size_t s, std::uint64_t guild, std::uint64_t seq) {
  static const std::string pad(65536, 'x');
  char tail[160];
  const int t = std::snprintf(tail, sizeof tail,
                              R"(","ids":{"message":"%)" PRIu64
                              R"(","author":"1","channel":"2","guild":"%)" PRIu64
                              R"(","shard":%u}}})",
                              seq, guild, static_cast<unsigned>(shard_of(s)));
  static constexpr std::string_view head =
    R"({"op":2,"t":"EXECUTE_COMMAND","d":{"command":"bench","raw":")";
  const std::size_t fixed = head.size() + static_cast<std::size_t>(t);
  const std::size_t n = opt_.payload > fixed ? opt_.payload - fixed : 1;
  scratch_.assign(head);
  scratch_.append(pad, 0, n);
  scratch_.append(tail, static_cast<std::size_t>(t));
  clients_[s]->send_text(scratch_);
}

void gateway_fleet::heartbeat(std::size_t i) {
  hb_sent_[i].push_back(clock_type::now());
  if (i < opt_.sharders)
    clients_[i]->send_text(R"({"op":1,"d":{"heapUsed":50000000,"guilds":1000}})");
  else
    clients_[i]->send_text(R"({"op":1,"d":{"heapUsed":50000000}})");
}

void gateway_fleet::on_message(ws_client& c, std::string_view text) {
  const auto i = c.index();
  // The hot path first: a forwarded command (the codec writes op, t, d in this order).
  if (starts_with(text, R"({"op":2,"t":"EXECUTE_COMMAND")")) {
    if (i < opt_.sharders)
      die(1, "sharder " + std::to_string(i) + " received EXECUTE_COMMAND");
    on_command(i - opt_.sharders, static_cast<std::uint64_t>(json_int(text, R"("message":)")),
               static_cast<std::uint64_t>(json_int(text, R"("guild":)")));
    return;
  }
  const auto op = json_int(text, R"("op":)");
  if (op == 4) {
    if (!hb_sent_[i].empty()) {
      hb_ms.push_back(ms_between(hb_sent_[i].front(), clock_type::now()));
      hb_sent_[i].pop_front();
    }
  } else if (op == 3) {
    // HELLO: identify (a sharder asks for shard i; the planner may give others).
    std::string d = R"({"op":0,"d":{"type":")";
    d += i < opt_.sharders ? "sharder" : "commands";
    d += R"(","compress":false,"secret":")" + opt_.secret + "\"";
    if (i < opt_.sharders)
      d += R"(,"shards":[)" + std::to_string(i) + "]";
    d += "}}";
    c.send_text(d);
  } else if (op == 1) {
    ++heartbeat_requests;
    heartbeat(i);
  } else if (op == 2 && (text.find(R"("IDENTIFIED")") != std::string_view::npos
                         || text.find(R"("SHARDS_ASSIGNED")") != std::string_view::npos)) {
    const bool first = text.find(R"("IDENTIFIED")") != std::string_view::npos;
    if (i < opt_.sharders) {
      auto& list = shards_[i];
      list.clear();
      auto at = text.find(R"("shards":[)");
      if (at != std::string_view::npos) {
        at += 10;
        while (at < text.size() && text[at] != ']') {
          std::uint32_t v = 0;
          while (at < text.size() && text[at] >= '0' && text[at] <= '9')
            v = v * 10 + static_cast<std::uint32_t>(text[at++] - '0');
          list.push_back(v);
          if (at < text.size() && text[at] == ',')
            ++at;
          else
            break;
        }
      }
      if (first && list.empty())
        die(1, "sharder " + std::to_string(i) + " got no shards: start the node with "
                 "--gateway.shard_count=" + std::to_string(opt_.sharders)
                 + " --gateway.sharders=" + std::to_string(opt_.sharders));
    }
    if (first && ++identified_ == clients_.size() && done_) {
      auto cb = std::move(done_);
      done_ = nullptr;
      cb();
    }
  }
}

void gateway_fleet::on_closed(ws_client& c, int, const std::string& why) {
  if (closes_expected_)
    return;
  die(1, std::string(c.index() < opt_.sharders ? "sharder " : "worker ")
           + std::to_string(c.index()) + " failed in phase " + g_phase.load() + ": " + why);
}

// ---- route_driver ----

route_driver::route_driver(asio::io_context& io, const options& o, gateway_fleet& f)
  : io_(io), opt_(o), fleet_(f), tick_timer_(io), drain_timer_(io),
    worker_of_(o.guilds, -1), last_seq_(o.guilds, 0) {
  f.on_command = [this](std::size_t w, std::uint64_t seq, std::uint64_t guild) {
    received(w, seq, guild);
  };
}

void route_driver::run_rate(double rate, double seconds, double drain_s,
                            std::function<void(route_step&)> done) {
  flood_ = false;
  rate_ = rate;
  seconds_ = seconds;
  total_ = static_cast<std::size_t>(rate * seconds);
  step_ = route_step{};
  step_.label = std::to_string(static_cast<long long>(rate));
  step_.offered_per_s = rate;
  begin(std::move(done), drain_s);
  tick();
}

void route_driver::run_flood(std::size_t window, double seconds, double drain_s,
                             std::function<void(route_step&)> done) {
  flood_ = true;
  window_ = window;
  seconds_ = seconds;
  total_ = SIZE_MAX;
  step_ = route_step{};
  step_.label = "flood";
  begin(std::move(done), drain_s);
  const auto now = clock_type::now();
  for (std::size_t k = 0; k < window; ++k)
    emit(now);
  // A timer ends the sending; receipts keep the window full until then.
  tick_timer_.expires_after(std::chrono::microseconds(static_cast<long long>(seconds * 1e6)));
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec)
      sending_done();
  });
}

void route_driver::begin(std::function<void(route_step&)> done, double drain_s) {
  done_ = std::move(done);
  drain_s_ = drain_s;
  first_seq_ = sent_at_.size();
  sent_in_step_ = 0;
  active_ = sending_ = true;
  start_ = last_receipt_ = clock_type::now();
  cpu0_ = cpu_seconds(opt_.pid);
  own0_ = own_cpu_seconds();
}

void route_driver::tick() {
  if (!sending_)
    return;
  const auto now = clock_type::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // Open loop: the schedule, not the receipts, decides how many are due.
  const auto due = std::min(total_, static_cast<std::size_t>(rate_ * elapsed));
  while (sent_in_step_ < due)
    emit(now);
  if (sent_in_step_ >= total_)
    return sending_done();
  tick_timer_.expires_after(std::chrono::milliseconds(1));
  tick_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec)
      tick();
  });
}

void route_driver::emit(clock_type::time_point now) {
  const std::uint64_t seq = sent_at_.size();
  const auto k = guild_index(seq, opt_.guilds);
  // A guild lives on one shard, so one sharder sends all of its commands.
  fleet_.send_command(k % fleet_.sharders(), guild_base + k, seq);
  sent_at_.push_back(now);
  got_.push_back(0);
  ++sent_in_step_;
}

void route_driver::sending_done() {
  sending_ = false;
  step_.sent = sent_in_step_;
  total_ = sent_in_step_;
  if (step_.received == step_.sent)
    return complete(true);
  drain_timer_.expires_after(std::chrono::microseconds(static_cast<long long>(drain_s_ * 1e6)));
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && active_)
      complete(false);
  });
}

void route_driver::received(std::size_t worker, std::uint64_t seq, std::uint64_t guild) {
  const auto now = clock_type::now();
  if (seq >= sent_at_.size() || guild < guild_base || guild - guild_base >= opt_.guilds)
    die(1, "worker " + std::to_string(worker) + " got a command that was never sent (seq "
             + std::to_string(seq) + ")");
  if (got_[seq]) {
    ++duplicates;
    return;
  }
  got_[seq] = 1;
  const auto k = static_cast<std::size_t>(guild - guild_base);
  if (worker_of_[k] < 0)
    worker_of_[k] = static_cast<int>(worker);
  else if (worker_of_[k] != static_cast<int>(worker))
    ++route_violations;
  if (seq < last_seq_[k])
    ++order_violations;
  last_seq_[k] = seq;
  if (!active_ || seq < first_seq_) {
    ++late; // a previous step's command after its drain deadline
    return;
  }
  step_.latency_ms.push_back(ms_between(sent_at_[seq], now));
  last_receipt_ = now;
  ++step_.received;
  if (flood_ && sending_)
    emit(now);
  else if (!sending_ && step_.received == step_.sent)
    complete(true);
}

void route_driver::complete(bool drained) {
  active_ = false;
  tick_timer_.cancel();
  drain_timer_.cancel();
  step_.drained = drained;
  step_.seconds = std::chrono::duration<double>(last_receipt_ - start_).count();
  if (opt_.pid > 0)
    step_.server_cpu_s = cpu_seconds(opt_.pid) - cpu0_;
  step_.client_cpu_s = own_cpu_seconds() - own0_;
  auto cb = std::move(done_);
  cb(step_);
}

void print_step(const std::string& prefix, route_step& s) {
  const std::string p = prefix + "_" + s.label;
  metric(p + "_offered_per_s", s.offered_per_s);
  metric(p + "_sent", s.sent);
  metric(p + "_received", s.received);
  metric(p + "_achieved_per_s",
         s.seconds > 0 ? static_cast<double>(s.received) / s.seconds : 0.0);
  latency_metrics(p, s.latency_ms);
  if (s.server_cpu_s >= 0)
    metric(p + "_server_cpu_pct", s.seconds > 0 ? 100.0 * s.server_cpu_s / s.seconds : 0.0);
  metric(p + "_client_cpu_pct", s.seconds > 0 ? 100.0 * s.client_cpu_s / s.seconds : 0.0);
  metric(p + "_drained", static_cast<long long>(s.drained ? 1 : 0));
}

} // namespace load
