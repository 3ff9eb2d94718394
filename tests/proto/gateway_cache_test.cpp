// proto/gateway_cache.hpp: op 5 records decoded, refused, removed, and kept compact.
// Past 400 lines on purpose: one case per record type and field rule, sharing cache_records.hpp.

#include "tests/proto/cache_records.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/gateway_cache.hpp"
#include "proto/gateway_codec.hpp"

#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace coord::test;
using gw::cache_type;
using proto::errc;

BOOST_AUTO_TEST_SUITE(gateway_cache)

// --- valid records --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(member_decodes_with_its_user) {
  auto u = decode_ok(golden_d("cache_member.json"));
  const auto& m = std::get<gw::member_update>(u);
  BOOST_TEST(m.record.id == 155112606661607425u);
  BOOST_TEST(m.record.guild_id == 254768930223161344u);
  BOOST_TEST(m.record.nickname.is_null());
  BOOST_REQUIRE(m.record.roles.size() == 2u);
  BOOST_TEST(m.record.roles[0] == 254769053317103616u);
  BOOST_TEST(m.record.roles[1] == 9007199254740993u);
  BOOST_TEST(m.record.joined_at_ms == 1480199718123);
  BOOST_TEST(m.member_user.id == 155112606661607425u);
  BOOST_TEST(m.member_user.username.view() == "minemidnight");
  BOOST_TEST(m.member_user.discriminator() == "0001");
  BOOST_TEST(m.member_user.avatar.view() == "a_1234");
  BOOST_TEST(!m.member_user.bot);
}

BOOST_AUTO_TEST_CASE(user_role_channel_and_voice_state_decode) {
  const auto usr = std::get<gw::user>(decode_ok(golden_d("cache_user.json")));
  BOOST_TEST(usr.id == max_u64);
  BOOST_TEST(usr.username.view() == "B\xc3\xb6t \"one\"");
  BOOST_TEST(usr.discriminator() == "0");
  BOOST_TEST(usr.avatar.is_null());
  BOOST_TEST(usr.bot);

  const auto r = std::get<gw::role>(decode_ok(golden_d("cache_role.json")));
  BOOST_TEST(r.id == 254769053317103616u);
  BOOST_TEST(r.guild_id == 254768930223161344u);
  BOOST_TEST(r.name.view() == "Mods");
  BOOST_TEST(r.color == 16711680u);
  BOOST_TEST(r.position == -1);
  BOOST_TEST(r.permissions == 2199023255551u);

  const auto c = std::get<gw::channel>(decode_ok(golden_d("cache_channel.json")));
  BOOST_TEST(c.id == 254770965018443776u);
  BOOST_TEST(c.type == 2u);
  BOOST_TEST(c.position == 3);
  BOOST_TEST(c.name.view() == "Music");
  BOOST_TEST(!c.nsfw);
  BOOST_REQUIRE(c.overwrites.size() == 2u);
  BOOST_TEST(!c.overwrites[0].member);
  BOOST_TEST(c.overwrites[0].deny == 1024u);
  BOOST_TEST(c.overwrites[1].member);
  BOOST_TEST(c.overwrites[1].allow == 3145728u);
  BOOST_TEST(c.has_user_limit);
  BOOST_TEST(c.user_limit == 10u);
  BOOST_TEST(c.parent_id == 9223372036854775808u);

  const auto v = std::get<gw::voice_state>(decode_ok(golden_d("cache_voice_state.json")));
  BOOST_TEST(v.guild_id == 254768930223161344u);
  BOOST_TEST(v.channel_id == 254770965018443776u);
  BOOST_TEST(v.user_id == 155112606661607425u);
  BOOST_TEST((!v.deaf && v.mute && v.self_deaf && !v.self_mute));
}

