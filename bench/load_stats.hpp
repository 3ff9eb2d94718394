#pragma once
// load: small shared helpers (no sockets): failure exit, key=value output, percentiles,
// /proc readings, and the cheap JSON field scanners the client uses instead of a parser.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace load {

using clock_type = std::chrono::steady_clock;

/// What the watchdog prints when the deadline passes.
extern std::atomic<const char*> g_phase;

/// Prints `load: msg` on stderr and exits with `code` at once (no teardown).
[[noreturn]] void die(int code, const std::string& msg);

inline double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

inline void metric(const std::string& key, double v) { std::printf("%s=%.3f\n", key.c_str(), v); }
inline void metric(const std::string& key, long long v) {
  std::printf("%s=%lld\n", key.c_str(), v);
}
inline void metric(const std::string& key, std::size_t v) {
  metric(key, static_cast<long long>(v));
}
inline void metric(const std::string& key, const std::string& v) {
  std::printf("%s=%s\n", key.c_str(), v.c_str());
}

/// p-th percentile (0..100) of sorted values, nearest-rank.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank == 0)
    rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

/// Sorts `v` and prints PREFIX_p50_ms, _p99_ms, _max_ms, _mean_ms and _samples.
void latency_metrics(const std::string& prefix, std::vector<double>& v);

/// VmRSS of `pid` in kB, or -1.
long rss_kb(long pid);

/// utime + stime of `pid` in seconds, or -1.
double cpu_seconds(long pid);

/// A TcpExt counter of /proc/net/netstat (this network namespace), e.g. ListenOverflows; -1.
long long tcp_ext_counter(const std::string& name);

/// This process's user + system CPU seconds.
double own_cpu_seconds();

/// The first unsigned integer after `quoted_name` (e.g. `"op":`), skipping spaces and one
/// opening quote (gateway snowflakes are strings); -1 when absent.
inline long long json_int(std::string_view text, std::string_view quoted_name) {
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

/// Parses "a,b,c" into numbers; an empty or bad item is an error (die).
std::vector<double> parse_list(const std::string& text, const char* what);

} // namespace load
