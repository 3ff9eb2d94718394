#include <boost/test/unit_test.hpp>

#include "proto/json_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace json = boost::json;
namespace jt = coord::proto::json_text;

namespace {

/// The string that the JSON text `quoted` decodes to; fails the test if it is not valid JSON.
std::string reparse(const std::string& quoted) {
  boost::system::error_code ec;
  auto v = json::parse(quoted, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "not valid JSON: " << quoted);
  BOOST_REQUIRE(v.is_string());
  return std::string{v.get_string().data(), v.get_string().size()};
}

std::string quoted(std::string_view s) {
  std::string out;
  jt::append_string(out, s);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_text)

BOOST_AUTO_TEST_CASE(plain_text_is_copied_between_quotes) {
  BOOST_TEST(quoted("") == R"("")");
  BOOST_TEST(quoted("!") == R"("!")");
  BOOST_TEST(quoted("hello / world") == R"("hello / world")");
}

BOOST_AUTO_TEST_CASE(quotes_backslashes_and_control_characters_are_escaped) {
  BOOST_TEST(quoted("a\"b") == R"("a\"b")");
  BOOST_TEST(quoted("a\\b") == R"("a\\b")");
  BOOST_TEST(quoted("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  BOOST_TEST(quoted(std::string_view{"\0\x01\x1f", 3}) == R"("\u0000\u0001\u001f")");
  BOOST_TEST(quoted("\x7f") == "\"\x7f\"");
}

BOOST_AUTO_TEST_CASE(valid_utf8_is_written_as_is) {
  const std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5 \xef\xbf\xbf \xf4\x8f\xbf\xbf";
  BOOST_TEST(quoted(text) == '"' + text + '"');
  BOOST_TEST(reparse(quoted(text)) == text);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_becomes_replacement_characters) {
  BOOST_TEST(quoted("a\xff" "b") == R"("a\ufffdb")");
  BOOST_TEST(quoted("\xc0\xaf") == R"("\ufffd\ufffd")");             // overlong '/'
  BOOST_TEST(quoted("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");   // surrogate U+D800
  BOOST_TEST(quoted("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")"); // past U+10FFFF
  BOOST_TEST(quoted("\xe2\x82") == R"("\ufffd\ufffd")");             // truncated
}

BOOST_AUTO_TEST_CASE(utf8_validation_follows_rfc_3629) {
  BOOST_TEST(jt::is_valid_utf8(""));
  BOOST_TEST(jt::is_valid_utf8("abc \xc2\x80 \xe0\xa0\x80 \xf0\x90\x80\x80"));
  BOOST_TEST(!jt::is_valid_utf8("\x80"));
  BOOST_TEST(!jt::is_valid_utf8("\xc1\xbf"));
  BOOST_TEST(!jt::is_valid_utf8("\xe0\x9f\xbf"));
  BOOST_TEST(!jt::is_valid_utf8("\xf0\x8f\xbf\xbf"));
  BOOST_TEST(!jt::is_valid_utf8("\xf5\x80\x80\x80"));
}

BOOST_AUTO_TEST_CASE(random_bytes_always_give_valid_json) {
  std::mt19937 rng{1234};
  std::uniform_int_distribution<int> byte{0, 255};
  std::uniform_int_distribution<int> length{0, 40};
  for (int round = 0; round < 20000; ++round) {
    std::string s(static_cast<std::size_t>(length(rng)), '\0');
    for (auto& c : s)
      c = static_cast<char>(byte(rng));
    const auto text = quoted(s);
    const auto back = reparse(text);
    if (jt::is_valid_utf8(s))
      BOOST_TEST(back == s);
    else
      BOOST_TEST(jt::is_valid_utf8(back));
  }
}

BOOST_AUTO_TEST_CASE(numbers_are_written_in_decimal) {
  std::string out;
  jt::append_uint(out, 0);
  out += ' ';
  jt::append_uint(out, 18446744073709551615ULL);
  out += ' ';
  jt::append_quoted_uint(out, 9007199254740993ULL);
  out += ' ';
  jt::append_bool(out, true);
  out += ' ';
  jt::append_bool(out, false);
  out += ' ';
  jt::append_int(out, -9223372036854775807LL - 1);
  out += ' ';
  jt::append_int(out, 9223372036854775807LL);
  out += ' ';
  jt::append_int(out, -1);
  BOOST_TEST(out == R"(0 18446744073709551615 "9007199254740993" true false )"
                    R"(-9223372036854775808 9223372036854775807 -1)");
}

BOOST_AUTO_TEST_CASE(integer_arrays_are_written_plain_or_quoted) {
  std::string out;
  jt::append_uint_array(out, std::vector<std::uint32_t>{});
  jt::append_uint_array(out, std::vector<std::uint32_t>{7});
  jt::append_uint_array(out, std::vector<std::uint64_t>{0, 18446744073709551615ULL});
  jt::append_uint_array(out, std::vector<std::uint64_t>{}, true);
  jt::append_uint_array(out, std::vector<std::uint64_t>{1, 9007199254740993ULL}, true);
  BOOST_TEST(out == R"([][7][0,18446744073709551615][]["1","9007199254740993"])");
}

BOOST_AUTO_TEST_SUITE_END()
