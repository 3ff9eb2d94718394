#pragma once
// The records of one entity-cache partition (SPEC.md §4.7), without actors: upserts, removals
// with their cascades, lookups and counts. entity_cache.hpp wraps it in an actor and routes
// what it owes other partitions (a member's user lives in the user's partition).
//
// Guild-scoped records (role, channel, member, voiceState) are stored under their guild, so
// removing a guild is one erase. Users are reference-counted by the cached members that point
// at them (a member's id is its user's id): a user goes when its last member goes; a user
// upserted on its own, with no member, stays until it is removed (`deleted:true`).

#include "proto/gateway_cache.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace coord::actors {

/// The slot of a cache type in count arrays: member, role, user, guild, channel, voiceState
/// (the order of proto::gateway::cache_type and metrics::registry::cache_entities).
constexpr std::size_t cache_slot(proto::gateway::cache_type t) noexcept {
  return static_cast<std::size_t>(t);
}

/// One partition's records.
class cache_index {
public:
  /// Records per type, indexed by cache_slot.
  using counts_type = std::array<std::uint64_t, 6>;

  // -- upserts (a record replaces the cached one with the same key; what it carries as
  //    unknown — sent null or absent, SPEC §4.7 — keeps the cached value) ------

  /// Upserts a guild's own fields.
  void upsert(proto::gateway::guild g);
  /// Upserts a role of its guild.
  void upsert(proto::gateway::role r);
  /// Upserts a channel; one without has_type keeps the cached type (unknown when new).
  void upsert(proto::gateway::channel c);
  /// Upserts a voice state by (guild, user); channel_id 0 removes it.
  void upsert(proto::gateway::voice_state v);
  /// Upserts a member by (guild, id); true when it was not cached, i.e. its user gains a
  /// reference. The member's user is the caller's to route.
  bool upsert(proto::gateway::member m);
  /// Upserts a guild with its roles, channels, voice states and members, moving them out of
  /// g; g.users is left for the caller. added[i] is true when g.members[i] was new.
  std::vector<bool> upsert(proto::gateway::guild_update& g);

  /// Upserts a user's data and adds `refs` (may be negative) to its member references.
  void upsert_user(proto::gateway::user u, std::int32_t refs = 0);
  /// Adds `refs` (negative: drops) member references of a user without touching its data.
  /// The user goes when none is left and it had some (a user upserted on its own and never
  /// referenced stays); a reference to an unknown user keeps a bare count until data comes.
  void ref_user(std::uint64_t id, std::int32_t refs);

  // -- removals ---------------------------------------------------------------

  /// Removes what r names: a guild with everything under it; a channel with the voice states
  /// in it; a role or channel without guild_id wherever it is in this partition; a user (kept
  /// as a bare reference count while members still point at it). Returns the ids of the
  /// members removed: each owes its user one reference.
  std::vector<std::uint64_t> remove(const proto::gateway::cache_removal& r);

  // -- lookups ----------------------------------------------------------------

  /// True when anything is cached under the guild (its record or any record in it).
  bool has_guild(std::uint64_t guild) const noexcept;
  /// The guild's own record; null when not cached (even if records under it are).
  const proto::gateway::guild* find_guild(std::uint64_t guild) const noexcept;
  /// A role of the guild; null when not cached (the same for the three below).
  const proto::gateway::role* find_role(std::uint64_t guild, std::uint64_t id) const noexcept;
  const proto::gateway::channel* find_channel(std::uint64_t guild,
                                              std::uint64_t id) const noexcept;
  const proto::gateway::member* find_member(std::uint64_t guild,
                                            std::uint64_t id) const noexcept;
  const proto::gateway::voice_state* find_voice_state(std::uint64_t guild,
                                                      std::uint64_t user) const noexcept;
  /// The user's data; null when unknown (or only referenced, never sent).
  const proto::gateway::user* find_user(std::uint64_t id) const noexcept;
  /// Member references held for a user (0 when unknown).
  std::uint32_t user_refs(std::uint64_t id) const noexcept;

  /// A guild's roles by (position, id); empty for an unknown guild.
  std::vector<proto::gateway::role> roles(std::uint64_t guild) const;
  /// A guild's channels by (position, id); empty for an unknown guild.
  std::vector<proto::gateway::channel> channels(std::uint64_t guild) const;
  /// The voice states in one channel by user id.
  std::vector<proto::gateway::voice_state> voice_states_in(std::uint64_t guild,
                                                           std::uint64_t channel) const;

  /// Records per type (users: those with data).
  const counts_type& counts() const noexcept { return counts_; }

private:
  struct guild_entry {
    std::optional<proto::gateway::guild> record;
    std::unordered_map<std::uint64_t, proto::gateway::role> roles;
    std::unordered_map<std::uint64_t, proto::gateway::channel> channels;
    std::unordered_map<std::uint64_t, proto::gateway::member> members;
    std::unordered_map<std::uint64_t, proto::gateway::voice_state> voice_states; ///< by user

    bool empty() const noexcept {
      return !record && roles.empty() && channels.empty() && members.empty() &&
             voice_states.empty();
    }
  };

  struct user_entry {
    proto::gateway::user record; ///< meaningful when present
    std::uint32_t refs = 0;      ///< cached members pointing at the user
    bool present = false;        ///< the user's data was sent and not removed
  };

  using guild_map = std::unordered_map<std::uint64_t, guild_entry>;

  const guild_entry* entry(std::uint64_t guild) const noexcept;
  /// Erases the guild's entry when nothing is left in it.
  void drop_if_empty(guild_map::iterator i);
  bool remove_role(guild_map::iterator i, std::uint64_t id);
  bool remove_channel(guild_map::iterator i, std::uint64_t id);
  void remove_user(std::uint64_t id);
  void count(proto::gateway::cache_type t, std::int64_t delta) noexcept {
    counts_[cache_slot(t)] += static_cast<std::uint64_t>(delta);
  }

  guild_map guilds_;
  std::unordered_map<std::uint64_t, user_entry> users_;
  counts_type counts_{};
};

} // namespace coord::actors
