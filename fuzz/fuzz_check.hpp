#pragma once
// What every fuzz target shares: FUZZ_CHECK (a failed property aborts, so libFuzzer keeps the
// input), JSON parsing of encoder output, and the string-encoding properties of json_text.

#include "proto/errors.hpp"
#include "proto/json_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

/// Aborts with a message when a property does not hold; libFuzzer reports a deadly signal and
/// writes the input to crash-<sha1>.
#define FUZZ_CHECK(cond, what)                                                                 \
  do {                                                                                         \
    if (!(cond))                                                                               \
      ::coord::fuzz::fail(#cond, what, __FILE__, __LINE__);                                    \
  } while (0)

namespace coord::fuzz {

[[noreturn]] inline void fail(const char* cond, const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz property failed: %s\n  check: %s\n  at %s:%d\n", what, cond, file,
               line);
  std::abort();
}

/// The fuzzer's bytes as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
  return {reinterpret_cast<const char*>(data), size};
}

/// Text parsed with Boost.JSON's defaults (what every decoder uses); nullopt if refused.
inline std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec)
    return std::nullopt;
  return v;
}

/// One JSON value cut out of a larger text, parsed as an array element: Boost.JSON 1.81 may read
/// a long number 1 ulp differently when it ends the input than when a delimiter follows it.
inline std::optional<boost::json::value> parse_element(std::string_view text) {
  auto v = parse_json("[" + std::string{text} + "]");
  if (!v || !v->is_array() || v->get_array().size() != 1)
    return std::nullopt;
  return v->get_array()[0];
}

/// Doubles Boost.JSON 1.81 read from the same text: its default (imprecise) number parsing
/// promises 15 significant digits, and a long mantissa comes out a few ulp apart depending on
/// what follows it in the buffer; 0e400 (zero times a power past double's range) reads as NaN.
inline bool same_double(double a, double b) {
  if (a != a || b != b)
    return a != a && b != b;
  if (a == b)
    return true;
  if (std::isinf(a) || std::isinf(b))
    return false;
  const double scale = std::fabs(a) > std::fabs(b) ? std::fabs(a) : std::fabs(b);
  return std::fabs(a - b) <= 1e-14 * scale;
}

/// Value equality with same_double for numbers that are doubles on both sides.
inline bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() && b.is_double())
    return same_double(a.get_double(), b.get_double());
  if (a.kind() != b.kind())
    return a == b; // int64 and uint64 of one value compare equal
  if (const auto* x = a.if_array()) {
    const auto& y = b.get_array();
    if (x->size() != y.size())
      return false;
    for (std::size_t i = 0; i < x->size(); ++i)
      if (!same_json((*x)[i], y[i]))
        return false;
    return true;
  }
  if (const auto* x = a.if_object()) {
    const auto& y = b.get_object();
    if (x->size() != y.size())
      return false;
    for (const auto& kv : *x) {
      const auto* other = y.if_contains(kv.key());
      if (!other || !same_json(kv.value(), *other))
        return false;
    }
    return true;
  }
  return a == b;
}

/// Encoder output must be one JSON object: returns it, or fails the run naming the encoder.
inline boost::json::object must_parse_object(std::string_view text, const char* encoder) {
  auto v = parse_json(text);
  if (!v || !v->is_object()) {
    std::fprintf(stderr, "encoder %s wrote: %.*s\n", encoder, static_cast<int>(text.size()),
                 text.data());
    FUZZ_CHECK(false, "an encoder wrote something that is not a JSON object");
  }
  return std::move(v->get_object());
}

/// A Boost.JSON string as a view.
inline std::string_view view(const boost::json::string& s) noexcept {
  return {s.data(), s.size()};
}
/// A temporary (e.g. a key converted to boost::json::string) would dangle.
std::string_view view(boost::json::string&&) = delete;

/// An object member's key as a std::string_view.
inline std::string_view key_of(const boost::json::key_value_pair& kv) noexcept {
  return {kv.key().data(), kv.key().size()};
}

/// The string member `name` of `o`; fails the run when it is absent or not a string.
inline std::string_view string_at(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  FUZZ_CHECK(v && v->is_string(), "encoder output lacks a string member");
  return view(v->get_string());
}

/// The unsigned integer member `name` of `o` (a JSON number, not a string).
inline std::uint64_t uint_at(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  FUZZ_CHECK(v && (v->is_uint64() || (v->is_int64() && v->get_int64() >= 0)),
             "encoder output lacks an unsigned integer member");
  return v->is_uint64() ? v->get_uint64() : static_cast<std::uint64_t>(v->get_int64());
}

/// The decimal-string member `name` of `o` (how gateway, voice and admin write snowflakes).
inline std::uint64_t quoted_uint_at(const boost::json::object& o, std::string_view name) {
  const auto text = string_at(o, name);
  FUZZ_CHECK(!text.empty() && text.size() <= 20, "a quoted id has 1 to 20 digits");
  std::uint64_t n = 0;
  for (char c : text) {
    FUZZ_CHECK(c >= '0' && c <= '9', "a quoted id is digits only");
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

/// A refusal is one of the documented codes with a short, valid UTF-8 reason (it becomes a
/// websocket close reason or an HTTP body).
inline void check_error(const proto::decode_error& e) {
  FUZZ_CHECK(!e.reason.empty(), "every refusal has a reason");
  FUZZ_CHECK(proto::to_string(e.code) != "unknown", "the error code is one of the enum's");
  FUZZ_CHECK(proto::json_text::is_valid_utf8(e.reason), "a close reason is valid UTF-8");
}

/// The JSON string literal for raw bytes with only '"', '\\' and control bytes escaped: Boost.JSON
/// accepts it exactly when the bytes are valid UTF-8, an oracle independent of json_text.
inline std::string minimal_literal(std::string_view raw) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out{"\""};
  for (char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      out.append("\\u00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

/// json_text on arbitrary bytes: append_string always writes one JSON string, equal to the
/// input when it is valid UTF-8; is_valid_utf8 agrees with Boost.JSON's validator;
/// utf8_sequence_length never claims more bytes than there are.
inline void check_string_encoding(std::string_view raw) {
  const bool valid = proto::json_text::is_valid_utf8(raw);
  FUZZ_CHECK(parse_json(minimal_literal(raw)).has_value() == valid,
             "is_valid_utf8 disagrees with Boost.JSON's UTF-8 validation");
  std::string out;
  proto::json_text::append_string(out, raw);
  auto v = parse_json(out);
  FUZZ_CHECK(v && v->is_string(), "append_string wrote something that is not a JSON string");
  const auto s = view(v->get_string());
  FUZZ_CHECK(proto::json_text::is_valid_utf8(s), "append_string's text decodes to valid UTF-8");
  if (valid)
    FUZZ_CHECK(s == raw, "append_string changed valid UTF-8");
  for (std::size_t i = 0; i < raw.size() && i < 8; ++i)
    FUZZ_CHECK(proto::json_text::utf8_sequence_length(raw.substr(i)) <= raw.size() - i,
               "utf8_sequence_length past the end");
}

} // namespace coord::fuzz
