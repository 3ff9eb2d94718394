#include "net/frame_encoding.hpp"

namespace coord::net {

std::string_view clip_close_reason(std::string_view reason) noexcept {
  if (reason.size() <= max_close_reason)
    return reason;
  // reason[n] is the first byte cut off: while it continues a sequence, cut before it.
  std::size_t n = max_close_reason;
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80)
    --n;
  return reason.substr(0, n);
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  const auto clipped = clip_close_reason(reason);
  std::string out;
  out.reserve(2 + clipped.size());
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(clipped);
  return out;
}

} // namespace coord::net
