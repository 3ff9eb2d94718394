#include <boost/test/unit_test.hpp>

#include "proto/gateway_cache.hpp"
#include "proto/gateway_cache_json.hpp"
#include "proto/gateway_codec.hpp"
#include "proto/timestamp.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;
namespace proto = coord::proto;
namespace gw = coord::proto::gateway;
using gw::cache_type;
using proto::errc;

namespace {

constexpr std::uint64_t max_u64 = 18446744073709551615ULL;

std::string golden(const std::string& name) {
  std::ifstream in{std::string{COORD_TEST_DATA} + "/gateway/" + name, std::ios::binary};
  BOOST_REQUIRE_MESSAGE(in, "missing golden file " << name);
  std::ostringstream text;
  text << in.rdbuf();
  auto s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

/// The `d` of a golden op 5 frame.
json::object golden_d(const std::string& name) {
  return json::parse(golden(name)).as_object().at("d").as_object();
}

proto::result<gw::cache_update> decode(const json::object& d) {
  return gw::decode_cache(json::value(d));
}

proto::result<gw::cache_update> decode_text(std::string_view d) {
  boost::system::error_code ec;
  auto v = json::parse(d, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "test JSON is invalid: " << d);
  return gw::decode_cache(v);
}

gw::cache_update decode_ok(const json::object& d) {
  auto u = decode(d);
  BOOST_REQUIRE_MESSAGE(u, "refused: " << (u ? "" : u.error().reason) << " in "
                                       << json::serialize(d));
  return std::move(*u);
}

void expect_refusal(const json::object& d, const std::string& reason) {
  BOOST_TEST_CONTEXT(json::serialize(d)) {
    auto u = decode(d);
    BOOST_REQUIRE(!u);
    BOOST_TEST(proto::to_string(u.error().code) == "invalid_payload");
    BOOST_TEST(proto::close_code(u.error().code) == 4005);
    BOOST_TEST(u.error().reason == reason);
  }
}

json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "encoder wrote invalid JSON: " << text);
  return std::move(v.as_object());
}

/// The golden record of each type, with its required fields in seed order and a value of a
/// wrong type for each.
struct record_case {
  std::string file;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, json::value>> mistyped;
};

std::vector<record_case> record_cases() {
  return {
      {"cache_member.json",
       {"id", "guildID", "nickname", "roles", "joinedAt", "user"},
       {{"id", json::value(-1)},
        {"guildID", json::value("x")},
        {"nickname", json::value(1)},
        {"roles", json::value("1")},
        {"roles", json::array{1.5}},
        {"roles", json::array{nullptr}},
        {"joinedAt", json::value("yesterday")},
        {"joinedAt", json::value(-1)},
        {"joinedAt", json::value(1.5)},
        {"joinedAt", json::value(nullptr)},
        {"user", json::value("155112606661607425")},
        {"user", json::value(nullptr)}}},
      {"cache_role.json",
       {"id", "guildID", "name", "color", "position", "permissions"},
       {{"id", json::value(1.0)},
        {"guildID", json::value(nullptr)},
        {"name", json::value(nullptr)},
        {"name", json::value(1)},
        {"color", json::value(-1)},
        {"color", json::value(4294967296)},
        {"color", json::value("255")},
        {"position", json::value(2147483648)},
        {"position", json::value(0.5)},
        {"permissions", json::value(-8)},
        {"permissions", json::value("0x8")},
        {"permissions", json::value(true)}}},
      {"cache_user.json",
       {"id", "username", "discriminator", "avatar", "bot"},
       {{"id", json::value("")},
        {"username", json::value(nullptr)},
        {"discriminator", json::value(1)},
        {"discriminator", json::value("")},
        {"discriminator", json::value("12345")},
        {"discriminator", json::value("12a4")},
        {"avatar", json::value(false)},
        {"bot", json::value("false")},
        {"bot", json::value(0)}}},
      {"cache_channel.json",
       {"id", "guildID", "position", "name", "nsfw"},
       {{"id", json::value(json::array{})},
        {"channelType", json::value("voice")},
        {"channelType", json::value(256)},
        {"channelType", json::value(-1)},
        {"position", json::value("3")},
        {"name", json::value(nullptr)},
        {"nsfw", json::value(nullptr)},
        {"overwrites", json::value("none")},
        {"userLimit", json::value(-1)},
        {"userLimit", json::value("10")},
        {"parentID", json::value(1.5)},
        {"parentID", json::value(json::object{})}}},
      {"cache_voice_state.json",
       {"guildID", "channelID", "userID", "deaf", "mute", "selfDeaf", "selfMute"},
       {{"guildID", json::value(true)},
        {"channelID", json::value(-5)},
        {"userID", json::value(nullptr)},
        {"deaf", json::value(nullptr)},
        {"mute", json::value(1)},
        {"selfDeaf", json::value("true")},
        {"selfMute", json::value(json::array{})}}},
      {"cache_guild.json",
       {"id", "name", "icon", "ownerID", "region", "roles", "memberCount"},
       {{"id", json::value("guild")},
        {"name", json::value(1)},
        {"icon", json::value(1)},
        {"ownerID", json::value(nullptr)},
        {"region", json::value(nullptr)},
        {"roles", json::value(nullptr)},
        {"roles", json::value(json::object{})},
        {"memberCount", json::value(-1)},
        {"memberCount", json::value("2")},
        {"members", json::value(1)},
        {"voiceStates", json::value("x")},
        {"channels", json::value(json::object{})}}},
  };
}

} // namespace

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

BOOST_AUTO_TEST_CASE(nullable_fields_take_null_but_must_be_present) {
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
  BOOST_TEST(ch.overwrites.empty());
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

// --- read API JSON --------------------------------------------------------------------------

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
             R"("nsfw":false,"overwrites":[],"parentID":null})");
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

