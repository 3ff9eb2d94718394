// SPEC.md §8 debug console against the running node: every command's answer shape, the
// trailing empty line, kick, `coordinator console -c`, and auth on a non-loopback bind.

#include "tests/e2e/helpers.hpp"
#include "tests/support/line_client.hpp"

#include <algorithm>
#include <thread>

using namespace coord::test;
namespace json = boost::json;

namespace {

/// The answer is well framed: lines, none empty, then exactly one empty line.
void check_framing(const console_answer& a, const std::string& what) {
  BOOST_TEST(!a.lines.empty(), what << ": empty answer");
  BOOST_TEST(a.raw.size() >= 2u);
  BOOST_TEST(a.raw.substr(a.raw.size() - 2) == "\n\n", what);
  BOOST_TEST(a.raw.find("\n\n") == a.raw.size() - 2, what << ": empty line inside");
  for (const auto& l : a.lines)
    BOOST_TEST(l.find('\r') == std::string::npos, what);
}

/// Every line is "# Section" or "key:value".
void check_key_values(const console_answer& a, const std::string& what) {
  for (const auto& l : a.lines) {
    if (l.rfind("# ", 0) == 0)
      continue;
    auto colon = l.find(':');
    BOOST_TEST((colon != std::string::npos && colon > 0), what << ": " << l);
  }
}

/// The value of "key:value" in `a`, empty when absent.
std::string value_of(const console_answer& a, const std::string& key) {
  for (const auto& l : a.lines)
    if (l.rfind(key + ":", 0) == 0)
      return l.substr(key.size() + 1);
  return {};
}

/// The id of the only session listed by the console.
std::uint64_t only_session_id(line_client& c) {
  auto a = c.command("sessions");
  BOOST_REQUIRE_EQUAL(a.lines.size(), 2u);
  auto& line = a.lines[1];
  BOOST_REQUIRE(line.rfind("id=", 0) == 0);
  return std::stoull(line.substr(3, line.find(' ') - 3));
}

} // namespace

BOOST_AUTO_TEST_SUITE(console)

