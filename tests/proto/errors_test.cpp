#include <boost/test/unit_test.hpp>

#include "proto/errors.hpp"

#include <stdexcept>

namespace proto = coord::proto;
using proto::errc;

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(every_error_maps_to_its_spec_close_code) {
  BOOST_TEST(proto::close_code(errc::not_identified) == 4000);
  BOOST_TEST(proto::close_code(errc::auth_failed) == 4001);
  BOOST_TEST(proto::close_code(errc::already_identified) == 4002);
  BOOST_TEST(proto::close_code(errc::unknown_opcode) == 4003);
  BOOST_TEST(proto::close_code(errc::invalid_json) == 4004);
  BOOST_TEST(proto::close_code(errc::invalid_payload) == 4005);
  BOOST_TEST(proto::close_code(errc::not_allowed) == 4006);
}

BOOST_AUTO_TEST_CASE(close_constants_match_the_spec_table) {
  namespace c = proto::close;
  BOOST_TEST(c::normal == 1000);
  BOOST_TEST(c::going_away == 1001);
  BOOST_TEST(c::too_big == 1009);
  BOOST_TEST(c::internal_error == 1011);
  BOOST_TEST(c::not_identified == 4000);
  BOOST_TEST(c::auth_failed == 4001);
  BOOST_TEST(c::already_identified == 4002);
  BOOST_TEST(c::unknown_opcode == 4003);
  BOOST_TEST(c::invalid_json == 4004);
  BOOST_TEST(c::invalid_payload == 4005);
  BOOST_TEST(c::not_allowed == 4006);
  BOOST_TEST(c::heartbeat_timeout == 4007);
  BOOST_TEST(c::rate_limited == 4008);
  BOOST_TEST(c::slow_consumer == 4009);
  BOOST_TEST(c::taken_over == 4010);
}

BOOST_AUTO_TEST_CASE(every_error_has_a_name) {
  BOOST_TEST(proto::to_string(errc::invalid_json) == "invalid_json");
  BOOST_TEST(proto::to_string(errc::not_allowed) == "not_allowed");
}

BOOST_AUTO_TEST_CASE(result_holds_a_value_or_an_error) {
  proto::result<int> ok = 7;
  BOOST_TEST(ok.has_value());
  BOOST_TEST(*ok == 7);
  BOOST_TEST(ok.value() == 7);

  proto::result<int> bad = proto::decode_error{errc::invalid_payload, "missing field x"};
  BOOST_TEST(!bad);
  BOOST_TEST(bad.error().reason == "missing field x");
  BOOST_TEST((bad.error() == proto::decode_error{errc::invalid_payload, "missing field x"}));
}

BOOST_AUTO_TEST_CASE(value_of_an_error_throws_with_the_reason) {
  proto::result<bool> bad = proto::decode_error{errc::auth_failed, "invalid key"};
  try {
    (void)bad.value();
    BOOST_FAIL("value() returned on an error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string{e.what()} == "auth_failed: invalid key");
  }
}

BOOST_AUTO_TEST_SUITE_END()
