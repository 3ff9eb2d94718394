// What the original clients really send and expect (SPEC.md §2, §4.5, §4.7, §4.8, §5), with
// their exact frames, against the running node: discodo's voice clients (RESUMED as a map,
// getState's whole field set, getQueue, errors carrying guild_id) and the oxyl sharder (its
// own cache payloads, IDENTIFIED after a restart, no invented channel type, DELETE routes),
// plus 4009 counted when decided and the clients' other habits.

#include "tests/e2e/gateway_client.hpp"
#include "tests/support/raw_tcp.hpp"

#include <thread>

using namespace coord::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* voice_pw = "original-voice-password";

std::vector<std::string> node_args(std::vector<std::string> more = {}) {
  auto out = gw_args({std::string{"--voice.password="} + voice_pw});
  for (auto& m : more)
    out.push_back(std::move(m));
  return out;
}

// -- voice: a discodo client -------------------------------------------------------------

struct voice_client {
  explicit voice_client(std::uint16_t port)
    : ws(port, "/ws", {{"Authorization", voice_pw}}) {
    BOOST_REQUIRE(expect("HELLO").at("d").is_object());
  }

  json::object expect(const std::string& op) {
    auto m = next_json(ws);
    BOOST_REQUIRE_MESSAGE(m.at("op").as_string() == op,
                          "expected " << op << ", got " << json::serialize(m));
    return m;
  }

  void send(const std::string& op, json::value d) {
    ws.send_text(json::serialize(json::object{{"op", op}, {"d", std::move(d)}}));
  }

  void identify(const std::string& user, json::value shard) {
    send("IDENTIFY", json::object{{"user_id", user}, {"shard_id", std::move(shard)}});
    expect("IDENTIFIED");
  }

  /// VOICE_STATE_UPDATE then VOICE_SERVER_UPDATE, as the bot forwards them: the voice client id.
  std::string create(const std::string& user, const std::string& guild,
                     const std::string& channel) {
    send("DISCORD_EVENT",
         json::object{{"t", "VOICE_STATE_UPDATE"},
                      {"d", {{"user_id", user}, {"guild_id", guild}, {"channel_id", channel}}}});
    send("DISCORD_EVENT",
         json::object{{"t", "VOICE_SERVER_UPDATE"},
                      {"d", {{"guild_id", guild}, {"token", "t"}, {"endpoint", "e:443"}}}});
    return std::string{expect("VC_CREATED").at("d").at("id").as_string()};
  }

  ws_client ws;
};

