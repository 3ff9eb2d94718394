#pragma once
// The lifecycle of one websocket session as one phase, with every allowed transition here
// (private header of net/). The phase is atomic: close() and send() read and move it from any
// thread; every other transition happens on the session's strand.

#include <atomic>
#include <cstdint>
#include <optional>

namespace coord::net {

enum class session_phase : std::uint8_t {
  handshaking,     ///< the upgrade answer (101) is being written
  open,            ///< frames flow both ways
  close_requested, ///< close() or a slow consumer, from any thread: the strand closes next
  closing,         ///< queued frames go out (or were dropped), then the close frame
  close_sent,      ///< the close frame is with Beast: waiting for the peer's
  closed,          ///< the socket is closed and the session slot given back
};

/// "handshaking", "open", ...
constexpr const char* to_string(session_phase p) noexcept {
  switch (p) {
    case session_phase::handshaking:
      return "handshaking";
    case session_phase::open:
      return "open";
    case session_phase::close_requested:
      return "close_requested";
    case session_phase::closing:
      return "closing";
    case session_phase::close_sent:
      return "close_sent";
    case session_phase::closed:
      return "closed";
  }
  return "unknown";
}

class session_lifecycle {
public:
  /// Whether a session in phase `from` may move to `to`.
  static constexpr bool allowed(session_phase from, session_phase to) noexcept {
    using p = session_phase;
    switch (to) {
      case p::handshaking:
        return false;
      case p::open: // the upgrade answer is written
        return from == p::handshaking;
      case p::close_requested: // once, by the first close() or slow-consumer refusal
        return from == p::open;
      case p::closing: // the strand starts the close
        return from == p::open || from == p::close_requested;
      case p::close_sent: // nothing left to write before the close frame
        return from == p::closing;
      case p::closed: // from anywhere, once (a failed upgrade never opened)
        return from != p::closed;
    }
    return false;
  }

  session_phase phase() const noexcept { return phase_.load(std::memory_order_acquire); }

  /// Moves to `next` when the current phase allows it; returns the phase it left, or
  /// nothing (and nothing changes) when it does not.
  std::optional<session_phase> enter(session_phase next) noexcept {
    session_phase cur = phase_.load(std::memory_order_acquire);
    do {
      if (!allowed(cur, next))
        return std::nullopt;
    } while (!phase_.compare_exchange_weak(cur, next, std::memory_order_acq_rel,
                                           std::memory_order_acquire));
    return cur;
  }

  /// Frames may still be queued: not yet asked to close.
  bool accepts_frames() const noexcept { return phase() <= session_phase::open; }
  /// The close has started on the strand (or the session is over).
  bool close_started() const noexcept { return phase() >= session_phase::closing; }
  bool closed() const noexcept { return phase() == session_phase::closed; }

private:
  std::atomic<session_phase> phase_{session_phase::handshaking};
};

} // namespace coord::net
