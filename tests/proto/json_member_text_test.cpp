#include <boost/test/unit_test.hpp>

#include "proto/json_member_text.hpp"

#include <boost/json/parse.hpp>

#include <optional>
#include <string>

using coord::proto::json_member_text;

namespace {

std::string text_of(std::string_view object, std::string_view name = "d") {
  auto t = json_member_text(object, name);
  return t ? std::string{*t} : std::string{"<none>"};
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_member_text_suite)

BOOST_AUTO_TEST_CASE(cuts_out_every_kind_of_value_exactly) {
  BOOST_TEST(text_of(R"({"d":1.0})") == "1.0");
  BOOST_TEST(text_of(R"({"d":-0.5e+10,"x":1})") == "-0.5e+10");
  BOOST_TEST(text_of(R"({"x":"d","d":"\"}]\\"})") == R"("\"}]\\")");
  BOOST_TEST(text_of(R"({"d":{"a":[1,{"b":"]"}]},"e":2})") == R"({"a":[1,{"b":"]"}]})");
  BOOST_TEST(text_of(" { \"d\" :\n [ 1 , 2 ] \t} ") == "[ 1 , 2 ]");
  BOOST_TEST(text_of(R"({"d":null})") == "null");
  BOOST_TEST(text_of(R"({"d":true,"op":"x"})", "op") == R"("x")");
}

BOOST_AUTO_TEST_CASE(names_are_matched_whole_and_unescaped) {
  BOOST_TEST(text_of(R"({"dd":1,"":2})") == "<none>");
  BOOST_TEST(text_of(R"({"\u0064":3})") == "3");
  BOOST_TEST(text_of(R"({"d":1,"x":{"d":2}})") == "1");
  BOOST_TEST(text_of(R"({"d":1,"d":2})") == "2"); // the one Boost.JSON keeps
  BOOST_TEST(boost::json::parse(R"({"d":1,"d":2})").at("d").as_int64() == 2);
}

BOOST_AUTO_TEST_CASE(anything_else_is_none_and_never_read_past_the_end) {
  for (std::string bad : {"", "[]", "1", "{", "{\"d\"", "{\"d\":", "{\"d\":\"x", "{\"d\":[1",
                          "{\"d\":1", "{\"d\" 1}", "{\"d\\", "{\"d\":\"\\"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(text_of(bad) == "<none>"); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
