// net/frame_encoding.hpp: the bytes of the frame headers and close payloads the server writes,
// checked against RFC 6455 §5.2 by hand-written expectations.

#include "net/frame_encoding.hpp"
#include "tests/support/raw_tcp.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace coord::net::testing {
namespace {

std::vector<std::uint8_t> header(opcode op, std::uint64_t size, bool fin = true) {
  std::uint8_t out[max_frame_header + 4];
  std::fill(std::begin(out), std::end(out), 0xEE); // bytes past the header stay untouched
  const std::size_t n = encode_frame_header(out, op, size, fin);
  BOOST_REQUIRE_LE(n, max_frame_header);
  for (std::size_t i = n; i < sizeof out; ++i)
    BOOST_REQUIRE_EQUAL(int{out[i]}, 0xEE);
  return {out, out + n};
}

using bytes = std::vector<std::uint8_t>;

/// The payload length a header announces, read as a client would (RFC 6455 §5.2).
std::uint64_t announced_length(const bytes& h) {
  const std::uint8_t len7 = h.at(1) & 0x7F;
  if (len7 < 126)
    return len7;
  std::uint64_t v = 0;
  const std::size_t ext = len7 == 126 ? 2 : 8;
  for (std::size_t i = 0; i < ext; ++i)
    v = (v << 8) | h.at(2 + i);
  return v;
}

} // namespace

BOOST_AUTO_TEST_SUITE(frame_encoding)

BOOST_AUTO_TEST_CASE(payloads_up_to_125_bytes_take_a_two_byte_header) {
  BOOST_TEST(header(opcode::text, 0) == (bytes{0x81, 0x00}));
  BOOST_TEST(header(opcode::text, 1) == (bytes{0x81, 0x01}));
  BOOST_TEST(header(opcode::binary, 125) == (bytes{0x82, 0x7D}));
}

BOOST_AUTO_TEST_CASE(payloads_of_126_to_65535_bytes_take_a_16_bit_length) {
  BOOST_TEST(header(opcode::text, 126) == (bytes{0x81, 0x7E, 0x00, 0x7E}));
  BOOST_TEST(header(opcode::text, 300) == (bytes{0x81, 0x7E, 0x01, 0x2C}));
  BOOST_TEST(header(opcode::binary, 65535) == (bytes{0x82, 0x7E, 0xFF, 0xFF}));
}

BOOST_AUTO_TEST_CASE(larger_payloads_take_a_64_bit_length_in_network_order) {
  BOOST_TEST(header(opcode::text, 65536) ==
             (bytes{0x81, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
  BOOST_TEST(header(opcode::binary, 0x0102030405060708ULL) ==
             (bytes{0x82, 0x7F, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
  // The most significant bit stays clear for any length a payload can have (§5.2).
  BOOST_TEST(header(opcode::text, 0x7FFFFFFFFFFFFFFFULL) ==
             (bytes{0x81, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

BOOST_AUTO_TEST_CASE(every_length_around_the_class_boundaries_reads_back) {
  for (std::uint64_t size : {0ULL, 124ULL, 125ULL, 126ULL, 127ULL, 65534ULL, 65535ULL,
                             65536ULL, 65537ULL, 1ULL << 32, (1ULL << 32) + 1}) {
    const auto h = header(opcode::binary, size);
    const std::size_t expected = size < 126 ? 2 : size <= 65535 ? 4 : 10;
    BOOST_TEST(h.size() == expected, "size " << size);
    BOOST_TEST(announced_length(h) == size);
    BOOST_TEST((h[1] & 0x80) == 0, "a server frame is never masked");
  }
}

BOOST_AUTO_TEST_CASE(first_byte_carries_fin_and_the_opcode) {
  BOOST_TEST(header(opcode::text, 5)[0] == 0x81);
  BOOST_TEST(header(opcode::binary, 5)[0] == 0x82);
  BOOST_TEST(header(opcode::text, 5, false)[0] == 0x01);
  BOOST_TEST(header(opcode::continuation, 5, false)[0] == 0x00);
  BOOST_TEST(header(opcode::continuation, 5)[0] == 0x80);
  BOOST_TEST(header(opcode::close, 2)[0] == 0x88);
  BOOST_TEST(header(opcode::ping, 0)[0] == 0x89);
  BOOST_TEST(header(opcode::pong, 0)[0] == 0x8A);
  // RSV1-3 stay clear: no extension is negotiated.
  for (auto op : {opcode::text, opcode::binary, opcode::close})
    BOOST_TEST((header(op, 70000)[0] & 0x70) == 0);
}

BOOST_AUTO_TEST_CASE(a_short_close_reason_is_kept_whole) {
  BOOST_TEST(clip_close_reason("") == "");
  BOOST_TEST(clip_close_reason("slow consumer") == "slow consumer");
  const std::string exact(max_close_reason, 'r');
  BOOST_TEST(clip_close_reason(exact) == exact);
}

BOOST_AUTO_TEST_CASE(a_long_close_reason_is_cut_at_123_bytes_on_a_character_boundary) {
  BOOST_TEST(clip_close_reason(std::string(124, 'a')) == std::string(123, 'a'));
  // "é" (2 bytes) at bytes 122-123: it would be cut in two, so it goes whole.
  const std::string two = std::string(122, 'a') + "\xC3\xA9" + "tail";
  BOOST_TEST(clip_close_reason(two) == std::string(122, 'a'));
  // "é" at bytes 121-122 fits.
  const std::string fits = std::string(121, 'a') + "\xC3\xA9" + "tail";
  BOOST_TEST(clip_close_reason(fits) == std::string(121, 'a') + "\xC3\xA9");
  // A 4-byte character at bytes 120-123.
  const std::string four = std::string(120, 'a') + "\xF0\x9F\x98\x80" + "tail";
  BOOST_TEST(clip_close_reason(four) == std::string(120, 'a'));
  // 100 "é": 61 of them fit (122 bytes).
  std::string many;
  for (int i = 0; i < 100; ++i)
    many += "\xC3\xA9";
  BOOST_TEST(clip_close_reason(many) == many.substr(0, 122));
}

BOOST_AUTO_TEST_CASE(close_payload_is_the_code_in_network_order_then_the_clipped_reason) {
  BOOST_TEST(encode_close_payload(1000, "") == std::string("\x03\xE8", 2));
  BOOST_TEST(encode_close_payload(4009, "slow consumer") ==
             std::string("\x0F\xA9", 2) + "slow consumer");
  // The same bytes as the test client's own encoder.
  BOOST_TEST(encode_close_payload(4321, "done") == test::close_payload(4321, "done"));
  const std::string long_reason(300, 'x');
  const auto p = encode_close_payload(1009, long_reason);
  BOOST_TEST(p.size() == 125u); // a control frame's payload limit
  BOOST_TEST(p == test::close_payload(1009, std::string(123, 'x')));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
