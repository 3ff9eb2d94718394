#pragma once
// The op 5 records the cache tests share (tests/proto/gateway_cache*_test.cpp): golden records
// of tests/data/gateway/, decoding them, and the table of each type's required and mistyped
// fields.

#include "tests/proto/golden.hpp"

#include "proto/gateway_cache.hpp"
#include "proto/gateway_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coord::test {

namespace json = boost::json;
namespace proto = coord::proto;
namespace gw = coord::proto::gateway;

inline constexpr std::uint64_t max_u64 = 18446744073709551615ULL;

/// A golden file of tests/data/gateway/.
inline std::string golden(const std::string& name) { return golden_file("gateway", name); }

/// The `d` of a golden op 5 frame.
inline json::object golden_d(const std::string& name) {
  return json::parse(golden(name)).as_object().at("d").as_object();
}

inline proto::result<gw::cache_update> decode(const json::object& d) {
  return gw::decode_cache(json::value(d));
}

inline proto::result<gw::cache_update> decode_text(std::string_view d) {
  boost::system::error_code ec;
  auto v = json::parse(d, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "test JSON is invalid: " << d);
  return gw::decode_cache(v);
}

inline gw::cache_update decode_ok(const json::object& d) {
  auto u = decode(d);
  BOOST_REQUIRE_MESSAGE(u, "refused: " << (u ? "" : u.error().reason) << " in "
                                       << json::serialize(d));
  return std::move(*u);
}

inline void expect_refusal(const json::object& d, const std::string& reason) {
  BOOST_TEST_CONTEXT(json::serialize(d)) {
    auto u = decode(d);
    BOOST_REQUIRE(!u);
    BOOST_TEST(proto::to_string(u.error().code) == "invalid_payload");
    BOOST_TEST(proto::close_code(u.error().code) == 4005);
    BOOST_TEST(u.error().reason == reason);
  }
}

/// The golden record of each type, with its required fields in seed order and a value of a
/// wrong type for each.
struct record_case {
  std::string file;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, json::value>> mistyped;
};

inline std::vector<record_case> record_cases() {
  return {
      {"cache_member.json",
       {"id", "guildID", "user"},
       {{"id", json::value(-1)},
        {"guildID", json::value("x")},
        {"nickname", json::value(1)},
        {"roles", json::value("1")},
        {"roles", json::array{1.5}},
        {"roles", json::array{nullptr}},
        {"joinedAt", json::value("yesterday")},
        {"joinedAt", json::value(-1)},
        {"joinedAt", json::value(1.5)},
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
       {"id", "username", "discriminator", "bot"},
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
       {"id", "position", "name", "nsfw"}, // without guildID: a DM channel, not cached
       {{"id", json::value(json::array{})},
        {"guildID", json::value("x")},
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
       {"id", "name", "ownerID"},
       {{"id", json::value("guild")},
        {"name", json::value(1)},
        {"icon", json::value(1)},
        {"ownerID", json::value(nullptr)},
        {"region", json::value(1)},
        {"roles", json::value(json::object{})},
        {"memberCount", json::value(-1)},
        {"memberCount", json::value("2")},
        {"members", json::value(1)},
        {"voiceStates", json::value("x")},
        {"channels", json::value(json::object{})}}},
  };
}

} // namespace coord::test
