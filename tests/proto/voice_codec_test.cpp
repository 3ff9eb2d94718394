// proto/voice_codec.hpp: every voice message decoded, refused and encoded (golden files).
// Past 400 lines on purpose: one case per message of SPEC.md §5, beside the golden helpers.

#include "tests/proto/golden.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/voice_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;
namespace proto = coord::proto;
namespace voice = coord::proto::voice;

namespace {

constexpr std::uint64_t max_u64 = 18446744073709551615ULL;
constexpr std::uint64_t above_2_53 = 9007199254740993ULL; // 2^53 + 1: not a double

/// A golden file of tests/data/voice/.
using coord::test::parse_object;

std::string golden(const std::string& name) {
  return coord::test::golden_file("voice", name);
}

voice::client_message decode_ok(std::string_view text) {
  auto env = voice::open(text);
  BOOST_REQUIRE_MESSAGE(env, "open failed: " << (env ? "" : env.error().reason));
  auto msg = voice::decode(*env);
  BOOST_REQUIRE_MESSAGE(msg, "decode failed: " << (msg ? "" : msg.error().reason));
  return *msg;
}

template <class T>
T decode_as(std::string_view text) {
  auto msg = decode_ok(text);
  const auto* m = std::get_if<T>(&msg);
  BOOST_REQUIRE_MESSAGE(m, "decoded to another message kind: " << text);
  return *m;
}

/// open() then decode(): the error, or nullopt if accepted.
std::optional<proto::decode_error> refusal(std::string_view text) {
  auto env = voice::open(text);
  if (!env)
    return env.error();
  auto msg = voice::decode(*env);
  if (!msg)
    return msg.error();
  return std::nullopt;
}

std::string heartbeat_echo(std::string_view frame) {
  return decode_as<voice::heartbeat>(frame).d_text;
}

std::string doubled(double v) {
  std::string out;
  voice::append_double(out, v);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(voice_codec)

// -- encoders ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hello_carries_version_and_interval_as_a_float) {
  BOOST_TEST(voice::encode_hello("0.1.0", 15.0) == golden("hello.json"));
  BOOST_TEST(voice::encode_hello("v\"1", 0.5)
             == R"({"op":"HELLO","d":{"version":"v\"1","heartbeat_interval":0.5}})");
}

BOOST_AUTO_TEST_CASE(doubles_are_written_like_python_json) {
  BOOST_TEST(doubled(15.0) == "15.0");
  BOOST_TEST(doubled(0.0) == "0.0");
  BOOST_TEST(doubled(-2.5) == "-2.5");
  BOOST_TEST(doubled(100000.0) == "100000.0");
  BOOST_TEST(doubled(0.1) == "0.1");
  BOOST_TEST(doubled(1e16) == "1e+16");
  BOOST_TEST(doubled(1e-5) == "1e-05");
  BOOST_TEST(doubled(std::nan("")) == "0.0");
  BOOST_TEST(doubled(std::numeric_limits<double>::infinity()) == "0.0");
  for (double v : {15.0, 0.1, 1e16, 1e-5, 123.456, 1e300}) {
    auto back = json::parse(doubled(v));
    BOOST_TEST(back.to_number<double>() == v);
  }
}

BOOST_AUTO_TEST_CASE(forbidden_and_identified_are_the_seeds_texts) {
  BOOST_TEST(voice::encode_forbidden("Password mismatch.")
             == R"({"op":"FORBIDDEN","d":"Password mismatch."})");
  BOOST_TEST(voice::encode_identified()
             == R"({"op":"IDENTIFIED","d":"ClientManager initialized."})");
}

BOOST_AUTO_TEST_CASE(heartbeat_ack_echoes_the_text) {
  BOOST_TEST(voice::encode_heartbeat_ack("1.0") == R"({"op":"HEARTBEAT_ACK","d":1.0})");
  BOOST_TEST(voice::encode_heartbeat_ack("null") == R"({"op":"HEARTBEAT_ACK","d":null})");
  BOOST_TEST(voice::encode_heartbeat_ack("") == R"({"op":"HEARTBEAT_ACK","d":null})");
}

BOOST_AUTO_TEST_CASE(resumed_maps_each_guild_to_its_voice_client_as_discodo_parses_it) {
  std::vector<voice::voice_client> clients{{81384788765712384ULL, "a", above_2_53, ""},
                                           {max_u64, "b", std::nullopt, ""}};
  // The original node's form: what discodo (Python: voice_clients.items()) and discodo.js
  // (Object.entries) read: guild id -> {id, channel}.
  BOOST_TEST(voice::encode_resumed(clients) == golden("resumed.json"));
  auto o = parse_object(voice::encode_resumed(clients));
  const auto& map = o.at("d").at("voice_clients").as_object();
  BOOST_TEST(map.at("81384788765712384").at("id").as_string() == "a");
  BOOST_TEST(map.at("18446744073709551615").at("channel").is_null());
  BOOST_TEST(voice::encode_resumed({}) == R"({"op":"RESUMED","d":{"voice_clients":{}}})");
}

