#include "metrics/registry.hpp"

#include "actors/ports.hpp"

#include <cstdio>

namespace coord::metrics {

const std::array<const char*, dialects> dialect_names = [] {
  std::array<const char*, dialects> out{};
  for (const auto& d : ports::dialects)
    out[static_cast<std::size_t>(d.dialect)] = d.name;
  return out;
}();
const std::array<const char*, cache_types> cache_type_names{"member", "role",    "user",
                                                            "guild",  "channel", "voiceState"};
const std::array<const char*, cache_ignore_reasons> cache_ignore_reason_names{"dm_channel"};
const std::array<const char*, command_outcomes> command_outcome_names{
  "routed", "buffered", "dropped_overflow", "dropped_expired", "rerouted"};

void histogram::observe(double seconds) noexcept {
  std::size_t i = 0;
  while (i < bounds.size() && seconds > bounds[i])
    ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  auto ns = seconds <= 0 ? 0 : static_cast<std::uint64_t>(seconds * 1e9);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
}

std::array<std::uint64_t, histogram::bounds.size() + 1> histogram::buckets() const noexcept {
  std::array<std::uint64_t, bounds.size() + 1> out{};
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

double histogram::sum() const noexcept {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

void registry::count_close(std::size_t d, std::uint16_t code) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++closes_[{d, code}];
}

void registry::set_music_playing(std::map<std::int64_t, std::int64_t> per_shard) {
  std::lock_guard<std::mutex> guard{mtx_};
  music_playing_ = std::move(per_shard);
}

std::map<std::pair<std::size_t, std::uint16_t>, std::uint64_t> registry::closes() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return closes_;
}

namespace {

void head(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <class T>
void line(std::string& out, const char* name, const std::string& labels, T value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string label(const char* key, const std::string& value) {
  return std::string{key} + "=\"" + value + '"';
}

template <class Array>
void per_dialect(std::string& out, const char* name, const char* type, const char* help,
                 const Array& values) {
  head(out, name, type, help);
  for (std::size_t i = 0; i < dialects; ++i)
    line(out, name, label("dialect", dialect_names[i]), values[i].value());
}

std::string format_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

} // namespace

std::string registry::render() const {
  std::string out;
  out.reserve(4096);
  per_dialect(out, "coordinator_sessions", "gauge", "Open websocket sessions.", sessions);
  per_dialect(out, "coordinator_messages_in_total", "counter",
              "Websocket messages received from clients.", messages_in);
  per_dialect(out, "coordinator_messages_out_total", "counter",
              "Websocket messages written to clients.", messages_out);
  per_dialect(out, "coordinator_heartbeat_timeouts_total", "counter",
              "Sessions closed for missing heartbeats or pongs.", heartbeat_timeouts);
  per_dialect(out, "coordinator_rate_limited_total", "counter",
              "Sessions closed with 4008 for sending too many messages.", rate_limited);

  head(out, "coordinator_closes_total", "counter", "Session closes by dialect and close code.");
  auto closes_now = closes();
  for (std::size_t d = 0; d < dialects; ++d) {
    // The normal codes always exist so a dashboard can rely on the series.
    closes_now.try_emplace({d, std::uint16_t{1000}}, 0);
    closes_now.try_emplace({d, std::uint16_t{1001}}, 0);
  }
  for (const auto& [key, n] : closes_now)
    line(out, "coordinator_closes_total",
         label("dialect", dialect_names[key.first]) + ',' +
           label("code", std::to_string(key.second)),
         n);

  head(out, "coordinator_commands_total", "counter", "EXECUTE_COMMAND events by outcome.");
  for (std::size_t i = 0; i < command_outcomes; ++i)
    line(out, "coordinator_commands_total", label("outcome", command_outcome_names[i]),
         commands[i].value());
  head(out, "coordinator_resumes_total", "counter", "Gateway RESUMEs by outcome.");
  line(out, "coordinator_resumes_total", label("outcome", "resumed"), resumes_resumed.value());
  line(out, "coordinator_resumes_total", label("outcome", "invalid"), resumes_invalid.value());
  head(out, "coordinator_replayed_events_total", "counter",
       "Gateway op 2 frames sent again by resumes.");
  line(out, "coordinator_replayed_events_total", "", replayed_events.value());

  head(out, "coordinator_broadcast_seconds", "histogram",
       "Time from a broadcast's trigger to the last receiver's queue.");
  auto b = broadcast_seconds.buckets();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < histogram::bounds.size(); ++i) {
    cumulative += b[i];
    line(out, "coordinator_broadcast_seconds_bucket",
         label("le", format_double(histogram::bounds[i])), cumulative);
  }
  cumulative += b.back();
  line(out, "coordinator_broadcast_seconds_bucket", label("le", "+Inf"), cumulative);
  out += "coordinator_broadcast_seconds_sum " + format_double(broadcast_seconds.sum()) + '\n';
  line(out, "coordinator_broadcast_seconds_count", "", broadcast_seconds.count());

  head(out, "coordinator_cache_entities", "gauge", "Cached Discord entities by type.");
  for (std::size_t i = 0; i < cache_types; ++i)
    line(out, "coordinator_cache_entities", label("type", cache_type_names[i]),
         cache_entities[i].value());

  head(out, "coordinator_cache_ignored_total", "counter",
       "Valid cache records not cached, by reason (dm_channel: a channel without guildID).");
  for (std::size_t i = 0; i < cache_ignore_reasons; ++i)
    line(out, "coordinator_cache_ignored_total", label("reason", cache_ignore_reason_names[i]),
         cache_ignored[i].value());

  head(out, "coordinator_music_playing", "gauge",
       "Music players reported by each companion shard (op 5), while fresh.");
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& [shard, n] : music_playing_)
      line(out, "coordinator_music_playing", label("shard", std::to_string(shard)), n);
  }

  head(out, "coordinator_voice_clients", "gauge", "Voice clients held by voice sessions.");
  line(out, "coordinator_voice_clients", "", voice_clients.value());
  head(out, "coordinator_store_commits_total", "counter", "Committed store transactions.");
  line(out, "coordinator_store_commits_total", "", store_commits.value());
  head(out, "coordinator_store_commit_failures_total", "counter",
       "Store transactions that failed and were rolled back.");
  line(out, "coordinator_store_commit_failures_total", "", store_commit_failures.value());
  if (clustered) {
    head(out, "coordinator_cluster_role", "gauge",
         "1 for this node's role in the cluster (active or standby).");
    auto active = cluster_active.value() != 0;
    line(out, "coordinator_cluster_role", label("role", "active"), active ? 1 : 0);
    line(out, "coordinator_cluster_role", label("role", "standby"), active ? 0 : 1);
    head(out, "coordinator_cluster_failovers_total", "counter",
         "Times this node became the active node.");
    line(out, "coordinator_cluster_failovers_total", "", cluster_failovers.value());
    head(out, "coordinator_etcd_requests_total", "counter", "Calls to etcd by outcome.");
    static constexpr const char* outcomes[] = {"ok", "error", "timeout"};
    for (std::size_t i = 0; i < etcd_requests.size(); ++i)
      line(out, "coordinator_etcd_requests_total", label("outcome", outcomes[i]),
           etcd_requests[i].value());
  }
  head(out, "coordinator_broadcasts_total", "counter", "Broadcasts fanned out.");
  line(out, "coordinator_broadcasts_total", "", broadcasts.value());
  head(out, "coordinator_http_requests_total", "counter", "Plain HTTP requests served.");
  line(out, "coordinator_http_requests_total", "", http_requests.value());
  return out;
}

} // namespace coord::metrics
