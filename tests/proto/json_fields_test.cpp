// proto/json_fields.hpp: the field readers every decoder of proto/ uses.

#include "tests/proto/golden.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/json_fields.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace json = boost::json;
namespace fields = coord::proto::json_fields;
using coord::proto::decode_error;
using coord::proto::errc;
using fields::fault;

namespace {

using coord::test::parse_value;

json::object object(std::string_view text) {
  auto v = parse_value(text);
  BOOST_REQUIRE_MESSAGE(v.is_object(), "test input is not an object: " << text);
  return std::move(v.get_object());
}

/// "ok:<value>" or "missing:<path>" / "invalid:<path>": one printable line per read.
template <class T>
std::string show(const fields::field<T>& f) {
  if (!f)
    return std::string{f.error().kind == fault::missing ? "missing:" : "invalid:"} +
           std::string{f.error().path};
  if constexpr (std::is_same_v<T, bool>)
    return *f ? "ok:true" : "ok:false";
  else if constexpr (std::is_same_v<T, std::string_view>)
    return "ok:" + std::string{*f};
  else if constexpr (std::is_same_v<T, std::optional<std::string_view>>)
    return *f ? "ok:" + std::string{**f} : "ok:none";
  else if constexpr (std::is_same_v<T, std::optional<std::uint64_t>>)
    return *f ? "ok:" + std::to_string(**f) : "ok:none";
  else
    return "ok:" + std::to_string(*f);
}

template <class Int>
std::string show_integer(std::string_view text) {
  auto n = fields::integer<Int>(parse_value(text));
  return n ? std::to_string(*n) : "none";
}

std::string show_count(std::string_view text) {
  auto n = fields::count(parse_value(text));
  return n ? std::to_string(*n) : "none";
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_fields)

BOOST_AUTO_TEST_CASE(integer_takes_json_integers_in_the_type_range_only) {
  BOOST_TEST(show_integer<std::uint32_t>("0") == "0");
  BOOST_TEST(show_integer<std::uint32_t>("4294967295") == "4294967295");
  BOOST_TEST(show_integer<std::uint32_t>("4294967296") == "none");
  BOOST_TEST(show_integer<std::uint32_t>("-1") == "none");
  BOOST_TEST(show_integer<std::int32_t>("-2147483648") == "-2147483648");
  BOOST_TEST(show_integer<std::int32_t>("2147483648") == "none");
  BOOST_TEST(show_integer<std::uint8_t>("255") == "255");
  BOOST_TEST(show_integer<std::uint8_t>("256") == "none");
  // 2^63 is Boost.JSON's uint64 kind: it fits uint64 but not int64.
  BOOST_TEST(show_integer<std::uint64_t>("9223372036854775808") == "9223372036854775808");
  BOOST_TEST(show_integer<std::uint64_t>("18446744073709551615") == "18446744073709551615");
  BOOST_TEST(show_integer<std::int64_t>("9223372036854775808") == "none");
  BOOST_TEST(show_integer<std::int64_t>("-9223372036854775808") == "-9223372036854775808");
  for (const char* text : {"1.0", "1e3", "0.5", "\"1\"", "true", "null", "[]", "{}"}) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(show_integer<std::uint64_t>(text) == "none");
      BOOST_TEST(show_integer<std::int64_t>(text) == "none");
    }
  }
}

BOOST_AUTO_TEST_CASE(count_takes_non_negative_numbers_and_drops_the_fraction) {
  BOOST_TEST(show_count("0") == "0");
  BOOST_TEST(show_count("12345") == "12345");
  BOOST_TEST(show_count("18446744073709551615") == "18446744073709551615");
  BOOST_TEST(show_count("1.9") == "1");
  BOOST_TEST(show_count("1e3") == "1000");
  BOOST_TEST(show_count("-0.0") == "0");
  for (const char* text : {"-1", "-0.5", "18446744073709551616", "1e400", "\"1\"", "null",
                           "false", "[1]"}) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST(show_count(text) == "none");
    }
  }
}

