#include <boost/test/unit_test.hpp>

#include "proto/companion_codec.hpp"

#include <optional>
#include <random>
#include <string>
#include <vector>

namespace proto = coord::proto;
namespace companion = coord::proto::companion;
using proto::errc;

namespace {

constexpr std::string_view key = "test-key";

/// What open() then decode() make of a frame: an error, or nullopt if it was accepted.
std::optional<proto::decode_error> refusal(std::string_view text) {
  auto env = companion::open(text, key);
  if (!env)
    return env.error();
  auto msg = companion::decode(*env);
  if (!msg)
    return msg.error();
  return std::nullopt;
}

struct bad_case {
  std::string text;
  errc code;
  std::string reason; ///< empty: any reason
};

void check_table(const std::vector<bad_case>& table) {
  for (const auto& c : table) {
    BOOST_TEST_CONTEXT(c.text) {
      auto err = refusal(c.text);
      BOOST_REQUIRE(err.has_value());
      BOOST_TEST(proto::to_string(err->code) == proto::to_string(c.code));
      if (!c.reason.empty())
        BOOST_TEST(err->reason == c.reason);
    }
  }
}

std::string frame(int op, const std::string& fields) {
  return "{\"op\":" + std::to_string(op) + ",\"key\":\"test-key\"" +
         (fields.empty() ? "" : "," + fields) + "}";
}

} // namespace

BOOST_AUTO_TEST_SUITE(companion_malformed)

BOOST_AUTO_TEST_CASE(invalid_json_beats_a_bad_key) {
  check_table({
      {R"({"op":1,"key":"wrong","guildIds":[1])", errc::invalid_json, "invalid json"},
      {"{\"op\":1,\"key\":\"wrong\xff\",\"guildIds\":[1]}", errc::invalid_json, ""},
  });
}

BOOST_AUTO_TEST_CASE(wrong_key_is_auth_failed) {
  check_table({
      {R"({"op":1,"key":"wrong","guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":"test-ke","guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":"test-key ","guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":"TEST-KEY","guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":"","guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":null,"guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":123,"guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"key":["test-key"],"guildIds":[1]})", errc::auth_failed, "invalid key"},
      {R"({"op":1,"Key":"test-key","guildIds":[1]})", errc::auth_failed, "invalid key"},
  });
}

BOOST_AUTO_TEST_CASE(an_empty_configured_key_refuses_everyone) {
  // Even the empty key a client might send: an unset key is not a key everybody knows.
  for (const char* text : {R"({"op":1,"key":"","guildIds":[1]})", R"({"op":1,"guildIds":[1]})"}) {
    auto r = companion::open(text, "");
    BOOST_REQUIRE(!r);
    BOOST_TEST(proto::to_string(r.error().code) == proto::to_string(errc::auth_failed));
  }
}

BOOST_AUTO_TEST_CASE(a_frame_that_is_not_an_object_is_auth_failed) {
  check_table({
      {R"([{"op":1,"key":"test-key","guildIds":[1]}])", errc::auth_failed, "invalid key"},
      {"[]", errc::auth_failed, "invalid key"},
      {"1", errc::auth_failed, "invalid key"},
      {R"("test-key")", errc::auth_failed, "invalid key"},
      {"null", errc::auth_failed, "invalid key"},
      {"true", errc::auth_failed, "invalid key"},
  });
}

BOOST_AUTO_TEST_CASE(bad_key_beats_unknown_op_and_bad_fields) {
  check_table({
      {R"({"op":99,"key":"wrong"})", errc::auth_failed, "invalid key"},
      {R"({"op":"x","key":"wrong"})", errc::auth_failed, "invalid key"},
      {R"({"key":"wrong"})", errc::auth_failed, "invalid key"},
      {R"({"op":5,"key":"wrong","shardId":-1})", errc::auth_failed, "invalid key"},
  });
}

BOOST_AUTO_TEST_CASE(unknown_op_is_4003) {
  check_table({
      {frame(0, ""), errc::unknown_opcode, "unknown opcode"},
      {frame(3, R"("enable":true)"), errc::unknown_opcode, "unknown opcode"},
      {frame(4, ""), errc::unknown_opcode, "unknown opcode"},
      {frame(10, R"("supporterId":1)"), errc::unknown_opcode, "unknown opcode"},
      {frame(11, ""), errc::unknown_opcode, "unknown opcode"},
      {frame(-1, ""), errc::unknown_opcode, "unknown opcode"},
      {R"({"op":4294967297,"key":"test-key"})", errc::unknown_opcode, "unknown opcode"},
      {R"({"op":18446744073709551615,"key":"test-key"})", errc::unknown_opcode, ""},
      {R"({"op":-9223372036854775808,"key":"test-key"})", errc::unknown_opcode, ""},
  });
  BOOST_TEST(proto::close_code(refusal(frame(7, ""))->code) == 4003);
}

