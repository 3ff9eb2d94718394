#include "proto/secure_compare.hpp"

namespace coord::proto {

bool secure_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false; // the length may leak; the content must not
  // Accumulate every difference and decide once at the end; volatile keeps the compiler from
  // turning the loop back into an early-exit memcmp.
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

} // namespace coord::proto