BOOST_AUTO_TEST_CASE(string_value_is_a_view_of_the_json_string) {
  auto v = parse_value(R"("a\"b")");
  auto s = fields::string(v);
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(*s == "a\"b");
  BOOST_TEST(s->data() == v.get_string().data());
  BOOST_TEST(!fields::string(parse_value("1")).has_value());
  BOOST_TEST(!fields::string(parse_value("null")).has_value());
}

BOOST_AUTO_TEST_CASE(required_fields_say_missing_or_invalid_by_name) {
  const auto o = object(R"({"id":"42","n":7,"s":"x","b":false,"bad":1.5,"nul":null})");
  BOOST_TEST(show(fields::snowflake(o, "id")) == "ok:42");
  BOOST_TEST(show(fields::snowflake(o, "n")) == "ok:7");
  BOOST_TEST(show(fields::snowflake(o, "bad")) == "invalid:bad");
  BOOST_TEST(show(fields::snowflake(o, "nul")) == "invalid:nul");
  BOOST_TEST(show(fields::snowflake(o, "gone")) == "missing:gone");
  BOOST_TEST(show(fields::string(o, "s")) == "ok:x");
  BOOST_TEST(show(fields::string(o, "n")) == "invalid:n");
  BOOST_TEST(show(fields::string(o, "nul")) == "invalid:nul");
  BOOST_TEST(show(fields::string(o, "gone")) == "missing:gone");
  BOOST_TEST(show(fields::boolean(o, "b")) == "ok:false");
  BOOST_TEST(show(fields::boolean(o, "n")) == "invalid:n");
  BOOST_TEST(show(fields::boolean(o, "gone")) == "missing:gone");
  BOOST_TEST(show(fields::integer<std::uint8_t>(o, "n")) == "ok:7");
  BOOST_TEST(show(fields::integer<std::uint8_t>(o, "bad")) == "invalid:bad");
  BOOST_TEST(show(fields::integer<std::uint8_t>(o, "gone")) == "missing:gone");
  BOOST_TEST(show(fields::count(o, "bad")) == "ok:1");
  BOOST_TEST(show(fields::count(o, "s")) == "invalid:s");
  BOOST_TEST(show(fields::count(o, "gone")) == "missing:gone");
}

BOOST_AUTO_TEST_CASE(optional_fields_take_absent_and_null_as_not_sent) {
  const auto o = object(R"({"id":"42","s":"x","nul":null,"bad":true,"n":-1})");
  BOOST_TEST(show(fields::optional_snowflake(o, "id")) == "ok:42");
  BOOST_TEST(show(fields::optional_snowflake(o, "nul")) == "ok:none");
  BOOST_TEST(show(fields::optional_snowflake(o, "gone")) == "ok:none");
  BOOST_TEST(show(fields::optional_snowflake(o, "bad")) == "invalid:bad");
  BOOST_TEST(show(fields::optional_string(o, "s")) == "ok:x");
  BOOST_TEST(show(fields::optional_string(o, "nul")) == "ok:none");
  BOOST_TEST(show(fields::optional_string(o, "gone")) == "ok:none");
  BOOST_TEST(show(fields::optional_string(o, "bad")) == "invalid:bad");
  auto n = fields::optional_integer<std::uint64_t>(o, "n");
  BOOST_TEST(!n.has_value());
  BOOST_TEST((n.error() == fields::field_error{fault::invalid, "n"}));
  auto none = fields::optional_integer<std::uint64_t>(o, "nul");
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST(!none->has_value());
}

BOOST_AUTO_TEST_CASE(a_path_names_a_nested_field_in_the_error) {
  const auto o = object(R"({"guild":"x"})");
  BOOST_TEST(show(fields::snowflake(o, "guild", "ids.guild")) == "invalid:ids.guild");
  BOOST_TEST(show(fields::snowflake(o, "shard", "ids.shard")) == "missing:ids.shard");
  BOOST_TEST(show(fields::integer<std::uint32_t>(o, "guild", "ids.guild")) ==
             "invalid:ids.guild");
}

