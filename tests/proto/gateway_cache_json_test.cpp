// proto/gateway_cache_json.hpp: cached records as the read API's JSON, byte exact.

#include "tests/proto/cache_records.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/gateway_cache_json.hpp"

using namespace coord::test;
using gw::cache_type;

BOOST_AUTO_TEST_SUITE(gateway_cache_json)

BOOST_AUTO_TEST_CASE(records_encode_for_the_read_api_byte_exact) {
  const auto m = std::get<gw::member_update>(decode_ok(golden_d("cache_member.json")));
  BOOST_TEST(gw::to_json(m.record, &m.member_user) == golden("cache_member_read.json"));
  BOOST_TEST(gw::to_json(std::get<gw::user>(decode_ok(golden_d("cache_user.json")))) ==
             golden("cache_user_read.json"));
  BOOST_TEST(gw::to_json(std::get<gw::role>(decode_ok(golden_d("cache_role.json")))) ==
             golden("cache_role_read.json"));
  BOOST_TEST(gw::to_json(std::get<gw::channel>(decode_ok(golden_d("cache_channel.json")))) ==
             golden("cache_channel_read.json"));
  BOOST_TEST(
      gw::to_json(std::get<gw::voice_state>(decode_ok(golden_d("cache_voice_state.json")))) ==
             golden("cache_voice_state_read.json"));
  BOOST_TEST(
      gw::to_json(std::get<gw::guild_update>(decode_ok(golden_d("cache_guild.json"))).record) ==
             golden("cache_guild_read.json"));
}

BOOST_AUTO_TEST_CASE(read_json_decodes_back_to_the_same_record) {
  // The read form carries every field a cache payload needs (channel type aside), so it
  // round-trips through decode_cache.
  const auto m = std::get<gw::member_update>(decode_ok(golden_d("cache_member.json")));
  auto md = parse_object(gw::to_json(m.record, &m.member_user));
  md["type"] = "member";
  const auto m2 = std::get<gw::member_update>(decode_ok(md));
  BOOST_TEST((m2.record == m.record));
  BOOST_TEST((m2.member_user == m.member_user));

  const auto usr = std::get<gw::user>(decode_ok(golden_d("cache_user.json")));
  auto ud = parse_object(gw::to_json(usr));
  ud["type"] = "user";
  BOOST_TEST((std::get<gw::user>(decode_ok(ud)) == usr));

  const auto r = std::get<gw::role>(decode_ok(golden_d("cache_role.json")));
  auto rd = parse_object(gw::to_json(r));
  rd["type"] = "role";
  BOOST_TEST((std::get<gw::role>(decode_ok(rd)) == r));

  const auto v = std::get<gw::voice_state>(decode_ok(golden_d("cache_voice_state.json")));
  auto vd = parse_object(gw::to_json(v));
  vd["type"] = "voiceState";
  BOOST_TEST((std::get<gw::voice_state>(decode_ok(vd)) == v));

  // A channel's own `type` collides with d.type: put the number back to compare.
  const auto c = std::get<gw::channel>(decode_ok(golden_d("cache_channel.json")));
  auto cd = parse_object(gw::to_json(c));
  BOOST_TEST(cd.at("type").as_string() == "voice");
  auto c2 = std::get<gw::channel>(decode_ok([&] {
    auto d = golden_d("cache_channel.json");
    for (const auto& kv : cd)
      if (kv.key() != "type")
        d[kv.key()] = kv.value();
    return d;
  }()));
  BOOST_TEST((c2 == c));
}

BOOST_AUTO_TEST_CASE(read_json_writes_nulls_absent_limits_and_escapes) {
  gw::channel c;
  c.id = 1;
  c.guild_id = 2;
  c.type = 4;
  c.name = proto::compact_string{"a\"b\n\xff"};
  BOOST_TEST(gw::to_json(c) ==
             R"({"id":"1","guildID":"2","type":"category","position":0,"name":"a\"b\n\ufffd",)"
             R"("nsfw":false,"overwrites":[],"userLimit":null,"parentID":null})");
  gw::voice_state v{3, 0, 4, true, true, true, true};
  BOOST_TEST(gw::to_json(v) ==
             R"({"guildID":"3","channelID":null,"userID":"4","deaf":true,"mute":true,)"
             R"("selfDeaf":true,"selfMute":true})");
  gw::member m;
  m.id = max_u64;
  m.guild_id = 9007199254740993u;
  BOOST_TEST(gw::to_json(m, nullptr) ==
             R"({"id":"18446744073709551615","guildID":"9007199254740993","nickname":null,)"
             R"("roles":[],"joinedAt":"1970-01-01T00:00:00.000Z"})");
}

BOOST_AUTO_TEST_CASE(channel_type_numbers_map_to_names) {
  BOOST_TEST(gw::channel_type_name(0) == "text");
  BOOST_TEST(gw::channel_type_name(1) == "dm");
  BOOST_TEST(gw::channel_type_name(2) == "voice");
  BOOST_TEST(gw::channel_type_name(3) == "groupdm");
  BOOST_TEST(gw::channel_type_name(4) == "category");
  BOOST_TEST(gw::channel_type_name(5) == "news");
  BOOST_TEST(gw::channel_type_name(13) == "stage");
  BOOST_TEST(gw::channel_type_name(15) == "forum");
  BOOST_TEST(gw::channel_type_name(7) == "unknown");
  BOOST_TEST(gw::channel_type_name(255) == "unknown");
}

BOOST_AUTO_TEST_CASE(snowflakes_above_2_53_survive_the_cache_byte_exact) {
  for (const char* id : {"9007199254740993", "9223372036854775808", "18446744073709551615"}) {
    for (bool quoted : {true, false}) {
      const std::string v = quoted ? "\"" + std::string{id} + "\"" : std::string{id};
      auto u = decode_text(R"({"type":"voiceState","guildID":)" + v + R"(,"channelID":)" + v +
                           R"(,"userID":)" + v +
                           R"(,"deaf":false,"mute":false,"selfDeaf":false,"selfMute":false})");
      BOOST_REQUIRE(u);
      const auto q = "\"" + std::string{id} + "\"";
      BOOST_TEST(gw::to_json(std::get<gw::voice_state>(*u)) ==
                 "{\"guildID\":" + q + ",\"channelID\":" + q + ",\"userID\":" + q +
                     R"(,"deaf":false,"mute":false,"selfDeaf":false,"selfMute":false})");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
