#include "actors/cache/entity_cache.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace coord::actors {

namespace gw = proto::gateway;

namespace {

using self_ptr = entity_cache_actor::stateful_pointer<entity_cache_state>;

/// The deltas a member upsert owes users: its user's data, and one more reference when the
/// member is new. A member's id is its user's id; a nested user with another id only gets
/// its data upserted.
void member_user_deltas(std::vector<cache_user_delta>& out, std::uint64_t member_id,
                        gw::user u, bool added) {
  const std::int32_t refs = added ? 1 : 0;
  if (u.id == member_id) {
    out.push_back(cache_user_delta{std::move(u), true, refs});
    return;
  }
  out.push_back(cache_user_delta{std::move(u), true, 0});
  if (added) {
    gw::user ref;
    ref.id = member_id;
    out.push_back(cache_user_delta{std::move(ref), false, 1});
  }
}

/// Removed members each drop a reference to their user.
void unref_deltas(std::vector<cache_user_delta>& out, const std::vector<std::uint64_t>& ids) {
  out.reserve(out.size() + ids.size());
  for (auto id : ids) {
    gw::user ref;
    ref.id = id;
    out.push_back(cache_user_delta{std::move(ref), false, -1});
  }
}

/// Applies one op 5 record to this partition.
void apply(self_ptr self, gw::cache_update& update) {
  auto& st = self->state;
  std::vector<cache_user_delta> deltas;
  std::visit(
    [&](auto& u) {
      using T = std::decay_t<decltype(u)>;
      if constexpr (std::is_same_v<T, gw::member_update>) {
        const auto id = u.record.id;
        const bool added = st.index.upsert(std::move(u.record));
        member_user_deltas(deltas, id, std::move(u.member_user), added);
      } else if constexpr (std::is_same_v<T, gw::guild_update>) {
        auto added = st.index.upsert(u);
        deltas.reserve(u.users.size());
        for (std::size_t i = 0; i < u.users.size() && i < u.members.size(); ++i)
          member_user_deltas(deltas, u.members[i].id, std::move(u.users[i]), added[i]);
      } else if constexpr (std::is_same_v<T, gw::user>) {
        st.index.upsert_user(std::move(u));
      } else if constexpr (std::is_same_v<T, gw::cache_removal>) {
        unref_deltas(deltas, st.index.remove(u));
      } else if constexpr (std::is_same_v<T, gw::ignored_record>) {
        // never sent here: cache_ingest drops it
      } else {
        st.index.upsert(std::move(u));
      }
    },
    update);
  if (!deltas.empty())
    st.route(self, std::move(deltas));
}

/// True when the record a DELETE names is cached in this partition.
bool cached(const cache_index& index, gw::cache_type type, std::uint64_t guild,
            std::uint64_t id) {
  switch (type) {
    case gw::cache_type::guild:
      return index.has_guild(guild);
    case gw::cache_type::member:
      return index.find_member(guild, id) != nullptr;
    case gw::cache_type::role:
      return index.find_role(guild, id) != nullptr;
    case gw::cache_type::channel:
      return index.find_channel(guild, id) != nullptr;
    case gw::cache_type::voice_state:
      return index.find_voice_state(guild, id) != nullptr;
    case gw::cache_type::user:
      return index.find_user(id) != nullptr;
  }
  return false;
}

/// A not_found error naming what was missing.
caf::error unknown(const char* what) {
  return make_coord_error(coord_errc::not_found, std::string{"unknown "} + what);
}

/// The record behind a lookup, or not_found.
template <class Record>
caf::result<Record> found(const Record* r, const char* what) {
  if (!r)
    return unknown(what);
  return *r;
}

} // namespace

void cache_ingest(const std::vector<entity_cache_actor>& partitions,
                  gw::cache_update&& update) {
  if (partitions.empty())
    return;
  const auto n = partitions.size();
  auto send_to = [&](std::uint64_t id) {
    caf::anon_send(partitions[partition_of(id, n)], cache_put_atom::value, std::move(update));
  };
  std::visit(
    [&](const auto& u) {
      using T = std::decay_t<decltype(u)>;
      if constexpr (std::is_same_v<T, gw::member_update>) {
        send_to(u.record.guild_id); // the guild's partition forwards the user
      } else if constexpr (std::is_same_v<T, gw::guild_update>) {
        send_to(u.record.id);
      } else if constexpr (std::is_same_v<T, gw::ignored_record>) {
        // not cached (counted by the session)
      } else if constexpr (std::is_same_v<T, gw::user>) {
        send_to(u.id);
      } else if constexpr (std::is_same_v<T, gw::cache_removal>) {
        const bool unscoped = (u.type == gw::cache_type::role ||
                               u.type == gw::cache_type::channel) && u.guild_id == 0;
        if (unscoped) {
          // Which guild holds it is unknown here: every partition looks.
          for (const auto& p : partitions)
            caf::anon_send(p, cache_put_atom::value, gw::cache_update{u});
        } else if (u.type == gw::cache_type::user || u.type == gw::cache_type::guild) {
          send_to(u.id);
        } else {
          send_to(u.guild_id);
        }
      } else {
        send_to(u.guild_id); // role, channel, voice state
      }
    },
    update);
}

void entity_cache_state::publish() {
  const auto& now = index.counts();
  if (metrics) {
    for (std::size_t i = 0; i < now.size(); ++i)
      if (now[i] != published[i])
        metrics->cache_entities[i].add(static_cast<std::int64_t>(now[i] - published[i]));
  }
  published = now;
}

