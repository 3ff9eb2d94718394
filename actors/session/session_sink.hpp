#pragma once
// Hands net/'s callbacks to a session actor as CAF messages.

#include "actors/messages.hpp"

namespace coord::actors {

/// A ports::session_sink that forwards every call to `actor` (frame_atom, pong_atom,
/// closed_atom) and returns at once; it runs on an io thread.
class actor_sink final : public ports::session_sink {
public:
  explicit actor_sink(session_actor actor) : actor_(std::move(actor)) {}
  void on_frame(std::string data, bool binary) override;
  void on_pong() override;
  void on_closed(std::uint16_t code) override;

private:
  session_actor actor_;
};

/// Registers a new session's `actor` with `broker` and returns the sink net/ feeds its
/// frames into. The registration is sent before the sink exists, so before the first frame:
/// the broker knows the session by the time the store attaches it.
std::shared_ptr<ports::session_sink> attach_session(const broker_actor& broker, connection_ptr conn,
                                                  session_actor actor);

} // namespace coord::actors
