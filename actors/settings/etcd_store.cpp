// Past ~400 lines: the writes, the watch that acknowledges them and its recovery (reload,
// restart, lag check) share one state and one acknowledgement rule, read best together.

#include "actors/settings/etcd_store.hpp"

#include "actors/cluster/etcd_api.hpp"
#include "net/etcd_client.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace coord::actors {

proto::guild_settings etcd_store_state::get(std::uint64_t guild) const {
  if (auto i = settings.find(guild); i != settings.end())
    return i->second;
  proto::guild_settings s;
  s.guild_id = guild;
  s.prefix = deps.default_prefix;
  return s;
}

namespace {

using self_ptr = etcd_store_actor::stateful_pointer<etcd_store_state>;
using settings_promise = caf::typed_response_promise<proto::guild_settings>;
using bool_promise = caf::typed_response_promise<bool>;

/// An acknowledged write waits at most this long for the watch to deliver it.
constexpr auto ack_wait = std::chrono::seconds(2);
/// A write whose guild changed under it is tried again this many times in all.
constexpr int write_attempts = 4;

caf::error unavailable(std::string why) {
  return make_coord_error(coord_errc::unavailable, std::move(why));
}

caf::error etcd_failed(const ports::etcd_reply& r) {
  if (r.status == 0)
    return unavailable("etcd unreachable (" + r.error + "); nothing changed");
  return unavailable("etcd refused the write (HTTP " + std::to_string(r.status)
                     + "); nothing changed");
}

etcd::compare leader_compare(self_ptr self) {
  return {etcd::compare::create, self->state.leader_key, self->state.leader_revision};
}

/// True when the failure branch of a write shows this node still holds the leader key.
bool still_leader(self_ptr self, const etcd::txn_result& t) {
  for (const auto& k : t.failure_kvs)
    if (k.key == self->state.leader_key)
      return k.create_revision == self->state.leader_revision;
  return false;
}

const etcd::kv* find_kv(const etcd::txn_result& t, const std::string& key) {
  for (const auto& k : t.failure_kvs)
    if (k.key == key)
      return &k;
  return nullptr;
}

template <class Change>
void publish(self_ptr self, Change change) {
  // A node that may no longer be active (its lease unconfirmed) broadcasts nothing: its
  // sessions are about to be closed, and the active node broadcasts to its own.
  if (!self->state.active || !self->state.deps.view->serving(self->clock().now()))
    return;
  self->send(self->state.deps.broker, publish_atom::value, std::move(change));
}

/// Runs `done` once the watch has applied `revision` (or after ack_wait: it committed).
void after_revision(self_ptr self, std::int64_t revision, std::function<void()> done) {
  if (self->state.revision >= revision || !self->state.active) {
    done();
    return;
  }
  self->state.waiting.emplace(revision, std::move(done));
  self->delayed_send(self, ack_wait, cl_tick_atom::value, revision);
}

void release_waiting(self_ptr self, std::int64_t upto) {
  auto& w = self->state.waiting;
  while (!w.empty() && w.begin()->first <= upto) {
    auto done = std::move(w.begin()->second);
    w.erase(w.begin());
    done();
  }
}

/// One event of the watch (or of a reload): memory follows it, sessions hear of it.
void apply_event(self_ptr self, const etcd::event& ev) {
  auto& st = self->state;
  auto key = store::etcd::parse_state_key(st.deps.keys, ev.item.key);
  auto started = self->clock().now();
  if (key.kind == store::etcd::state_key::guild) {
    auto old = st.get(key.id);
    if (ev.deleted) {
      st.settings.erase(key.id);
      st.settings_revision.erase(key.id);
    } else {
      auto s = store::etcd::decode_settings(ev.item.value, key.id, st.deps.default_prefix);
      if (!s) {
        ++st.invalid_values;
        spdlog::warn("store: ignored a value not in the settings format key=\"{}\"",
                     ev.item.key);
        return;
      }
      st.settings[key.id] = *s;
      st.settings_revision[key.id] = ev.item.mod_revision;
    }
    auto next = st.get(key.id);
    bool fields_changed = old.prefix != next.prefix || old.dj_role_id != next.dj_role_id
                            || old.voice_channel_id != next.voice_channel_id
                            || old.music_channel_id != next.music_channel_id;
    bool music_changed = old.music_enabled != next.music_enabled;
    if (fields_changed || music_changed) {
      st.deps.metrics->store_commits.inc();
      publish(self, settings_changed{next, fields_changed, music_changed, false, started});
    }
  } else if (key.kind == store::etcd::state_key::supporter) {
    bool changed = ev.deleted ? st.supporters.erase(key.id) != 0
                              : st.supporters.insert(key.id).second;
    if (changed) {
      st.deps.metrics->store_commits.inc();
      publish(self, supporter_changed{key.id, !ev.deleted, started});
    }
  }
}

void start_watch(self_ptr self, std::int64_t from) {
  auto& st = self->state;
  auto client = st.calls.client();
  if (!client)
    return;
  auto generation = ++st.watch_generation;
  auto me = caf::actor_cast<etcd_store_actor>(self);
  ports::etcd_watch_callbacks cb;
  cb.on_events = [me, generation](std::string result) {
    caf::anon_send(me, cl_watch_atom::value, generation, std::move(result));
  };
  cb.on_compacted = [me, generation](std::int64_t revision) {
    caf::anon_send(me, cl_compact_atom::value, generation, revision);
  };
  cb.on_state = [](bool open) {
    if (!open)
      spdlog::warn("store: etcd watch broken, reopening");
  };
  auto prefix = st.deps.keys.state();
  st.watch = client->watch(prefix, net::prefix_range_end(prefix), from, std::move(cb));
}

void stop_watch(self_ptr self) {
  auto& st = self->state;
  ++st.watch_generation;
  if (st.watch)
    st.watch->cancel();
  st.watch.reset();
}

/// Reads the whole state and watches from the revision after it. `quiet`: the first load of
/// an activation (no session is connected yet: nothing to tell anyone).
void load(self_ptr self, bool quiet, std::function<void(caf::error)> done) {
  auto prefix = self->state.deps.keys.state();
  auto activation = self->state.activation;
  self->state.calls.call(
    self, "/v3/kv/range", etcd::range_request(prefix, net::prefix_range_end(prefix)),
    [=](ports::etcd_reply& r) {
      auto& st = self->state;
      if (activation != st.activation)
        return done(unavailable("this node stood down while loading the state"));
      if (!r.ok)
        return done(etcd_failed(r));
      auto range = etcd::parse_range(r.body);
      if (!range)
        return done(unavailable("etcd answered a range that is not JSON"));
      if (quiet) {
        st.settings.clear();
        st.settings_revision.clear();
        st.supporters.clear();
      }
      // Keys gone since the last load are deletes.
      std::set<std::string> present;
      for (const auto& k : range->kvs)
        present.insert(k.key);
      if (!quiet) {
        std::vector<etcd::event> gone;
        for (const auto& [guild, s] : st.settings)
          if (!present.count(st.deps.keys.guild_key(guild)))
            gone.push_back({true, {st.deps.keys.guild_key(guild), {}, 0, 0, 0}});
        for (auto id : st.supporters)
          if (!present.count(st.deps.keys.supporter_key(id)))
            gone.push_back({true, {st.deps.keys.supporter_key(id), {}, 0, 0, 0}});
        for (const auto& ev : gone)
          apply_event(self, ev);
      }
      for (const auto& k : range->kvs)
        apply_event(self, etcd::event{false, k});
      st.revision = range->revision;
      start_watch(self, range->revision + 1);
      done(caf::error{});
    });
}

/// A write's answer from etcd, or nullopt once `rp` got the error: etcd unreachable or
/// refusing, an answer that is not JSON, or a failed compare that shows this node no longer
/// leads (a failed compare of the write's own key comes back for the caller to handle).
template <class Promise>
std::optional<etcd::txn_result> txn_answer(self_ptr self, const ports::etcd_reply& r,
                                           Promise& rp) {
  if (!r.ok) {
    self->state.deps.metrics->store_commit_failures.inc();
    rp.deliver(etcd_failed(r));
    return std::nullopt;
  }
  auto t = etcd::parse_txn(r.body);
  if (!t) {
    rp.deliver(unavailable("etcd answered a transaction that is not JSON"));
    return std::nullopt;
  }
  if (!t->succeeded && !still_leader(self, *t)) {
    rp.deliver(unavailable("this node is no longer the active node; nothing changed"));
    return std::nullopt;
  }
  return t;
}

template <class Promise, class Value>
void deliver_after(self_ptr self, std::int64_t revision, Promise rp, Value v) {
  after_revision(self, revision, [rp, v]() mutable { rp.deliver(v); });
}

/// Writes `change` applied to `base` (read at `base_revision`, 0: absent) as the guild's
/// settings, if nobody changed them since; else reads them again and retries.
void write_guild(self_ptr self, std::uint64_t guild,
                 std::function<void(proto::guild_settings&)> change,
                 proto::guild_settings base, std::int64_t base_revision, settings_promise rp,
                 int attempts) {
  auto& st = self->state;
  if (!st.active) {
    rp.deliver(unavailable("this node is not the active node; nothing changed"));
    return;
  }
  auto next = base;
  change(next);
  auto key = st.deps.keys.guild_key(guild);
  std::vector<etcd::compare> cmp{leader_compare(self),
                                 {etcd::compare::mod, key, base_revision}};
  std::vector<etcd::op> ops{{etcd::op::put, key, store::etcd::encode_settings(next), 0}};
  st.calls.call(
    self, "/v3/kv/txn", etcd::txn_request(cmp, ops, {key, st.leader_key}),
    [=](ports::etcd_reply& r) mutable {
      auto t = txn_answer(self, r, rp);
      if (!t)
        return;
      if (t->succeeded)
        return deliver_after(self, t->revision, rp, next);
      if (attempts <= 1) {
        rp.deliver(make_coord_error(coord_errc::store_failed, "write raced too often"));
        return;
      }
      // Somebody else changed the guild meanwhile: apply the change to what is there now.
      proto::guild_settings fresh;
      std::int64_t fresh_revision = 0;
      if (const auto* k = find_kv(*t, key)) {
        auto s = store::etcd::decode_settings(k->value, guild, self->state.deps.default_prefix);
        fresh = s ? *s : self->state.get(guild);
        fresh_revision = k->mod_revision;
      } else {
        fresh = proto::guild_settings{};
        fresh.guild_id = guild;
        fresh.prefix = self->state.deps.default_prefix;
      }
      write_guild(self, guild, change, fresh, fresh_revision, rp, attempts - 1);
    });
}

settings_promise start_guild_write(self_ptr self, std::uint64_t guild,
                                   std::function<void(proto::guild_settings&)> change) {
  auto rp = self->make_response_promise<proto::guild_settings>();
  auto& st = self->state;
  auto i = st.settings_revision.find(guild);
  write_guild(self, guild, std::move(change), st.get(guild),
              i == st.settings_revision.end() ? 0 : i->second, rp, write_attempts);
  return rp;
}

bool_promise write_supporter(self_ptr self, std::uint64_t id, bool add) {
  auto rp = self->make_response_promise<bool>();
  auto& st = self->state;
  if (!st.active) {
    rp.deliver(unavailable("this node is not the active node; nothing changed"));
    return rp;
  }
  auto key = st.deps.keys.supporter_key(id);
  std::vector<etcd::compare> cmp{leader_compare(self)};
  std::vector<etcd::op> ops;
  if (add) {
    cmp.push_back({etcd::compare::create, key, 0}); // not there yet
    ops.push_back({etcd::op::put, key, "{}", 0});
  } else {
    ops.push_back({etcd::op::del, key, {}, 0});
  }
  st.calls.call(self, "/v3/kv/txn", etcd::txn_request(cmp, ops, {st.leader_key}),
                [=](ports::etcd_reply& r) mutable {
                  auto t = txn_answer(self, r, rp);
                  if (!t)
                    return;
                  if (!t->succeeded) {
                    rp.deliver(false); // add: already a supporter
                    return;
                  }
                  bool changed = add || t->deleted > 0;
                  if (!changed) {
                    rp.deliver(false);
                    return;
                  }
                  deliver_after(self, t->revision, rp, true);
                });
  return rp;
}

/// A watch that fell silent (its etcd member frozen or cut off while the TCP connection
/// stays up) is reopened from the next revision; the client picks the endpoint that answers.
void restart_watch(self_ptr self, const char* why) {
  auto& st = self->state;
  ++st.watch_restarts;
  spdlog::warn("store: etcd watch fell silent ({}); reopening from revision={}", why,
               st.revision + 1);
  stop_watch(self);
  start_watch(self, st.revision + 1);
}

/// After a compaction: read everything again (retried while active).
void reload(self_ptr self) {
  stop_watch(self);
  load(self, false, [=](caf::error err) {
    if (!err || !self->state.active)
      return;
    spdlog::error("store: reading the state again failed, retrying error=\"{}\"",
                  caf::to_string(err));
    self->delayed_send(self, std::chrono::seconds(1), cl_compact_atom::value,
                       self->state.watch_generation, std::int64_t{0});
  });
}

void deactivate(self_ptr self) {
  auto& st = self->state;
  ++st.activation;
  st.lag_seen = 0;
  st.active = false;
  stop_watch(self);
  release_waiting(self, std::numeric_limits<std::int64_t>::max());
  st.settings.clear();
  st.settings_revision.clear();
  st.supporters.clear();
}

} // namespace