BOOST_AUTO_TEST_CASE(every_command_answers_in_shape_with_a_trailing_empty_line) {
  node_fixture f;
  BOOST_REQUIRE(f.node.console_port() != 0);
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PATCH", "/api/v1/guilds/42/settings",
                            R"({"prefix":"~","djRoleId":"7"})").status, 200u);
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PUT", "/api/v1/supporters/5").status, 201u);
  ws_client ws{f.port(), "/companion"};
  companion_handshake(ws, {42});
  ws.send_text(companion_frame({{"op", 5}, {"shardId", 0}, {"playingMusic", 3}}));

  line_client c{f.node.console_port()};
  auto help = c.command("help");
  check_framing(help, "help");
  BOOST_TEST(help.lines.size() >= 12u);

  auto info = c.command("info");
  check_framing(info, "info");
  check_key_values(info, "info");
  for (auto section : {"# Server", "# Sessions", "# Stats", "# Store", "# Music"})
    BOOST_TEST((std::find(info.lines.begin(), info.lines.end(), section) != info.lines.end()),
               section);
  BOOST_TEST(value_of(info, "coordinator_version") == "0.1.0");
  BOOST_TEST(std::stoll(value_of(info, "used_memory_rss")) > 0);
  BOOST_TEST(value_of(info, "sessions_companion") == "1");
  BOOST_TEST(value_of(info, "stored_guilds") == "1");
  BOOST_TEST(value_of(info, "supporters") == "1");
  BOOST_TEST(value_of(info, "total_store_commits") == "2");
  BOOST_TEST(value_of(info, "console_listener") ==
             "127.0.0.1:" + std::to_string(f.node.console_port()));

  auto server = c.command("info server");
  check_framing(server, "info server");
  BOOST_TEST(server.lines.front() == "# Server");
  BOOST_TEST(std::count_if(server.lines.begin(), server.lines.end(),
                           [](const std::string& l) { return l[0] == '#'; }) == 1);

  auto actors = c.command("actors");
  check_framing(actors, "actors");
  BOOST_TEST(actors.lines[0] == "actors:" + std::to_string(actors.lines.size() - 1));
  for (auto name : {"inspector", "broker", "command_router", "service_directory",
                    "guild_settings_store", "shard_stats", "http_api", "companion_session"}) {
    auto found = std::any_of(actors.lines.begin(), actors.lines.end(), [&](const std::string& l) {
      return l.rfind(std::string("name=") + name + " id=", 0) == 0 &&
             l.find(" mailbox=") != std::string::npos;
    });
    BOOST_TEST(found, name << " in " << actors.text());
  }

  auto sessions = c.command("sessions");
  check_framing(sessions, "sessions");
  BOOST_REQUIRE_EQUAL(sessions.lines.size(), 2u);
  BOOST_TEST(sessions.lines[0] == "sessions:1");
  BOOST_TEST(sessions.lines[1].find(" dialect=companion ") != std::string::npos);
  BOOST_TEST(sessions.lines[1].find(" receiving=yes ") != std::string::npos);
  BOOST_TEST(sessions.lines[1].find(" messages_in=2 ") != std::string::npos, sessions.text());
  BOOST_TEST(c.command("sessions voice").lines == std::vector<std::string>{"sessions:0"});
  BOOST_TEST(c.command("sessions companion").lines.size() == 2u);

  auto id = only_session_id(c);
  auto one = c.command("session " + std::to_string(id));
  check_framing(one, "session");
  check_key_values(one, "session");
  BOOST_TEST(value_of(one, "dialect") == "companion");
  BOOST_TEST(value_of(one, "state") == "identified");
  BOOST_TEST(value_of(one, "queued_bytes") == "0");
  BOOST_TEST(value_of(one, "messages_out") == "1");
  BOOST_TEST(!value_of(one, "last_heartbeat_ms_ago").empty());
  BOOST_TEST(value_of(one, "remote").rfind("127.0.0.1:", 0) == 0u);

  auto shards = c.command("shards");
  check_framing(shards, "shards");

  auto guild = c.command("guild 42");
  check_framing(guild, "guild");
  check_key_values(guild, "guild");
  BOOST_TEST(value_of(guild, "prefix") == "~");
  BOOST_TEST(value_of(guild, "dj_role_id") == "7");
  BOOST_TEST(value_of(guild, "music_enabled") == "yes");

  auto sups = c.command("supporters");
  check_framing(sups, "supporters");
  BOOST_TEST(sups.lines == (std::vector<std::string>{"supporters:1", "5"}));

  auto stats = c.command("stats");
  check_framing(stats, "stats");
  check_key_values(stats, "stats");
  BOOST_TEST(value_of(stats, "music_playing") == "3");
  BOOST_TEST(value_of(stats, "shard_0").rfind("playing=3,updated_at=", 0) == 0u);

  for (auto bad : {"frobnicate", "session abc", "guild", "kick", "info nope", "sessions moon",
                   "kick 1 2000", "session 999999", "kick 999999"}) {
    auto a = c.command(bad);
    check_framing(a, bad);
    BOOST_TEST(a.lines.size() == 1u, bad);
    BOOST_TEST(a.starts_with("ERR "), bad << " -> " << a.text());
  }

  auto bye = c.command("quit");
  BOOST_TEST(bye.lines == std::vector<std::string>{"bye"});
  BOOST_TEST(c.wait_closed());
}

