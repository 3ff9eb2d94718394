#pragma once
// When a websocket peer counts as gone: the rule behind the pings of one session, without
// timers or sockets (private header of net/). The session's ping timer calls on_tick() every
// ping interval; a pong resets the count. Two intervals without a pong: the session closes
// with 4007. Strand only.

namespace coord::net {

class ping_liveness {
public:
  /// Intervals without a pong after which the peer is gone.
  static constexpr unsigned max_unanswered = 2;

  /// What the session does on a tick of its ping timer.
  enum class action { ping, skip, give_up };

  /// The ping interval elapsed. give_up: no pong for max_unanswered intervals. Otherwise this
  /// interval counts as unanswered until a pong comes, and a ping is sent unless one is still
  /// being written or `can_ping` is false (the stream is no longer open).
  action on_tick(bool can_ping) noexcept {
    if (unanswered_ >= max_unanswered)
      return action::give_up;
    ++unanswered_;
    if (ping_in_flight_ || !can_ping)
      return action::skip;
    ping_in_flight_ = true;
    return action::ping;
  }

  /// The peer answered a ping.
  void on_pong() noexcept { unanswered_ = 0; }
  /// The ping's write ended (either way).
  void on_ping_written() noexcept { ping_in_flight_ = false; }
  /// A ping is being written (Beast writes one control frame at a time).
  bool ping_in_flight() const noexcept { return ping_in_flight_; }
  unsigned unanswered() const noexcept { return unanswered_; }

private:
  unsigned unanswered_ = 0;
  bool ping_in_flight_ = false;
};

} // namespace coord::net