json::object resumed_after_reconnect(std::uint16_t port, std::string& vc_id) {
  {
    voice_client c{port};
    c.identify("42", 3);
    vc_id = c.create("42", "81384788765712384", "81384788765712385");
    c.ws.close();
  }
  voice_client again{port};
  again.identify("42", 3);
  return again.expect("RESUMED").at("d").as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(original_clients)

BOOST_AUTO_TEST_CASE(voice_resumed_maps_guilds_to_voice_clients_as_discodo_parses_it) {
  node_fixture f{node_args()};
  std::string id;
  auto d = resumed_after_reconnect(f.port(), id);
  // discodo: `for guild_id, vc in data["voice_clients"].items()`; discodo.js: Object.entries.
  const auto& vcs = d.at("voice_clients").as_object();
  BOOST_REQUIRE_EQUAL(vcs.size(), 1u);
  const auto& vc = vcs.at("81384788765712384").as_object();
  BOOST_TEST(vc.at("id").as_string() == id);
  BOOST_TEST(vc.at("channel").as_string() == "81384788765712385");
}

BOOST_AUTO_TEST_CASE(voice_resumed_in_the_seeds_pairs_form_behind_the_option) {
  node_fixture f{node_args({"--voice.resumed_form=pairs"})};
  std::string id;
  auto d = resumed_after_reconnect(f.port(), id);
  const auto& pairs = d.at("voice_clients").as_array();
  BOOST_REQUIRE_EQUAL(pairs.size(), 1u);
  BOOST_TEST(pairs[0].as_array()[0].as_string() == "81384788765712384");
  BOOST_TEST(pairs[0].as_array()[1].as_string() == "81384788765712385");
}

BOOST_AUTO_TEST_CASE(voice_get_state_has_the_originals_whole_field_set) {
  node_fixture f{node_args()};
  voice_client c{f.port()};
  c.identify("42", nullptr);
  const auto id = c.create("42", "900", "901");
  c.send("getState", json::object{{"guild_id", "900"}});
  const auto d = c.expect("getState").at("d").as_object();
  BOOST_TEST(d.at("id").as_string() == id);
  BOOST_TEST(d.at("guild_id").as_string() == "900");
  BOOST_TEST(d.at("channel_id").as_string() == "901");
  BOOST_TEST(d.at("state").as_int64() == 1); // stopped: this node plays no audio
  for (const auto* k : {"current", "duration", "position", "remain"})
    BOOST_TEST(d.at(k).is_null(), k);
  BOOST_TEST(d.at("remainQueue").as_int64() == 0);
  // discodo syncs every 5 s and reads these: KeyError 'options' before.
  const auto& options = d.at("options").as_object();
  BOOST_TEST(options.at("autoplay").as_bool());
  BOOST_TEST(options.at("volume").as_double() == 1.0);
  BOOST_TEST(options.at("crossfade").as_double() == 10.0);
  BOOST_TEST(options.at("filter").as_object().empty());
  BOOST_TEST(d.at("context").as_object().empty());
}

BOOST_AUTO_TEST_CASE(voice_get_queue_is_answered) {
  node_fixture f{node_args()};
  voice_client c{f.port()};
  c.identify("42", nullptr);
  c.create("42", "900", "901");
  c.send("getQueue", json::object{{"guild_id", "900"}});
  const auto d = c.expect("getQueue").at("d").as_object();
  BOOST_TEST(d.at("guild_id").as_string() == "900");
  BOOST_TEST(d.at("entries").as_array().empty());
}

BOOST_AUTO_TEST_CASE(voice_errors_carry_the_requests_guild_id_as_sent) {
  node_fixture f{node_args()};
  voice_client c{f.port()};
  c.identify("42", nullptr);
  c.create("42", "5", "6");
  // The clients route a reply by d.guild_id: without it fetchState/destroy wait 10 s.
  c.send("getState", json::object{{"guild_id", "900"}});
  auto e = c.expect("getState").at("d").as_object();
  BOOST_TEST(e.at("traceback").as_object().contains("VoiceClientNotFound"));
  BOOST_TEST(e.at("guild_id").as_string() == "900");
  c.send("VC_DESTROY", json::object{{"guild_id", 900}});
  e = c.expect("VC_DESTROY").at("d").as_object();
  BOOST_TEST(e.at("guild_id").as_int64() == 900); // a number stays a number
  c.send("getQueue", json::object{{"guild_id", "901"}});
  BOOST_TEST(c.expect("getQueue").at("d").at("guild_id").as_string() == "901");
  // A player op the node does not implement: the error for a guild without voice client,
  // nothing for a guild with one (ignored and counted).
  c.send("requestSubtitle", json::object{{"guild_id", "5"}, {"url", "x"}});
  c.send("requestSubtitle", json::object{{"guild_id", "902"}});
  e = c.expect("requestSubtitle").at("d").as_object();
  BOOST_TEST(e.at("guild_id").as_string() == "902");
  c.send("getState", json::object{{"guild_id", "5"}});
  BOOST_TEST(c.expect("getState").at("d").at("guild_id").as_string() == "5");
}

// -- gateway: the oxyl sharder -------------------------------------------------------------

namespace {

std::vector<std::pair<std::string, std::string>> read_auth() { return {{"Authorization", secret}}; }

http_reply read_api(std::uint16_t port, const std::string& method, const std::string& path) {
  return http_request(port, method, path, {}, read_auth());
}

/// The read API's answer once the cache has it (op 5 is applied asynchronously).
json::object cached(std::uint16_t port, const std::string& path) {
  BOOST_REQUIRE_MESSAGE(wait_until([&] { return read_api(port, "GET", path).status == 200; }),
                        path << " never cached");
  return body_json(read_api(port, "GET", path));
}

/// The session is still open and served: a heartbeat gets its ACK.
void still_served(gw_client& c) {
  c.send(1, json::object{{"heapUsed", 1}, {"guilds", 1}});
  for (;;) {
    auto m = c.next();
    if (m.at("op").as_int64() == 4)
      return;
  }
}

const char* guild_id = "254768930223161344";

json::object guild_frame() {
  return json::parse(std::string{R"({"type":"guild","id":")"} + guild_id +
                     R"(","name":"G","icon":null,"ownerID":"10","region":"eu","memberCount":5,)"
                     R"("roles":[],"channels":[{"id":"30","type":2,"position":0,"name":"Music",)"
                     R"("nsfw":false}],"members":[{"id":"10","nickname":"nick","roles":["20"],)"
                     R"("joinedAt":"2020-01-01T00:00:00.000Z","user":{"id":"10","username":"u",)"
                     R"("discriminator":"0001","avatar":null,"bot":false}}],"voiceStates":[]})")
    .as_object();
}

} // namespace