BOOST_AUTO_TEST_CASE(kick_closes_a_websocket_with_the_given_code) {
  node_fixture f;
  line_client c{f.node.console_port()};
  {
    ws_client ws{f.port(), "/companion"};
    companion_handshake(ws);
    auto id = only_session_id(c);
    BOOST_TEST(c.command("kick " + std::to_string(id) + " 4321").lines ==
               std::vector<std::string>{"OK"});
    BOOST_TEST(ws.wait_close().value_or(0) == 4321);
  }
  {
    ws_client ws{f.port(), "/companion"};
    companion_handshake(ws);
    // The first session may still be leaving the broker: wait until one is listed.
    std::uint64_t id = 0;
    for (int i = 0; i < 100 && id == 0; ++i) {
      auto a = c.command("sessions");
      if (a.lines.size() == 2u)
        id = std::stoull(a.lines[1].substr(3, a.lines[1].find(' ') - 3));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_REQUIRE(id != 0);
    BOOST_TEST(c.command("kick " + std::to_string(id) + " 5000").starts_with("ERR "));
    BOOST_TEST(c.command("kick " + std::to_string(id)).lines == std::vector<std::string>{"OK"});
    BOOST_TEST(ws.wait_close().value_or(0) == 1000);
  }
}

BOOST_AUTO_TEST_CASE(lines_are_answered_in_order_and_long_lines_close) {
  node_fixture f;
  line_client c{f.node.console_port()};
  // Three commands in one write, with "\r\n" and a blank line: three answers, in order.
  c.write("shards\r\n\nsupporters\nfrobnicate\n");
  BOOST_TEST(c.read_answer().value().lines[0] == "shards:1");
  BOOST_TEST(c.read_answer().value().lines[0] == "supporters:0");
  BOOST_TEST(c.read_answer().value().starts_with("ERR unknown command"));

  line_client big{f.node.console_port()};
  big.write(std::string(5000, 'x') + "\n");
  auto a = big.read_answer();
  BOOST_REQUIRE(a);
  BOOST_TEST(a->lines == std::vector<std::string>{"ERR line too long"});
  BOOST_TEST(big.wait_closed());

  // A line of exactly 4 KiB is still a line.
  line_client edge{f.node.console_port()};
  auto e = edge.command("info " + std::string(4091, 'y'));
  BOOST_TEST(e.starts_with("ERR "));
}

BOOST_AUTO_TEST_CASE(many_clients_and_one_leaving_mid_answer) {
  node_fixture f;
  {
    // Ask and leave before the answer is written.
    line_client gone{f.node.console_port()};
    gone.write("actors\ninfo\n");
  }
  std::vector<std::unique_ptr<line_client>> clients;
  for (int i = 0; i < 20; ++i)
    clients.push_back(std::make_unique<line_client>(f.node.console_port()));
  for (auto& c : clients)
    c->write("info server\n");
  for (auto& c : clients) {
    auto a = c->read_answer();
    BOOST_REQUIRE(a);
    BOOST_TEST(a->lines.front() == "# Server");
  }
  BOOST_TEST(http_request(f.port(), "GET", "/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(console_subcommand_prints_one_answer_and_exits_0) {
  node_fixture f;
  const auto port = std::to_string(f.node.console_port());
  auto r = run_binary({"console", "--port", port, "-c", "info"}, f.dir.path());
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("# Server\n") == 0u, r.output);
  BOOST_TEST(r.output.find("\n\n") == std::string::npos, r.output);
  auto s = run_binary({"console", "--host=127.0.0.1", "--port=" + port, "-c", "sessions"},
                      f.dir.path());
  BOOST_TEST(s.exit_code == 0);
  BOOST_TEST(s.output == "sessions:0\n");
  auto e = run_binary({"console", "--port", port, "-c", "nope"}, f.dir.path());
  BOOST_TEST(e.exit_code == 0);
  BOOST_TEST(e.output.rfind("ERR ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(console_subcommand_exits_1_with_one_line_when_it_cannot_connect) {
  temp_dir dir;
  // Port 1 is privileged and nothing listens there in the test environment.
  auto r = run_binary({"console", "--port", "1", "-c", "info"}, dir.path());
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, r.output);
  BOOST_TEST(r.output.find("cannot connect") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(a_non_loopback_console_requires_auth) {
  node_fixture f{{"--console.host=0.0.0.0", "--console.password=pw"}};
  line_client c{f.node.console_port()};
  for (auto cmd : {"info", "help", "sessions", "kick 1"}) {
    auto a = c.command(cmd);
    BOOST_TEST(a.lines.size() == 1u, cmd);
    BOOST_TEST(a.starts_with("ERR "), cmd);
  }
  BOOST_TEST(c.command("auth pw").lines == std::vector<std::string>{"OK"});
  BOOST_TEST(c.command("info server").lines.front() == "# Server");
  BOOST_TEST(c.command("sessions").lines == std::vector<std::string>{"sessions:0"});

  line_client bad{f.node.console_port()};
  BOOST_TEST(bad.command("auth wrong").starts_with("ERR "));
  BOOST_TEST(bad.wait_closed());

  const auto port = std::to_string(f.node.console_port());
  auto r = run_binary({"console", "--port", port, "--password", "pw", "-c", "stats"},
                      f.dir.path());
  BOOST_TEST(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("music_playing:0\n") == 0u, r.output);
  auto denied = run_binary({"console", "--port", port, "-c", "stats"}, f.dir.path());
  BOOST_TEST(denied.output.rfind("ERR ", 0) == 0u, denied.output);
}

BOOST_AUTO_TEST_CASE(a_non_loopback_console_without_password_fails_start_up) {
  temp_dir dir;
  auto r = run_binary({"--coordinator.port=0", "--console.port=0", "--console.host=0.0.0.0",
                       "--store.path=" + (dir.path() / "db.sqlite").string()},
                      dir.path());
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, r.output);
  BOOST_TEST(r.output.find("console.password") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_SUITE_END()
