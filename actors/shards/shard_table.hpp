#pragma once
// Shard ownership without actors or clocks (SPEC.md §4.5): who owns which shard, which shards
// are held for a sharder that went away, and who gets the free ones. The shard planner actor
// adds the release timers and the messages.
//
// Rules where SPEC is silent:
// - A request (`d.shards`) is cleaned first: ids >= shard_count are ignored, duplicates
//   collapse. An empty cleaned request counts as no request.
// - A request is all-or-nothing: it is granted when none of its ids is owned by a connected
//   sharder (free and held ids both qualify: held shards are reserved for whoever names them).
//   Otherwise the sharder gets `share` of the lowest free ids, as without a request.
// - A granted request may exceed the share: the sharder named its shards on purpose.
// - Without a (grantable) request a sharder takes at most `share` of the lowest *free* ids.
// - A sharder that sent no request (every original client, which reads only
//   IDENTIFIED) then tops its share up from held shards, longest held first (oldest hold,
//   lowest ids), so a restarted original sharder runs its shards at once (SPEC §4.5). One
//   whose request was refused does not: held shards stay reserved for whoever names them.
// - Held shards are otherwise handed out only when they are released.
// - Hand-outs happen when a hold is released: every free shard (not only the released ones)
//   goes to connected sharders below their share, oldest sharder first, lowest ids first, up
//   to the share. An identify never tops up another sharder.

#include <cstdint>
#include <map>
#include <vector>

namespace coord::actors {

class shard_table {
public:
  using shard_id = std::uint32_t;
  using session_id = std::uint64_t;
  using hold_id = std::uint64_t;

  enum class state : std::uint8_t { free, owned, held };

  /// One shard.
  struct slot {
    state st = state::free;
    session_id owner = 0; ///< owned: the owner; held: the session that ended; free: 0
    hold_id hold = 0;     ///< held: which hold; otherwise 0
  };

  /// A sharder's full new shard list after a hand-out (SHARDS_ASSIGNED).
  struct assignment {
    session_id session = 0;
    std::vector<shard_id> shards; ///< ascending
  };

  /// What an identify got.
  struct identified {
    std::vector<shard_id> shards; ///< ascending
    bool as_requested = false;    ///< the request was granted (it may exceed the share)
  };

  /// `sharders` 0 counts as 1.
  explicit shard_table(std::uint32_t shard_count = 1, std::uint32_t sharders = 1);

  std::uint32_t shard_count() const noexcept { return static_cast<std::uint32_t>(slots_.size()); }
  std::uint32_t sharders() const noexcept { return sharders_; }
  /// ceil(shard_count / sharders).
  std::uint32_t share() const noexcept { return share_; }

  /// A sharder identified with an optional request (empty: none). Identifying a session that
  /// is already identified changes nothing and returns its shards.
  identified identify(session_id session, const std::vector<shard_id>& requested);

  /// The sharder's session ended: its shards are held under a new hold id, returned; 0 when
  /// it held nothing (or was never identified).
  hold_id end(session_id session);

  /// A hold's delay passed: its shards still held return to the pool, then the free pool is
  /// handed out. Returns one assignment per sharder that received shards (none for a hold
  /// that no longer exists).
  std::vector<assignment> release(hold_id hold);

  bool identified_session(session_id session) const { return owners_.count(session) != 0; }
  bool owns(session_id session, shard_id shard) const;
  const slot& at(shard_id shard) const { return slots_.at(shard); }
  /// The sharder's shards, ascending (empty if unknown).
  const std::vector<shard_id>& shards_of(session_id session) const;
  /// Connected sharders, oldest identify first.
  std::vector<session_id> sessions() const;
  /// The ids of one hold still held, ascending.
  std::vector<shard_id> held(hold_id hold) const;

private:
  struct sharder {
    std::uint64_t joined = 0;     ///< identify order
    std::vector<shard_id> shards; ///< ascending
  };

  /// Takes up to `n` of the lowest free ids for `session`; returns how many.
  std::size_t take_free(session_id session, sharder& s, std::size_t n);
  /// Takes up to `n` held ids for `session`, oldest hold first, lowest ids first.
  void take_held(session_id session, sharder& s, std::size_t n);

  std::vector<slot> slots_;
  std::map<session_id, sharder> owners_;
  std::uint32_t sharders_ = 1;
  std::uint32_t share_ = 1;
  std::uint64_t next_join_ = 0;
  hold_id next_hold_ = 0;
};

} // namespace coord::actors
