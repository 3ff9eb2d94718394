#pragma once
// Gateway frames the codec tests share (tests/proto/gateway_*_test.cpp): golden frames of
// tests/data/gateway/, open + decode as a session of a given type would, and tables of
// refused frames with the error each must get.

#include "tests/proto/golden.hpp"

#include "proto/gateway_codec.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace coord::test {

namespace json = boost::json;
namespace proto = coord::proto;
namespace gw = coord::proto::gateway;
using proto::errc;
using gw::event_type;
using gw::service_type;

inline constexpr std::string_view secret = "test-secret";
inline constexpr std::uint64_t max_u64 = 18446744073709551615ULL;

inline const std::vector<service_type> all_types{service_type::sharder, service_type::commands,
                                                 service_type::dashboard, service_type::panel,
                                                 service_type::feeds};
inline const std::vector<event_type> all_events{
    event_type::identified,           event_type::execute_command,
    event_type::shards_assigned,      event_type::identify_granted,
    event_type::identify_request,     event_type::guild_settings_update,
    event_type::music_command_update, event_type::supporter_add,
    event_type::supporter_remove};

/// A golden file of tests/data/gateway/.
inline std::string golden(const std::string& name) {
  return coord::test::golden_file("gateway", name);
}

inline gw::frame open_ok(std::string_view text) {
  auto f = gw::open(text);
  BOOST_REQUIRE_MESSAGE(f, "open failed: " << (f ? "" : f.error().reason));
  return std::move(*f);
}

/// What open() then decode() make of a frame for a session: an error, or nullopt if accepted.
inline std::optional<proto::decode_error> refusal(std::string_view text,
                                           std::optional<service_type> as = std::nullopt) {
  auto f = gw::open(text);
  if (!f)
    return f.error();
  auto msg = gw::decode(*f, {as, secret});
  if (!msg)
    return msg.error();
  return std::nullopt;
}

inline gw::client_message decode_ok(std::string_view text, std::optional<service_type> as) {
  auto f = open_ok(text);
  auto msg = gw::decode(f, {as, secret});
  BOOST_REQUIRE_MESSAGE(msg, "decode failed: " << (msg ? "" : msg.error().reason));
  return std::move(*msg);
}

inline gw::client_event event_ok(std::string_view text, service_type as) {
  auto msg = decode_ok(text, as);
  const auto* e = std::get_if<gw::client_event>(&msg);
  BOOST_REQUIRE(e);
  return *e;
}

struct bad_case {
  std::string text;
  errc code;
  std::string reason; ///< empty: any reason
};

inline void check_table(const std::vector<bad_case>& table, std::optional<service_type> as) {
  for (const auto& c : table) {
    BOOST_TEST_CONTEXT(c.text) {
      auto err = refusal(c.text, as);
      BOOST_REQUIRE(err.has_value());
      BOOST_TEST(proto::to_string(err->code) == proto::to_string(c.code));
      if (!c.reason.empty())
        BOOST_TEST(err->reason == c.reason);
    }
  }
}

inline std::string event_frame(std::string_view t, const std::string& d) {
  return "{\"op\":2,\"t\":\"" + std::string{t} + "\",\"d\":" + d + "}";
}

inline std::string identify_frame(const std::string& d) {
  return "{\"op\":0,\"d\":" + d + "}";
}

inline std::string heartbeat_frame(const std::string& d) {
  return "{\"op\":1,\"d\":" + d + "}";
}

inline const std::string good_ids =
    R"("ids":{"message":"1","author":"2","channel":"3","guild":"4","shard":5})";

/// One valid frame per op and client event, with who may send it.
inline std::vector<std::pair<std::string, std::optional<service_type>>> valid_frames() {
  return {
      {golden("identify.json"), std::nullopt},
      {golden("heartbeat.json"), service_type::sharder},
      {golden("execute_command.json"), service_type::sharder},
      {golden("identify_request.json"), service_type::sharder},
      {golden("guild_settings_update.json"), service_type::dashboard},
      {golden("music_command_update.json"), service_type::commands},
      {golden("supporter_add.json"), service_type::panel},
      {golden("supporter_remove.json"), service_type::panel},
      {golden("cache_member.json"), service_type::sharder},
  };
}

} // namespace coord::test
