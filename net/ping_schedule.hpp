#pragma once
// When the session's ping timer sends a ping (private header of net/): one every interval,
// never a second while one is being written (Beast writes one control frame at a time), none
// once the stream is no longer open. Whether a silent peer is gone is not net/'s call: every
// pong is reported to the session (session_sink::on_pong), and the heartbeat monitor, which
// owns liveness for every dialect, tells the session actor when to close with 4007. No timers
// or sockets here. Strand only.

namespace coord::net {

class ping_schedule {
public:
  /// What the session does on a tick of its ping timer.
  enum class action { ping, skip };

  /// The ping interval elapsed: ping, unless one is still being written or `can_ping` is
  /// false (the stream is no longer open).
  action on_tick(bool can_ping) noexcept {
    if (ping_in_flight_ || !can_ping)
      return action::skip;
    ping_in_flight_ = true;
    return action::ping;
  }

  /// The ping's write ended (either way).
  void on_ping_written() noexcept { ping_in_flight_ = false; }
  /// A ping is being written.
  bool ping_in_flight() const noexcept { return ping_in_flight_; }

private:
  bool ping_in_flight_ = false;
};

} // namespace coord::net
