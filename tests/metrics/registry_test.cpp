// The Prometheus text renderer: every series is declared, parses back, and counts.

#include "metrics/registry.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using coord::metrics::registry;

namespace {

/// Parses exposition text into "name{labels}" -> value, checking every sample's family was
/// declared with # HELP and # TYPE first.
std::map<std::string, double> parse(const std::string& text) {
  std::map<std::string, double> out;
  std::set<std::string> helped, typed;
  std::istringstream in{text};
  std::string line;
  std::regex sample{R"(^([a-z_]+)(\{[^}]*\})? ([0-9.eE+-]+)$)"};
  while (std::getline(in, line)) {
    BOOST_REQUIRE(!line.empty());
    if (line.rfind("# HELP ", 0) == 0) {
      helped.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(std::regex_match(line, m, sample), "bad sample line: " << line);
    auto family = m[1].str();
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!typed.count(family) && family.size() > std::strlen(suffix)
          && family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
        family = family.substr(0, family.size() - std::strlen(suffix));
    BOOST_TEST(helped.count(family) == 1u, "no HELP for " << family);
    BOOST_TEST(typed.count(family) == 1u, "no TYPE for " << family);
    out[m[1].str() + m[2].str()] = std::stod(m[3].str());
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_spec_series_exists_from_the_start) {
  registry r;
  auto s = parse(r.render());
  for (const char* key :
       {"coordinator_sessions{dialect=\"companion\"}", "coordinator_sessions{dialect=\"gateway\"}",
        "coordinator_sessions{dialect=\"voice\"}",
        "coordinator_messages_in_total{dialect=\"voice\"}",
        "coordinator_messages_out_total{dialect=\"gateway\"}",
        "coordinator_closes_total{dialect=\"companion\",code=\"1000\"}",
        "coordinator_heartbeat_timeouts_total{dialect=\"gateway\"}",
        "coordinator_commands_total{outcome=\"routed\"}",
        "coordinator_commands_total{outcome=\"dropped_expired\"}",
        "coordinator_broadcast_seconds_count", "coordinator_cache_entities{type=\"voiceState\"}",
        "coordinator_voice_clients", "coordinator_store_commits_total"})
    BOOST_TEST(s.count(key) == 1u, "missing " << key);
}

BOOST_AUTO_TEST_CASE(counters_gauges_and_closes_are_rendered) {
  registry r;
  r.sessions[0].add(3);
  r.messages_in[1].inc(5);
  r.count_close(2, 4007);
  r.count_close(2, 4007);
  r.store_commits.inc();
  r.set_music_playing({{0, 4}, {7, 1}});
  auto s = parse(r.render());
  BOOST_TEST(s["coordinator_sessions{dialect=\"companion\"}"] == 3);
  BOOST_TEST(s["coordinator_messages_in_total{dialect=\"gateway\"}"] == 5);
  BOOST_TEST(s["coordinator_closes_total{dialect=\"voice\",code=\"4007\"}"] == 2);
  BOOST_TEST(s["coordinator_store_commits_total"] == 1);
  BOOST_TEST(s["coordinator_music_playing{shard=\"7\"}"] == 1);
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative) {
  registry r;
  r.broadcast_seconds.observe(0.00001);
  r.broadcast_seconds.observe(0.003);
  r.broadcast_seconds.observe(100);
  auto s = parse(r.render());
  BOOST_TEST(s["coordinator_broadcast_seconds_bucket{le=\"5e-05\"}"] == 1);
  BOOST_TEST(s["coordinator_broadcast_seconds_bucket{le=\"0.005\"}"] == 2);
  BOOST_TEST(s["coordinator_broadcast_seconds_bucket{le=\"10\"}"] == 2);
  BOOST_TEST(s["coordinator_broadcast_seconds_bucket{le=\"+Inf\"}"] == 3);
  BOOST_TEST(s["coordinator_broadcast_seconds_count"] == 3);
  BOOST_TEST(s["coordinator_broadcast_seconds_sum"] > 100.0);
}
