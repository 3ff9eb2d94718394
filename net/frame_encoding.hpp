#pragma once
// RFC 6455 framing of what the server writes itself: pure functions, no socket, no Beast.
// Data frames leave through the session's gathered writes with a header made here (they
// bypass Beast's writer, see frame_layer.hpp); Beast writes the control frames, with a close
// reason clipped here. A server never masks its frames (RFC 6455 §5.1), so nothing here does.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coord::net {

/// Frame opcodes (RFC 6455 §5.2).
enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// The longest header of an unmasked frame: 2 bytes and an 8-byte length.
constexpr std::size_t max_frame_header = 10;

/// Payload bytes a close frame may carry past its 2-byte code (a control frame carries 125).
constexpr std::size_t max_close_reason = 123;

/// Writes the header of one unmasked frame carrying `size` payload bytes into `out`
/// (max_frame_header bytes of room) and returns its length: 2 for a size up to 125, 4 up to
/// 65535 (16-bit length), 10 past that (64-bit length). FIN is set unless `fin` is false.
/// Inline: the broadcast path calls it once per receiver.
inline std::size_t encode_frame_header(std::uint8_t* out, opcode op, std::uint64_t size,
                                       bool fin = true) noexcept {
  out[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(op));
  if (size < 126) {
    out[1] = static_cast<std::uint8_t>(size);
    return 2;
  }
  if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(size >> 8);
    out[3] = static_cast<std::uint8_t>(size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<std::uint8_t>(size >> (56 - 8 * i));
  return 10;
}

/// `reason` cut to max_close_reason bytes, never inside a UTF-8 sequence.
std::string_view clip_close_reason(std::string_view reason) noexcept;

/// The payload of the close frame the server sends: `code` in network byte order, then
/// clip_close_reason(reason).
std::string encode_close_payload(std::uint16_t code, std::string_view reason);

} // namespace coord::net