BOOST_AUTO_TEST_CASE(resumed_in_the_seeds_pairs_form_behind_the_option) {
  std::vector<voice::voice_client> clients{{81384788765712384ULL, "a", above_2_53, ""},
                                           {max_u64, "b", std::nullopt, ""}};
  BOOST_TEST(voice::encode_resumed(clients, voice::resumed_form::pairs)
             == golden("resumed_pairs.json"));
  BOOST_TEST(voice::encode_resumed({}, voice::resumed_form::pairs)
             == R"({"op":"RESUMED","d":{"voice_clients":[]}})");
}

BOOST_AUTO_TEST_CASE(voice_client_not_found_carries_the_requests_guild_id_as_sent) {
  // Both clients route a reply by d.guild_id: a string stays a string, a number a number.
  BOOST_TEST(voice::encode_voice_client_not_found("getState", R"("900")")
             == R"({"op":"getState","d":{"traceback":{"VoiceClientNotFound":"There is no voice client in this guild."},"guild_id":"900"}})");
  BOOST_TEST(voice::encode_voice_client_not_found("VC_DESTROY", "18446744073709551615")
             == R"({"op":"VC_DESTROY","d":{"traceback":{"VoiceClientNotFound":"There is no voice client in this guild."},"guild_id":18446744073709551615}})");
  auto q = decode_as<voice::get_queue>(R"({"op":"getQueue","d":{"guild_id": "900" }})");
  BOOST_TEST(q.guild_id == 900u);
  BOOST_TEST(q.guild_text == R"("900")");
  auto s = decode_as<voice::get_state>(R"({"op":"getState","d":{"guild_id":18446744073709551615}})");
  BOOST_TEST(s.guild_text == "18446744073709551615");
}

BOOST_AUTO_TEST_CASE(get_queue_answers_an_empty_queue) {
  BOOST_TEST(voice::encode_queue(max_u64)
             == R"({"op":"getQueue","d":{"guild_id":"18446744073709551615","entries":[]}})");
}

BOOST_AUTO_TEST_CASE(tracebacks_name_the_op) {
  BOOST_TEST(voice::encode_already_identified()
             == R"({"op":"IDENTIFY","d":{"traceback":{"ALREADY_IDENTIFIED":"This connection already identified."}}})");
  BOOST_TEST(voice::encode_not_identified("DISCORD_EVENT")
             == R"({"op":"DISCORD_EVENT","d":{"traceback":{"NOT_IDENTIFIED":"Identify first."}}})");
  // Whatever the client called its op, the echo is valid JSON.
  auto odd = parse_object(voice::encode_not_identified("a\"b\\\n\xff"));
  BOOST_TEST(odd.at("op").as_string() == "a\"b\\\n\xef\xbf\xbd");
  auto nf = parse_object(voice::encode_voice_client_not_found("getState", R"("1")"));
  BOOST_TEST(nf.at("d").at("traceback").as_object().contains("VoiceClientNotFound"));
  BOOST_TEST(nf.at("d").at("guild_id").as_string() == "1");
}

BOOST_AUTO_TEST_CASE(voice_client_events) {
  voice::voice_client vc{81384788765712384ULL, "7-1", above_2_53, "x"};
  BOOST_TEST(voice::encode_vc_created(vc) == golden("vc_created.json"));
  vc.channel_id.reset();
  BOOST_TEST(voice::encode_state(vc) == golden("get_state_reply.json"));
  BOOST_TEST(voice::encode_vc_channel_edited(5, max_u64)
             == R"({"op":"VC_CHANNEL_EDITED","d":{"guild_id":"5","channel_id":"18446744073709551615"}})");
  BOOST_TEST(voice::encode_vc_channel_edited(5, std::nullopt)
             == R"({"op":"VC_CHANNEL_EDITED","d":{"guild_id":"5","channel_id":null}})");
  BOOST_TEST(voice::encode_vc_destroyed(max_u64)
             == R"({"op":"VC_DESTROYED","d":{"guild_id":"18446744073709551615"}})");
}

