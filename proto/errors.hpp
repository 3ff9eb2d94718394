#pragma once
// The one error enum of proto/, its close codes (SPEC.md §2) and the decoders' result type.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coord::proto {

/// Why a wire payload was refused; each maps to one close code of SPEC.md §2.
enum class errc : std::uint8_t {
  invalid_json,       ///< 4004
  auth_failed,        ///< 4001
  unknown_opcode,     ///< 4003
  not_identified,     ///< 4000
  already_identified, ///< 4002
  invalid_payload,    ///< 4005
  not_allowed,        ///< 4006
};

/// The websocket close code for an error.
std::uint16_t close_code(errc) noexcept;

/// A short stable name for logs and metrics, e.g. "invalid_json".
std::string_view to_string(errc) noexcept;

/// A refused payload: what kind, and a short human reason for the close frame or HTTP body.
struct decode_error {
  errc code;
  std::string reason; ///< e.g. "invalid key", "missing field guildId"

  friend bool operator==(const decode_error& a, const decode_error& b) {
    return a.code == b.code && a.reason == b.reason;
  }
  friend bool operator!=(const decode_error& a, const decode_error& b) { return !(a == b); }
};

/// A decoded value or the reason it was refused.
template <class T>
using result = boost::system::result<T, decode_error>;

/// Called by result<T>::value() on an error (found by ADL); throws std::runtime_error.
[[noreturn]] void throw_exception_from_error(const decode_error& e,
                                             const boost::source_location& loc);

/// Close codes of SPEC.md §2, shared by all dialects.
/// invalid_payload naming a field that is absent: "missing field <name>".
decode_error missing_field(std::string_view field);

/// invalid_payload naming a field of the wrong type or value: "invalid field <name>".
decode_error invalid_field(std::string_view field);

namespace close {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002; ///< a frame that breaks RFC 6455
constexpr std::uint16_t no_status = 1005;      ///< the peer's close frame carried no code
constexpr std::uint16_t abnormal = 1006;       ///< TCP ended without a close frame
constexpr std::uint16_t bad_payload = 1007;    ///< text that is not UTF-8
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t internal_error = 1011;
constexpr std::uint16_t not_identified = 4000;
constexpr std::uint16_t auth_failed = 4001;
constexpr std::uint16_t already_identified = 4002;
constexpr std::uint16_t unknown_opcode = 4003;
constexpr std::uint16_t invalid_json = 4004;
constexpr std::uint16_t invalid_payload = 4005;
constexpr std::uint16_t not_allowed = 4006;
constexpr std::uint16_t heartbeat_timeout = 4007;
constexpr std::uint16_t rate_limited = 4008;
constexpr std::uint16_t slow_consumer = 4009;
constexpr std::uint16_t taken_over = 4010;
} // namespace close

} // namespace coord::proto
