#pragma once
// One gateway session's replay buffer (SPEC.md §4.9), without actors: the op 2 frames it was
// sent (and, while it is away, would have been sent), bounded in count and in wire bytes. It
// holds the frames already made — the shared buffers queued on the socket — never a copy.
// Pure: no CAF, no clock.

#include "actors/ports.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace coord::actors {

class replay_buffer {
public:
  /// One op 2 frame as it went (or would have gone) on the wire.
  struct entry {
    std::uint64_t s = 0;
    ports::buffer frame;   ///< the wire bytes: JSON text, or its zlib stream
    bool binary = false; ///< sent as a binary frame (compressed session)
    /// A command routed while the session was away (never written to its socket): it is taken
    /// out and routed again when the session does not come back in time.
    bool away_command = false;
    std::uint64_t guild = 0; ///< away commands: the guild, to route it again
    ports::buffer json;        ///< away commands: EXECUTE_COMMAND without `s`, to route again
  };

  /// At most `max_events` frames and `max_bytes` wire bytes (0 counts as 1 frame / byte).
  replay_buffer(std::size_t max_events = 1024, std::size_t max_bytes = 1 << 20)
    : max_events_(max_events == 0 ? 1 : max_events), max_bytes_(max_bytes == 0 ? 1 : max_bytes) {}

  /// Appends a frame (its `s` above every other) and drops the oldest past the bounds. An
  /// away command among the dropped is returned, in order: the caller must route it again.
  std::vector<entry> push(entry e);

  /// The highest `s` pushed (0: none).
  std::uint64_t last_s() const noexcept { return last_s_; }

  /// True when every frame after `seq` is still here (or was taken out by take_away_commands)
  /// and `seq` is not past the last `s`: a RESUME with `seq` can be served.
  bool can_resume(std::uint64_t seq) const noexcept {
    return seq >= dropped_up_to_ && seq <= last_s_;
  }

  /// The frames after `seq`, oldest first.
  std::vector<const entry*> after(std::uint64_t seq) const;

  /// Takes every away command out, oldest first; the others stay. Their gaps do not count
  /// against can_resume.
  std::vector<entry> take_away_commands();

  /// The away commands stay, but as frames to replay: the session came back.
  void keep_away_commands() noexcept;

  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t bytes() const noexcept { return bytes_; }

private:
  std::size_t max_events_;
  std::size_t max_bytes_;
  std::deque<entry> entries_;
  std::size_t bytes_ = 0;
  std::uint64_t last_s_ = 0;
  std::uint64_t dropped_up_to_ = 0; ///< the highest `s` dropped by the bounds
};

} // namespace coord::actors