BOOST_AUTO_TEST_CASE(guild_cascades_roles_channels_voice_states_and_members) {
  auto u = decode_ok(golden_d("cache_guild.json"));
  const auto& g = std::get<gw::guild_update>(u);
  constexpr std::uint64_t gid = 254768930223161344u;
  BOOST_TEST(g.record.id == gid);
  BOOST_TEST(g.record.name.view() == "Oxyl");
  BOOST_TEST(g.record.icon.is_null());
  BOOST_TEST(g.record.owner_id == 155112606661607425u);
  BOOST_TEST(g.record.region.view() == "us-east");
  BOOST_TEST(g.record.member_count == 2u);

  BOOST_REQUIRE(g.roles.size() == 2u);
  BOOST_TEST(g.roles[0].guild_id == gid); // filled in from the guild
  BOOST_TEST(g.roles[0].name.view() == "@everyone");
  BOOST_TEST(g.roles[1].guild_id == gid);
  BOOST_TEST(g.has_channels);
  BOOST_REQUIRE(g.channels.size() == 1u);
  BOOST_TEST(g.channels[0].guild_id == gid);
  BOOST_TEST(!g.channels[0].has_user_limit);
  BOOST_TEST(g.channels[0].overwrites.empty());
  BOOST_TEST(g.channels[0].parent_id == 0u);
  BOOST_TEST(g.has_voice_states);
  BOOST_REQUIRE(g.voice_states.size() == 2u);
  BOOST_TEST(g.voice_states[0].guild_id == gid);
  BOOST_TEST(g.voice_states[0].channel_id == 254770965018443777u);
  BOOST_TEST(g.voice_states[1].channel_id == 0u); // channelID null: a removal
  BOOST_TEST(g.voice_states[1].user_id == 1u);
  BOOST_TEST(g.has_members);
  BOOST_REQUIRE(g.members.size() == 2u);
  BOOST_REQUIRE(g.users.size() == 2u);
  BOOST_TEST(g.members[0].guild_id == gid);
  BOOST_TEST(g.members[0].nickname.view() == "mm");
  BOOST_TEST(g.members[0].roles.empty());
  BOOST_TEST(g.members[0].joined_at_ms == 1480199718000);
  BOOST_TEST(g.members[1].joined_at_ms == 1480199718000); // sent as a number
  BOOST_TEST(g.users[0].id == g.members[0].id);
  BOOST_TEST(g.users[1].username.view() == "two");
  BOOST_TEST(g.users[1].bot);
}

BOOST_AUTO_TEST_CASE(guild_without_optional_arrays_says_so) {
  auto d = golden_d("cache_guild.json");
  d.erase("members");
  d.erase("voiceStates");
  d["channels"] = nullptr;
  auto u = decode_ok(d);
  const auto& g = std::get<gw::guild_update>(u);
  BOOST_TEST((!g.has_members && !g.has_voice_states && !g.has_channels));
  BOOST_TEST(g.roles.size() == 2u);
  d["members"] = json::array{};
  BOOST_TEST(std::get<gw::guild_update>(decode_ok(d)).has_members);
}

BOOST_AUTO_TEST_CASE(nested_records_with_another_guild_id_are_refused) {
  for (const auto* list : {"roles", "channels", "voiceStates", "members"}) {
    auto d = golden_d("cache_guild.json");
    d.at(list).as_array().at(0).as_object()["guildID"] = "1";
    expect_refusal(d, std::string{"invalid field "} + list + "[0].guildID");
  }
  auto d = golden_d("cache_guild.json");
  d.at("roles").as_array().at(1).as_object()["guildID"] = 254768930223161344u; // same id, number
  BOOST_TEST(std::get<gw::guild_update>(decode_ok(d)).roles[1].guild_id == 254768930223161344u);
}

