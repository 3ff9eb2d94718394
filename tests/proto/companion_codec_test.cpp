#include "tests/proto/golden.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/companion_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;
namespace proto = coord::proto;
namespace companion = coord::proto::companion;

namespace {

constexpr std::string_view key = "test-key";
constexpr std::uint64_t max_u64 = 18446744073709551615ULL;

/// A golden file of tests/data/companion/.
using coord::test::parse_object;
using coord::test::keys_of;

std::string golden(const std::string& name) {
  return coord::test::golden_file("companion", name);
}

companion::client_message decode_ok(std::string_view text) {
  auto env = companion::open(text, key);
  BOOST_REQUIRE_MESSAGE(env, "open failed: " << (env ? "" : env.error().reason));
  auto msg = companion::decode(*env);
  BOOST_REQUIRE_MESSAGE(msg, "decode failed: " << (msg ? "" : msg.error().reason));
  return *msg;
}

proto::guild_settings plain_guild() {
  return {81384788765712384ULL, "!", 0, 0, 0, true};
}

proto::guild_settings tricky_guild() {
  return {9223372036854775808ULL, "m\"us\\ic\n\xe2\x82\xac", 1, 2, 3, false};
}

} // namespace

BOOST_AUTO_TEST_SUITE(companion_codec)

BOOST_AUTO_TEST_CASE(open_returns_the_op_and_body) {
  auto env = companion::open(R"({"op":2,"key":"test-key","guildId":5})", key);
  BOOST_REQUIRE(env);
  BOOST_TEST(env->op == 2);
  BOOST_TEST(env->body.at("guildId").as_int64() == 5);
  BOOST_TEST(env->body.at("op").as_int64() == 2);
  BOOST_TEST(!env->body.contains("key"));
}

