// SPEC.md §4 against the running node: hello, identify, heartbeats, compression, shards,
// routing, stored events, cache and read API.

#include "tests/e2e/gateway_client.hpp"

#include <map>
#include <set>

using namespace coord::test;
namespace json = boost::json;

namespace {

json::object command(std::uint64_t guild, int n) {
  return json::object{{"command", "play"},
                      {"raw", "song " + std::to_string(n)},
                      {"extra", "not forwarded"},
                      {"ids", json::object{{"message", std::to_string(1000 + n)},
                                           {"author", "2"},
                                           {"channel", "3"},
                                           {"guild", std::to_string(guild)},
                                           {"shard", 0}}}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(gateway_dialect)

BOOST_AUTO_TEST_CASE(hello_identify_and_heartbeat) {
  node_fixture f{gw_args({"--gateway.heartbeat_interval_ms=20000"})};
  ws_client raw{f.port(), "/ws/v1"};
  auto hello = next_json(raw);
  BOOST_TEST(hello.at("op").as_int64() == 3);
  BOOST_TEST(hello.at("d").at("heartbeatInterval").as_int64() == 20000);
  gw_client c{f.port()};
  // Heartbeats are allowed before identify.
  c.send(1, json::object{{"heapUsed", 1234}});
  BOOST_TEST(c.next().at("op").as_int64() == 4);
  auto identified = c.identify("commands");
  BOOST_TEST(identified.size() == 1u); // only the sessionId (SPEC §4.9)
  BOOST_TEST(identified.contains("sessionId"));
  BOOST_TEST(c.close_after(0, json::object{{"type", "commands"}, {"compress", false},
                                           {"secret", secret}}) == 4002);
}

BOOST_AUTO_TEST_CASE(identify_checks_in_order) {
  node_fixture f{gw_args()};
  auto code = [&](json::object d) { return gw_client{f.port()}.close_after(0, std::move(d)); };
  BOOST_TEST(code({{"type", "nope"}, {"compress", false}, {"secret", "bad"}}) == 4005);
  BOOST_TEST(code({{"type", "sharder"}, {"compress", "yes"}, {"secret", "bad"}}) == 4005);
  BOOST_TEST(code({{"type", "sharder"}, {"compress", false}, {"secret", "bad"}}) == 4001);
  gw_client c{f.port()};
  BOOST_TEST(c.close_after(2, json::object{}, "EXECUTE_COMMAND") == 4000);
  gw_client d{f.port()};
  BOOST_TEST(d.close_after(1, json::object{{"heap", 1}}) == 4005);
  gw_client e{f.port()};
  e.ws.send_text("{nope");
  BOOST_TEST(e.ws.wait_close().value_or(0) == 4004);
  gw_client g{f.port()};
  BOOST_TEST(g.close_after(9, json::object{}) == 4003);
  gw_client h{f.port()};
  h.ws.send_text(R"({"op":1})");
  BOOST_TEST(h.ws.wait_close().value_or(0) == 4005);
}

BOOST_AUTO_TEST_CASE(compressed_session_inflates_every_frame) {
  node_fixture f{gw_args()};
  gw_client c{f.port()};
  auto d = c.identify("sharder", true);
  BOOST_TEST(shard_list(d) == std::vector<std::uint32_t>{0});
  c.send(1, json::object{{"heapUsed", 1}, {"guilds", 10}});
  BOOST_TEST(c.next().at("op").as_int64() == 4);
  c.send(2, json::object{{"shard", 0}}, "IDENTIFY_REQUEST");
  BOOST_TEST(c.event("IDENTIFY_GRANTED").at("shard").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(sharder_rules) {
  node_fixture f{gw_args({"--gateway.shard_count=4", "--gateway.sharders=2",
                          "--gateway.shard_release_s=0.3"})};
  gw_client b{f.port()};
  BOOST_TEST(shard_list(b.identify("sharder", false, json::array{3})) ==
             std::vector<std::uint32_t>{3});
  std::vector<std::uint32_t> a_shards;
  {
    gw_client a{f.port()};
    a_shards = shard_list(a.identify("sharder"));
    BOOST_TEST(a_shards == (std::vector<std::uint32_t>{0, 1}));
    // A sharder must send guilds with its heartbeat.
    BOOST_TEST(a.close_after(1, json::object{{"heapUsed", 1}}) == 4005);
  }
  // Re-identifying within the release delay gets the shards back.
  {
    gw_client a2{f.port()};
    BOOST_TEST(shard_list(a2.identify("sharder", false, json::array{0, 1})) == a_shards);
    a2.ws.close();
  }
  // After the delay they go to the sharder below its share, in one event.
  auto assigned = shard_list(b.event("SHARDS_ASSIGNED"));
  BOOST_TEST(assigned.size() == 2u);
  BOOST_TEST(assigned.back() == 3u);
  auto shards = body_json(admin(f.port(), "GET", "/api/v1/shards"));
  BOOST_TEST(!shards.empty());
}

BOOST_AUTO_TEST_CASE(each_command_reaches_exactly_one_worker_in_order) {
  node_fixture f{gw_args()};
  std::vector<std::unique_ptr<gw_client>> workers;
  for (int i = 0; i < 3; ++i) {
    workers.push_back(std::make_unique<gw_client>(f.port()));
    workers.back()->identify("commands", i == 1);
  }
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  constexpr int guilds = 40, per_guild = 8;
  for (int n = 0; n < per_guild; ++n)
    for (int g = 0; g < guilds; ++g)
      sharder.send(2, command(900000 + g, n), "EXECUTE_COMMAND");
  std::map<std::uint64_t, std::set<std::size_t>> guild_workers;
  std::map<std::uint64_t, std::vector<int>> order;
  std::size_t total = 0;
  for (std::size_t w = 0; w < workers.size(); ++w) {
    for (;;) {
      auto m = workers[w]->ws.read(std::chrono::milliseconds(500));
      if (!m)
        break;
      std::string text = m->binary ? *coord::proto::zlib::inflate(m->data, 1 << 20) : m->data;
      auto o = json::parse(text).as_object();
      BOOST_REQUIRE_EQUAL(o.at("t").as_string(), "EXECUTE_COMMAND");
      auto& d = o.at("d").as_object();
      BOOST_TEST(!d.contains("extra"));
      auto guild = std::stoull(std::string{d.at("ids").at("guild").as_string()});
      guild_workers[guild].insert(w);
      order[guild].push_back(std::stoi(std::string{d.at("raw").as_string()}.substr(5)));
      ++total;
    }
  }
  BOOST_TEST(total == std::size_t{guilds * per_guild});
  std::set<std::size_t> used;
  for (auto& [g, ws] : guild_workers) {
    BOOST_TEST(ws.size() == 1u, "guild " << g << " went to several workers");
    used.insert(*ws.begin());
  }
  BOOST_TEST(used.size() == 3u, "every worker got some guilds");
  for (auto& [g, ns] : order) {
    std::vector<int> expected(per_guild);
    for (int i = 0; i < per_guild; ++i)
      expected[i] = i;
    BOOST_TEST(ns == expected);
  }
}

BOOST_AUTO_TEST_CASE(commands_wait_for_a_worker_and_invalid_ones_are_not_forwarded) {
  node_fixture f{gw_args()};
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  sharder.send(2, command(1, 0), "EXECUTE_COMMAND");
  sharder.send(2, command(2, 1), "EXECUTE_COMMAND");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  gw_client worker{f.port()};
  worker.identify("commands");
  BOOST_TEST(worker.event("EXECUTE_COMMAND").at("raw").as_string() == "song 0");
  BOOST_TEST(worker.event("EXECUTE_COMMAND").at("raw").as_string() == "song 1");
  auto bad = command(3, 2);
  bad["ids"].as_object()["guild"] = "not a snowflake";
  BOOST_TEST(sharder.close_after(2, bad, "EXECUTE_COMMAND") == 4005);
  BOOST_TEST(!worker.ws.read(std::chrono::milliseconds(300)).has_value());
  auto metrics = http_request(f.port(), "GET", "/metrics").body;
  BOOST_TEST(metrics.find("coordinator_commands_total{outcome=\"buffered\"} 2") != std::string::npos);
  // A worker may not send commands, and nobody may send IDENTIFIED.
  BOOST_TEST(worker.close_after(2, command(1, 0), "EXECUTE_COMMAND") == 4006);
  gw_client panel{f.port()};
  panel.identify("panel");
  BOOST_TEST(panel.close_after(2, json::object{}, "IDENTIFIED") == 4006);
  gw_client feeds{f.port()};
  feeds.identify("feeds");
  BOOST_TEST(feeds.close_after(2, json::object{}, "NO_SUCH_EVENT") == 4005);
}

BOOST_AUTO_TEST_CASE(queue_overflow_and_expiry_are_counted) {
  node_fixture f{gw_args({"--gateway.command_buffer=2", "--gateway.command_buffer_ttl_s=0.3"})};
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  for (int n = 0; n < 3; ++n)
    sharder.send(2, command(1, n), "EXECUTE_COMMAND");
  // Two wait, the third finds the queue full; after the ttl the two are dropped, counted.
  std::string metrics;
  for (int i = 0; i < 60; ++i) {
    metrics = http_request(f.port(), "GET", "/metrics").body;
    if (metrics.find("coordinator_commands_total{outcome=\"dropped_expired\"} 2") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST(metrics.find("coordinator_commands_total{outcome=\"buffered\"} 2") != std::string::npos);
  BOOST_TEST(metrics.find("coordinator_commands_total{outcome=\"dropped_overflow\"} 1") != std::string::npos);
  BOOST_TEST(metrics.find("coordinator_commands_total{outcome=\"dropped_expired\"} 2") != std::string::npos);
  // A worker arriving later gets none of them.
  gw_client worker{f.port()};
  worker.identify("commands");
  BOOST_TEST(!worker.ws.read(std::chrono::milliseconds(300)).has_value());
}

BOOST_AUTO_TEST_CASE(stored_events_reach_gateway_and_companion_sessions) {
  node_fixture f{gw_args()};
  gw_client dashboard{f.port()}, sharder{f.port()}, feeds{f.port()};
  dashboard.identify("dashboard");
  sharder.identify("sharder");
  feeds.identify("feeds");
  ws_client companion{f.port(), "/companion"};
  companion_handshake(companion);
  dashboard.send(2, json::object{{"guildId", "55"}, {"prefix", "%"}}, "GUILD_SETTINGS_UPDATE");
  for (auto* c : {&dashboard, &sharder}) {
    BOOST_TEST_CHECKPOINT("settings update at " << (c == &dashboard ? "dashboard" : "sharder"));
    auto d = c->event("GUILD_SETTINGS_UPDATE");
    BOOST_TEST(d.at("guildId").as_string() == "55");
    BOOST_TEST(d.at("prefix").as_string() == "%");
  }
  auto op2 = next_json(companion);
  BOOST_TEST(op2.at("op").as_int64() == 2);
  BOOST_TEST(op2.at("prefix").as_string() == "%");
  dashboard.send(2, json::object{{"guildId", "55"}, {"enable", false}}, "MUSIC_COMMAND_UPDATE");
  BOOST_TEST_CHECKPOINT("music update");
  BOOST_TEST(sharder.event("MUSIC_COMMAND_UPDATE").at("enable").as_bool() == false);
  BOOST_TEST(next_json(companion).at("op").as_int64() == 3);
  dashboard.send(2, json::object{{"supporterId", "66"}}, "SUPPORTER_ADD");
  BOOST_TEST(next_json(companion).at("op").as_int64() == 10);
  // Stored: the admin API sees it, and feeds got none of the events.
  auto g = body_json(admin(f.port(), "GET", "/api/v1/guilds/55/settings"));
  BOOST_TEST(g.at("prefix").as_string() == "%");
  BOOST_TEST(g.at("musicEnabled").as_bool() == false);
  BOOST_TEST(!feeds.ws.read(std::chrono::milliseconds(200)).has_value());
  // The sharder may not send settings.
  BOOST_TEST(sharder.close_after(2, json::object{{"supporterId", "1"}}, "SUPPORTER_ADD") == 4006);
}

BOOST_AUTO_TEST_CASE(missed_heartbeats_are_requested_then_closed_with_4007) {
  node_fixture f{gw_args({"--gateway.heartbeat_interval_ms=400"})};
  gw_client c{f.port()};
  auto started = std::chrono::steady_clock::now();
  auto req = c.next(std::chrono::seconds(3));
  BOOST_TEST(req.at("op").as_int64() == 1);
  BOOST_TEST(req.at("d").as_object().empty());
  BOOST_TEST((std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(500)));
  BOOST_TEST(c.ws.wait_close(std::chrono::seconds(3)).value_or(0) == 4007);
  // A session that heartbeats stays.
  gw_client ok{f.port()};
  for (int i = 0; i < 6; ++i) {
    ok.send(1, json::object{{"heapUsed", 1}});
    BOOST_TEST(ok.next().at("op").as_int64() == 4);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  BOOST_TEST(!ok.ws.closed());
}

BOOST_AUTO_TEST_CASE(cache_and_read_api) {
  node_fixture f{gw_args({"--gateway.shard_count=2"})};
  gw_client s{f.port()};
  s.identify("sharder");
  s.send(1, json::object{{"heapUsed", 77}, {"guilds", 1}});
  s.next();
  json::object user{{"id", "10"}, {"username", "u"}, {"discriminator", "0001"},
                    {"avatar", nullptr}, {"bot", false}};
  json::object guild{
    {"type", "guild"}, {"id", "18446744073709551615"}, {"name", "G"}, {"icon", nullptr},
    {"ownerID", "10"}, {"region", "eu"}, {"memberCount", 1},
    {"roles", json::array{json::object{{"id", "20"}, {"guildID", "18446744073709551615"},
                                       {"name", "r"}, {"color", 0}, {"position", 1},
                                       {"permissions", 8}}}},
    {"channels", json::array{json::object{{"id", "30"}, {"guildID", "18446744073709551615"},
                                          {"type", 2}, {"position", 0}, {"name", "voice"},
                                          {"nsfw", false}}}},
    {"voiceStates", json::array{json::object{{"guildID", "18446744073709551615"},
                                             {"channelID", "30"}, {"userID", "10"},
                                             {"deaf", false}, {"mute", false},
                                             {"selfDeaf", false}, {"selfMute", false}}}},
    {"members", json::array{json::object{{"id", "10"}, {"guildID", "18446744073709551615"},
                                         {"nickname", nullptr}, {"roles", json::array{"20"}},
                                         {"joinedAt", "2020-01-01T00:00:00.000Z"},
                                         {"user", user}}}}};
  s.send(5, guild);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::vector<std::pair<std::string, std::string>> auth{{"Authorization", secret}};
  auto get = [&](const std::string& path) { return http_request(f.port(), "GET", path, {}, auth); };
  BOOST_TEST(http_request(f.port(), "GET", "/discord/users").status == 401u);
  BOOST_TEST(http_request(f.port(), "GET", "/discord/users", {}, {{"Authorization", "x"}}).status
             == 403u);
  BOOST_TEST(body_json(get("/discord/users")).at("users").as_int64() == 1);
  auto g = get("/discord/guilds/18446744073709551615");
  BOOST_TEST(g.status == 200u);
  BOOST_TEST(g.body.find("\"G\"") != std::string::npos);
  auto ch = get("/discord/guilds/18446744073709551615/channels/30");
  BOOST_TEST(ch.status == 200u);
  BOOST_TEST(ch.body.find("\"voice\"") != std::string::npos);
  BOOST_TEST(get("/discord/guilds/18446744073709551615/channels/30/members").body.find("\"10\"")
             != std::string::npos);
  BOOST_TEST(get("/discord/guilds/18446744073709551615/members/10").status == 200u);
  BOOST_TEST(get("/discord/guilds/18446744073709551615/roles/20").status == 200u);
  BOOST_TEST(get("/discord/guilds/18446744073709551615/voicestates/10").status == 200u);
  BOOST_TEST(get("/discord/users/10").status == 200u);
  BOOST_TEST(get("/discord/guilds/1").status == 404u);
  auto services = get("/services");
  BOOST_TEST(services.status == 200u);
  BOOST_TEST(services.body.find("sharder") != std::string::npos);
  BOOST_TEST(services.body.find("77") != std::string::npos);
  // Removal.
  s.send(5, json::object{{"type", "guild"}, {"id", "18446744073709551615"}, {"deleted", true}});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  BOOST_TEST(get("/discord/guilds/18446744073709551615").status == 404u);
  BOOST_TEST(s.close_after(5, json::object{{"type", "planet"}}) == 4005);
}

BOOST_AUTO_TEST_SUITE_END()