BOOST_AUTO_TEST_CASE(the_sharders_own_cache_payloads_do_not_close_it) {
  node_fixture f{node_args()};
  gw_client s{f.port()};
  s.identify("sharder");
  const std::string g = std::string{"/discord/guilds/"} + guild_id;
  s.send(5, guild_frame());
  BOOST_TEST(cached(f.port(), g + "/members/10").at("joinedAt").as_string() ==
             "2020-01-01T00:00:00.000Z");
  // A member update: Discord sends no joined_at there. Known values are kept.
  s.ws.send_text(std::string{R"({"op":5,"d":{"type":"member","id":"10","guildID":")"} +
                 guild_id + R"(","nickname":null,"roles":[],"joinedAt":null,"user":{"id":"10",)"
                 R"("username":"renamed","discriminator":"0001","avatar":null,"bot":false}}})");
  // A guild update with memberCount null.
  auto update = guild_frame();
  update["memberCount"] = nullptr;
  update["name"] = "G2";
  update.erase("members"); // a guild update carries no members
  s.send(5, update);
  // A DM channel: no guildID.
  s.ws.send_text(R"({"op":5,"d":{"id":"360000000000000099","type":"channel","nsfw":false,"overwrites":[]}})");
  // A member seen for the first time through an update: its joinedAt is unknown.
  s.ws.send_text(std::string{R"({"op":5,"d":{"type":"member","id":"11","guildID":")"} +
                 guild_id + R"(","nickname":null,"roles":[],"joinedAt":null,"user":{"id":"11",)"
                 R"("username":"new","discriminator":"0002","avatar":null,"bot":false}}})");
  still_served(s);
  BOOST_TEST(!s.ws.closed());
  auto member = cached(f.port(), g + "/members/10");
  BOOST_TEST(member.at("joinedAt").as_string() == "2020-01-01T00:00:00.000Z");
  BOOST_TEST(member.at("roles").as_array().empty());
  BOOST_TEST(wait_until([&] {
    return body_json(read_api(f.port(), "GET", "/discord/users/10")).at("username").as_string() == "renamed";
  }));
  cached(f.port(), g);
  BOOST_TEST(wait_until([&] { return body_json(read_api(f.port(), "GET", g)).at("name").as_string() == "G2"; }));
  BOOST_TEST(body_json(read_api(f.port(), "GET", g)).at("memberCount").as_int64() == 5);
  BOOST_TEST(cached(f.port(), g + "/members/11").at("joinedAt").is_null());
  BOOST_TEST(metric(f.port(), R"(coordinator_cache_ignored_total{reason="dm_channel"})") == 1);
  BOOST_TEST(read_api(f.port(), "GET", "/discord/guilds/0/channels/360000000000000099").status ==
             404u);
}