BOOST_AUTO_TEST_CASE(missing_or_mistyped_op_is_invalid_payload) {
  check_table({
      {R"({"key":"test-key","guildIds":[1]})", errc::invalid_payload, "missing field op"},
      {R"({"op":null,"key":"test-key"})", errc::invalid_payload, "invalid field op"},
      {R"({"op":"1","key":"test-key","guildIds":[1]})", errc::invalid_payload,
       "invalid field op"},
      {R"({"op":1.0,"key":"test-key","guildIds":[1]})", errc::invalid_payload,
       "invalid field op"},
      {R"({"op":1e0,"key":"test-key","guildIds":[1]})", errc::invalid_payload,
       "invalid field op"},
      {R"({"op":true,"key":"test-key"})", errc::invalid_payload, "invalid field op"},
      {R"({"op":[1],"key":"test-key"})", errc::invalid_payload, "invalid field op"},
      {R"({"op":1e400,"key":"test-key"})", errc::invalid_payload, "invalid field op"},
  });
}

BOOST_AUTO_TEST_CASE(invalid_json_of_every_kind_is_4004) {
  std::string deep = R"({"op":1,"key":"test-key","x":)";
  deep += std::string(64, '[') + std::string(64, ']') + "}";
  check_table({
      {"", errc::invalid_json, "invalid json"},
      {"   ", errc::invalid_json, ""},
      {"{", errc::invalid_json, ""},
      {R"({"op":1,"key":"test-key","guildIds":[1,2)", errc::invalid_json, ""},
      {R"({"op":1,"key":"test-key","guildIds":[1,2],})", errc::invalid_json, ""},
      {R"({"op":1,"key":"test-key","guildIds":[1,2]} x)", errc::invalid_json, ""},
      {R"({"op":1,"key":"test-key"}{"op":1})", errc::invalid_json, ""},
      {R"({op:1,"key":"test-key"})", errc::invalid_json, ""},
      {R"({'op':1,"key":"test-key"})", errc::invalid_json, ""},
      {R"({"op":1,/*c*/"key":"test-key"})", errc::invalid_json, ""},
      {R"({"op":01,"key":"test-key"})", errc::invalid_json, ""},
      {R"({"op":NaN,"key":"test-key"})", errc::invalid_json, ""},
      {R"({"op":+1,"key":"test-key"})", errc::invalid_json, ""},
      {"\xef\xbb\xbf{\"op\":1,\"key\":\"test-key\",\"guildIds\":[]}", errc::invalid_json, ""},
      // Invalid UTF-8: a stray byte, an overlong '/', an encoded surrogate, a lone surrogate
      // escape, a truncated sequence.
      {"{\"op\":1,\"key\":\"test-key\",\"x\":\"\xff\"}", errc::invalid_json, ""},
      {"{\"op\":1,\"key\":\"test-key\",\"x\":\"\xc0\xaf\"}", errc::invalid_json, ""},
      {"{\"op\":1,\"key\":\"test-key\",\"x\":\"\xed\xa0\x80\"}", errc::invalid_json, ""},
      {R"({"op":1,"key":"test-key","x":"\ud800"})", errc::invalid_json, ""},
      {"{\"op\":1,\"key\":\"test-key\",\"x\":\"\xe2\x82\"}", errc::invalid_json, ""},
      {"{\"op\":1,\"key\":\"test-\xff\"}", errc::invalid_json, ""},
      {std::string{"{\"op\":1,\"key\":\"test-key\",\"x\":\"a\0b\"}", 35}, errc::invalid_json, ""},
      {deep, errc::invalid_json, ""},
  });
}

BOOST_AUTO_TEST_CASE(handshake_field_errors_name_guild_ids) {
  const std::string bad = "invalid field guildIds";
  check_table({
      {frame(1, ""), errc::invalid_payload, "missing field guildIds"},
      {frame(1, R"("guildId":[1])"), errc::invalid_payload, "missing field guildIds"},
      {frame(1, R"("guildIds":null)"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":1)"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":"1")"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":{"0":1})"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[1.0])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[1e3])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[-1])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[1,-1])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[18446744073709551616])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[123456789012345678901234567890])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[true])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[null])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[[1]])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[{"id":1}])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[""])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":["abc"])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":["-1"])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":["+1"])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":[" 1"])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":["1.0"])"), errc::invalid_payload, bad},
      {frame(1, R"("guildIds":["18446744073709551616"])"), errc::invalid_payload, bad},
  });
}

