#pragma once
// Shard ownership, the release delay and identify scheduling (SPEC.md §4.5). Shard ids are
// proto::gateway::shard_id (std::uint32_t); sessions are net session ids.

#include "actors/cluster/cluster_messages.hpp"
#include "actors/console/messages.hpp"
#include "actors/gateway/messages.hpp"

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace coord::actors {

using shard_identify_atom = caf::atom_constant<caf::atom("cd_shident")>;
using identify_request_atom = caf::atom_constant<caf::atom("cd_idreq")>;
using shard_end_atom = caf::atom_constant<caf::atom("cd_shend")>;
// shards_assigned_atom and identify_granted_atom (planner -> gateway session) are in
// actors/gateway/messages.hpp, with the gateway session's interface.
using shard_release_atom = caf::atom_constant<caf::atom("cd_shrel")>;
using identify_tick_atom = caf::atom_constant<caf::atom("cd_idtick")>;
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

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_plan_entry& x) {
  return f(caf::meta::type_name("shard_plan_entry"), x.shard, x.status, x.owner,
           x.release_in_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sharder_plan& x) {
  return f(caf::meta::type_name("sharder_plan"), x.session, x.shards);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, identify_wait& x) {
  return f(caf::meta::type_name("identify_wait"), x.session, x.shard);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, identify_bucket_plan& x) {
  return f(caf::meta::type_name("identify_bucket_plan"), x.bucket, x.waiting,
           x.next_grant_in_ms);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_plan& x) {
  return f(caf::meta::type_name("shard_plan"), x.shard_count, x.sharders, x.share,
           x.max_concurrency, x.release_delay_ms, x.shards, x.sessions, x.buckets, x.grants,
           x.ignored_requests);
}

/// The shard planner: shard ownership, the release delay and identify scheduling.
using shard_planner_actor = caf::typed_actor<
  /// console -> planner: describe yourself.
  caf::replies_to<inspect_atom>::with<actor_summary>,
  /// gateway session -> planner: a sharder identified (session, its actor, the requested
  /// shards; empty: no d.shards) -> its shards ascending (IDENTIFIED d.shards).
  /// SHARDS_ASSIGNED and IDENTIFY_GRANTED go to the actor later; the planner monitors it,
  /// and its death ends the session like shard_end.
  caf::replies_to<shard_identify_atom, std::uint64_t, gateway_session_actor,
                  std::vector<std::uint32_t>>::with<std::vector<std::uint32_t>>,
  /// gateway session -> planner: IDENTIFY_REQUEST (session, shard); ignored and counted
  /// unless the session owns the shard and is not already waiting for it.
  caf::reacts_to<identify_request_atom, std::uint64_t, std::uint32_t>,
  /// gateway session -> planner: the sharder's session ended: its shards are held for
  /// gateway.shard_release_s and its waiting identify requests dropped.
  caf::reacts_to<shard_end_atom, std::uint64_t>,
  /// The same, only when the actor still serves the session: a connection a RESUME took
  /// over must not end the session that lives on in a newer one.
  caf::reacts_to<shard_end_atom, std::uint64_t, gateway_session_actor>,
  /// planner -> planner: a hold's release delay passed.
  caf::reacts_to<shard_release_atom, std::uint64_t>,
  /// cluster -> planner: a new active's recorded shards, held as if their sharders'
  /// sessions just ended, and no identify grant for the pause; with the cluster view: no
  /// grant while this node may not serve.
  caf::reacts_to<cl_recover_atom, std::vector<shard_record>, caf::timespan,
                 std::shared_ptr<cluster_view>>,
  caf::reacts_to<cl_recover_atom, std::vector<shard_record>, caf::timespan>,
  /// cluster -> planner: this node is no longer active; forget everything.
  caf::reacts_to<cl_deactivate_atom>,
  /// planner -> planner: a bucket may grant (due, since the actor clock's epoch).
  caf::reacts_to<identify_tick_atom, caf::timespan>,
  /// HTTP API (GET /api/v1/shards), dashboard, console -> planner: the plan.
  caf::replies_to<shard_plan_atom>::with<shard_plan>>;

} // namespace coord::actors
