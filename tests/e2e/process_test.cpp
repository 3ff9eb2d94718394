// SPEC.md §7 and §8 against the real process: persistence across restarts and kill -9,
// SIGTERM, start-up errors.

#include "tests/e2e/helpers.hpp"

#include <csignal>
#include <fstream>
#include <sys/stat.h>

using namespace coord::test;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(process)

BOOST_AUTO_TEST_CASE(restart_on_the_same_database_keeps_settings_and_supporters) {
  temp_dir dir;
  auto db = dir.path() / "coordinator.db";
  {
    node_process n{db};
    BOOST_REQUIRE_EQUAL(admin(n.port(), "PATCH", "/api/v1/guilds/9/settings",
                              R"({"prefix":"🎵","musicChannelId":"4"})").status, 200u);
    BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/guilds/9/music", R"({"enable":false})").status,
                        200u);
    BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/supporters/11").status, 201u);
    n.signal(SIGTERM);
    BOOST_REQUIRE_EQUAL(n.wait_exit(std::chrono::seconds(5)).value_or(-1), 0);
  }
  node_process n{db};
  auto g = body_json(admin(n.port(), "GET", "/api/v1/guilds/9/settings"));
  BOOST_TEST(g.at("prefix").as_string() == "🎵");
  BOOST_TEST(g.at("musicChannelId").as_string() == "4");
  BOOST_TEST(g.at("musicEnabled").as_bool() == false);
  ws_client c{n.port(), "/companion"};
  auto reply = companion_handshake(c, {9});
  BOOST_TEST(json::value_to<std::uint64_t>(reply.at("supporterIds").as_array().at(0)) == 11u);
  BOOST_TEST(reply.at("guilds").as_array().at(0).as_object().at("prefix").as_string() == "🎵");
}

BOOST_AUTO_TEST_CASE(kill_9_right_after_an_acknowledged_change_loses_nothing) {
  temp_dir dir;
  auto db = dir.path() / "coordinator.db";
  for (int round = 0; round < 3; ++round) {
    node_process n{db};
    // Verify what the previous rounds acknowledged, then change more and kill at once.
    for (int k = 0; k < round * 20; ++k) {
      auto g = body_json(admin(n.port(), "GET", "/api/v1/guilds/" + std::to_string(k + 1) + "/settings"));
      BOOST_TEST(g.at("prefix").as_string() == "p" + std::to_string(k), "guild " << k + 1);
    }
    for (int k = round * 20; k < (round + 1) * 20; ++k) {
      auto r = admin(n.port(), "PATCH", "/api/v1/guilds/" + std::to_string(k + 1) + "/settings",
                     R"({"prefix":"p)" + std::to_string(k) + R"("})");
      BOOST_REQUIRE_EQUAL(r.status, 200u);
    }
    BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/supporters/" + std::to_string(100 + round)).status,
                        201u);
    n.signal(SIGKILL);
    n.wait_exit(std::chrono::seconds(5));
  }
  node_process n{db};
  for (int k = 0; k < 60; ++k) {
    auto g = body_json(admin(n.port(), "GET", "/api/v1/guilds/" + std::to_string(k + 1) + "/settings"));
    BOOST_TEST(g.at("prefix").as_string() == "p" + std::to_string(k));
  }
  auto sups = body_json(admin(n.port(), "GET", "/api/v1/supporters")).at("supporterIds").as_array();
  BOOST_TEST(sups.size() == 3u);
}

BOOST_AUTO_TEST_CASE(sigterm_closes_every_session_with_1001_and_exits_0) {
  temp_dir dir;
  node_process n{dir.path() / "coordinator.db"};
  ws_client a{n.port(), "/companion"}, b{n.port(), "/companion"};
  companion_handshake(a);
  auto started = std::chrono::steady_clock::now();
  n.signal(SIGTERM);
  BOOST_TEST(a.wait_close().value_or(0) == 1001);
  BOOST_TEST(b.wait_close().value_or(0) == 1001);
  auto code = n.wait_exit(std::chrono::seconds(5));
  BOOST_TEST(code.value_or(-1) == 0);
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(sigint_exits_0) {
  temp_dir dir;
  node_process n{dir.path() / "coordinator.db"};
  n.signal(SIGINT);
  BOOST_TEST(n.wait_exit(std::chrono::seconds(5)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(bad_options_fail_with_one_line) {
  temp_dir dir;
  auto check = [&](std::vector<std::string> args, const std::string& needle) {
    auto r = run_binary(args, dir.path());
    BOOST_TEST(r.exit_code != 0, "exit code for " << needle);
    BOOST_TEST(r.output.find(needle) != std::string::npos, "output: " << r.output);
    auto lines = std::count(r.output.begin(), r.output.end(), '\n');
    BOOST_TEST(lines == 1, "expected one line, got: " << r.output);
  };
  check({"--coordinator.port=notanumber"}, "coordinator:");
  check({"--no.such-option=1"}, "coordinator:");
  check({"--limits.max_sessions=0"}, "limits.max_sessions");
  // A store path under a regular file cannot be created.
  {
    std::ofstream{dir.path() / "file"} << "x";
  }
  check({"--store.path=" + (dir.path() / "file" / "db.sqlite").string()}, "store");
}

BOOST_AUTO_TEST_CASE(help_lists_the_options) {
  temp_dir dir;
  auto r = run_binary({"--help"}, dir.path());
  BOOST_TEST(r.exit_code == 0);
  for (const char* opt : {"coordinator.port", "limits.max_frame_bytes", "companion.key",
                          "admin.token", "store.path"})
    BOOST_TEST(r.output.find(opt) != std::string::npos, "missing " << opt);
}

BOOST_AUTO_TEST_SUITE_END()
