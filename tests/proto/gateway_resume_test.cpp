// Gateway resume's wire forms (SPEC.md §4.9): RESUME's check order, `s` on op 2 payloads,
// RESUMED and INVALID_SESSION, and the sessionId in IDENTIFIED.

#include <boost/test/unit_test.hpp>

#include "proto/gateway_codec.hpp"

#include <boost/json/parse.hpp>

namespace gw = coord::proto::gateway;
namespace json = boost::json;

namespace {

/// open() then decode() as a session identified as `as` (nullopt: not yet).
coord::proto::result<gw::client_message> decode_text(
  std::string_view text, std::optional<gw::service_type> as = std::nullopt) {
  auto f = gw::open(text);
  if (!f)
    return f.error();
  return gw::decode(*f, gw::session_view{as, "s3cret"});
}

/// The close code a refused frame gets.
std::uint16_t refused(std::string_view text, std::optional<gw::service_type> as = std::nullopt) {
  auto m = decode_text(text, as);
  BOOST_REQUIRE_MESSAGE(!m, "accepted: " << text);
  return coord::proto::close_code(m.error().code);
}

} // namespace

BOOST_AUTO_TEST_SUITE(gateway_resume)

BOOST_AUTO_TEST_CASE(resume_decodes_before_identify) {
  auto m = decode_text(R"({"op":6,"d":{"sessionId":"ab12","seq":18446744073709551615,"secret":"s3cret"}})");
  BOOST_REQUIRE(m);
  const auto& r = std::get<gw::resume>(*m);
  BOOST_TEST(r.session_id == "ab12");
  BOOST_TEST(r.seq == 18446744073709551615ull);
  BOOST_TEST(std::get<gw::resume>(*decode_text(R"({"op":6,"d":{"sessionId":"","seq":0,"secret":"s3cret"}})")).seq == 0u);
}

BOOST_AUTO_TEST_CASE(resume_checks_come_in_order) {
  // already identified, then fields (4005), then the secret (4001)
  BOOST_TEST(refused(R"({"op":6,"d":{"sessionId":"a","seq":1,"secret":"bad"}})",
                     gw::service_type::commands) == 4002);
  BOOST_TEST(refused(R"({"op":6,"d":{"seq":1,"secret":"bad"}})") == 4005);
  BOOST_TEST(refused(R"({"op":6,"d":{"sessionId":5,"seq":1,"secret":"bad"}})") == 4005);
  BOOST_TEST(refused(R"({"op":6,"d":{"sessionId":"a","secret":"bad"}})") == 4005);
  for (auto seq : {"-1", "1.5", "\"3\"", "null"})
    BOOST_TEST(refused(std::string{R"({"op":6,"d":{"sessionId":"a","seq":)"} + seq +
                       R"(,"secret":"bad"}})") == 4005, seq);
  BOOST_TEST(refused(R"({"op":6,"d":{"sessionId":"a","seq":1}})") == 4005);
  BOOST_TEST(refused(R"({"op":6,"d":{"sessionId":"a","seq":1,"secret":7}})") == 4005);
  BOOST_TEST(refused(R"({"op":6,"d":[]})") == 4005);
  BOOST_TEST(refused(R"({"op":6,"d":{"sessionId":"a","seq":1,"secret":"bad"}})") == 4001);
  BOOST_TEST(refused(R"({"op":7,"d":{}})") == 4003);
}

BOOST_AUTO_TEST_CASE(an_empty_gateway_secret_refuses_every_resume) {
  auto f = gw::open(R"({"op":6,"d":{"sessionId":"a","seq":1,"secret":""}})");
  BOOST_REQUIRE(f);
  auto m = gw::decode(*f, gw::session_view{std::nullopt, ""});
  BOOST_REQUIRE(!m);
  BOOST_TEST(coord::proto::close_code(m.error().code) == 4001);
}

BOOST_AUTO_TEST_CASE(sequence_numbers_go_last_in_the_payload) {
  const auto cmd = gw::with_sequence(R"({"op":2,"t":"X","d":{"a":"}"}})", 18446744073709551615ull);
  BOOST_TEST(cmd == R"({"op":2,"t":"X","d":{"a":"}"},"s":18446744073709551615})");
  BOOST_TEST(json::parse(cmd).at("s").as_uint64() == 18446744073709551615ull);
  BOOST_TEST(gw::with_sequence(gw::encode_shards_assigned({1}), 3) ==
             R"({"op":2,"t":"SHARDS_ASSIGNED","d":{"shards":[1]},"s":3})");
}

BOOST_AUTO_TEST_CASE(resumed_and_invalid_session_carry_no_sequence) {
  BOOST_TEST(gw::encode_resumed(4) == R"({"op":2,"t":"RESUMED","d":{"replayed":4}})");
  BOOST_TEST(gw::encode_invalid_session() ==
             R"({"op":2,"t":"INVALID_SESSION","d":{"resumable":false}})");
}

BOOST_AUTO_TEST_CASE(identified_carries_the_session_id) {
  BOOST_TEST(gw::encode_identified(gw::service_type::sharder, {0, 1}, "a\"b") ==
             R"({"op":2,"t":"IDENTIFIED","d":{"sessionId":"a\"b","shards":[0,1]}})");
  BOOST_TEST(gw::encode_identified(gw::service_type::commands, {0, 1}, "f00d") ==
             R"({"op":2,"t":"IDENTIFIED","d":{"sessionId":"f00d"}})");
  BOOST_TEST(gw::encode_identified(gw::service_type::commands, {}) ==
             R"({"op":2,"t":"IDENTIFIED","d":{}})");
}

BOOST_AUTO_TEST_SUITE_END()
