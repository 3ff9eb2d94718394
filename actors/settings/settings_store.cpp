#include "actors/settings/settings_store.hpp"

#include "actors/broker/messages.hpp"
#include "actors/settings/settings_writer.hpp"

#include <caf/send.hpp>

namespace coord::actors {

proto::guild_settings settings_store_state::get(std::uint64_t guild) const {
  if (auto i = settings.find(guild); i != settings.end())
    return i->second;
  proto::guild_settings s;
  s.guild_id = guild;
  s.prefix = default_prefix;
  return s;
}

settings_snapshot load_snapshot(store::settings_repository& repo) {
  return settings_snapshot{repo.path(), repo.load_settings(), repo.load_supporters()};
}

namespace {

using self_ptr = settings_store_actor::stateful_pointer<settings_store_state>;

// Changes go to the change sink (the broker) with send(): sends from one actor keep their
// order, so the broker sees every change in commit order.

/// Starts the next queued write, if any and none is at the writer.
void next_write(self_ptr self) {
  auto& st = self->state;
  if (st.writing || st.writes.empty())
    return;
  st.writing = true;
  auto write = std::move(st.writes.front());
  st.writes.pop_front();
  write();
}

/// The write at the writer was answered: the next one may go.
void write_done(self_ptr self) {
  self->state.writing = false;
  next_write(self);
}

void enqueue(self_ptr self, std::function<void()> write) {
  self->state.mailbox.sample(self);
  self->state.writes.push_back(std::move(write));
  next_write(self);
}

/// Queues `change` of a guild's settings: applied to the copy as the writes before it left
/// it, committed, then published (`fields`, `music`: what the change may touch).
caf::typed_response_promise<proto::guild_settings>
write_settings(self_ptr self, std::uint64_t guild,
               std::function<void(proto::guild_settings&)> change, bool fields, bool music) {
  auto rp = self->make_response_promise<proto::guild_settings>();
  auto started = self->clock().now();
  enqueue(self, [=]() mutable {
    auto next = self->state.get(guild);
    change(next);
    self->request(self->state.writer, caf::infinite, store_save_atom::value, next)
      .then(
        [=](bool) mutable {
          self->state.settings[guild] = next;
          self->send(self->state.broker, publish_atom::value,
                     settings_changed{next, fields, music, false, started});
          rp.deliver(next);
          write_done(self);
        },
        [=](caf::error& err) mutable {
          rp.deliver(std::move(err));
          write_done(self);
        });
  });
  return rp;
}

/// Queues adding (`add`) or removing a supporter; published only when it changed anything.
caf::typed_response_promise<bool> write_supporter(self_ptr self, std::uint64_t id, bool add) {
  auto rp = self->make_response_promise<bool>();
  auto started = self->clock().now();
  enqueue(self, [=]() mutable {
    auto reply = [=](bool changed) mutable {
      if (add)
        self->state.supporters.insert(id);
      else
        self->state.supporters.erase(id);
      if (changed)
        self->send(self->state.broker, publish_atom::value,
                   supporter_changed{id, add, started});
      rp.deliver(changed);
      write_done(self);
    };
    auto failed = [=](caf::error& err) mutable {
      rp.deliver(std::move(err));
      write_done(self);
    };
    if (add)
      self->request(self->state.writer, caf::infinite, supporter_add_atom::value, id)
        .then(reply, failed);
    else
      self->request(self->state.writer, caf::infinite, supporter_del_atom::value, id)
        .then(reply, failed);
  });
  return rp;
}

} // namespace

settings_store_actor::behavior_type
settings_store(settings_store_actor::stateful_pointer<settings_store_state> self,
               settings_writer_actor writer, settings_snapshot initial,
               std::string default_prefix, change_sink_actor broker, metrics::registry* metrics) {
  self->set_exception_handler(log_store_exception);
  auto& st = self->state;
  st.writer = std::move(writer);
  st.path = std::move(initial.path);
  st.default_prefix = std::move(default_prefix);
  st.broker = std::move(broker);
  st.metrics = metrics;
  for (auto& s : initial.settings)
    st.settings.emplace(s.guild_id, std::move(s));
  st.supporters.insert(initial.supporters.begin(), initial.supporters.end());
  self->link_to(st.writer);
  return {
    [=](handshake_atom, std::uint64_t session, const std::vector<std::uint64_t>& guilds) {
      auto& st = self->state;
      self->send(st.broker, attach_atom::value, make_handshake(session, guilds, st));
    },
    [=](guild_req_atom, std::uint64_t guild) {
      self->state.mailbox.sample(self);
      // Only companions asked: the broker sends op 2 alone.
      self->send(self->state.broker, publish_atom::value,
                 settings_changed{self->state.get(guild), true, false, true,
                                  self->clock().now()});
    },
    [=](settings_get_atom, std::uint64_t guild) { return self->state.get(guild); },
    [=](store_counts_atom) {
      auto& st = self->state;
      return store_counts{st.path, st.settings.size(), st.supporters.size()};
    },
    [=](inspect_atom) {
      auto& st = self->state;
      return summarize(self, {{"guilds", std::to_string(st.settings.size())},
                              {"supporters", std::to_string(st.supporters.size())},
                              {"commits", std::to_string(st.metrics->store_commits.value())},
                              {"writes_queued", std::to_string(st.writes.size()
                                                               + (st.writing ? 1 : 0))},
                              {"mailbox_peak", std::to_string(st.mailbox.peak)}});
    },
    [=](settings_set_atom, std::uint64_t guild, const proto::admin::settings_patch& patch) {
      bool fields = patch.prefix || patch.dj_role_id || patch.voice_channel_id
                    || patch.music_channel_id;
      return write_settings(self, guild,
                            [patch](proto::guild_settings& s) { proto::admin::apply(s, patch); },
                            fields, patch.music_enabled.has_value());
    },
    [=](music_set_atom, std::uint64_t guild, bool enable) {
      return write_settings(self, guild,
                            [enable](proto::guild_settings& s) { s.music_enabled = enable; },
                            false, true);
    },
    [=](supporters_atom) {
      return std::vector<std::uint64_t>{self->state.supporters.begin(),
                                        self->state.supporters.end()};
    },
    [=](supporter_add_atom, std::uint64_t id) { return write_supporter(self, id, true); },
    [=](supporter_del_atom, std::uint64_t id) { return write_supporter(self, id, false); },
  };
}

settings_store_actor spawn_settings_store(caf::actor_system& sys,
                                          std::shared_ptr<store::settings_repository> repo,
                                          std::string default_prefix, change_sink_actor broker,
                                          metrics::registry* metrics) {
  auto initial = load_snapshot(*repo);
  // The writer blocks on fsync, so it gets a thread of its own instead of a scheduler worker.
  auto writer = sys.spawn<caf::detached>(settings_writer, std::move(repo), metrics);
  // The front on a thread of its own too (it never blocks): op 2 reads reach the broker from
  // a thread that is awake, as before the split (bench S2).
  return sys.spawn<caf::detached>(settings_store, std::move(writer), std::move(initial),
                   std::move(default_prefix), std::move(broker), metrics);
}

} // namespace coord::actors
