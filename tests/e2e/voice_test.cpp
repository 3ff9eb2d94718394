// SPEC.md §5 against the running node: password, hello, heartbeat echo, identify, voice
// clients, resume inside vc_timeout, no resume after it, takeover.

#include "tests/e2e/helpers.hpp"

using namespace coord::test;
namespace json = boost::json;

namespace {

constexpr const char* password = "test-voice-password";

std::vector<std::string> voice_args(std::vector<std::string> more = {}) {
  std::vector<std::string> out{std::string{"--voice.password="} + password};
  for (auto& m : more)
    out.push_back(std::move(m));
  return out;
}

std::unique_ptr<ws_client> connect_voice(std::uint16_t port, const std::string& pw = password) {
  return std::make_unique<ws_client>(port, "/ws",
                                     std::vector<std::pair<std::string, std::string>>{
                                       {"Authorization", pw}});
}

/// Next frame with op `op`, skipping none: fails if the next frame is another op.
json::object expect_op(ws_client& c, const std::string& op) {
  auto m = next_json(c);
  BOOST_REQUIRE_MESSAGE(m.at("op").as_string() == op,
                        "expected " << op << ", got " << json::serialize(m));
  return m;
}

void send(ws_client& c, const std::string& op, json::value d) {
  c.send_text(json::serialize(json::object{{"op", op}, {"d", std::move(d)}}));
}

void identify(ws_client& c, const std::string& user, json::value shard = nullptr) {
  send(c, "IDENTIFY", json::object{{"user_id", user}, {"shard_id", std::move(shard)}});
  auto m = expect_op(c, "IDENTIFIED");
  BOOST_TEST(m.at("d").as_string() == "ClientManager initialized.");
}

void discord_event(ws_client& c, const std::string& t, json::object d) {
  send(c, "DISCORD_EVENT", json::object{{"t", t}, {"d", std::move(d)}});
}

/// Puts a voice client for `guild` in `channel` on the session of `user`.
void create_voice_client(ws_client& c, const std::string& user, const std::string& guild,
                         const std::string& channel) {
  discord_event(c, "VOICE_STATE_UPDATE",
                {{"user_id", user}, {"guild_id", guild}, {"channel_id", channel}});
  discord_event(c, "VOICE_SERVER_UPDATE",
                {{"guild_id", guild}, {"token", "t"}, {"endpoint", "e.example:443"}});
  auto m = expect_op(c, "VC_CREATED");
  BOOST_TEST(m.at("d").at("guild_id").as_string() == guild);
  BOOST_TEST(m.at("d").at("channel_id").as_string() == channel);
  BOOST_TEST(m.at("d").at("id").is_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(voice_dialect)

BOOST_AUTO_TEST_CASE(wrong_password_gets_forbidden_then_4001) {
  node_fixture f{voice_args()};
  auto c = connect_voice(f.port(), "nope");
  auto m = expect_op(*c, "FORBIDDEN");
  BOOST_TEST(m.at("d").as_string() == "Password mismatch.");
  BOOST_TEST(c->wait_close().value_or(0) == 4001);
  auto none = std::make_unique<ws_client>(f.port(), "/ws");
  expect_op(*none, "FORBIDDEN");
  BOOST_TEST(none->wait_close().value_or(0) == 4001);
}

BOOST_AUTO_TEST_CASE(hello_then_heartbeat_echo) {
  node_fixture f{voice_args({"--voice.heartbeat_interval_s=12.5"})};
  auto c = connect_voice(f.port());
  auto hello = expect_op(*c, "HELLO");
  BOOST_TEST(hello.at("d").at("heartbeat_interval").to_number<double>() == 12.5);
  BOOST_TEST(hello.at("d").at("version").as_string() == "0.1.0");
  // d is echoed as sent: a number, null, a string, an object.
  for (const char* d : {"1700000000123", "null", "\"abc\"", "{\"x\":[1,2]}"}) {
    c->send_text(std::string{R"({"op":"HEARTBEAT","d":)"} + d + "}");
    auto m = c->read();
    BOOST_REQUIRE(m);
    BOOST_TEST(m->data == std::string{R"({"op":"HEARTBEAT_ACK","d":)"} + d + "}");
  }
}

BOOST_AUTO_TEST_CASE(identify_rules_and_tracebacks) {
  node_fixture f{voice_args()};
  auto c = connect_voice(f.port());
  expect_op(*c, "HELLO");
  send(*c, "getState", json::object{{"guild_id", "1"}});
  auto nope = expect_op(*c, "getState");
  BOOST_TEST(nope.at("d").at("traceback").at("NOT_IDENTIFIED").as_string() == "Identify first.");
  send(*c, "GET_STATUS", nullptr);
  expect_op(*c, "STATUS");
  identify(*c, "18446744073709551615");
  send(*c, "IDENTIFY", json::object{{"user_id", "1"}, {"shard_id", nullptr}});
  auto again = expect_op(*c, "IDENTIFY");
  BOOST_TEST(again.at("d").at("traceback").as_object().contains("ALREADY_IDENTIFIED"));
  BOOST_TEST(!c->closed());
}

BOOST_AUTO_TEST_CASE(voice_client_lifecycle) {
  node_fixture f{voice_args()};
  auto c = connect_voice(f.port());
  expect_op(*c, "HELLO");
  const std::string bot = "9007199254740993";
  identify(*c, bot, 0);
  create_voice_client(*c, bot, "100", "200");
  // Another user's voice state does not move the bot.
  discord_event(*c, "VOICE_STATE_UPDATE",
                {{"user_id", "5"}, {"guild_id", "100"}, {"channel_id", "999"}});
  discord_event(*c, "VOICE_STATE_UPDATE",
                {{"user_id", bot}, {"guild_id", "100"}, {"channel_id", "300"}});
  auto moved = expect_op(*c, "VC_CHANNEL_EDITED");
  BOOST_TEST(moved.at("d").at("guild_id").as_string() == "100");
  BOOST_TEST(moved.at("d").at("channel_id").as_string() == "300");
  send(*c, "getState", json::object{{"guild_id", "100"}});
  auto state = expect_op(*c, "getState");
  BOOST_TEST(state.at("d").at("channel_id").as_string() == "300");
  BOOST_TEST(state.at("d").at("guild_id").as_string() == "100");
  // The metric and the stats see the voice client.
  auto metrics = http_request(f.port(), "GET", "/metrics").body;
  BOOST_TEST(metrics.find("coordinator_voice_clients 1") != std::string::npos);
  send(*c, "VC_DESTROY", json::object{{"guild_id", "100"}});
  auto gone = expect_op(*c, "VC_DESTROYED");
  BOOST_TEST(gone.at("d").at("guild_id").as_string() == "100");
  // channel_id null destroys too.
  create_voice_client(*c, bot, "101", "201");
  discord_event(*c, "VOICE_STATE_UPDATE",
                {{"user_id", bot}, {"guild_id", "101"}, {"channel_id", nullptr}});
  expect_op(*c, "VC_DESTROYED");
  // Unknown ops are ignored; the session stays.
  send(*c, "SOMETHING_ELSE", nullptr);
  send(*c, "HEARTBEAT", 1);
  expect_op(*c, "HEARTBEAT_ACK");
}

BOOST_AUTO_TEST_CASE(resume_inside_the_timeout_and_not_after) {
  node_fixture f{voice_args({"--voice.vc_timeout_s=1"})};
  {
    auto c = connect_voice(f.port());
    expect_op(*c, "HELLO");
    identify(*c, "42", 3);
    create_voice_client(*c, "42", "7", "8");
    c->close();
  }
  {
    auto c = connect_voice(f.port());
    expect_op(*c, "HELLO");
    identify(*c, "42", 3);
    auto r = expect_op(*c, "RESUMED");
    // The original node's form, which discodo's clients parse: guild id -> {id, channel}.
    auto& vcs = r.at("d").at("voice_clients").as_object();
    BOOST_REQUIRE_EQUAL(vcs.size(), 1u);
    BOOST_TEST(vcs.at("7").at("channel").as_string() == "8");
    BOOST_TEST(vcs.at("7").at("id").is_string());
    // A different key (no shard) is a different session.
    auto other = connect_voice(f.port());
    expect_op(*other, "HELLO");
    identify(*other, "42");
    BOOST_TEST(!other->read(std::chrono::milliseconds(300)).has_value());
    c->close();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto c = connect_voice(f.port());
  expect_op(*c, "HELLO");
  identify(*c, "42", 3);
  BOOST_TEST(!c->read(std::chrono::milliseconds(300)).has_value());
  BOOST_TEST(http_request(f.port(), "GET", "/metrics").body.find("coordinator_voice_clients 0")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(newer_connection_takes_the_session_over) {
  node_fixture f{voice_args({"--voice.vc_timeout_s=1"})};
  auto old = connect_voice(f.port());
  expect_op(*old, "HELLO");
  identify(*old, "77");
  create_voice_client(*old, "77", "1", "2");
  auto fresh = connect_voice(f.port());
  expect_op(*fresh, "HELLO");
  identify(*fresh, "77");
  auto r = expect_op(*fresh, "RESUMED");
  BOOST_TEST(r.at("d").at("voice_clients").as_object().size() == 1u);
  BOOST_TEST(old->wait_close().value_or(0) == 4010);
  // The old connection closing starts no cleanup: after the timeout the clients are there.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  send(*fresh, "getState", json::object{{"guild_id", "1"}});
  auto state = expect_op(*fresh, "getState");
  BOOST_TEST(state.at("d").at("channel_id").as_string() == "2");
}

BOOST_AUTO_TEST_CASE(idle_and_invalid_json_closes) {
  node_fixture f{voice_args({"--voice.idle_timeout_s=0.4"})};
  auto idle = connect_voice(f.port());
  expect_op(*idle, "HELLO");
  BOOST_TEST(idle->wait_close(std::chrono::seconds(3)).value_or(0) == 4007);
  auto bad = connect_voice(f.port());
  expect_op(*bad, "HELLO");
  bad->send_text("{nope");
  BOOST_TEST(bad->wait_close().value_or(0) == 4004);
  auto stats = body_json(admin(f.port(), "GET", "/api/v1/stats"));
  BOOST_TEST(stats.at("sessions").at("voice").as_int64() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
