#include "actors/voice/voice_registry.hpp"


#include <caf/typed_event_based_actor.hpp>
#include <caf/system_messages.hpp>

namespace coord::actors {

namespace {

using self_ptr = voice_registry_self;

std::vector<proto::voice::voice_client>
list(const std::map<std::uint64_t, proto::voice::voice_client>& clients) {
  std::vector<proto::voice::voice_client> out;
  out.reserve(clients.size());
  for (const auto& [guild, vc] : clients)
    out.push_back(vc);
  return out;
}

/// The entry `conn` owns under `key`, or nullptr (a late message from a replaced owner).
voice_registry_state::entry* owned(self_ptr self, const std::string& key, std::uint64_t conn) {
  auto i = self->state.sessions.find(key);
  if (i == self->state.sessions.end() || !i->second.live || i->second.owner != conn)
    return nullptr;
  return &i->second;
}

} // namespace

void voice_registry_state::retain(voice_registry_self self,
                                  const std::string& key, entry& e) {
  e.live = false;
  e.owner = 0;
  e.owner_actor = nullptr;
  e.generation = ++next_generation;
  // One timer per retention. A resume makes the entry live and a later retention has a new
  // generation, so a timer that fires after either finds nothing to do.
  self->delayed_send(self, vc_timeout, vc_expire_atom::value, key, e.generation);
}

void voice_registry_state::record(voice_registry_self self,
                                  const std::string& key, const entry* e) {
  if (!recorder)
    return;
  voice_record rec;
  rec.key = key;
  if (e)
    rec.clients = list(e->clients);
  rec.gone = e == nullptr;
  self->send(recorder, cl_voice_atom::value, std::move(rec));
}

void voice_registry_state::destroy(std::unordered_map<std::string, entry>::iterator i) {
  metrics->voice_clients.sub(static_cast<std::int64_t>(i->second.clients.size()));
  sessions.erase(i);
}

proto::voice::status_info voice_registry_state::status(caf::actor_clock::time_point now) const {
  proto::voice::status_info out;
  for (const auto& [key, e] : sessions) {
    ++(e.live ? out.sessions : out.retained_sessions);
    out.voice_clients += e.clients.size();
  }
  std::chrono::duration<double> up = now - started;
  out.uptime_s = up.count();
  return out;
}

voice_registry_actor::behavior_type
voice_registry(voice_registry_self self, caf::timespan vc_timeout, metrics::registry* metrics) {
  self->state.vc_timeout = vc_timeout;
  self->state.metrics = metrics;
  self->state.started = self->clock().now();
  // A session actor that dies without releasing (it failed) releases by dying.
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    for (auto& [key, e] : st.sessions)
      if (e.live && e.owner_actor && e.owner_actor.address() == msg.source) {
        st.retain(self, key, e);
        return;
      }
  });
  return {
    [=](inspect_atom) {
      std::size_t live = 0, clients = 0;
      for (auto& [key, e] : self->state.sessions) {
        live += e.live ? 1 : 0;
        clients += e.clients.size();
      }
      return summarize(self, {{"keys", std::to_string(self->state.sessions.size())},
                              {"live", std::to_string(live)},
                              {"retained", std::to_string(self->state.sessions.size() - live)},
                              {"voice_clients", std::to_string(clients)}});
    },
    [=](vc_claim_atom, const std::string& key, std::uint64_t conn, voice_session_actor session) {
      auto& st = self->state;
      voice_claim out;
      auto [i, created] = st.sessions.try_emplace(key);
      auto& e = i->second;
      out.resumed = !created;
      out.clients = list(e.clients);
      // The older connection closes with 4010; its later release names a connection that
      // no longer owns the key, so it starts no timer.
      if (e.live && e.owner != conn && e.owner_actor)
        self->send(e.owner_actor, vc_takeover_atom::value);
      e.live = true;
      e.owner = conn;
      e.owner_actor = session;
      // Resumed, maybe on a new active node: recorded again under this node's voice lease.
      if (out.resumed && !e.clients.empty())
        st.record(self, key, &e);
      if (session)
        self->monitor(session);
      return out;
    },
    [=](vc_release_atom, const std::string& key, std::uint64_t conn) {
      auto i = self->state.sessions.find(key);
      if (i == self->state.sessions.end() || !i->second.live || i->second.owner != conn)
        return;
      self->state.retain(self, key, i->second);
    },
    [=](vc_set_atom, const std::string& key, std::uint64_t conn,
        proto::voice::voice_client& vc) {
      auto* e = owned(self, key, conn);
      if (!e)
        return;
      auto guild = vc.guild_id;
      auto [i, created] = e->clients.insert_or_assign(guild, std::move(vc));
      if (created)
        self->state.metrics->voice_clients.add();
      self->state.record(self, key, e);
    },
    [=](vc_del_atom, const std::string& key, std::uint64_t conn, std::uint64_t guild) {
      auto* e = owned(self, key, conn);
      if (e && e->clients.erase(guild) != 0) {
        self->state.metrics->voice_clients.sub();
        self->state.record(self, key, e);
      }
    },
    [=](vc_expire_atom, const std::string& key, std::uint64_t generation) {
      auto i = self->state.sessions.find(key);
      // Resumed since (live), or retained again later (newer generation): not this timer's.
      if (i == self->state.sessions.end() || i->second.live
          || i->second.generation != generation)
        return;
      self->state.destroy(i);
      self->state.record(self, key, nullptr);
    },
    [=](cl_voice_load_atom, std::vector<voice_record>& sessions) {
      // A new active node: the last one's voice sessions, retained for a resume (SPEC §9).
      auto& st = self->state;
      for (auto& rec : sessions) {
        auto [i, created] = st.sessions.try_emplace(rec.key);
        if (!created)
          continue;
        for (auto& vc : rec.clients) {
          auto guild = vc.guild_id;
          i->second.clients.emplace(guild, std::move(vc));
        }
        st.metrics->voice_clients.add(static_cast<std::int64_t>(i->second.clients.size()));
        st.retain(self, rec.key, i->second);
      }
      // cl_voice_load comes from the cluster actor only (the interface says so; the cast
      // cannot check it): the sender is the recorder.
      st.recorder = caf::actor_cast<cluster_node_actor>(self->current_sender());
      // What the last node recorded goes on this node's voice lease as it changes.
    },
    [=](cl_deactivate_atom) {
      auto& st = self->state;
      st.recorder = nullptr;
      while (!st.sessions.empty())
        st.destroy(st.sessions.begin());
    },
    [=](vc_status_atom) { return self->state.status(self->clock().now()); },
    [=](vc_list_atom) {
      std::vector<voice_session_info> out;
      out.reserve(self->state.sessions.size());
      for (const auto& [key, e] : self->state.sessions)
        out.push_back(voice_session_info{key, e.live, e.owner, list(e.clients)});
      return out;
    },
  };
}

} // namespace coord::actors