BOOST_AUTO_TEST_CASE(no_channel_type_is_invented) {
  node_fixture f{node_args()};
  gw_client s{f.port()};
  s.identify("sharder");
  const std::string g = std::string{"/discord/guilds/"} + guild_id;
  s.send(5, guild_frame()); // channel 30 is a voice channel (type 2)
  BOOST_TEST(cached(f.port(), g + "/channels/30").at("type").as_string() == "voice");
  // The sharder overwrites the numeric type with the cache type "channel".
  s.ws.send_text(std::string{R"({"op":5,"d":{"id":"30","guildID":")"} + guild_id +
                 R"(","type":"channel","position":1,"name":"Renamed","nsfw":false}})");
  s.ws.send_text(std::string{R"({"op":5,"d":{"id":"31","guildID":")"} + guild_id +
                 R"(","type":"channel","position":2,"name":"New","nsfw":false}})");
  still_served(s);
  BOOST_TEST(wait_until([&] {
    return body_json(read_api(f.port(), "GET", g + "/channels/30")).at("name").as_string() == "Renamed";
  }));
  BOOST_TEST(body_json(read_api(f.port(), "GET", g + "/channels/30")).at("type").as_string() ==
             "voice");
  BOOST_TEST(cached(f.port(), g + "/channels/31").at("type").is_null());
}

BOOST_AUTO_TEST_CASE(a_restarted_sharder_gets_its_shards_in_identified) {
  node_fixture f{node_args({"--gateway.shard_count=4", "--gateway.sharders=2",
                            "--gateway.shard_release_s=60"})};
  gw_client other{f.port()};
  BOOST_TEST(shard_list(other.identify("sharder")) == (std::vector<std::uint32_t>{0, 1}));
  {
    gw_client first{f.port()};
    BOOST_TEST(shard_list(first.identify("sharder")) == (std::vector<std::uint32_t>{2, 3}));
  } // the process dies: its TCP connection drops
  BOOST_REQUIRE(wait_until([&] {
    auto shards = http_request(f.port(), "GET", "/api/v1/shards", {}, {admin_auth()}).body;
    return shards.find("\"held\"") != std::string::npos;
  }));
  // The restarted original sharder identifies without d.shards and reads only IDENTIFIED.
  gw_client restarted{f.port()};
  BOOST_TEST(shard_list(restarted.identify("sharder")) == (std::vector<std::uint32_t>{2, 3}));
  // No SHARDS_ASSIGNED follows, to it or to the other sharder.
  BOOST_TEST(!restarted.ws.read(300ms).has_value());
  BOOST_TEST(!other.ws.read(100ms).has_value());
}

BOOST_AUTO_TEST_CASE(delete_routes_answer_204_without_a_body) {
  node_fixture f{node_args()};
  gw_client s{f.port()};
  s.identify("sharder");
  auto frame = guild_frame();
  frame["roles"] = json::parse(std::string{R"([{"id":"20","guildID":")"} + guild_id +
                               R"(","name":"r","color":0,"position":1,"permissions":8}])");
  frame["voiceStates"] = json::parse(
    std::string{R"([{"guildID":")"} + guild_id +
    R"(","channelID":"30","userID":"10","deaf":false,"mute":false,"selfDeaf":false,"selfMute":false}])");
  s.send(5, frame);
  const std::string g = std::string{"/discord/guilds/"} + guild_id;
  cached(f.port(), g + "/voicestates/10");
  for (const auto& path : {g + "/voicestates/10", g + "/members/10", g + "/roles/20",
                           g + "/channels/30", g}) {
    BOOST_TEST_CONTEXT(path) {
      auto r = read_api(f.port(), "DELETE", path);
      BOOST_TEST(r.status == 204u);
      BOOST_TEST(r.body.empty());
      BOOST_TEST(read_api(f.port(), "GET", path).status == 404u);
      auto again = read_api(f.port(), "DELETE", path);
      BOOST_TEST(again.status == 404u);
      BOOST_TEST(body_json(again).contains("error"));
    }
  }
  BOOST_TEST(http_request(f.port(), "DELETE", g + "/roles/20").status == 401u);
}

