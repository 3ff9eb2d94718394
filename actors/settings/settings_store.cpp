#include "actors/settings/settings_store.hpp"

#include "proto/companion_codec.hpp"
#include "proto/gateway_codec.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace coord::actors {

proto::guild_settings settings_store_state::get(std::uint64_t guild) const {
  if (auto i = settings.find(guild); i != settings.end())
    return i->second;
  proto::guild_settings s;
  s.guild_id = guild;
  s.prefix = default_prefix;
  return s;
}

namespace {

using self_ptr = caf::stateful_actor<settings_store_state>*;

void publish(self_ptr self, broadcast_msg msg) {
  self->send(self->state.broker, broadcast_atom::value, std::move(msg));
}

/// Runs one write against SQLite; true when it committed.
template <class F>
bool commit(self_ptr self, const char* what, F&& write) {
  try {
    write();
    self->state.metrics->store_commits.inc();
    return true;
  } catch (const std::exception& e) {
    self->state.metrics->store_commit_failures.inc();
    spdlog::error("store: commit failed op={} error=\"{}\"", what, e.what());
    return false;
  }
}

caf::error store_failed() {
  return make_coord_error(coord_errc::store_failed, "store commit failed");
}

/// Stores `next` as the settings of its guild and broadcasts what changed.
caf::result<proto::guild_settings> save(self_ptr self, const proto::guild_settings& next,
                                        bool settings_changed, bool music_changed) {
  auto started = self->clock().now();
  if (!commit(self, "save_settings", [&] { self->state.repo->save_settings(next); }))
    return store_failed();
  self->state.settings[next.guild_id] = next;
  for (auto& msg : settings_broadcasts(next, settings_changed, music_changed, started))
    publish(self, std::move(msg));
  return next;
}

} // namespace

std::vector<broadcast_msg> settings_broadcasts(const proto::guild_settings& s,
                                               bool settings_changed, bool music_changed,
                                               caf::actor_clock::time_point started) {
  std::vector<broadcast_msg> out;
  // Gateway services get the event of SPEC.md §4.6, companions op 2 / op 3.
  if (settings_changed) {
    broadcast_msg msg;
    msg.companion = ports::make_buffer(proto::companion::encode_guild_settings(s));
    msg.gateway = ports::make_buffer(proto::gateway::encode_guild_settings_update(s));
    msg.started = started;
    out.push_back(std::move(msg));
  }
  if (music_changed) {
    broadcast_msg msg;
    msg.companion =
      ports::make_buffer(proto::companion::encode_music_toggle(s.guild_id, s.music_enabled));
    msg.gateway =
      ports::make_buffer(proto::gateway::encode_music_command_update(s.guild_id, s.music_enabled));
    msg.started = started;
    out.push_back(std::move(msg));
  }
  return out;
}

broadcast_msg supporter_broadcast(std::uint64_t id, bool added,
                                  caf::actor_clock::time_point started) {
  broadcast_msg msg;
  msg.companion = ports::make_buffer(added ? proto::companion::encode_supporter_added(id)
                                         : proto::companion::encode_supporter_removed(id));
  msg.started = started;
  return msg;
}

caf::behavior settings_store(caf::stateful_actor<settings_store_state>* self,
                             std::shared_ptr<store::settings_repository> repo,
                             std::string default_prefix, caf::actor broker,
                             metrics::registry* metrics) {
  auto& st = self->state;
  st.repo = std::move(repo);
  st.default_prefix = std::move(default_prefix);
  st.broker = std::move(broker);
  st.metrics = metrics;
  // A stray message is printed and dropped, never reflected (which would end this actor).
  self->set_default_handler(caf::print_and_drop);
  // A throwing handler is a bug: say what it was before the actor goes down.
  self->set_exception_handler([](caf::scheduled_actor*, std::exception_ptr& eptr) -> caf::error {
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      spdlog::critical("store: handler threw error=\"{}\"", e.what());
    } catch (...) {
      spdlog::critical("store: handler threw a non-standard exception");
    }
    return caf::sec::runtime_error;
  });
  for (auto& s : st.repo->load_settings())
    st.settings.emplace(s.guild_id, std::move(s));
  for (auto id : st.repo->load_supporters())
    st.supporters.insert(id);
  return {
    [=](handshake_atom, std::uint64_t session, const std::vector<std::uint64_t>& guilds) {
      auto& st = self->state;
      self->send(self->state.broker, attach_atom::value, session,
                 handshake_reply(guilds, st.supporters,
                                 [&](std::uint64_t g) { return st.get(g); }));
    },
    [=](guild_req_atom, std::uint64_t guild) {
      self->state.mailbox.sample(self);
      // Only companions asked: the reply is op 2 alone.
      broadcast_msg msg;
      msg.started = self->clock().now();
      msg.companion = ports::make_buffer(proto::companion::encode_guild_settings(self->state.get(guild)));
      publish(self, std::move(msg));
    },
    [=](settings_get_atom, std::uint64_t guild) { return self->state.get(guild); },
    [=](store_counts_atom) {
      auto& st = self->state;
      return store_counts{st.repo->path(), st.settings.size(), st.supporters.size()};
    },
    [=](inspect_atom) {
      auto& st = self->state;
      return summarize(self, {{"guilds", std::to_string(st.settings.size())},
                              {"supporters", std::to_string(st.supporters.size())},
                              {"commits", std::to_string(st.metrics->store_commits.value())},
                              {"mailbox_peak", std::to_string(st.mailbox.peak)}});
    },
    [=](settings_set_atom, std::uint64_t guild,
        const proto::admin::settings_patch& patch) -> caf::result<proto::guild_settings> {
      auto next = self->state.get(guild);
      proto::admin::apply(next, patch);
      bool settings_changed = patch.prefix || patch.dj_role_id || patch.voice_channel_id
                              || patch.music_channel_id;
      return save(self, next, settings_changed, patch.music_enabled.has_value());
    },
    [=](music_set_atom, std::uint64_t guild,
        bool enable) -> caf::result<proto::guild_settings> {
      auto next = self->state.get(guild);
      next.music_enabled = enable;
      return save(self, next, false, true);
    },
    [=](supporters_atom) {
      return std::vector<std::uint64_t>{self->state.supporters.begin(),
                                        self->state.supporters.end()};
    },
    [=](supporter_add_atom, std::uint64_t id) -> caf::result<bool> {
      auto started = self->clock().now();
      bool added = false;
      if (!commit(self, "add_supporter", [&] { added = self->state.repo->add_supporter(id); }))
        return store_failed();
      self->state.supporters.insert(id);
      if (added)
        publish(self, supporter_broadcast(id, true, started));
      return added;
    },
    [=](supporter_del_atom, std::uint64_t id) -> caf::result<bool> {
      auto started = self->clock().now();
      bool removed = false;
      if (!commit(self, "remove_supporter",
                  [&] { removed = self->state.repo->remove_supporter(id); }))
        return store_failed();
      self->state.supporters.erase(id);
      if (removed)
        publish(self, supporter_broadcast(id, false, started));
      return removed;
    },
  };
}

} // namespace coord::actors
