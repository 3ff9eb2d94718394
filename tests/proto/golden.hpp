#pragma once
// Golden wire data (tests/data/<dialect>/<case>.json) and JSON helpers the codec tests share.

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace coord::test {

/// The text of tests/data/<dir>/<name> without its trailing newline.
inline std::string golden_file(const std::string& dir, const std::string& name) {
  std::ifstream in{std::string{COORD_TEST_DATA} + "/" + dir + "/" + name, std::ios::binary};
  BOOST_REQUIRE_MESSAGE(in, "missing golden file " << dir << "/" << name);
  std::ostringstream text;
  text << in.rdbuf();
  auto s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

/// `text` parsed as a JSON object; fails the test when it is not one.
inline boost::json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "encoder wrote invalid JSON: " << text);
  BOOST_REQUIRE(v.is_object());
  return std::move(v.get_object());
}

/// A test input's JSON value; fails the test when the input is not JSON.
inline boost::json::value parse_value(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  BOOST_REQUIRE_MESSAGE(!ec, "test input is not JSON: " << text);
  return v;
}

/// The keys of `o` in order.
inline std::vector<std::string> keys_of(const boost::json::object& o) {
  std::vector<std::string> out;
  for (const auto& kv : o)
    out.emplace_back(kv.key());
  return out;
}

} // namespace coord::test
