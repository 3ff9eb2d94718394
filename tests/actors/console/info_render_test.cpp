// The console's `info` text (actors/console/info_render.hpp): Redis INFO shape, sections, values.

#include "actors/console/info_render.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>

using namespace coord;
using namespace coord::actors;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

/// key -> value of every "key:value" line.
std::map<std::string, std::string> values_of(const std::string& text) {
  std::map<std::string, std::string> out;
  for (const auto& line : lines_of(text))
    if (line[0] != '#') {
      auto colon = line.find(':');
      out[line.substr(0, colon)] = line.substr(colon + 1);
    }
  return out;
}

struct input_fixture {
  input_fixture() {
    in.version = "9.9.9";
    in.pid = 4242;
    in.uptime_s = 2 * 86400 + 5;
    in.rss_bytes = 3 * 1024 * 1024;
    in.http_address = "127.0.0.1:7700";
    in.console_address = "127.0.0.1:7701";
    in.io_threads = 1;
    in.scheduler_threads = 2;
    in.metrics = &metrics;
  }
  metrics::registry metrics;
  info_input in;
};

} // namespace

BOOST_AUTO_TEST_SUITE(info_render)

BOOST_FIXTURE_TEST_CASE(every_line_is_a_section_header_or_key_value, input_fixture) {
  in.sessions = std::vector<session_info>{};
  in.store = store_counts{"data/x.db", 3, 2};
  in.music = music_snapshot{};
  auto text = render_info(in, "");
  BOOST_REQUIRE(text);
  BOOST_TEST(text->back() == '\n');
  std::vector<std::string> headers;
  for (const auto& line : lines_of(*text)) {
    BOOST_TEST(!line.empty(), "no empty line inside an answer");
    if (line[0] == '#') {
      headers.push_back(line);
      continue;
    }
    auto colon = line.find(':');
    BOOST_TEST(colon != std::string::npos, line);
    BOOST_TEST(colon > 0u, line);
    BOOST_TEST(line.substr(0, colon).find(' ') == std::string::npos, line);
  }
  std::vector<std::string> expected{"# Server", "# Sessions", "# Stats", "# Store", "# Music"};
  BOOST_TEST(headers == expected, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(server_section_shows_version_uptime_pid_and_rss, input_fixture) {
  auto text = render_info(in, "server");
  BOOST_REQUIRE(text);
  BOOST_TEST(lines_of(*text).front() == "# Server");
  auto v = values_of(*text);
  BOOST_TEST(v["coordinator_version"] == "9.9.9");
  BOOST_TEST(v["process_id"] == "4242");
  BOOST_TEST(v["uptime_in_seconds"] == "172805");
  BOOST_TEST(v["uptime_in_days"] == "2");
  BOOST_TEST(v["used_memory_rss"] == "3145728");
  BOOST_TEST(v["used_memory_rss_human"] == "3.00M");
  BOOST_TEST(v["http_listener"] == "127.0.0.1:7700");
  BOOST_TEST(v["console_listener"] == "127.0.0.1:7701");
  BOOST_TEST(text->find("# Stats") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(sections_are_case_insensitive_and_clients_is_sessions, input_fixture) {
  auto a = render_info(in, "SESSIONS");
  auto b = render_info(in, "clients");
  BOOST_REQUIRE(a);
  BOOST_REQUIRE(b);
  BOOST_TEST(*a == *b);
  BOOST_TEST(lines_of(*a).front() == "# Sessions");
  BOOST_TEST((render_info(in, "all") == render_info(in, "")));
  BOOST_TEST((render_info(in, "everything") == render_info(in, "")));
}

BOOST_FIXTURE_TEST_CASE(unknown_section_is_nullopt, input_fixture) {
  BOOST_TEST(!render_info(in, "nope"));
  BOOST_TEST(!render_info(in, "server,stats"));
  BOOST_TEST(info_sections().size() == 5u);
}

BOOST_FIXTURE_TEST_CASE(sessions_count_per_dialect_and_from_the_broker, input_fixture) {
  metrics.sessions[0].add(2);
  metrics.sessions[2].add(1);
  session_info a;
  a.id = 1;
  a.receiving = true;
  a.queued_bytes = 100;
  session_info b;
  b.id = 2;
  b.queued_bytes = 20;
  in.sessions = std::vector<session_info>{a, b};
  auto v = values_of(*render_info(in, "sessions"));
  BOOST_TEST(v["sessions_total"] == "3");
  BOOST_TEST(v["sessions_companion"] == "2");
  BOOST_TEST(v["sessions_gateway"] == "0");
  BOOST_TEST(v["sessions_voice"] == "1");
  BOOST_TEST(v["receiving_broadcasts"] == "1");
  BOOST_TEST(v["queued_bytes_total"] == "120");
}

BOOST_FIXTURE_TEST_CASE(stats_are_total_counters, input_fixture) {
  metrics.messages_in[0].inc(5);
  metrics.messages_in[2].inc(2);
  metrics.messages_out[0].inc(7);
  metrics.count_close(0, 4007);
  metrics.count_close(0, 4007);
  metrics.count_close(2, 1000);
  metrics.broadcasts.inc(3);
  metrics.store_commits.inc(4);
  metrics.http_requests.inc(9);
  metrics.broadcast_seconds.observe(0.001);
  metrics.broadcast_seconds.observe(0.003);
  auto v = values_of(*render_info(in, "stats"));
  BOOST_TEST(v["total_messages_in"] == "7");
  BOOST_TEST(v["total_messages_in_companion"] == "5");
  BOOST_TEST(v["total_messages_in_voice"] == "2");
  BOOST_TEST(v["total_messages_out"] == "7");
  BOOST_TEST(v["total_closes"] == "3");
  BOOST_TEST(v["total_closes_companion_4007"] == "2");
  BOOST_TEST(v["total_closes_voice_1000"] == "1");
  BOOST_TEST(v["total_broadcasts"] == "3");
  BOOST_TEST(v["broadcast_avg_us"] == "2000");
  BOOST_TEST(v["total_store_commits"] == "4");
  BOOST_TEST(v["total_http_requests"] == "9");
  BOOST_TEST(v["total_commands_routed"] == "0");
}

BOOST_FIXTURE_TEST_CASE(store_and_music_sections, input_fixture) {
  in.store = store_counts{"data/coordinator.db", 12, 3};
  metrics.store_commits.inc(15);
  music_snapshot m;
  m.playing = 7;
  m.shards = {{0, 4, 1700000000000}, {3, 3, 1700000000500}};
  in.music = m;
  auto store = values_of(*render_info(in, "store"));
  BOOST_TEST(store["store_path"] == "data/coordinator.db");
  BOOST_TEST(store["stored_guilds"] == "12");
  BOOST_TEST(store["supporters"] == "3");
  BOOST_TEST(store["store_commits"] == "15");
  auto music = values_of(*render_info(in, "music"));
  BOOST_TEST(music["music_playing"] == "7");
  BOOST_TEST(music["shards_reporting"] == "2");
  BOOST_TEST(music["shard_0"] == "playing=4,updated_at=1700000000000");
  BOOST_TEST(music["shard_3"] == "playing=3,updated_at=1700000000500");
}

BOOST_FIXTURE_TEST_CASE(an_actor_that_did_not_answer_is_said_so, input_fixture) {
  auto store = values_of(*render_info(in, "store"));
  BOOST_TEST(store["store_answered"] == "no");
  BOOST_TEST(store.count("store_path") == 0u);
  auto music = values_of(*render_info(in, "music"));
  BOOST_TEST(music["stats_answered"] == "no");
  auto sessions = values_of(*render_info(in, "sessions"));
  BOOST_TEST(sessions.count("receiving_broadcasts") == 0u);
}

BOOST_FIXTURE_TEST_CASE(values_never_break_the_line_structure, input_fixture) {
  in.store = store_counts{"weird\npath\r\twith\\\x01", 0, 0};
  auto text = *render_info(in, "store");
  auto v = values_of(text);
  BOOST_TEST(v["store_path"] == "weird\\npath\\r\\twith\\\\\\x01");
  for (const auto& line : lines_of(text))
    BOOST_TEST(!line.empty());
}

BOOST_AUTO_TEST_CASE(human_bytes_like_redis) {
  BOOST_TEST(human_bytes(0) == "0B");
  BOOST_TEST(human_bytes(1023) == "1023B");
  BOOST_TEST(human_bytes(1536) == "1.50K");
  BOOST_TEST(human_bytes(5ull << 30) == "5.00G");
}

BOOST_AUTO_TEST_SUITE_END()
