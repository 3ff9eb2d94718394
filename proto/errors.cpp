#include "proto/errors.hpp"

#include <boost/throw_exception.hpp>

#include <stdexcept>

namespace coord::proto {

std::uint16_t close_code(errc e) noexcept {
  switch (e) {
    case errc::invalid_json:
      return close::invalid_json;
    case errc::auth_failed:
      return close::auth_failed;
    case errc::unknown_opcode:
      return close::unknown_opcode;
    case errc::not_identified:
      return close::not_identified;
    case errc::already_identified:
      return close::already_identified;
    case errc::invalid_payload:
      return close::invalid_payload;
    case errc::not_allowed:
      return close::not_allowed;
  }
  return close::invalid_payload;
}

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::invalid_json:
      return "invalid_json";
    case errc::auth_failed:
      return "auth_failed";
    case errc::unknown_opcode:
      return "unknown_opcode";
    case errc::not_identified:
      return "not_identified";
    case errc::already_identified:
      return "already_identified";
    case errc::invalid_payload:
      return "invalid_payload";
    case errc::not_allowed:
      return "not_allowed";
  }
  return "unknown";
}

void throw_exception_from_error(const decode_error& e, const boost::source_location& loc) {
  std::string what{to_string(e.code)};
  what += ": ";
  what += e.reason;
  boost::throw_exception(std::runtime_error(what), loc);
}

decode_error missing_field(std::string_view field) {
  return {errc::invalid_payload, "missing field " + std::string{field}};
}

decode_error invalid_field(std::string_view field) {
  return {errc::invalid_payload, "invalid field " + std::string{field}};
}

} // namespace coord::proto