BOOST_AUTO_TEST_CASE(a_field_error_becomes_the_decode_error_of_spec_section_2) {
  const auto o = object(R"({"a":1})");
  const decode_error missing = fields::string(o, "b").error();
  BOOST_TEST((missing == decode_error{errc::invalid_payload, "missing field b"}));
  const decode_error invalid = fields::string(o, "a").error();
  BOOST_TEST((invalid == decode_error{errc::invalid_payload, "invalid field a"}));
  // The conversion a decoder relies on: return f.error() from a function returning result<T>.
  auto decode = [&]() -> coord::proto::result<int> {
    auto s = fields::string(o, "a", "d.a");
    if (!s)
      return s.error();
    return 1;
  };
  auto r = decode();
  BOOST_REQUIRE(!r.has_value());
  BOOST_TEST((r.error() == decode_error{errc::invalid_payload, "invalid field d.a"}));
}

BOOST_AUTO_TEST_CASE(objects_and_arrays_are_pointers_into_the_object) {
  const auto o = object(R"({"o":{"a":1},"a":[1,2],"n":null})");
  auto inner = fields::object(o, "o");
  BOOST_REQUIRE(inner.has_value());
  BOOST_TEST(*inner == &o.at("o").get_object());
  auto arr = fields::array(o, "a");
  BOOST_REQUIRE(arr.has_value());
  BOOST_TEST((*arr)->size() == 2u);
  BOOST_TEST((fields::object(o, "a").error() == fields::field_error{fault::invalid, "a"}));
  BOOST_TEST((fields::array(o, "o").error() == fields::field_error{fault::invalid, "o"}));
  BOOST_TEST((fields::array(o, "n").error() == fields::field_error{fault::invalid, "n"}));
  BOOST_TEST((fields::object(o, "x", "d.x").error() ==
              fields::field_error{fault::missing, "d.x"}));
}

BOOST_AUTO_TEST_CASE(any_value_reader_becomes_a_field_reader) {
  const auto o = object(R"({"even":4,"odd":3,"nul":null})");
  auto even = [](const json::value& v) -> std::optional<std::int64_t> {
    if (auto n = fields::integer<std::int64_t>(v); n && *n % 2 == 0)
      return n;
    return std::nullopt;
  };
  BOOST_TEST(show(fields::required_field(o, "even", {}, even)) == "ok:4");
  BOOST_TEST(show(fields::required_field(o, "odd", {}, even)) == "invalid:odd");
  BOOST_TEST(show(fields::required_field(o, "gone", "x.gone", even)) == "missing:x.gone");
  auto maybe = fields::optional_field(o, "nul", {}, even);
  BOOST_REQUIRE(maybe.has_value());
  BOOST_TEST(!maybe->has_value());
  BOOST_TEST(**fields::optional_field(o, "even", {}, even) == 4);
  BOOST_TEST((fields::optional_field(o, "odd", {}, even).error() ==
              fields::field_error{fault::invalid, "odd"}));
}

BOOST_AUTO_TEST_CASE(parse_refuses_what_is_not_json_and_keeps_any_value) {
  for (const char* text : {"", "{", "{\"a\":}", "nul", "[1,]", "{} {}"}) {
    BOOST_TEST_CONTEXT(text) {
      auto r = fields::parse(text);
      BOOST_REQUIRE(!r.has_value());
      BOOST_TEST((r.error() == decode_error{errc::invalid_json, "invalid json"}));
    }
  }
  BOOST_TEST(fields::parse("[1]")->is_array());
  BOOST_TEST(fields::parse("null")->is_null());
  BOOST_TEST(fields::parse(R"({"op":1})")->at("op").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(value_of_a_refused_field_throws) {
  const auto o = object("{}");
  BOOST_CHECK_THROW(fields::boolean(o, "b").value(), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