// --- timestamps -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(timestamps_parse_iso_8601_forms) {
  const std::vector<std::pair<std::string, std::int64_t>> ok{
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:00.001Z", 1},
      {"1970-01-01T00:00:00.1z", 100},
      {"1970-01-01t00:00:00.123456789Z", 123},
      {"2016-11-26T22:35:18.123456+00:00", 1480199718123},
      {"2016-11-26T23:35:18.123+01:00", 1480199718123},
      {"2016-11-26T20:05:18.123-02:30", 1480199718123},
      {"2000-02-29T00:00:00Z", 951782400000},
      {"1969-12-31T23:59:59.999Z", -1},
      {"0000-01-01T00:00:00Z", proto::min_timestamp_ms},
      {"9999-12-31T23:59:59.999Z", proto::max_timestamp_ms},
  };
  for (const auto& [text, ms] : ok) {
    BOOST_TEST_CONTEXT(text) {
      auto got = proto::parse_timestamp(text);
      BOOST_REQUIRE(got.has_value());
      BOOST_TEST(*got == ms);
    }
  }
  for (const auto* bad :
       {"", "2016-11-26", "2016-11-26T22:35:18", "2016-11-26 22:35:18Z", "2016-11-26T22:35Z",
        "2016-13-01T00:00:00Z", "2016-00-01T00:00:00Z", "2016-02-30T00:00:00Z",
        "2019-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2016-11-26T24:00:00Z",
        "2016-11-26T23:60:00Z", "2016-11-26T23:59:60Z", "2016-11-26T22:35:18.Z",
        "2016-11-26T22:35:18.1234567890Z", "2016-11-26T22:35:18+0100", "2016-11-26T22:35:18+24:00",
        "2016-11-26T22:35:18+01:60", "2016-11-26T22:35:18ZZ", "2016-11-26T22:35:18Z ",
        " 2016-11-26T22:35:18Z", "+2016-11-26T22:35:18Z", "2016-1l-26T22:35:18Z",
        "0000-01-01T00:30:00+01:00", "9999-12-31T23:00:00-02:00"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!proto::parse_timestamp(bad).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(timestamps_format_like_to_iso_string_and_round_trip) {
  const auto fmt = [](std::int64_t ms) {
    std::string out;
    proto::append_timestamp(out, ms);
    return out;
  };
  BOOST_TEST(fmt(0) == "\"1970-01-01T00:00:00.000Z\"");
  BOOST_TEST(fmt(1480199718123) == "\"2016-11-26T22:35:18.123Z\"");
  BOOST_TEST(fmt(-1) == "\"1969-12-31T23:59:59.999Z\"");
  BOOST_TEST(fmt(951782400000) == "\"2000-02-29T00:00:00.000Z\"");
  BOOST_TEST(fmt(proto::max_timestamp_ms + 1) == "\"9999-12-31T23:59:59.999Z\"");
  BOOST_TEST(fmt(proto::min_timestamp_ms - 1) == "\"0000-01-01T00:00:00.000Z\"");
  std::mt19937_64 rng{3};
  std::uniform_int_distribution<std::int64_t> any{proto::min_timestamp_ms, proto::max_timestamp_ms};
  for (int i = 0; i < 20000; ++i) {
    const auto ms = any(rng);
    const auto text = fmt(ms);
    auto back = proto::parse_timestamp(std::string_view{text}.substr(1, text.size() - 2));
    BOOST_REQUIRE(back.has_value());
    BOOST_REQUIRE_EQUAL(*back, ms);
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

BOOST_AUTO_TEST_CASE(compact_string_keeps_null_empty_and_bytes_apart) {
  proto::compact_string null;
  proto::compact_string empty{""};
  proto::compact_string text{std::string_view{"a\0b", 3}};
  BOOST_TEST(null.is_null());
  BOOST_TEST(!empty.is_null());
  BOOST_TEST((null != empty));
  BOOST_TEST(text.view().size() == 3u);
  auto copy = text;
  BOOST_TEST((copy == text));
  BOOST_TEST(static_cast<const void*>(copy.view().data()) !=
             static_cast<const void*>(text.view().data()));
  auto moved = std::move(copy);
  BOOST_TEST(copy.is_null()); // NOLINT(bugprone-use-after-move): moved-from is null
  BOOST_TEST((moved == text));
  moved = null;
  BOOST_TEST(moved.is_null());
  proto::compact_string nc{null};
  BOOST_TEST(nc.is_null());
}

BOOST_AUTO_TEST_CASE(compact_array_copies_moves_and_compares) {
  proto::compact_array<std::uint64_t> none;
  BOOST_TEST(none.empty());
  BOOST_TEST(none.size() == 0u);
  BOOST_TEST((none.begin() == none.end()));
  proto::compact_array<std::uint64_t> ids{std::vector<std::uint64_t>{1, max_u64, 3}};
  BOOST_TEST(ids.size() == 3u);
  BOOST_TEST(ids[1] == max_u64);
  auto copy = ids;
  BOOST_TEST((copy == ids));
  BOOST_TEST(copy.data() != ids.data());
  auto moved = std::move(copy);
  BOOST_TEST(copy.empty()); // NOLINT(bugprone-use-after-move)
  BOOST_TEST((moved == ids));
  BOOST_TEST(!(moved == none));
  std::uint64_t sum = 0;
  for (auto id : proto::compact_array<std::uint64_t>{std::vector<std::uint64_t>{1, 2, 3}})
    sum += id;
  BOOST_TEST(sum == 6u);
}

BOOST_AUTO_TEST_SUITE_END()
