#pragma once
// Appending JSON text to a std::string: the encoders' hot path, no DOM in between.

#include <cstdint>
#include <string>
#include <string_view>

namespace coord::proto::json_text {

/// Appends s as a quoted JSON string; invalid UTF-8 is written as U+FFFD, so the output is
/// always valid JSON.
void append_string(std::string& out, std::string_view s);

/// Appends an unsigned integer in decimal.
void append_uint(std::string& out, std::uint64_t n);

/// Appends a signed integer in decimal.
void append_int(std::string& out, std::int64_t n);

/// Appends an unsigned integer as a quoted decimal string.
void append_quoted_uint(std::string& out, std::uint64_t n);

/// Appends [n,..] (quoted: ["n",..]) for a sequence of unsigned integers (size() and []).
template <class Ints>
void append_uint_array(std::string& out, const Ints& xs, bool quoted = false) {
  out.push_back('[');
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i != 0)
      out.push_back(',');
    if (quoted)
      append_quoted_uint(out, xs[i]);
    else
      append_uint(out, xs[i]);
  }
  out.push_back(']');
}

/// Appends true or false.
void append_bool(std::string& out, bool b);

/// Length of the valid UTF-8 sequence at the start of s, or 0 if it is not valid.
std::size_t utf8_sequence_length(std::string_view s) noexcept;

/// True if s is entirely valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

} // namespace coord::proto::json_text
