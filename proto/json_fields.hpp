#pragma once
// The JSON field readers of every proto/ decoder: a value, or an object's field, read as a
// snowflake, string, bool or integer, refused with SPEC.md §2's reasons ("missing field
// <path>", "invalid field <path>", invalid_payload). Snowflakes: snowflake.hpp's rules.

#include "proto/errors.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace coord::proto::json_fields {

namespace json = boost::json;

// -- values ----------------------------------------------------------------------------------

/// A JSON integer (no fraction or exponent, no string) that fits Int; nullopt otherwise.
template <class Int>
std::optional<Int> integer(const json::value& v) noexcept {
  static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
  using limits = std::numeric_limits<Int>;
  // Boost.JSON stores an integer as int64, and as uint64 only above INT64_MAX.
  if (const auto* i = v.if_int64()) {
    if constexpr (std::is_signed_v<Int>) {
      if (*i < static_cast<std::int64_t>(limits::min()) ||
          *i > static_cast<std::int64_t>(limits::max()))
        return std::nullopt;
    } else {
      if (*i < 0 || static_cast<std::uint64_t>(*i) > static_cast<std::uint64_t>(limits::max()))
        return std::nullopt;
    }
    return static_cast<Int>(*i);
  }
  if (const auto* u = v.if_uint64()) {
    if (*u > static_cast<std::uint64_t>(limits::max()))
      return std::nullopt;
    return static_cast<Int>(*u);
  }
  return std::nullopt;
}

/// A non-negative JSON number (JavaScript's `number`) below 2^64, a fraction dropped; NaN,
/// negatives, strings and anything else: nullopt.
std::optional<std::uint64_t> count(const json::value& v) noexcept;

/// A JSON string's text (a view into v); nullopt for anything else.
std::optional<std::string_view> string(const json::value& v) noexcept;

// -- fields of an object ---------------------------------------------------------------------

/// Why a field was refused.
enum class fault : std::uint8_t { missing, invalid };

/// A refused field: the fault and the name its reason gives. `path` views the caller's text
/// (usually a literal): turn the error into a decode_error before that text goes away.
struct field_error {
  fault kind = fault::invalid;
  std::string_view path;

  /// missing_field(path) or invalid_field(path).
  operator decode_error() const {
    return kind == fault::missing ? missing_field(path) : invalid_field(path);
  }

  friend bool operator==(const field_error& a, const field_error& b) noexcept {
    return a.kind == b.kind && a.path == b.path;
  }
};

/// Called by field<T>::value() on an error (found by ADL); throws std::runtime_error.
[[noreturn]] void throw_exception_from_error(const field_error& e,
                                             const boost::source_location& loc);

/// A field's value, or why it was refused. Converts to result<T>: `if (!f) return f.error();`.
template <class T>
using field = boost::system::result<T, field_error>;

/// Every reader below names the field in its error by `path`, or by `name` when path is empty
/// (a nested field, e.g. name "guild" at path "ids.guild"). The `optional_` readers take an
/// absent field and a null alike as "not sent" (nullopt); the others refuse both.

/// The field `name` read by `read` (a value reader above, or any callable taking a json::value
/// and returning a std::optional): "missing" when absent, "invalid" when read gives nullopt.
template <class Read>
auto required_field(const json::object& o, std::string_view name, std::string_view path,
                    Read&& read) -> field<typename decltype(read(o.at(name)))::value_type> {
  const auto* v = o.if_contains(name);
  if (!v)
    return field_error{fault::missing, path.empty() ? name : path};
  if (auto x = read(*v))
    return std::move(*x);
  return field_error{fault::invalid, path.empty() ? name : path};
}

/// As required_field, but absent or null is nullopt.
template <class Read>
auto optional_field(const json::object& o, std::string_view name, std::string_view path,
                    Read&& read)
    -> field<std::optional<typename decltype(read(o.at(name)))::value_type>> {
  using value_type = typename decltype(read(o.at(name)))::value_type;
  const auto* v = o.if_contains(name);
  if (!v || v->is_null())
    return std::optional<value_type>{};
  if (auto x = read(*v))
    return std::optional<value_type>{std::move(*x)};
  return field_error{fault::invalid, path.empty() ? name : path};
}

/// A snowflake: a non-negative integer or its decimal text (parse_snowflake).
field<std::uint64_t> snowflake(const json::object& o, std::string_view name,
                               std::string_view path = {});

/// A snowflake, or nullopt when absent or null.
field<std::optional<std::uint64_t>> optional_snowflake(const json::object& o,
                                                       std::string_view name,
                                                       std::string_view path = {});

/// A string (a view into o).
field<std::string_view> string(const json::object& o, std::string_view name,
                               std::string_view path = {});

/// A string (a view into o), or nullopt when absent or null.
field<std::optional<std::string_view>> optional_string(const json::object& o,
                                                       std::string_view name,
                                                       std::string_view path = {});

/// true or false.
field<bool> boolean(const json::object& o, std::string_view name, std::string_view path = {});

/// A non-negative JSON number, a fraction dropped (count() above).
field<std::uint64_t> count(const json::object& o, std::string_view name,
                           std::string_view path = {});

/// An object (a pointer into o, never null).
field<const json::object*> object(const json::object& o, std::string_view name,
                                  std::string_view path = {});

/// An array (a pointer into o, never null).
field<const json::array*> array(const json::object& o, std::string_view name,
                                std::string_view path = {});

/// A JSON integer that fits Int (integer() above).
template <class Int>
field<Int> integer(const json::object& o, std::string_view name, std::string_view path = {}) {
  return required_field(o, name, path, [](const json::value& v) { return integer<Int>(v); });
}

/// A JSON integer that fits Int, or nullopt when absent or null.
template <class Int>
field<std::optional<Int>> optional_integer(const json::object& o, std::string_view name,
                                           std::string_view path = {}) {
  return optional_field(o, name, path, [](const json::value& v) { return integer<Int>(v); });
}

// -- a whole text ----------------------------------------------------------------------------

/// The JSON value of a frame or body, never throwing: not JSON -> invalid_json ("invalid
/// json"). Each dialect then says what it makes of a value that is not an object.
result<json::value> parse(std::string_view text);

} // namespace coord::proto::json_fields