BOOST_AUTO_TEST_CASE(status_has_counts_and_uptime) {
  BOOST_TEST(voice::encode_status({2, 1, 5, 12.5})
             == R"({"op":"STATUS","d":{"sessions":2,"retained_sessions":1,"voice_clients":5,"uptime":12.5}})");
}

// -- decoding ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(heartbeat_echoes_numbers_byte_exact) {
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":0})") == "0");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":-12})") == "-12");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":1.0})") == "1.0");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":1690000000.1234567})")
             == "1690000000.1234567");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":1.5E-7})") == "1.5E-7");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":9007199254740993})")
             == "9007199254740993");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":18446744073709551615})")
             == "18446744073709551615");
  // Past uint64 and past double: still the client's digits, not 1.2E29 or Infinity.
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":123456789012345678901234567890})")
             == "123456789012345678901234567890");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":1e400})") == "1e400");
}

BOOST_AUTO_TEST_CASE(heartbeat_echoes_null_strings_and_objects) {
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":null})") == "null");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT"})") == "null");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":true})") == "true");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":"a\"}\\u00e9"})") == R"("a\"}\\u00e9")");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":"\u00e9\ud83d\ude00"})")
             == R"("\u00e9\ud83d\ude00")");
  BOOST_TEST(heartbeat_echo(R"({"d": { "t" : [1, {"x":"]}"}], "n":null } ,"op":"HEARTBEAT"})")
             == R"({ "t" : [1, {"x":"]}"}], "n":null })");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":[]})") == "[]");
  BOOST_TEST(heartbeat_echo(" {\n\"op\" :\t\"HEARTBEAT\" , \"d\" :\r\n 42 \n} \n") == "42");
}

BOOST_AUTO_TEST_CASE(heartbeat_echo_follows_the_value_json_keeps) {
  // Duplicate "d": Boost.JSON keeps the last, so does the echo.
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d":1,"d":2})") == "2");
  // An escaped member name is still "d"; a longer name is not.
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","\u0064":7,"dd":8})") == "7");
  BOOST_TEST(heartbeat_echo(R"({"op":"HEARTBEAT","d\u0064":8})") == "null");
}

BOOST_AUTO_TEST_CASE(every_echo_is_json_equal_to_the_parsed_d) {
  for (std::string d : {"0", "-0", "1e400", "\"\"", "{}", "[[[]]]", "{\"a\":[1,2,{\"b\":null}]}",
                        "\"\\\\\\\"\"", "false", "3.14159265358979323846"}) {
    auto text = "{\"op\":\"HEARTBEAT\",\"d\":" + d + "}";
    auto env = voice::open(text);
    BOOST_REQUIRE(env);
    BOOST_TEST(env->d_text == d);
    auto ack = parse_object(voice::encode_heartbeat_ack(env->d_text));
    BOOST_TEST(ack.at("op").as_string() == "HEARTBEAT_ACK");
  }
}

BOOST_AUTO_TEST_CASE(identify_takes_snowflakes_as_strings_or_numbers_exactly) {
  auto a = decode_as<voice::identify>(golden("identify.json"));
  BOOST_TEST(a.user_id == max_u64);
  BOOST_TEST(!a.shard_id);
  BOOST_TEST(a.key() == "18446744073709551615");
  auto b = decode_as<voice::identify>(R"({"op":"IDENTIFY","d":{"user_id":9007199254740993,"shard_id":3}})");
  BOOST_TEST(b.user_id == above_2_53);
  BOOST_TEST(b.shard_id.value() == 3u);
  BOOST_TEST(b.key() == "9007199254740993-3");
  auto c = decode_as<voice::identify>(R"({"op":"IDENTIFY","d":{"user_id":"1"}})");
  BOOST_TEST(!c.shard_id);
  BOOST_TEST(c.key() == "1");
  auto d = decode_as<voice::identify>(R"({"op":"IDENTIFY","d":{"user_id":"1","shard_id":0}})");
  BOOST_TEST(d.key() == "1-0");
}

BOOST_AUTO_TEST_CASE(discord_voice_events_decode) {
  auto vs = decode_as<voice::voice_state_update>(golden("voice_state_update.json"));
  BOOST_TEST(vs.user_id == max_u64);
  BOOST_TEST(vs.guild_id == 81384788765712384ULL);
  BOOST_TEST(vs.channel_id.value() == above_2_53);
  auto left = decode_as<voice::voice_state_update>(
    R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE","d":{"user_id":1,"guild_id":"2","channel_id":null}}})");
  BOOST_TEST(!left.channel_id);
  auto vsu = decode_as<voice::voice_server_update>(golden("voice_server_update.json"));
  BOOST_TEST(vsu.guild_id == 81384788765712384ULL);
  BOOST_TEST(vsu.token == "my_token");
  BOOST_TEST(vsu.endpoint.value() == "smart.loyal.discord.gg");
  auto gone = decode_as<voice::voice_server_update>(
    R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_SERVER_UPDATE","d":{"guild_id":"2","token":"t","endpoint":null}}})");
  BOOST_TEST(!gone.endpoint);
}

