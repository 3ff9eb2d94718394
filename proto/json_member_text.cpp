#include "proto/json_member_text.hpp"

#include <boost/json/parse.hpp>

#include <cstddef>

namespace coord::proto {

namespace {

bool is_ws(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void skip_ws(std::string_view s, std::size_t& i) noexcept {
  while (i < s.size() && is_ws(s[i]))
    ++i;
}

/// At an opening quote: moves past the closing quote.
bool skip_string(std::string_view s, std::size_t& i) noexcept {
  if (i >= s.size() || s[i] != '"')
    return false;
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\')
      ++i; // the escaped character cannot end the string
    else if (s[i] == '"')
      break;
  }
  if (i >= s.size())
    return false;
  ++i;
  return true;
}

/// At the first character of a value: moves past its last character.
bool skip_value(std::string_view s, std::size_t& i) noexcept {
  if (i >= s.size())
    return false;
  if (s[i] == '"')
    return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    // Strings are skipped whole, so brackets inside them do not count.
    std::size_t depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        if (!skip_string(s, i))
          return false;
        continue;
      }
      if (c == '{' || c == '[')
        ++depth;
      ++i;
      if ((c == '}' || c == ']') && --depth == 0)
        return true;
    }
    return false;
  }
  // A number, true, false or null: runs until a delimiter.
  const std::size_t start = i;
  while (i < s.size() && !is_ws(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']')
    ++i;
  return i > start;
}

/// Whether a quoted member name (quotes included) spells `name`.
bool names(std::string_view quoted, std::string_view name) {
  if (quoted.size() == name.size() + 2 && quoted.substr(1, name.size()) == name)
    return true;
  if (quoted.find('\\') == std::string_view::npos)
    return false;
  // An escaped spelling such as "\u0064": let the real parser decide.
  boost::system::error_code ec;
  auto v = boost::json::parse(quoted, ec);
  const auto* s = v.if_string();
  return !ec && s && std::string_view{s->data(), s->size()} == name;
}

} // namespace

std::optional<std::string_view> json_member_text(std::string_view s, std::string_view name) {
  std::size_t i = 0;
  skip_ws(s, i);
  if (i >= s.size() || s[i] != '{')
    return std::nullopt;
  ++i;
  std::optional<std::string_view> found;
  for (;;) {
    skip_ws(s, i);
    if (i < s.size() && s[i] == '}')
      return found;
    const std::size_t key_start = i;
    if (!skip_string(s, i))
      return std::nullopt;
    const auto key = s.substr(key_start, i - key_start);
    skip_ws(s, i);
    if (i >= s.size() || s[i] != ':')
      return std::nullopt;
    ++i;
    skip_ws(s, i);
    const std::size_t value_start = i;
    if (!skip_value(s, i))
      return std::nullopt;
    if (names(key, name))
      found = s.substr(value_start, i - value_start);
    skip_ws(s, i);
    if (i < s.size() && s[i] == ',')
      ++i;
    else if (i < s.size() && s[i] == '}')
      return found;
    else
      return std::nullopt;
  }
}

} // namespace coord::proto
