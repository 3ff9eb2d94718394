#include "proto/json_text.hpp"

#include <charconv>

namespace coord::proto::json_text {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

bool is_continuation(unsigned char c) noexcept {
  return (c & 0xC0) == 0x80;
}

template <class Int>
void append_integer(std::string& out, Int n) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec; // 20 characters (a sign and 19 digits, or 20 digits) always fit
  out.append(buf, static_cast<std::size_t>(ptr - buf));
}

} // namespace

std::size_t utf8_sequence_length(std::string_view s) noexcept {
  if (s.empty())
    return 0;
  const auto c0 = static_cast<unsigned char>(s[0]);
  if (c0 < 0x80)
    return 1;
  // Ranges of the second byte per lead byte, as in RFC 3629 §4 (no overlongs, no surrogates,
  // nothing past U+10FFFF).
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    len = 2;
  } else if (c0 == 0xE0) {
    len = 3;
    lo = 0xA0;
  } else if (c0 >= 0xE1 && c0 <= 0xEC) {
    len = 3;
  } else if (c0 == 0xED) {
    len = 3;
    hi = 0x9F;
  } else if (c0 >= 0xEE && c0 <= 0xEF) {
    len = 3;
  } else if (c0 == 0xF0) {
    len = 4;
    lo = 0x90;
  } else if (c0 >= 0xF1 && c0 <= 0xF3) {
    len = 4;
  } else if (c0 == 0xF4) {
    len = 4;
    hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < len)
    return 0;
  const auto c1 = static_cast<unsigned char>(s[1]);
  if (c1 < lo || c1 > hi)
    return 0;
  for (std::size_t i = 2; i < len; ++i)
    if (!is_continuation(static_cast<unsigned char>(s[i])))
      return 0;
  return len;
}

bool is_valid_utf8(std::string_view s) noexcept {
  while (!s.empty()) {
    const auto n = utf8_sequence_length(s);
    if (n == 0)
      return false;
    s.remove_prefix(n);
  }
  return true;
}

void append_string(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    // Copy the longest run that needs no escaping in one go.
    std::size_t run = i;
    while (run < s.size()) {
      const auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
        break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size())
      break;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const auto n = utf8_sequence_length(s.substr(i));
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
        out.append(esc, sizeof esc);
      }
    }
    ++i;
  }
  out.push_back('"');
}

void append_uint(std::string& out, std::uint64_t n) {
  append_integer(out, n);
}

void append_int(std::string& out, std::int64_t n) {
  append_integer(out, n);
}

void append_quoted_uint(std::string& out, std::uint64_t n) {
  out.push_back('"');
  append_uint(out, n);
  out.push_back('"');
}

void append_bool(std::string& out, bool b) {
  out.append(b ? "true" : "false");
}

} // namespace coord::proto::json_text