void entity_cache_state::route(entity_cache_actor::stateful_pointer<entity_cache_state> self,
                               std::vector<cache_user_delta> deltas) {
  const auto n = peers.size();
  std::vector<std::vector<cache_user_delta>> out(n);
  for (auto& d : deltas) {
    const auto p = partition_of(d.record.id, n);
    if (n == 0 || p == partition) {
      if (d.has_record)
        index.upsert_user(std::move(d.record), d.refs);
      else
        index.ref_user(d.record.id, d.refs);
    } else {
      out[p].push_back(std::move(d));
    }
  }
  // One message per partition; the same sender keeps a member's +1 before its -1.
  for (std::size_t p = 0; p < n; ++p) {
    auto peer = caf::actor_cast<cache_peer_actor>(peers[p]);
    if (!out[p].empty() && peer)
      self->send(peer, cache_users_atom::value, std::move(out[p]));
  }
}

cache_counts entity_cache_state::snapshot() const {
  cache_counts out;
  out.partition = partition;
  out.entities = index.counts();
  return out;
}

entity_cache_actor::behavior_type
entity_cache(entity_cache_actor::stateful_pointer<entity_cache_state> self,
             std::uint32_t partition, metrics::registry* metrics) {
  self->state.partition = partition;
  self->state.metrics = metrics;
  return {
    [=](cache_peers_atom, const std::vector<cache_peer_actor>& peers) {
      auto& st = self->state;
      st.peers.clear();
      for (const auto& p : peers)
        st.peers.push_back(p.address());
    },
    [=](cache_put_atom, gw::cache_update& update) {
      apply(self, update);
      self->state.publish();
    },
    [=](cache_users_atom, std::vector<cache_user_delta>& deltas) {
      auto& index = self->state.index;
      for (auto& d : deltas) {
        if (d.has_record)
          index.upsert_user(std::move(d.record), d.refs);
        else
          index.ref_user(d.record.id, d.refs);
      }
      self->state.publish();
    },
    [=](cache_drop_atom, std::uint8_t type, std::uint64_t guild, std::uint64_t id) {
      auto& st = self->state;
      const auto t = static_cast<gw::cache_type>(type);
      if (!cached(st.index, t, guild, id))
        return false;
      std::vector<cache_user_delta> deltas;
      unref_deltas(deltas, st.index.remove(gw::cache_removal{t, guild, id}));
      if (!deltas.empty())
        st.route(self, std::move(deltas));
      st.publish();
      return true;
    },
    [=](cache_guild_atom, std::uint64_t guild) {
      return found(self->state.index.find_guild(guild), "guild");
    },
    [=](cache_channels_atom,
        std::uint64_t guild) -> caf::result<std::vector<gw::channel>> {
      if (!self->state.index.has_guild(guild))
        return unknown("guild");
      return self->state.index.channels(guild);
    },
    [=](cache_channel_atom, std::uint64_t guild, std::uint64_t channel) {
      return found(self->state.index.find_channel(guild, channel), "channel");
    },
    [=](cache_in_voice_atom, std::uint64_t guild,
        std::uint64_t channel) -> caf::result<std::vector<gw::voice_state>> {
      auto& index = self->state.index;
      auto states = index.voice_states_in(guild, channel);
      if (states.empty() && !index.find_channel(guild, channel))
        return unknown("channel");
      return states;
    },
    [=](cache_voice_atom, std::uint64_t guild, std::uint64_t user) {
      return found(self->state.index.find_voice_state(guild, user), "voice state");
    },
    [=](cache_member_atom, std::uint64_t guild, std::uint64_t member) {
      return found(self->state.index.find_member(guild, member), "member");
    },
    [=](cache_roles_atom, std::uint64_t guild) -> caf::result<std::vector<gw::role>> {
      if (!self->state.index.has_guild(guild))
        return unknown("guild");
      return self->state.index.roles(guild);
    },
    [=](cache_role_atom, std::uint64_t guild, std::uint64_t role) {
      return found(self->state.index.find_role(guild, role), "role");
    },
    [=](cache_user_atom, std::uint64_t user) {
      return found(self->state.index.find_user(user), "user");
    },
    [=](cache_counts_atom) { return self->state.snapshot(); },
    [=](inspect_atom) {
      auto snap = self->state.snapshot();
      summary_fields fields{{"partition", std::to_string(snap.partition)}};
      for (std::size_t i = 0; i < snap.entities.size(); ++i)
        fields.emplace_back(metrics::cache_type_names[i], std::to_string(snap.entities[i]));
      return summarize(self, std::move(fields));
    },
  };
}

std::vector<entity_cache_actor> spawn_entity_cache(caf::actor_system& sys,
                                                   std::uint32_t partitions,
                                                   metrics::registry* metrics) {
  if (partitions == 0)
    partitions = 1;
  std::vector<entity_cache_actor> out;
  out.reserve(partitions);
  for (std::uint32_t i = 0; i < partitions; ++i)
    out.push_back(sys.spawn(entity_cache, i, metrics));
  // Nobody else holds the handles yet, so the peers arrive before any record.
  const std::vector<cache_peer_actor> peers(out.begin(), out.end());
  for (const auto& p : out)
    caf::anon_send(p, cache_peers_atom::value, peers);
  return out;
}

} // namespace coord::actors
