#include "proto/json_fields.hpp"

#include "proto/snowflake.hpp"

#include <boost/json/parse.hpp>
#include <boost/throw_exception.hpp>

#include <stdexcept>
#include <string>

namespace coord::proto::json_fields {

std::optional<std::uint64_t> count(const json::value& v) noexcept {
  if (const auto* i = v.if_int64())
    return *i >= 0 ? std::optional<std::uint64_t>{static_cast<std::uint64_t>(*i)} : std::nullopt;
  if (const auto* u = v.if_uint64())
    return *u;
  // NaN fails both comparisons; 2^64 itself does not fit.
  if (const auto* d = v.if_double(); d && *d >= 0.0 && *d < 18446744073709551616.0)
    return static_cast<std::uint64_t>(*d);
  return std::nullopt;
}

std::optional<std::string_view> string(const json::value& v) noexcept {
  if (const auto* s = v.if_string())
    return std::string_view{s->data(), s->size()};
  return std::nullopt;
}

void throw_exception_from_error(const field_error& e, const boost::source_location& loc) {
  std::string what{e.kind == fault::missing ? "missing field " : "invalid field "};
  what += e.path;
  boost::throw_exception(std::runtime_error(what), loc);
}

field<std::uint64_t> snowflake(const json::object& o, std::string_view name,
                               std::string_view path) {
  return required_field(o, name, path, [](const json::value& v) { return parse_snowflake(v); });
}

field<std::optional<std::uint64_t>> optional_snowflake(const json::object& o,
                                                       std::string_view name,
                                                       std::string_view path) {
  return optional_field(o, name, path, [](const json::value& v) { return parse_snowflake(v); });
}

field<std::string_view> string(const json::object& o, std::string_view name,
                               std::string_view path) {
  return required_field(o, name, path, [](const json::value& v) { return string(v); });
}

field<std::optional<std::string_view>> optional_string(const json::object& o,
                                                       std::string_view name,
                                                       std::string_view path) {
  return optional_field(o, name, path, [](const json::value& v) { return string(v); });
}

field<bool> boolean(const json::object& o, std::string_view name, std::string_view path) {
  return required_field(o, name, path, [](const json::value& v) {
    const auto* b = v.if_bool();
    return b ? std::optional<bool>{*b} : std::nullopt;
  });
}

field<std::uint64_t> count(const json::object& o, std::string_view name,
                           std::string_view path) {
  return required_field(o, name, path, [](const json::value& v) { return count(v); });
}

field<const json::object*> object(const json::object& o, std::string_view name,
                                  std::string_view path) {
  return required_field(o, name, path, [](const json::value& v) {
    const auto* x = v.if_object();
    return x ? std::optional<const json::object*>{x} : std::nullopt;
  });
}

field<const json::array*> array(const json::object& o, std::string_view name,
                                std::string_view path) {
  return required_field(o, name, path, [](const json::value& v) {
    const auto* x = v.if_array();
    return x ? std::optional<const json::array*>{x} : std::nullopt;
  });
}

result<json::value> parse(std::string_view text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec)
    return decode_error{errc::invalid_json, "invalid json"};
  return parsed;
}

} // namespace coord::proto::json_fields
