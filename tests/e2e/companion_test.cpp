// SPEC.md §3 against the running node: every op, every close code, liveness.

#include "tests/e2e/helpers.hpp"

using namespace coord::test;
namespace json = boost::json;

namespace {

std::uint64_t u64(const json::value& v) {
  return json::value_to<std::uint64_t>(v);
}

std::uint16_t close_after(ws_client& c, const std::string& frame) {
  c.send_text(frame);
  auto code = c.wait_close();
  BOOST_REQUIRE_MESSAGE(code.has_value(), "expected the session to be closed");
  return *code;
}

} // namespace

BOOST_AUTO_TEST_SUITE(companion_dialect)

BOOST_AUTO_TEST_CASE(handshake_answers_defaults_in_request_order) {
  node_fixture f;
  ws_client c{f.port(), "/companion"};
  auto reply = companion_handshake(c, {30, 10, 20});
  BOOST_TEST(reply.at("supporterIds").as_array().empty());
  auto& guilds = reply.at("guilds").as_array();
  BOOST_REQUIRE_EQUAL(guilds.size(), 3u);
  std::uint64_t expected[] = {30, 10, 20};
  for (std::size_t i = 0; i < 3; ++i) {
    auto& g = guilds[i].as_object();
    BOOST_TEST(u64(g.at("guildId")) == expected[i]);
    BOOST_TEST(g.at("prefix").as_string() == "!");
    BOOST_TEST(u64(g.at("djRoleId")) == 0u);
    BOOST_TEST(u64(g.at("voiceChannelId")) == 0u);
    BOOST_TEST(u64(g.at("musicChannelId")) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(handshake_returns_stored_settings_and_supporters_with_big_ids) {
  node_fixture f;
  const std::uint64_t guild = 18446744073709551615ull; // 2^64-1
  auto r = admin(f.port(), "PATCH", "/api/v1/guilds/18446744073709551615/settings",
                 R"({"prefix":"?!","djRoleId":"9007199254740993","musicChannelId":12})");
  BOOST_REQUIRE_EQUAL(r.status, 200u);
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PUT", "/api/v1/supporters/9223372036854775809").status,
                      201u);
  ws_client c{f.port(), "/companion"};
  c.send_text(std::string{R"({"op":1,"key":")"} + companion_key
              + R"(","guildIds":[18446744073709551615]})");
  auto m = c.read();
  BOOST_REQUIRE(m);
  // Byte-exact: the ids above 2^53 are written as exact JSON integers.
  BOOST_TEST(m->data.find("\"supporterIds\":[9223372036854775809]") != std::string::npos);
  BOOST_TEST(m->data.find("\"guildId\":18446744073709551615") != std::string::npos);
  BOOST_TEST(m->data.find("\"djRoleId\":9007199254740993") != std::string::npos);
  auto g = json::parse(m->data).as_object().at("guilds").as_array().at(0).as_object();
  BOOST_TEST(u64(g.at("guildId")) == guild);
  BOOST_TEST(g.at("prefix").as_string() == "?!");
  BOOST_TEST(u64(g.at("musicChannelId")) == 12u);
}

BOOST_AUTO_TEST_CASE(second_handshake_is_answered_again) {
  node_fixture f;
  ws_client c{f.port(), "/companion"};
  companion_handshake(c, {1});
  auto again = companion_handshake(c, {2, 3});
  BOOST_TEST(again.at("guilds").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(op2_request_is_broadcast_to_every_handshaken_session) {
  node_fixture f;
  ws_client a{f.port(), "/companion"}, b{f.port(), "/companion"}, idle{f.port(), "/companion"};
  companion_handshake(a);
  companion_handshake(b);
  a.send_text(companion_frame({{"op", 2}, {"guildId", "77"}}));
  for (auto* c : {&a, &b}) {
    auto m = next_json(*c);
    BOOST_TEST(m.at("op").as_int64() == 2);
    BOOST_TEST(u64(m.at("guildId")) == 77u);
    BOOST_TEST(m.at("prefix").as_string() == "!");
  }
  // A session that never sent op 1 receives no broadcasts.
  BOOST_TEST(!idle.read(std::chrono::milliseconds(300)).has_value());
}

BOOST_AUTO_TEST_CASE(settings_change_music_toggle_and_supporters_reach_every_session) {
  node_fixture f;
  ws_client a{f.port(), "/companion"}, b{f.port(), "/companion"};
  companion_handshake(a);
  companion_handshake(b);
  BOOST_REQUIRE_EQUAL(
    admin(f.port(), "PATCH", "/api/v1/guilds/5/settings", R"({"prefix":"$"})").status, 200u);
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PUT", "/api/v1/guilds/5/music", R"({"enable":false})").status,
                      200u);
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PUT", "/api/v1/supporters/42").status, 201u);
  BOOST_REQUIRE_EQUAL(admin(f.port(), "DELETE", "/api/v1/supporters/42").status, 200u);
  for (auto* c : {&a, &b}) {
    auto op2 = next_json(*c);
    BOOST_TEST(op2.at("op").as_int64() == 2);
    BOOST_TEST(u64(op2.at("guildId")) == 5u);
    BOOST_TEST(op2.at("prefix").as_string() == "$");
    auto op3 = next_json(*c);
    BOOST_TEST(op3.at("op").as_int64() == 3);
    BOOST_TEST(u64(op3.at("guildId")) == 5u);
    BOOST_TEST(op3.at("enable").as_bool() == false);
    auto op10 = next_json(*c);
    BOOST_TEST(op10.at("op").as_int64() == 10);
    BOOST_TEST(u64(op10.at("supporterId")) == 42u);
    auto op11 = next_json(*c);
    BOOST_TEST(op11.at("op").as_int64() == 11);
    BOOST_TEST(u64(op11.at("supporterId")) == 42u);
  }
}

BOOST_AUTO_TEST_CASE(op5_is_recorded_and_a_closed_session_stops_counting) {
  node_fixture f;
  {
    ws_client c{f.port(), "/companion"};
    companion_handshake(c);
    c.send_text(companion_frame({{"op", 5}, {"shardId", 3}, {"playingMusic", 7}}));
    c.send_text(companion_frame({{"op", 5}, {"shardId", 4}, {"playingMusic", 2}}));
    json::object stats;
    for (int i = 0; i < 100; ++i) {
      stats = body_json(admin(f.port(), "GET", "/api/v1/stats"));
      if (stats.at("music").as_object().at("playing").as_int64() == 9)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto& music = stats.at("music").as_object();
    BOOST_TEST(music.at("playing").as_int64() == 9);
    auto& shards = music.at("shards").as_array();
    BOOST_REQUIRE_EQUAL(shards.size(), 2u);
    BOOST_TEST(shards[0].as_object().at("shardId").as_int64() == 3);
    BOOST_TEST(shards[0].as_object().at("playingMusic").as_int64() == 7);
    BOOST_TEST(shards[0].as_object().at("updatedAt").as_int64() > 0);
    BOOST_TEST(stats.at("sessions").as_object().at("companion").as_int64() == 1);
    BOOST_TEST(stats.at("services").as_array().empty());
    c.close();
  }
  json::object stats;
  for (int i = 0; i < 100; ++i) {
    stats = body_json(admin(f.port(), "GET", "/api/v1/stats"));
    if (stats.at("music").as_object().at("shards").as_array().empty())
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_TEST(stats.at("music").as_object().at("playing").as_int64() == 0);
  BOOST_TEST(stats.at("music").as_object().at("shards").as_array().empty());
}

BOOST_AUTO_TEST_CASE(stale_op5_stops_counting) {
  node_fixture f{{"--companion.stats_stale_after=300ms"}};
  ws_client c{f.port(), "/companion"};
  companion_handshake(c);
  c.send_text(companion_frame({{"op", 5}, {"shardId", 1}, {"playingMusic", 4}}));
  bool seen = false, gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    auto n = body_json(admin(f.port(), "GET", "/api/v1/stats")).at("music").as_object()
               .at("shards").as_array().size();
    seen = seen || n == 1;
    gone = seen && n == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  BOOST_TEST(seen);
  BOOST_TEST(gone);
  BOOST_TEST(!c.closed());
}

BOOST_AUTO_TEST_CASE(close_codes_follow_the_check_order) {
  node_fixture f;
  auto fresh = [&] { return std::make_unique<ws_client>(f.port(), "/companion"); };
  // invalid JSON beats everything
  BOOST_TEST(close_after(*fresh(), "{not json") == 4004);
  // missing, mistyped and wrong key
  BOOST_TEST(close_after(*fresh(), R"({"op":1,"guildIds":[]})") == 4001);
  BOOST_TEST(close_after(*fresh(), R"({"op":1,"key":5,"guildIds":[]})") == 4001);
  BOOST_TEST(close_after(*fresh(), R"({"op":1,"key":"nope","guildIds":[]})") == 4001);
  // a wrong key beats an unknown op
  BOOST_TEST(close_after(*fresh(), R"({"op":9,"key":"nope"})") == 4001);
  BOOST_TEST(close_after(*fresh(), companion_frame({{"op", 9}})) == 4003);
  // op 2 / op 5 before op 1
  BOOST_TEST(close_after(*fresh(), companion_frame({{"op", 2}, {"guildId", 1}})) == 4000);
  BOOST_TEST(close_after(*fresh(), companion_frame({{"op", 5}, {"shardId", 1}})) == 4000);
  // missing or mistyped fields
  BOOST_TEST(close_after(*fresh(), companion_frame({{"op", 1}})) == 4005);
  BOOST_TEST(close_after(*fresh(), companion_frame({{"op", 1}, {"guildIds", "x"}})) == 4005);
  {
    auto c = fresh();
    companion_handshake(*c);
    BOOST_TEST(close_after(*c, companion_frame({{"op", 2}, {"guildId", true}})) == 4005);
  }
  {
    auto c = fresh();
    companion_handshake(*c);
    BOOST_TEST(close_after(*c, companion_frame({{"op", 5}, {"shardId", 1}})) == 4005);
  }
  // a binary frame is not JSON text
  {
    auto c = fresh();
    c->send_binary(companion_frame({{"op", 1}, {"guildIds", json::array{}}}));
    BOOST_TEST(c->wait_close().value_or(0) == 4004);
  }
  // the node still serves a well-behaved client
  ws_client ok{f.port(), "/companion"};
  companion_handshake(ok, {1});
}

BOOST_AUTO_TEST_CASE(close_reason_is_readable) {
  node_fixture f;
  ws_client c{f.port(), "/companion"};
  BOOST_TEST(close_after(c, R"({"op":1,"key":"nope","guildIds":[]})") == 4001);
  BOOST_TEST(c.close_reason() == "invalid key");
}

BOOST_AUTO_TEST_CASE(too_many_messages_close_with_4008) {
  node_fixture f{{"--limits.messages_per_minute=5"}};
  ws_client c{f.port(), "/companion"};
  companion_handshake(c);
  for (int i = 0; i < 5; ++i)
    c.send_text(companion_frame({{"op", 5}, {"shardId", 1}, {"playingMusic", i}}));
  BOOST_TEST(c.wait_close().value_or(0) == 4008);
}

BOOST_AUTO_TEST_CASE(oversized_frame_closes_with_1009) {
  node_fixture f{{"--limits.max_frame_bytes=1024"}};
  ws_client c{f.port(), "/companion"};
  c.send_text(std::string(2048, ' '));
  BOOST_TEST(c.wait_close().value_or(0) == 1009);
}

BOOST_AUTO_TEST_CASE(unanswered_pings_close_with_4007) {
  node_fixture f{{"--companion.ping_interval=150ms"}};
  ws_client quiet{f.port(), "/companion"};
  quiet.set_auto_pong(false);
  ws_client alive{f.port(), "/companion"};
  companion_handshake(quiet);
  companion_handshake(alive);
  // Both clients keep reading (a client answers pings only while it reads); only the one
  // that does not answer is closed.
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < until) {
    alive.read(std::chrono::milliseconds(20));
    quiet.read(std::chrono::milliseconds(20));
  }
  BOOST_TEST(quiet.close_code().value_or(0) == 4007);
  BOOST_TEST(!alive.closed());
  BOOST_TEST(alive.pings_received() > 2u);
  alive.send_text(companion_frame({{"op", 2}, {"guildId", 1}}));
  BOOST_TEST(next_json(alive).at("op").as_int64() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
