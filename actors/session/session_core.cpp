#include "actors/session/session_core.hpp"

#include "proto/errors.hpp"

#include <chrono>

namespace coord::actors {

const char* to_string(session_phase p) noexcept {
  switch (p) {
    case session_phase::connected:
      return "connected";
    case session_phase::identified:
      return "identified";
    case session_phase::closing:
      return "closing";
  }
  return "unknown";
}

session_core::session_core(connection_ptr conn, ports::dialect d,
                           std::uint32_t messages_per_minute, metrics::registry* metrics,
                           caf::actor_clock::time_point opened)
  : conn_(std::move(conn)),
    dialect_(d),
    limiter_(messages_per_minute),
    metrics_(metrics),
    opened_(opened) {}

std::optional<close_reason> session_core::admit(caf::actor_clock::time_point now, bool binary,
                                                const char* binary_reason) {
  if (!limiter_.allow(now))
    return close_reason{proto::close::rate_limited, "rate limited"};
  if (binary)
    return close_reason{proto::close::invalid_json, binary_reason};
  return std::nullopt;
}

void session_core::count_close(std::uint16_t code) {
  const auto index = static_cast<std::size_t>(dialect_);
  if (code == proto::close::rate_limited)
    metrics_->rate_limited[index].inc();
  else if (code == proto::close::heartbeat_timeout)
    metrics_->heartbeat_timeouts[index].inc();
}

std::string session_core::age_ms(caf::actor_clock::time_point now) const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return std::to_string(duration_cast<milliseconds>(now - opened_).count());
}

std::string session_core::last_pong_ms_ago(caf::actor_clock::time_point now) const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (!last_pong_)
    return "never";
  return std::to_string(duration_cast<milliseconds>(now - *last_pong_).count());
}

} // namespace coord::actors