BOOST_AUTO_TEST_CASE(the_clients_other_habits_keep_working) {
  node_fixture f{node_args({"--gateway.heartbeat_interval_ms=400"})};
  // identify with compress:true: HELLO still arrives as plain text (gw_client checks it).
  gw_client c{f.port()};
  BOOST_TEST(c.identify("sharder", true).contains("shards"));
  // The coordinator asks for a heartbeat with {op:1,d:{}}; the sharder answers with its data.
  for (int i = 0; i < 3; ++i) {
    auto m = c.next(3s);
    BOOST_REQUIRE_EQUAL(m.at("op").as_int64(), 1);
    BOOST_TEST(m.at("d").as_object().empty());
    c.send(1, json::object{{"heapUsed", 123456}, {"guilds", 3}});
    BOOST_TEST(c.next().at("op").as_int64() == 4);
  }
  BOOST_TEST(!c.ws.closed()); // three intervals and more: answering the requests is enough
  // 18-digit ids sent as JSON numbers are kept exact (above 2^53).
  c.ws.send_text(std::string{R"({"op":5,"d":{"type":"member","id":155112606661607425,)"
                             R"("guildID":254768930223161344,"nickname":null,"roles":[254769053317103617],)"
                             R"("joinedAt":null,"user":{"id":155112606661607425,"username":"u",)"
                             R"("discriminator":"0001","avatar":null,"bot":false}}})"});
  auto m = cached(f.port(), "/discord/guilds/254768930223161344/members/155112606661607425");
  BOOST_TEST(m.at("id").as_string() == "155112606661607425");
  BOOST_TEST(m.at("roles").as_array()[0].as_string() == "254769053317103617");
}

// -- 4009 is counted when decided ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_slow_consumer_is_counted_when_the_close_is_decided) {
  node_fixture f{node_args({"--limits.outbound_queue_bytes=65536",
                            "--limits.max_frame_bytes=16384", "--limits.messages_per_minute=0"})};
  const std::string prefix(2000, 'p');
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PATCH", "/api/v1/guilds/1/settings",
                            R"({"prefix":")" + prefix + R"("})").status, 200u);
  // A companion session that reads nothing more, with a tiny receive buffer.
  raw_ws slow{f.port(), "/companion", {}, 4096};
  slow.send_text(companion_frame({{"op", 1}, {"guildIds", json::array{1}}}));
  BOOST_REQUIRE(slow.read_message().has_value());
  ws_client driver{f.port(), "/companion"};
  companion_handshake(driver);
  const std::string series = R"(coordinator_closes_total{dialect="companion",code="4009"})";
  const auto request = companion_frame({{"op", 2}, {"guildId", 1}});
  // Broadcasts of ~2 KB until the slow session's queue (64 KiB) overflows.
  for (int r = 0; r < 400 && metric(f.port(), series) != 1; ++r) {
    for (int k = 0; k < 20; ++k)
      driver.send_text(request);
    for (int k = 0; k < 20; ++k)
      BOOST_REQUIRE(driver.read().has_value());
  }
  // Counted while the close handshake cannot have ended: the slow session has read nothing,
  // so its connection is still open and the close frame still comes after what the kernel
  // holds. (Counting at the end would mean counting when the 10 s timer drops the
  // connection, and then no close frame would ever arrive.)
  BOOST_TEST(metric(f.port(), series) == 1);
  BOOST_TEST(slow.wait_close(15s).value_or(0) == 4009u);
  BOOST_TEST(slow.close_reason() == "slow consumer");
  BOOST_TEST(metric(f.port(), series) == 1); // once, not again when it ends
}

BOOST_AUTO_TEST_SUITE_END()