BOOST_AUTO_TEST_CASE(nested_errors_name_their_path) {
  auto d = golden_d("cache_guild.json");
  d.at("members").as_array().at(1).as_object().at("user").as_object()["id"] = -1;
  expect_refusal(d, "invalid field members[1].user.id");

  d = golden_d("cache_guild.json");
  d.at("members").as_array().at(0).as_object().at("user").as_object().erase("bot");
  expect_refusal(d, "missing field members[0].user.bot");

  d = golden_d("cache_guild.json");
  d.at("roles").as_array().at(1) = 5;
  expect_refusal(d, "invalid field roles[1]");

  d = golden_d("cache_guild.json");
  d.at("voiceStates").as_array().at(0).as_object().erase("selfMute");
  expect_refusal(d, "missing field voiceStates[0].selfMute");

  d = golden_d("cache_guild.json");
  d.at("channels").as_array().at(0).as_object()["overwrites"] =
      json::array{json::object{{"id", "1"}, {"type", "everyone"}, {"allow", 0}, {"deny", 0}}};
  expect_refusal(d, "invalid field channels[0].overwrites[0].type");

  auto c = golden_d("cache_channel.json");
  c.at("overwrites").as_array().at(1) = "x";
  expect_refusal(c, "invalid field overwrites[1]");
  c = golden_d("cache_channel.json");
  c.at("overwrites").as_array().at(0).as_object().erase("deny");
  expect_refusal(c, "missing field overwrites[0].deny");

  auto m = golden_d("cache_member.json");
  m.at("user").as_object()["discriminator"] = "abcd";
  expect_refusal(m, "invalid field user.discriminator");
}

// --- required, mistyped and nullable fields -------------------------------------------------

BOOST_AUTO_TEST_CASE(every_required_field_missing_is_refused_by_name) {
  for (const auto& c : record_cases())
    for (const auto& field : c.required) {
      auto d = golden_d(c.file);
      BOOST_REQUIRE(d.erase(field) == 1u);
      expect_refusal(d, "missing field " + field);
    }
}

BOOST_AUTO_TEST_CASE(every_field_of_the_wrong_type_is_refused_by_name) {
  for (const auto& c : record_cases())
    for (const auto& [field, value] : c.mistyped) {
      auto d = golden_d(c.file);
      d[field] = value;
      expect_refusal(d, "invalid field " + field);
    }
}

BOOST_AUTO_TEST_CASE(what_the_original_sharder_sends_null_or_leaves_out_is_unknown) {
  // SPEC §4.7: null or absence is accepted for these; it means unknown.
  auto m = golden_d("cache_member.json");
  for (const auto* how : {"null", "absent"}) {
    BOOST_TEST_CONTEXT(how) {
      for (const auto* f : {"nickname", "roles", "joinedAt"}) {
        if (std::string_view{how} == "null")
          m[f] = nullptr;
        else
          m.erase(f);
      }
      auto rec = std::get<gw::member_update>(decode_ok(m)).record;
      BOOST_TEST(rec.nickname.is_null());
      BOOST_TEST(rec.roles.is_null());
      BOOST_TEST(rec.joined_at_ms == gw::unknown_time);
    }
  }
  auto usr0 = golden_d("cache_user.json");
  usr0.erase("avatar");
  BOOST_TEST(std::get<gw::user>(decode_ok(usr0)).avatar.is_null());
  auto g0 = golden_d("cache_guild.json");
  for (const auto* f : {"icon", "region", "memberCount", "roles", "channels", "members",
                        "voiceStates"})
    g0[f] = nullptr;
  auto gu = std::get<gw::guild_update>(decode_ok(g0));
  BOOST_TEST(gu.record.icon.is_null());
  BOOST_TEST(gu.record.region.is_null());
  BOOST_TEST(!gu.record.has_member_count);
  BOOST_TEST((!gu.has_roles && !gu.has_channels && !gu.has_members && !gu.has_voice_states));
  for (const auto* f : {"icon", "region", "memberCount", "roles"})
    g0.erase(f);
  BOOST_TEST(!std::get<gw::guild_update>(decode_ok(g0)).record.has_member_count);
}

