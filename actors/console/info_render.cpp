#include "actors/console/info_render.hpp"

#include <cctype>
#include <cstdio>

namespace coord::actors {

namespace {

/// Appends "key:value\n".
template <class T>
void kv(std::string& out, std::string_view key, const T& value) {
  out.append(key).push_back(':');
  if constexpr (std::is_convertible_v<const T&, std::string_view>)
    out.append(escape_value(value));
  else
    out.append(std::to_string(value));
  out.push_back('\n');
}

constexpr std::size_t companion = static_cast<std::size_t>(ports::dialect::companion);

void server_section(std::string& out, const info_input& in) {
  out += "# Server\n";
  kv(out, "coordinator_version", in.version);
  kv(out, "process_id", in.pid);
  kv(out, "uptime_in_seconds", in.uptime_s);
  kv(out, "uptime_in_days", in.uptime_s / 86400);
  kv(out, "used_memory_rss", in.rss_bytes);
  kv(out, "used_memory_rss_human", human_bytes(in.rss_bytes));
  kv(out, "http_listener", in.http_address);
  kv(out, "console_listener", in.console_address);
  kv(out, "io_threads", in.io_threads);
  kv(out, "scheduler_threads", in.scheduler_threads);
}

void sessions_section(std::string& out, const info_input& in) {
  const auto& m = *in.metrics;
  out += "# Sessions\n";
  std::int64_t total = 0;
  for (std::size_t d = 0; d < metrics::dialects; ++d)
    total += m.sessions[d].value();
  kv(out, "sessions_total", total);
  for (std::size_t d = 0; d < metrics::dialects; ++d)
    kv(out, std::string("sessions_") + metrics::dialect_names[d], m.sessions[d].value());
  if (in.sessions) {
    std::size_t receiving = 0;
    std::size_t queued = 0;
    for (const auto& s : *in.sessions) {
      receiving += s.receiving ? 1 : 0;
      queued += s.queued_bytes;
    }
    kv(out, "receiving_broadcasts", receiving);
    kv(out, "queued_bytes_total", queued);
  }
}

void stats_section(std::string& out, const info_input& in) {
  const auto& m = *in.metrics;
  out += "# Stats\n";
  auto per_dialect = [&](std::string_view key, const auto& counters) {
    std::uint64_t sum = 0;
    for (const auto& c : counters)
      sum += c.value();
    kv(out, key, sum);
    for (std::size_t d = 0; d < metrics::dialects; ++d)
      kv(out, std::string(key) + "_" + metrics::dialect_names[d], counters[d].value());
  };
  per_dialect("total_messages_in", m.messages_in);
  per_dialect("total_messages_out", m.messages_out);
  const auto closes = m.closes();
  std::uint64_t close_sum = 0;
  for (const auto& [key, n] : closes)
    close_sum += n;
  kv(out, "total_closes", close_sum);
  for (const auto& [key, n] : closes)
    kv(out,
       std::string("total_closes_") + metrics::dialect_names[key.first] + "_" +
         std::to_string(key.second),
       n);
  per_dialect("total_heartbeat_timeouts", m.heartbeat_timeouts);
  per_dialect("total_rate_limited", m.rate_limited);
  kv(out, "total_broadcasts", m.broadcasts.value());
  const auto n = m.broadcast_seconds.count();
  const double avg_us = n == 0 ? 0.0 : m.broadcast_seconds.sum() / static_cast<double>(n) * 1e6;
  kv(out, "broadcast_avg_us", static_cast<std::uint64_t>(avg_us + 0.5));
  kv(out, "total_store_commits", m.store_commits.value());
  kv(out, "total_store_commit_failures", m.store_commit_failures.value());
  kv(out, "total_http_requests", m.http_requests.value());
  for (std::size_t i = 0; i < metrics::command_outcomes; ++i)
    kv(out, std::string("total_commands_") + metrics::command_outcome_names[i],
       m.commands[i].value());
  kv(out, "total_resumes", m.resumes_resumed.value());
  kv(out, "total_resumes_invalid", m.resumes_invalid.value());
  kv(out, "total_replayed_events", m.replayed_events.value());
  kv(out, "voice_clients", m.voice_clients.value());
}

void store_section(std::string& out, const info_input& in) {
  out += "# Store\n";
  if (in.store) {
    kv(out, "store_path", in.store->path);
    kv(out, "stored_guilds", in.store->guilds);
    kv(out, "supporters", in.store->supporters);
  } else {
    kv(out, "store_answered", "no");
  }
  kv(out, "store_commits", in.metrics->store_commits.value());
  kv(out, "store_commit_failures", in.metrics->store_commit_failures.value());
}

void music_section(std::string& out, const info_input& in) {
  out += "# Music\n";
  if (!in.music) {
    kv(out, "stats_answered", "no");
    return;
  }
  kv(out, "music_playing", in.music->playing);
  kv(out, "shards_reporting", in.music->shards.size());
  for (const auto& s : in.music->shards)
    out += "shard_" + std::to_string(s.shard_id) + ":playing=" + std::to_string(s.playing_music) +
           ",updated_at=" + std::to_string(s.updated_at_ms) + "\n";
}

using section_fn = void (*)(std::string&, const info_input&);

struct section {
  const char* name;
  section_fn render;
};

constexpr section sections[] = {
  {"server", server_section}, {"sessions", sessions_section}, {"stats", stats_section},
  {"store", store_section},   {"music", music_section},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

const std::vector<std::string>& info_sections() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& s : sections)
      out.emplace_back(s.name);
    return out;
  }();
  return names;
}

std::optional<std::string> render_info(const info_input& in, std::string_view section_name) {
  auto want = lower(section_name);
  if (want == "clients")
    want = "sessions";
  const bool all = want.empty() || want == "all" || want == "everything";
  std::string out;
  bool found = false;
  for (const auto& s : sections) {
    if (all || want == s.name) {
      s.render(out, in);
      found = true;
    }
  }
  if (!found)
    return std::nullopt;
  return out;
}

std::string escape_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

std::string human_bytes(std::uint64_t bytes) {
  static constexpr const char* units[] = {"B", "K", "M", "G", "T"};
  double v = static_cast<double>(bytes);
  std::size_t u = 0;
  while (v >= 1024.0 && u + 1 < std::size(units)) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%lluB", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.2f%s", v, units[u]);
  return buf;
}

} // namespace coord::actors
