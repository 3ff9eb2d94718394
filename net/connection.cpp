#include "net/connection.hpp"
namespace coord::net {
const char* to_string(dialect d) noexcept {
  switch (d) {
    case dialect::companion: return "companion";
    case dialect::gateway: return "gateway";
    case dialect::voice: return "voice";
  }
  return "unknown";
}
} // namespace coord::net