BOOST_AUTO_TEST_CASE(the_original_sharders_own_frames_decode) {
  // A member update (Discord sends no joined_at there), as the oxyl sharder forwards it.
  auto member = decode_ok(json::parse(
    R"({"type":"member","id":"155112606661607425","guildID":"254768930223161344",)"
    R"("nickname":null,"roles":[],"joinedAt":null,"user":{"id":"155112606661607425",)"
    R"("username":"mine","discriminator":"0001","avatar":null,"bot":false}})").as_object());
  const auto& mu = std::get<gw::member_update>(member);
  BOOST_TEST(mu.record.joined_at_ms == gw::unknown_time);
  BOOST_TEST(!mu.record.roles.is_null()); // [] is known: no roles
  // A guild update with memberCount null.
  auto g = golden_d("cache_guild.json");
  g["memberCount"] = nullptr;
  BOOST_TEST(!std::get<gw::guild_update>(decode_ok(g)).record.has_member_count);
  // A DM channel: no guildID. Accepted, and marked as not to be cached.
  auto dm = decode_ok(json::parse(
    R"({"id":"360000000000000099","type":"channel","nsfw":false,"overwrites":[]})").as_object());
  const auto* ignored = std::get_if<gw::ignored_record>(&dm);
  BOOST_REQUIRE(ignored);
  BOOST_TEST(gw::to_string(ignored->reason) == "dm_channel");
  expect_refusal(json::parse(R"({"type":"channel","nsfw":false})").as_object(), "missing field id");
}