BOOST_AUTO_TEST_CASE(ten_thousand_guilds_with_one_bad_id_is_refused) {
  std::string ids;
  for (int i = 0; i < 10000; ++i)
    ids += std::to_string(1000 + i) + ",";
  ids += "1.5";
  check_table({{frame(1, "\"guildIds\":[" + ids + "]"), errc::invalid_payload,
                "invalid field guildIds"}});
}

BOOST_AUTO_TEST_CASE(guild_request_field_errors_name_guild_id) {
  const std::string bad = "invalid field guildId";
  check_table({
      {frame(2, ""), errc::invalid_payload, "missing field guildId"},
      {frame(2, R"("guildIds":[1])"), errc::invalid_payload, "missing field guildId"},
      {frame(2, R"("guildId":null)"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":1.5)"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":1.0)"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":-5)"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":18446744073709551616)"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":"x")"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":"99999999999999999999")"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":true)"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":[1])"), errc::invalid_payload, bad},
      {frame(2, R"("guildId":{})"), errc::invalid_payload, bad},
  });
}

BOOST_AUTO_TEST_CASE(music_stats_field_errors_name_the_field) {
  check_table({
      {frame(5, ""), errc::invalid_payload, "missing field shardId"},
      {frame(5, R"("shardId":1)"), errc::invalid_payload, "missing field playingMusic"},
      {frame(5, R"("playingMusic":1)"), errc::invalid_payload, "missing field shardId"},
  });
  for (const char* field : {"shardId", "playingMusic"}) {
    const std::string other = std::string{field} == "shardId" ? "playingMusic" : "shardId";
    for (const char* value : {"-1", "-9223372036854775808", "1.0", "0.5", "1e2", "\"1\"",
                              "\"abc\"", "null", "true", "[1]", "{}",
                              "9223372036854775808", "18446744073709551615",
                              "18446744073709551616"}) {
      const auto text =
          frame(5, "\"" + std::string{field} + "\":" + value + ",\"" + other + "\":1");
      check_table({{text, errc::invalid_payload, "invalid field " + std::string{field}}});
    }
  }
}

BOOST_AUTO_TEST_CASE(a_valid_frame_truncated_anywhere_is_invalid_json) {
  const std::string text =
      R"({"op":1,"key":"test-key","guildIds":[81384788765712384,"9223372036854775808",18446744073709551615],"note":"caf)"
      "\xc3\xa9\"}";
  BOOST_REQUIRE(!refusal(text).has_value());
  for (std::size_t n = 0; n < text.size(); ++n) {
    BOOST_TEST_CONTEXT("first " << n << " bytes") {
      auto err = refusal(std::string_view{text}.substr(0, n));
      BOOST_REQUIRE(err.has_value());
      BOOST_TEST(proto::to_string(err->code) == "invalid_json");
    }
  }
}

BOOST_AUTO_TEST_CASE(every_op_truncated_anywhere_is_an_error) {
  for (const auto& text : {frame(1, R"("guildIds":[1,"2"])"), frame(2, R"("guildId":"12")"),
                           frame(5, R"("shardId":1,"playingMusic":2)")}) {
    BOOST_REQUIRE(!refusal(text).has_value());
    for (std::size_t n = 0; n < text.size(); ++n)
      BOOST_TEST(refusal(std::string_view{text}.substr(0, n)).has_value());
  }
}

BOOST_AUTO_TEST_CASE(random_byte_mutations_never_crash) {
  // Every outcome is allowed except a crash, or an accepted frame whose op is not ours.
  const std::string base =
      R"({"op":5,"key":"test-key","shardId":12,"playingMusic":3,"guildIds":[1,"2"]})";
  std::mt19937 rng{42};
  std::uniform_int_distribution<std::size_t> pos{0, base.size() - 1};
  std::uniform_int_distribution<int> byte{0, 255};
  std::size_t accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    auto text = base;
    for (int k = 0; k < 1 + round % 3; ++k)
      text[pos(rng)] = static_cast<char>(byte(rng));
    auto env = companion::open(text, key);
    if (!env)
      continue;
    BOOST_TEST((env->op == 1 || env->op == 2 || env->op == 5));
    if (companion::decode(*env))
      ++accepted;
  }
  BOOST_TEST(accepted > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