etcd_store_actor::behavior_type
etcd_store(etcd_store_actor::stateful_pointer<etcd_store_state> self, etcd_store_deps deps) {
  auto& st = self->state;
  st.calls = etcd_calls{deps.client, deps.metrics};
  st.deps = std::move(deps);
  self->set_default_handler(caf::print_and_drop);
  self->attach_functor([self] {
    if (self->state.watch)
      self->state.watch->cancel();
  });
  return {
    [=](cl_etcd_atom, std::uint64_t id, ports::etcd_reply& r) {
      self->state.calls.complete(id, r);
    },
    [=](cl_activate_atom, const std::string& leader_key,
        std::int64_t leader_revision) {
      auto& st = self->state;
      deactivate(self);
      st.leader_key = leader_key;
      st.leader_revision = leader_revision;
      auto rp = self->make_response_promise<std::int64_t>();
      load(self, true, [=](caf::error err) mutable {
        if (err) {
          rp.deliver(std::move(err));
          return;
        }
        self->state.active = true;
        self->send(self, cl_check_atom::value, self->state.activation);
        rp.deliver(self->state.revision);
      });
      return rp;
    },
    [=](cl_deactivate_atom) { deactivate(self); },
    [=](cl_watch_atom, std::uint64_t generation, const std::string& result) {
      auto& st = self->state;
      if (generation != st.watch_generation)
        return;
      st.mailbox.sample(self);
      auto events = etcd::parse_events(result);
      if (!events) {
        spdlog::warn("store: ignored a watch answer that is not JSON");
        return;
      }
      for (const auto& ev : *events) {
        apply_event(self, ev);
        st.revision = std::max(st.revision, ev.item.mod_revision);
      }
      release_waiting(self, st.revision);
    },
    [=](cl_compact_atom, std::uint64_t generation, std::int64_t compacted) {
      if (generation != self->state.watch_generation)
        return;
      spdlog::warn("store: etcd compacted past the watch revision={}; reading the state again",
                   compacted);
      reload(self);
    },
    [=](cl_tick_atom, std::int64_t revision) {
      // An acknowledged write the watch has not delivered within ack_wait.
      if (self->state.active && self->state.revision < revision)
        restart_watch(self, "a committed write did not arrive");
      release_waiting(self, revision);
    },
    [=](cl_check_atom, std::uint64_t activation) {
      auto& st = self->state;
      if (activation != st.activation || !st.active)
        return;
      // Every 2 s: the newest revision under state/ against what the watch delivered. Behind
      // twice in a row on the same change: the watch is silent (broadcasts would be lost).
      auto prefix = st.deps.keys.state();
      st.calls.call(self, "/v3/kv/range",
                    etcd::latest_request(prefix, net::prefix_range_end(prefix)),
                    [=](ports::etcd_reply& r) {
                      auto& st = self->state;
                      if (activation != st.activation || !st.active)
                        return;
                      auto range = r.ok ? etcd::parse_range(r.body) : std::nullopt;
                      std::int64_t latest = range && !range->kvs.empty()
                                              ? range->kvs.front().mod_revision
                                              : 0;
                      if (st.lag_seen != 0 && st.revision < st.lag_seen) {
                        st.lag_seen = 0;
                        restart_watch(self, "it did not deliver a committed change");
                      } else {
                        st.lag_seen = latest > st.revision ? latest : 0;
                      }
                    });
      self->delayed_send(self, std::chrono::seconds(2), cl_check_atom::value, activation);
    },
    [=](handshake_atom, std::uint64_t session, const std::vector<std::uint64_t>& guilds) {
      auto& st = self->state;
      self->send(st.deps.broker, attach_atom::value, make_handshake(session, guilds, st));
    },
    [=](guild_req_atom, std::uint64_t guild) {
      self->state.mailbox.sample(self);
      // Only companions asked: the broker sends op 2 alone.
      publish(self, settings_changed{self->state.get(guild), true, false, true,
                                     self->clock().now()});
    },
    [=](settings_get_atom, std::uint64_t guild) { return self->state.get(guild); },
    [=](store_counts_atom) {
      auto& st = self->state;
      return store_counts{"etcd " + st.deps.keys.prefix, st.settings.size(),
                          st.supporters.size()};
    },
    [=](inspect_atom) {
      auto& st = self->state;
      return summarize(self, {{"active", st.active ? "yes" : "no"},
                              {"guilds", std::to_string(st.settings.size())},
                              {"supporters", std::to_string(st.supporters.size())},
                              {"revision", std::to_string(st.revision)},
                              {"waiting_acks", std::to_string(st.waiting.size())},
                              {"invalid_values", std::to_string(st.invalid_values)},
                              {"watch_restarts", std::to_string(st.watch_restarts)},
                              {"mailbox_peak", std::to_string(st.mailbox.peak)}});
    },
    [=](settings_set_atom, std::uint64_t guild, const proto::admin::settings_patch& patch) {
      return start_guild_write(self, guild,
                               [patch](proto::guild_settings& s) { proto::admin::apply(s, patch); });
    },
    [=](music_set_atom, std::uint64_t guild, bool enable) {
      return start_guild_write(self, guild,
                               [enable](proto::guild_settings& s) { s.music_enabled = enable; });
    },
    [=](supporters_atom) {
      return std::vector<std::uint64_t>{self->state.supporters.begin(),
                                        self->state.supporters.end()};
    },
    [=](supporter_add_atom, std::uint64_t id) { return write_supporter(self, id, true); },
    [=](supporter_del_atom, std::uint64_t id) { return write_supporter(self, id, false); },
  };
}

} // namespace coord::actors
