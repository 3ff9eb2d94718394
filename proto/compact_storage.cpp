#include "proto/compact_storage.hpp"

#include <limits>
#include <stdexcept>

namespace coord::proto {

compact_string::compact_string(std::string_view s) {
  // Frames are at most limits.max_frame_bytes, so wire text never comes near this.
  if (s.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("compact_string past 4 GiB");
  const auto n = static_cast<std::uint32_t>(s.size());
  p_ = new char[sizeof n + s.size()];
  std::memcpy(p_, &n, sizeof n);
  if (!s.empty())
    std::memcpy(p_ + sizeof n, s.data(), s.size());
}

compact_string::compact_string(const compact_string& other) {
  if (!other.is_null()) {
    compact_string copy{other.view()};
    std::swap(p_, copy.p_);
  }
}

} // namespace coord::proto