BOOST_AUTO_TEST_CASE(nullable_fields_take_values) {
  auto m = golden_d("cache_member.json");
  m["nickname"] = "nick";
  BOOST_TEST(std::get<gw::member_update>(decode_ok(m)).record.nickname.view() == "nick");
  m["nickname"] = "";
  const auto empty = std::get<gw::member_update>(decode_ok(m)).record.nickname;
  BOOST_TEST((!empty.is_null() && empty.view().empty()));

  auto usr = golden_d("cache_user.json");
  usr["avatar"] = "abc";
  BOOST_TEST(std::get<gw::user>(decode_ok(usr)).avatar.view() == "abc");

  auto g = golden_d("cache_guild.json");
  g["icon"] = "icon";
  BOOST_TEST(std::get<gw::guild_update>(decode_ok(g)).record.icon.view() == "icon");

  // Optional fields (`?` on the name) may be absent or null.
  auto c = golden_d("cache_channel.json");
  c["parentID"] = nullptr;
  c["userLimit"] = nullptr;
  c["overwrites"] = nullptr;
  auto ch = std::get<gw::channel>(decode_ok(c));
  BOOST_TEST(ch.parent_id == 0u);
  BOOST_TEST(!ch.has_user_limit);
  BOOST_TEST(ch.overwrites.is_null());
  c.erase("parentID");
  c.erase("userLimit");
  c.erase("overwrites");
  BOOST_TEST(std::get<gw::channel>(decode_ok(c)).parent_id == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_fields_are_ignored) {
  auto u = golden_d("cache_user.json");
  u["flags"] = 64;
  u["extra"] = json::object{{"a", json::array{1, 2}}};
  BOOST_TEST(std::get<gw::user>(decode_ok(u)).id == max_u64);
}

BOOST_AUTO_TEST_CASE(channel_types_and_overwrite_types_accept_both_forms) {
  auto c = golden_d("cache_channel.json");
  c["channelType"] = 15;
  BOOST_TEST(std::get<gw::channel>(decode_ok(c)).type == 15u);
  c.at("overwrites").as_array().at(0).as_object()["type"] = 0;
  c.at("overwrites").as_array().at(1).as_object()["type"] = "member";
  auto ch = std::get<gw::channel>(decode_ok(c));
  BOOST_TEST(!ch.overwrites[0].member);
  BOOST_TEST(ch.overwrites[1].member);
  c.at("overwrites").as_array().at(0).as_object()["type"] = 2;
  expect_refusal(c, "invalid field overwrites[0].type");
}

BOOST_AUTO_TEST_CASE(a_channel_type_is_channel_type_at_the_top_and_type_inside_a_guild) {
  // At the top level `type` is the cache type, so the number travels as channelType.
  auto c = golden_d("cache_channel.json");
  BOOST_TEST(std::get<gw::channel>(decode_ok(c)).has_type);
  c.erase("channelType");
  auto unknown = std::get<gw::channel>(decode_ok(c));
  BOOST_TEST(!unknown.has_type);
  BOOST_TEST(unknown.type == 0u);
  c["channelType"] = nullptr;
  BOOST_TEST(!std::get<gw::channel>(decode_ok(c)).has_type);

  auto g = golden_d("cache_guild.json");
  BOOST_TEST(std::get<gw::guild_update>(decode_ok(g)).channels[0].has_type);
  g.at("channels").as_array().at(0).as_object().erase("type");
  expect_refusal(g, "missing field channels[0].type");
  g.at("channels").as_array().at(0).as_object()["type"] = "text";
  expect_refusal(g, "invalid field channels[0].type");
  g.at("channels").as_array().at(0).as_object()["type"] = 4;
  BOOST_TEST(std::get<gw::guild_update>(decode_ok(g)).channels[0].type == 4u);
}

// --- removals -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(deleted_true_needs_only_the_key_fields) {
  struct removal_case {
    std::string d;
    gw::cache_removal want;
  };
  const std::vector<removal_case> cases{
      {R"({"type":"member","deleted":true,"guildID":"5","id":6})", {cache_type::member, 5, 6}},
      {R"({"type":"voiceState","deleted":true,"guildID":5,"userID":"7"})",
       {cache_type::voice_state, 5, 7}},
      {R"({"type":"role","deleted":true,"id":"8"})", {cache_type::role, 0, 8}},
      {R"({"type":"role","deleted":true,"id":"8","guildID":"5"})", {cache_type::role, 5, 8}},
      {R"({"type":"channel","deleted":true,"id":9,"guildID":null})", {cache_type::channel, 0, 9}},
      {R"({"type":"user","deleted":true,"id":"18446744073709551615"})",
       {cache_type::user, 0, max_u64}},
      {R"({"type":"guild","deleted":true,"id":"10","name":1})", {cache_type::guild, 0, 10}},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.d) {
      auto u = decode_text(c.d);
      BOOST_REQUIRE(u);
      BOOST_TEST((std::get<gw::cache_removal>(*u) == c.want));
    }
  }
  const std::vector<std::pair<std::string, std::string>> bad{
      {R"({"type":"member","deleted":true,"id":6})", "missing field guildID"},
      {R"({"type":"member","deleted":true,"guildID":"5"})", "missing field id"},
      {R"({"type":"voiceState","deleted":true,"guildID":"5","id":"7"})", "missing field userID"},
      {R"({"type":"voiceState","deleted":true,"userID":"7"})", "missing field guildID"},
      {R"({"type":"role","deleted":true})", "missing field id"},
      {R"({"type":"channel","deleted":true,"id":"1","guildID":"x"})", "invalid field guildID"},
      {R"({"type":"user","deleted":true,"id":null})", "invalid field id"},
      {R"({"type":"guild","deleted":true,"id":-1})", "invalid field id"},
      {R"({"type":"guild","deleted":"true","id":1})", "invalid field deleted"},
      {R"({"type":"guild","deleted":1,"id":1})", "invalid field deleted"},
      {R"({"type":"guild","deleted":null,"id":1})", "invalid field deleted"},
  };
  for (const auto& [d, reason] : bad) {
    BOOST_TEST_CONTEXT(d) {
      auto u = decode_text(d);
      BOOST_REQUIRE(!u);
      BOOST_TEST(u.error().reason == reason);
    }
  }
}

BOOST_AUTO_TEST_CASE(deleted_false_is_an_ordinary_upsert) {
  auto d = golden_d("cache_role.json");
  d["deleted"] = false;
  BOOST_TEST(std::get<gw::role>(decode_ok(d)).id == 254769053317103616u);
  d.erase("name");
  expect_refusal(d, "missing field name");
}

BOOST_AUTO_TEST_CASE(voice_state_with_a_null_channel_is_a_removal) {
  auto u = decode_text(R"({"type":"voiceState","guildID":"5","channelID":null,"userID":"7"})");
  BOOST_REQUIRE(u);
  BOOST_TEST((std::get<gw::cache_removal>(*u) == gw::cache_removal{cache_type::voice_state, 5, 7}));
  auto full = golden_d("cache_voice_state.json");
  full["channelID"] = nullptr;
  BOOST_TEST((std::get<gw::cache_removal>(decode_ok(full)).type == cache_type::voice_state));
  auto no_user = decode_text(R"({"type":"voiceState","guildID":"5","channelID":null})");
  BOOST_REQUIRE(!no_user);
  BOOST_TEST(no_user.error().reason == "missing field userID");
}