BOOST_AUTO_TEST_CASE(handshake_decodes_numbers_and_strings_in_order) {
  auto msg = decode_ok(golden("handshake.json"));
  const auto* h = std::get_if<companion::handshake>(&msg);
  BOOST_REQUIRE(h);
  const std::vector<std::uint64_t> want{81384788765712384ULL, 9223372036854775808ULL, max_u64,
                                        9007199254740993ULL};
  BOOST_TEST(h->guild_ids == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(handshake_keeps_duplicates_and_accepts_an_empty_list) {
  auto msg = decode_ok(R"({"op":1,"key":"test-key","guildIds":[7,"7",7]})");
  BOOST_TEST(std::get<companion::handshake>(msg).guild_ids.size() == 3u);
  auto empty = decode_ok(R"({"op":1,"key":"test-key","guildIds":[]})");
  BOOST_TEST(std::get<companion::handshake>(empty).guild_ids.empty());
}

BOOST_AUTO_TEST_CASE(handshake_with_ten_thousand_guilds_decodes) {
  std::string text = R"({"op":1,"key":"test-key","guildIds":[)";
  for (int i = 0; i < 10000; ++i) {
    if (i != 0)
      text += ',';
    text += std::to_string(81384788765712384ULL + static_cast<std::uint64_t>(i));
  }
  text += "]}";
  auto msg = decode_ok(text);
  const auto& ids = std::get<companion::handshake>(msg).guild_ids;
  BOOST_REQUIRE(ids.size() == 10000u);
  BOOST_TEST(ids.front() == 81384788765712384ULL);
  BOOST_TEST(ids.back() == 81384788765712384ULL + 9999);
}

BOOST_AUTO_TEST_CASE(guild_request_decodes) {
  auto msg = decode_ok(golden("guild_request.json"));
  BOOST_TEST(std::get<companion::guild_request>(msg).guild_id == max_u64);
  auto num = decode_ok(R"({"op":2,"key":"test-key","guildId":81384788765712384})");
  BOOST_TEST(std::get<companion::guild_request>(num).guild_id == 81384788765712384ULL);
}

BOOST_AUTO_TEST_CASE(music_stats_decodes) {
  auto msg = decode_ok(golden("music_stats.json"));
  const auto& s = std::get<companion::music_stats>(msg);
  BOOST_TEST(s.shard_id == 3);
  BOOST_TEST(s.playing_music == 42);
  auto edge = decode_ok(
      R"({"op":5,"key":"test-key","shardId":0,"playingMusic":9223372036854775807})");
  BOOST_TEST(std::get<companion::music_stats>(edge).shard_id == 0);
  BOOST_TEST(std::get<companion::music_stats>(edge).playing_music == 9223372036854775807LL);
}

BOOST_AUTO_TEST_CASE(unknown_extra_fields_are_ignored) {
  auto msg = decode_ok(R"({"op":2,"key":"test-key","guildId":1,"extra":{"x":[1,2]}})");
  BOOST_TEST(std::get<companion::guild_request>(msg).guild_id == 1u);
}

BOOST_AUTO_TEST_CASE(handshake_reply_matches_golden_and_round_trips) {
  const auto text = companion::encode_handshake_reply({9007199254740993ULL, max_u64},
                                                      {plain_guild(), tricky_guild()});
  BOOST_TEST(text == golden("handshake_reply.json"));

  const auto o = parse_object(text);
  const std::vector<std::string> top{"op", "supporterIds", "guilds"};
  BOOST_TEST(keys_of(o) == top, boost::test_tools::per_element());
  BOOST_TEST(o.at("op").as_int64() == 1);
  const auto& sup = o.at("supporterIds").as_array();
  BOOST_REQUIRE(sup.size() == 2u);
  BOOST_TEST(sup[0].as_int64() == 9007199254740993LL);
  BOOST_TEST(sup[1].as_uint64() == max_u64);
  const auto& guilds = o.at("guilds").as_array();
  BOOST_REQUIRE(guilds.size() == 2u);
  const auto& g = guilds[1].as_object();
  const std::vector<std::string> fields{"guildId", "prefix", "djRoleId", "voiceChannelId",
                                        "musicChannelId"};
  BOOST_TEST(keys_of(g) == fields, boost::test_tools::per_element());
  BOOST_TEST(g.at("guildId").as_uint64() == 9223372036854775808ULL);
  BOOST_TEST(g.at("prefix").as_string() == tricky_guild().prefix);
  BOOST_TEST(g.at("djRoleId").as_int64() == 1);
  BOOST_TEST(g.at("voiceChannelId").as_int64() == 2);
  BOOST_TEST(g.at("musicChannelId").as_int64() == 3);
  BOOST_TEST(guilds[0].as_object().at("djRoleId").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(empty_handshake_reply_has_empty_arrays) {
  BOOST_TEST(companion::encode_handshake_reply({}, {}) ==
             R"({"op":1,"supporterIds":[],"guilds":[]})");
}

BOOST_AUTO_TEST_CASE(guild_settings_matches_golden_and_round_trips) {
  const auto text = companion::encode_guild_settings(tricky_guild());
  BOOST_TEST(text == golden("guild_settings.json"));
  const auto o = parse_object(text);
  const std::vector<std::string> fields{"op",       "guildId",        "prefix",
                                        "djRoleId", "voiceChannelId", "musicChannelId"};
  BOOST_TEST(keys_of(o) == fields, boost::test_tools::per_element());
  BOOST_TEST(o.at("op").as_int64() == 2);
  BOOST_TEST(o.at("guildId").as_uint64() == 9223372036854775808ULL);
  BOOST_TEST(o.at("prefix").as_string() == tricky_guild().prefix);
}

BOOST_AUTO_TEST_CASE(music_toggle_matches_golden_and_round_trips) {
  const auto text = companion::encode_music_toggle(81384788765712384ULL, false);
  BOOST_TEST(text == golden("music_toggle.json"));
  const auto o = parse_object(text);
  BOOST_TEST(o.at("op").as_int64() == 3);
  BOOST_TEST(o.at("guildId").as_int64() == 81384788765712384LL);
  BOOST_TEST(o.at("enable").as_bool() == false);
  BOOST_TEST(companion::encode_music_toggle(1, true) == R"({"op":3,"guildId":1,"enable":true})");
}

BOOST_AUTO_TEST_CASE(supporter_events_match_golden_and_round_trip) {
  const auto added = companion::encode_supporter_added(max_u64);
  const auto removed = companion::encode_supporter_removed(9007199254740993ULL);
  BOOST_TEST(added == golden("supporter_added.json"));
  BOOST_TEST(removed == golden("supporter_removed.json"));
  BOOST_TEST(parse_object(added).at("op").as_int64() == 10);
  BOOST_TEST(parse_object(added).at("supporterId").as_uint64() == max_u64);
  BOOST_TEST(parse_object(removed).at("op").as_int64() == 11);
  BOOST_TEST(parse_object(removed).at("supporterId").as_int64() == 9007199254740993LL);
}

BOOST_AUTO_TEST_CASE(snowflakes_past_2_53_and_2_63_survive_decode_encode_byte_exact) {
  for (const char* id : {"9007199254740993", "9223372036854775807", "9223372036854775808",
                         "18446744073709551615"}) {
    BOOST_TEST_CONTEXT(id) {
      const std::string as_number = std::string{R"({"op":2,"key":"test-key","guildId":)"} + id + "}";
      const std::string as_string =
          std::string{R"({"op":2,"key":"test-key","guildId":")"} + id + "\"}";
      for (const auto& frame : {as_number, as_string}) {
        auto msg = decode_ok(frame);
        proto::guild_settings g;
        g.guild_id = std::get<companion::guild_request>(msg).guild_id;
        g.prefix = "!";
        const auto text = companion::encode_guild_settings(g);
        BOOST_TEST(text.find(std::string{"\"guildId\":"} + id + ",") != std::string::npos);
        BOOST_TEST(companion::encode_supporter_added(g.guild_id) ==
                   std::string{R"({"op":10,"supporterId":)"} + id + "}");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(handshake_ids_survive_into_the_reply_byte_exact) {
  auto msg = decode_ok(golden("handshake.json"));
  std::vector<proto::guild_settings> guilds;
  for (auto id : std::get<companion::handshake>(msg).guild_ids)
    guilds.push_back({id, "!", 0, 0, 0, true});
  const auto text = companion::encode_handshake_reply({}, guilds);
  for (const char* id : {"81384788765712384", "9223372036854775808", "18446744073709551615",
                         "9007199254740993"})
    BOOST_TEST(text.find(std::string{"{\"guildId\":"} + id + ",") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_a_stored_prefix_still_encodes_valid_json) {
  proto::guild_settings g = plain_guild();
  g.prefix = "bad\xff";
  const auto o = parse_object(companion::encode_guild_settings(g));
  BOOST_TEST(o.at("prefix").as_string() == "bad\xef\xbf\xbd");
}

BOOST_AUTO_TEST_SUITE_END()