BOOST_AUTO_TEST_CASE(other_discord_events_are_not_errors) {
  auto ready = decode_as<voice::other_event>(
    R"({"op":"DISCORD_EVENT","d":{"t":"READY","d":{"v":10}}})");
  BOOST_TEST(ready.t == "READY");
  auto hello = decode_as<voice::other_event>(R"({"op":"DISCORD_EVENT","d":{"t":null,"op":10}})");
  BOOST_TEST(hello.t.empty());
  decode_as<voice::other_event>(R"({"op":"DISCORD_EVENT","d":{"op":11}})");
}

BOOST_AUTO_TEST_CASE(guild_ops_and_status_decode) {
  BOOST_TEST(decode_as<voice::vc_destroy>(R"({"op":"VC_DESTROY","d":{"guild_id":"18446744073709551615"}})").guild_id
             == max_u64);
  BOOST_TEST(decode_as<voice::get_state>(R"({"op":"getState","d":{"guild_id":9007199254740993}})").guild_id
             == above_2_53);
  decode_as<voice::get_status>(R"({"op":"GET_STATUS"})");
  decode_as<voice::get_status>(R"({"op":"GET_STATUS","d":{"anything":1}})");
}

BOOST_AUTO_TEST_CASE(unknown_and_missing_ops) {
  auto player_op = decode_as<voice::unknown_op>(R"({"op":"setVolume","d":{"guild_id":"1"}})");
  BOOST_TEST(player_op.op == "setVolume");
  BOOST_TEST((player_op.guild_id == std::optional<std::uint64_t>{1}));
  BOOST_TEST(player_op.guild_text == R"("1")");
  // discodo's client also sends requestSubtitle; an id that is no snowflake names no guild.
  BOOST_TEST(!decode_as<voice::unknown_op>(R"({"op":"requestSubtitle","d":{"guild_id":"x"}})")
                .guild_id.has_value());
  BOOST_TEST(!decode_as<voice::unknown_op>(R"({"op":"seek","d":[1]})").guild_id.has_value());
  // Op names are case-sensitive, as in the seed's server.
  BOOST_TEST(decode_as<voice::unknown_op>(R"({"op":"heartbeat","d":1})").op == "heartbeat");
  for (auto text : {R"({"d":1})", R"({"op":1,"d":1})", R"({"op":null})", R"({"op":["HEARTBEAT"]})", "{}"}) {
    BOOST_TEST_CONTEXT(text) {
      auto env = voice::open(text);
      BOOST_REQUIRE(env);
      BOOST_TEST(!env->has_op);
      decode_as<voice::unknown_op>(text);
    }
  }
}

BOOST_AUTO_TEST_CASE(only_three_ops_are_served_before_identify) {
  BOOST_TEST(voice::allowed_before_identify("HEARTBEAT"));
  BOOST_TEST(voice::allowed_before_identify("IDENTIFY"));
  BOOST_TEST(voice::allowed_before_identify("GET_STATUS"));
  BOOST_TEST(!voice::allowed_before_identify("DISCORD_EVENT"));
  BOOST_TEST(!voice::allowed_before_identify("getState"));
  BOOST_TEST(!voice::allowed_before_identify("whatever"));
}