// --- d and type -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(d_must_be_an_object_with_a_known_type) {
  const std::vector<std::pair<std::string, std::string>> bad{
      {"null", "invalid field d"},
      {"[]", "invalid field d"},
      {R"("member")", "invalid field d"},
      {"{}", "missing field type"},
      {R"({"type":null})", "invalid field type"},
      {R"({"type":1})", "invalid field type"},
      {R"({"type":"Member"})", "unknown cache type"},
      {R"({"type":"voice_state"})", "unknown cache type"},
      {R"({"type":"presence"})", "unknown cache type"},
      {R"({"type":""})", "unknown cache type"},
  };
  for (const auto& [d, reason] : bad) {
    BOOST_TEST_CONTEXT(d) {
      auto u = decode_text(d);
      BOOST_REQUIRE(!u);
      BOOST_TEST(proto::close_code(u.error().code) == 4005);
      BOOST_TEST(u.error().reason == reason);
    }
  }
  for (auto t : {cache_type::member, cache_type::role, cache_type::user, cache_type::guild,
                 cache_type::channel, cache_type::voice_state})
    BOOST_TEST((gw::cache_type_from_string(gw::to_string(t)) == t));
}

BOOST_AUTO_TEST_CASE(cache_frames_go_through_the_gateway_decode) {
  auto f = gw::open(golden("cache_guild.json"));
  BOOST_REQUIRE(f);
  auto msg = gw::decode(*f, {gw::service_type::feeds, "s"});
  BOOST_REQUIRE(msg);
  const auto& u = std::get<gw::cache_update>(*msg);
  BOOST_TEST(std::get<gw::guild_update>(u).members.size() == 2u);
}

BOOST_AUTO_TEST_CASE(every_cache_frame_truncated_or_mutated_is_handled) {
  std::mt19937 rng{11};
  std::uniform_int_distribution<int> byte{0, 255};
  for (const auto* file : {"cache_member.json", "cache_role.json", "cache_user.json",
                           "cache_channel.json", "cache_voice_state.json", "cache_guild.json"}) {
    const auto text = golden(file);
    const gw::session_view session{gw::service_type::sharder, "s"};
    for (std::size_t n = 0; n < text.size(); ++n) {
      auto f = gw::open(std::string_view{text}.substr(0, n));
      BOOST_REQUIRE(!f);
      BOOST_TEST(proto::close_code(f.error().code) == 4004);
    }
    std::uniform_int_distribution<std::size_t> pos{0, text.size() - 1};
    for (int round = 0; round < 2000; ++round) {
      auto t = text;
      t[pos(rng)] = static_cast<char>(byte(rng));
      if (auto f = gw::open(t))
        (void)gw::decode(*f, session);
    }
  }
}

// --- memory ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(records_are_compact) {
  BOOST_TEST_MESSAGE("sizeof member=" << sizeof(gw::member) << " user=" << sizeof(gw::user)
                                      << " role=" << sizeof(gw::role)
                                      << " channel=" << sizeof(gw::channel)
                                      << " voice_state=" << sizeof(gw::voice_state)
                                      << " guild=" << sizeof(gw::guild)
                                      << " overwrite=" << sizeof(gw::overwrite));
  BOOST_TEST(sizeof(proto::compact_string) == sizeof(void*));
  BOOST_TEST(sizeof(proto::compact_array<std::uint64_t>) == sizeof(void*));
  BOOST_TEST(sizeof(gw::member) <= 40u);
  BOOST_TEST(sizeof(gw::user) <= 32u);
  BOOST_TEST(sizeof(gw::voice_state) <= 32u);
  BOOST_TEST(sizeof(gw::role) <= 40u);
}

BOOST_AUTO_TEST_SUITE_END()
