// The close frame a websocket_session sends, byte by byte: what net/frame_encoding.hpp says
// it is, with a reason too long for a control frame cut on a character boundary.

#include "net/frame_encoding.hpp"
#include "tests/net/test_server.hpp"
#include "tests/support/raw_tcp.hpp"

#include <boost/test/unit_test.hpp>

namespace coord::net::testing {
namespace {

using test::raw_ws;
namespace ws_op = test::ws_op;

/// Asks the test sink to close with `code` and `reason`; returns the close frame's payload.
std::string close_payload_for(std::uint16_t code, const std::string& reason) {
  test_server ts;
  raw_ws c(ts.port(), "/companion");
  BOOST_REQUIRE(c.send_text("close:" + std::to_string(code) + ":" + reason));
  while (auto f = c.read_frame()) {
    if (f->opcode == ws_op::close)
      return f->payload;
    BOOST_TEST(f->payload == "bye");
  }
  BOOST_FAIL("no close frame");
  return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(websocket_close_frame)

BOOST_AUTO_TEST_CASE(the_close_frame_carries_the_code_and_reason_as_encoded) {
  const auto payload = close_payload_for(4321, "done");
  BOOST_TEST(payload == encode_close_payload(4321, "done"));
  BOOST_TEST(payload == std::string("\x10\xE1", 2) + "done");
}

BOOST_AUTO_TEST_CASE(a_reason_too_long_for_a_control_frame_arrives_cut_on_a_character) {
  std::string reason;
  for (int i = 0; i < 100; ++i)
    reason += "\xC3\xA9"; // "é", 200 bytes in all
  const auto payload = close_payload_for(4005, reason);
  BOOST_TEST(payload == encode_close_payload(4005, reason));
  BOOST_TEST(payload.size() == 2 + 122u); // 61 whole characters
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