// -- malformed input -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(not_json_or_not_an_object_is_invalid_json) {
  for (std::string text : std::vector<std::string>{"", " ", "{", "}", "{\"op\":\"HEARTBEAT\",}", "{op:1}", "nul",
                           "[]", "1", "\"HEARTBEAT\"", "null", "true", "{\"op\":\"x\"} {}",
                           "{\"op\":\"HEARTBEAT\",\"d\":\"\xff\"}", "{\"op\":\"HEARTBEAT\"}//",
                           std::string(40, '[') + std::string(40, ']'),
                           // deeper than Boost.JSON's default limit of 32
                           "{\"op\":\"HEARTBEAT\",\"d\":" + std::string(40, '[')
                             + std::string(40, ']') + "}"}) {
    BOOST_TEST_CONTEXT(text) {
      auto err = refusal(text);
      BOOST_REQUIRE(err.has_value());
      BOOST_TEST(proto::to_string(err->code) == "invalid_json");
      BOOST_TEST(proto::close_code(err->code) == 4004);
      BOOST_TEST(err->reason == "invalid json");
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_fields_of_served_ops_are_invalid_payload) {
  struct bad {
    const char* text;
    const char* reason;
  };
  for (auto c : std::vector<bad>{
         {R"({"op":"IDENTIFY"})", "invalid field d"},
         {R"({"op":"IDENTIFY","d":"1"})", "invalid field d"},
         {R"({"op":"IDENTIFY","d":{}})", "missing field user_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":-1}})", "invalid field user_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":1.0}})", "invalid field user_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":"x1"}})", "invalid field user_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":"18446744073709551616"}})", "invalid field user_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":true}})", "invalid field user_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":1,"shard_id":-1}})", "invalid field shard_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":1,"shard_id":1.5}})", "invalid field shard_id"},
         {R"({"op":"IDENTIFY","d":{"user_id":1,"shard_id":"1"}})", "invalid field shard_id"},
         {R"({"op":"DISCORD_EVENT"})", "invalid field d"},
         {R"({"op":"DISCORD_EVENT","d":[1]})", "invalid field d"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE"}})", "missing field d.d"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE","d":null}})", "invalid field d.d"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE","d":{"guild_id":1}}})", "missing field user_id"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE","d":{"user_id":1}}})", "missing field guild_id"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE","d":{"user_id":1,"guild_id":1,"channel_id":false}}})", "invalid field channel_id"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_SERVER_UPDATE","d":{"token":"t"}}})", "missing field guild_id"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_SERVER_UPDATE","d":{"guild_id":1}}})", "missing field token"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_SERVER_UPDATE","d":{"guild_id":1,"token":5}}})", "invalid field token"},
         {R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_SERVER_UPDATE","d":{"guild_id":1,"token":"t","endpoint":1}}})", "invalid field endpoint"},
         {R"({"op":"VC_DESTROY"})", "invalid field d"},
         {R"({"op":"VC_DESTROY","d":{}})", "missing field guild_id"},
         {R"({"op":"getState","d":{"guild_id":null}})", "invalid field guild_id"},
       }) {
    BOOST_TEST_CONTEXT(c.text) {
      auto err = refusal(c.text);
      BOOST_REQUIRE(err.has_value());
      BOOST_TEST(proto::close_code(err->code) == 4005);
      BOOST_TEST(err->reason == c.reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_truncation_is_refused_without_a_crash) {
  const std::vector<std::string> frames{
    golden("identify.json"),
    golden("voice_state_update.json"),
    golden("voice_server_update.json"),
    R"({"op":"HEARTBEAT","d":{"a":["\"}",1.5e3,null,true]}})",
    R"({"op":"VC_DESTROY","d":{"guild_id":"1"}})",
    R"({"op":"getState","d":{"guild_id":1}})",
    R"({"op":"GET_STATUS","d":null})",
    "{\"op\":\"HEARTBEAT\",\"d\":\"\xe2\x82\xac\"}",
  };
  for (const auto& full : frames) {
    BOOST_TEST_CONTEXT(full) {
      BOOST_TEST(!refusal(full).has_value());
      for (std::size_t n = 0; n < full.size(); ++n) {
        auto err = refusal(std::string_view{full}.substr(0, n));
        BOOST_REQUIRE_MESSAGE(err.has_value(), "prefix of " << n << " bytes accepted");
        BOOST_TEST(proto::to_string(err->code) == "invalid_json");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_mutations_never_crash_and_echoes_stay_json) {
  std::mt19937 rng{20240611};
  const std::vector<std::string> seeds{
    golden("voice_state_update.json"),
    R"({"op":"HEARTBEAT","d":{"a":["\"}",1.5e3,null,true],"\u0064":"x"}})",
    R"({"op":"IDENTIFY","d":{"user_id":"1","shard_id":2}})",
  };
  const std::string alphabet = "{}[]\",:\\ 0123456789.eE+-tfnuldop\xff\x80";
  std::size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    auto text = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const auto at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    auto env = voice::open(text);
    if (!env)
      continue;
    auto msg = voice::decode(*env);
    ++accepted;
    if (msg && std::holds_alternative<voice::heartbeat>(*msg)) {
      // The echo is exactly a JSON value equal to what the parser saw.
      const auto& echo = std::get<voice::heartbeat>(*msg).d_text;
      boost::system::error_code ec;
      auto back = json::parse(echo, ec);
      BOOST_REQUIRE_MESSAGE(!ec, "echo is not JSON: " << echo << " from " << text);
      BOOST_TEST(back == env->d);
      parse_object(voice::encode_heartbeat_ack(echo));
    }
  }
  BOOST_TEST(accepted > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
