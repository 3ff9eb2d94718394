#pragma once
// Shard ownership, the release delay and identify scheduling (SPEC.md §4.5). Shard ids are
// proto::gateway::shard_id (std::uint32_t); sessions are net session ids.

#include <caf/atom.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <vector>

namespace coord::actors {

/// gateway session -> planner: a sharder identified (std::uint64_t session, caf::actor target,
/// std::vector<std::uint32_t> requested; empty: no d.shards) -> std::vector<std::uint32_t>,
/// its shards ascending (IDENTIFIED d.shards). SHARDS_ASSIGNED and IDENTIFY_GRANTED go to
/// `target` later; the planner monitors it, and its death ends the session like shard_end.
using shard_identify_atom = caf::atom_constant<caf::atom("cd_shident")>;
/// gateway session -> planner: IDENTIFY_REQUEST (std::uint64_t session, std::uint32_t shard);
/// ignored and counted unless the session owns the shard and is not already waiting for it.
using identify_request_atom = caf::atom_constant<caf::atom("cd_idreq")>;
/// gateway session -> planner: the sharder's session ended (std::uint64_t session): its
/// shards are held for gateway.shard_release_s and its waiting identify requests dropped.
/// (With a caf::actor: only when that actor still serves the session — a connection a RESUME
/// took over must not end the session that lives on in a newer one.)
using shard_end_atom = caf::atom_constant<caf::atom("cd_shend")>;
/// planner -> session target: SHARDS_ASSIGNED (std::vector<std::uint32_t> full new list).
using shards_assigned_atom = caf::atom_constant<caf::atom("cd_shasgn")>;
/// planner -> session target: IDENTIFY_GRANTED (std::uint32_t shard).
using identify_granted_atom = caf::atom_constant<caf::atom("cd_idgrant")>;
/// planner -> planner: a hold's release delay passed (std::uint64_t hold).
using shard_release_atom = caf::atom_constant<caf::atom("cd_shrel")>;
/// planner -> planner: a bucket may grant (caf::timespan due, since the actor clock's epoch).
using identify_tick_atom = caf::atom_constant<caf::atom("cd_idtick")>;
/// -> planner: the plan for GET /api/v1/shards and the console -> shard_plan.
using shard_plan_atom = caf::atom_constant<caf::atom("cd_shplan")>;

/// What a shard is doing.
enum class shard_status : std::uint8_t { owned, held, free };

/// One shard of the plan.
struct shard_plan_entry {
  std::uint32_t shard = 0;
  shard_status status = shard_status::free;
  std::uint64_t owner = 0;        ///< owned: the owning session; held: the ended one; free: 0
  std::int64_t release_in_ms = 0; ///< held: until it returns to the pool; otherwise 0
};

/// One connected sharder of the plan.
struct sharder_plan {
  std::uint64_t session = 0;
  std::vector<std::uint32_t> shards; ///< ascending
};

/// A waiting IDENTIFY_REQUEST.
struct identify_wait {
  std::uint64_t session = 0;
  std::uint32_t shard = 0;
};

/// One identify bucket (`shard % max_concurrency`).
struct identify_bucket_plan {
  std::uint32_t bucket = 0;
  std::vector<identify_wait> waiting; ///< request order
  std::int64_t next_grant_in_ms = 0;  ///< until the bucket may grant again; 0: now
};

/// What GET /api/v1/shards and the console show.
struct shard_plan {
  std::uint32_t shard_count = 0;
  std::uint32_t sharders = 0; ///< gateway.sharders, as configured
  std::uint32_t share = 0;    ///< ceil(shard_count / sharders)
  std::uint32_t max_concurrency = 1;
  std::int64_t release_delay_ms = 0;
  std::vector<shard_plan_entry> shards;      ///< ascending by shard id
  std::vector<sharder_plan> sessions;        ///< oldest identify first
  std::vector<identify_bucket_plan> buckets; ///< ascending by bucket
  std::uint64_t grants = 0;           ///< IDENTIFY_GRANTED sent
  std::uint64_t ignored_requests = 0; ///< IDENTIFY_REQUESTs not owned or already waiting
};

} // namespace coord::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(coord::actors::shard_plan)
