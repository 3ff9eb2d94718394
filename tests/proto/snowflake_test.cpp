#include <boost/test/unit_test.hpp>

#include "proto/snowflake.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace json = boost::json;
using coord::proto::parse_snowflake;

namespace {

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

/// parse_snowflake of the JSON text (which must be valid JSON).
std::optional<std::uint64_t> from_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "test input is not JSON: " << text);
  return parse_snowflake(v);
}

/// The parsed id as text, or "none": printable in test failures.
std::string show(std::optional<std::uint64_t> id) {
  return id ? std::to_string(*id) : "none";
}

std::string show_text(std::string_view text) {
  return show(parse_snowflake(text));
}

} // namespace

BOOST_AUTO_TEST_SUITE(snowflake)

BOOST_AUTO_TEST_CASE(json_numbers_are_accepted_exactly) {
  BOOST_TEST(show(from_json("0")) == "0");
  BOOST_TEST(show(from_json("1")) == "1");
  BOOST_TEST(show(from_json("81384788765712384")) == "81384788765712384");
  // 2^53 + 1: a double would round it to 2^53.
  BOOST_TEST(show(from_json("9007199254740993")) == "9007199254740993");
  // INT64_MAX, then 2^63 (Boost.JSON's uint64 kind), then 2^64 - 1.
  BOOST_TEST(show(from_json("9223372036854775807")) ==
             "9223372036854775807");
  BOOST_TEST(show(from_json("9223372036854775808")) ==
             "9223372036854775808");
  BOOST_TEST(show(from_json("18446744073709551615")) == "18446744073709551615");
}

BOOST_AUTO_TEST_CASE(json_strings_are_accepted_exactly) {
  BOOST_TEST(show(from_json(R"("0")")) == "0");
  BOOST_TEST(show(from_json(R"("9007199254740993")")) ==
             "9007199254740993");
  BOOST_TEST(show(from_json(R"("9223372036854775808")")) ==
             "9223372036854775808");
  BOOST_TEST(show(from_json(R"("18446744073709551615")")) == "18446744073709551615");
}

BOOST_AUTO_TEST_CASE(non_integers_negatives_and_overflow_are_refused) {
  for (const char* text : {"1.0", "1e3", "1E3", "0.5", "-1", "-9223372036854775808",
                           "18446744073709551616", "123456789012345678901234567890", "1e400",
                           "true", "false", "null", "[]", "[1]", "{}", R"({"id":1})"}) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(!from_json(text).has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(malformed_strings_are_refused) {
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "abc", "12a",
                           "18446744073709551616", "99999999999999999999",
                           "000000000000000000001", "１"}) {
    BOOST_TEST_CONTEXT('"' << text << '"') {
      BOOST_TEST(!parse_snowflake(std::string_view{text}).has_value());
    }
  }
  BOOST_TEST(!parse_snowflake(std::string_view{"1\0", 2}).has_value());
}

BOOST_AUTO_TEST_CASE(decimal_strings_parse_up_to_twenty_digits) {
  BOOST_TEST(show_text("0") == "0");
  BOOST_TEST(show_text("18446744073709551615") ==
             "18446744073709551615");
  // Leading zeros are accepted within the 20-digit bound.
  BOOST_TEST(show_text("00000000000000000042") ==
             "42");
}

BOOST_AUTO_TEST_CASE(every_string_type_reaches_the_text_form) {
  const std::string path_segment = "81384788765712384";
  const json::string json_string = "81384788765712384";
  BOOST_TEST(show(parse_snowflake("81384788765712384")) == "81384788765712384");
  BOOST_TEST(show(parse_snowflake(path_segment)) == "81384788765712384");
  BOOST_TEST(show(parse_snowflake(json_string)) == "81384788765712384");
  BOOST_TEST(show(parse_snowflake("-1")) == "none");
}

BOOST_AUTO_TEST_SUITE_END()
