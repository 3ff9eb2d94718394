// proto/gateway_codec.hpp on malformed input: truncated and mutated frames never crash.

#include "tests/proto/gateway_frames.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/gateway_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace coord::test;

BOOST_AUTO_TEST_SUITE(gateway_malformed)

// --- malformed input ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_valid_frame_truncated_anywhere_is_an_error) {
  for (const auto& [text, as] : valid_frames()) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_REQUIRE(!refusal(text, as).has_value());
      for (std::size_t n = 0; n < text.size(); ++n) {
        auto err = refusal(std::string_view{text}.substr(0, n), as);
        BOOST_REQUIRE_MESSAGE(err.has_value(), "first " << n << " bytes accepted");
        BOOST_TEST(proto::to_string(err->code) == "invalid_json");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_byte_mutations_never_crash) {
  // Any outcome but a crash, or an accepted frame whose op is outside 0..6.
  std::mt19937 rng{7};
  std::uniform_int_distribution<int> byte{0, 255};
  std::size_t accepted = 0;
  for (const auto& [base, as] : valid_frames()) {
    std::uniform_int_distribution<std::size_t> pos{0, base.size() - 1};
    for (int round = 0; round < 3000; ++round) {
      auto text = base;
      for (int k = 0; k < 1 + round % 3; ++k)
        text[pos(rng)] = static_cast<char>(byte(rng));
      auto f = gw::open(text);
      if (!f)
        continue;
      BOOST_TEST((f->op >= 0 && f->op <= 6));
      for (auto who : {as, std::optional<service_type>{}})
        if (gw::decode(*f, {who, secret}))
          ++accepted;
    }
  }
  BOOST_TEST(accepted > 0u);
}

BOOST_AUTO_TEST_CASE(structural_mutations_of_d_never_crash) {
  // Every value kind in every position of every event's d.
  const std::vector<std::string> kinds{"null", "true", "0", "-1", "1.5", "18446744073709551615",
                                       "\"\"", "\"x\"", "[]", "[1]", "{}", "{\"a\":1}"};
  for (auto e : all_events)
    for (const auto& k : kinds) {
      const auto name = std::string{gw::to_string(e)};
      for (const auto& d :
           {k, "{\"guildId\":" + k + "}", "{\"ids\":" + k + "}", "{\"shard\":" + k + "}",
            "{\"command\":\"a\",\"raw\":\"b\",\"ids\":{\"message\":" + k + "}}"})
        for (auto s : all_types)
          (void)refusal(event_frame(name, d), s);
    }
  for (const auto& k : kinds) {
    (void)refusal(identify_frame("{\"type\":\"sharder\",\"compress\":true,"
                                 "\"secret\":\"test-secret\","
                                 "\"shards\":" + k + "}"));
    (void)refusal(heartbeat_frame("{\"heapUsed\":" + k + ",\"guilds\":" + k + "}"),
                  service_type::sharder);
  }
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
