#include "actors/console/inspector.hpp"

#include "actors/console/console_command.hpp"
#include "actors/console/console_render.hpp"
#include "actors/console/info_render.hpp"
#include "proto/secure_compare.hpp"

#include <caf/actor_cast.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/monitorable_actor.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <unistd.h>

namespace coord::actors {

namespace {

using self_ptr = inspector_actor::stateful_pointer<inspector_state>;
using verb = console_command::verb;

constexpr auto ask_timeout = std::chrono::seconds(5);
constexpr auto inspect_timeout = std::chrono::seconds(2);

/// The error handler of a request to `who`: one ERR line.
auto did_not_answer(console_reply_ptr r, const char* who) {
  return [r, who](caf::error&) { r->answer(std::string("ERR ") + who + " did not answer"); };
}

/// Resident set size of this process from /proc/self/statm (0 when unreadable).
std::uint64_t process_rss() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages_total = 0;
  std::uint64_t pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident))
    return 0;
  return pages_resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// What `actors` shows of an actor that did not answer inspect_atom.
actor_summary silent_summary(const inspectable_actor& a) {
  actor_summary s;
  s.id = a.id();
  // The name is the state's static string: safe to read from another actor.
  auto* m = dynamic_cast<caf::monitorable_actor*>(caf::actor_cast<caf::abstract_actor*>(a));
  s.name = m ? m->name() : "unknown";
  s.answered = false;
  s.fields = {{"answer", "none"}};
  return s;
}

bool known_info_section(const std::string& section) {
  if (section.empty() || section == "all" || section == "everything" || section == "clients")
    return true;
  const auto& names = info_sections();
  return std::find(names.begin(), names.end(), section) != names.end();
}

void info(self_ptr self, const std::string& section, const console_reply_ptr& r) {
  if (!known_info_section(section))
    return r->answer("ERR unknown info section (server, sessions, stats, store, music)");
  const auto& d = self->state.deps;
  // Three questions in parallel; whoever does not answer in time is left out of the text.
  struct job {
    info_input in;
    std::string section;
    console_reply_ptr r;
    int pending = 3;
    void done() {
      if (--pending == 0)
        r->answer(render_info(in, section).value_or("ERR unknown info section"));
    }
  };
  auto j = std::make_shared<job>();
  j->section = section;
  j->r = r;
  auto& in = j->in;
  in.version = d.version;
  in.pid = static_cast<std::int64_t>(::getpid());
  in.uptime_s = std::chrono::duration_cast<std::chrono::seconds>(
                  self->clock().now() - self->state.started).count();
  in.rss_bytes = process_rss();
  in.http_address = d.http_address;
  in.console_address = r->listener_address();
  in.io_threads = d.io_threads;
  in.scheduler_threads = d.scheduler_threads;
  in.metrics = d.metrics;
  self->request(d.broker, ask_timeout, sessions_atom::value)
    .then([j](std::vector<session_info>& xs) { j->in.sessions = std::move(xs); j->done(); },
          [j](caf::error&) { j->done(); });
  self->request(d.store, ask_timeout, store_counts_atom::value)
    .then([j](store_counts& c) { j->in.store = std::move(c); j->done(); },
          [j](caf::error&) { j->done(); });
  self->request(d.stats, ask_timeout, music_get_atom::value)
    .then([j](music_snapshot& m) { j->in.music = std::move(m); j->done(); },
          [j](caf::error&) { j->done(); });
}

void list_actors(self_ptr self, const console_reply_ptr& r) {
  self->request(self->state.deps.broker, ask_timeout, session_refs_atom::value)
    .then(
      [self, r](std::vector<session_ref>& refs) {
        std::sort(refs.begin(), refs.end(), [](const session_ref& a, const session_ref& b) {
          return a.info.id < b.info.id;
        });
        std::vector<inspectable_actor> targets = self->state.deps.actors;
        // Session actors come from the broker; each answers inspect_atom.
        for (auto& ref : refs)
          targets.push_back(std::move(ref.actor));
        // One slot per actor, filled as the answers come, so the order stays fixed.
        struct job {
          std::vector<actor_summary> slots;
          std::size_t pending = 0;
          console_reply_ptr r;
        };
        auto j = std::make_shared<job>();
        j->r = r;
        j->slots.resize(targets.size() + 1);
        j->slots[0] = summarize(self, {{"commands", std::to_string(self->state.commands)}});
        j->pending = targets.size();
        if (j->pending == 0)
          return r->answer(render_actors(j->slots));
        for (std::size_t i = 0; i < targets.size(); ++i) {
          auto finish = [j] {
            if (--j->pending == 0)
              j->r->answer(render_actors(j->slots));
          };
          self->request(targets[i], inspect_timeout, inspect_atom::value)
            .then(
              [j, i, finish](actor_summary& s) {
                j->slots[i + 1] = std::move(s);
                finish();
              },
              [j, i, finish, a = targets[i]](caf::error&) {
                j->slots[i + 1] = silent_summary(a);
                finish();
              });
        }
      },
      did_not_answer(r, "broker"));
}

void show_session(self_ptr self, std::uint64_t id, const console_reply_ptr& r) {
  self->request(self->state.deps.broker, ask_timeout, session_find_atom::value, id)
    .then(
      [self, r](session_ref& ref) {
        auto info = ref.info;
        if (!ref.actor) // a resumable gateway session: no connection, no actor
          return r->answer(render_session(info, std::nullopt));
        self->request(ref.actor, inspect_timeout, inspect_atom::value)
          .then([r, info](actor_summary& s) { r->answer(render_session(info, s)); },
                [r, info](caf::error&) { r->answer(render_session(info, std::nullopt)); });
      },
      [r, id](caf::error& err) {
        if (err.category() == caf::atom("coord"))
          r->answer("ERR no session " + std::to_string(id));
        else
          r->answer("ERR broker did not answer");
      });
}

void kick(self_ptr self, std::uint64_t id, std::uint16_t code, const console_reply_ptr& r) {
  self->request(self->state.deps.broker, ask_timeout, kick_atom::value, id, code)
    .then(
      [r, id, code](bool found) {
        if (!found)
          return r->answer("ERR no session " + std::to_string(id));
        spdlog::info("console: kick session={} code={} remote={}", id, code, r->remote_address());
        r->answer("OK");
      },
      did_not_answer(r, "broker"));
}

void run(self_ptr self, const console_command& cmd, const console_reply_ptr& r) {
  const auto& d = self->state.deps;
  switch (cmd.what) {
    case verb::help:
      return r->answer(render_help());
    case verb::info:
      return info(self, cmd.arg, r);
    case verb::actors:
      return list_actors(self, r);
    case verb::sessions:
      self->request(d.broker, ask_timeout, sessions_atom::value)
        .then([r, only = cmd.dialect](std::vector<session_info>& xs) {
                r->answer(render_sessions(std::move(xs), only));
              },
              did_not_answer(r, "broker"));
      return;
    case verb::session:
      return show_session(self, cmd.id, r);
    case verb::shards:
      self->request(d.planner, ask_timeout, shard_plan_atom::value)
        .then([r](const shard_plan& plan) { r->answer(render_shards(plan)); },
              did_not_answer(r, "shard_planner"));
      return;
    case verb::guild:
      self->request(d.store, ask_timeout, settings_get_atom::value, cmd.id)
        .then([r](const proto::guild_settings& s) { r->answer(render_guild(s)); },
              did_not_answer(r, "guild_settings_store"));
      return;
    case verb::supporters:
      self->request(d.store, ask_timeout, supporters_atom::value)
        .then([r](std::vector<std::uint64_t>& ids) { r->answer(render_supporters(std::move(ids))); },
              did_not_answer(r, "guild_settings_store"));
      return;
    case verb::stats:
      self->request(d.stats, ask_timeout, music_get_atom::value)
        .then([r, m = d.metrics](const music_snapshot& s) { r->answer(render_stats(s, *m)); },
              did_not_answer(r, "shard_stats"));
      return;
    case verb::kick:
      return kick(self, cmd.id, cmd.code, r);
    case verb::cluster:
      if (!d.cluster)
        return r->answer(render_not_clustered());
      self->request(d.cluster, ask_timeout, cl_info_atom::value)
        .then([r](const cluster_info& c) { r->answer(render_cluster(c)); },
              did_not_answer(r, "cluster"));
      return;
    case verb::quit:
    case verb::auth:
    case verb::invalid:
      return r->answer(cmd.error.empty() ? "ERR internal error" : cmd.error);
  }
}

void handle_line(self_ptr self, const std::string& line, const console_reply_ptr& r) {
  auto& st = self->state;
  ++st.commands;
  auto cmd = parse_console_command(line);
  // The argument of `auth` is the password: it is never logged.
  spdlog::debug("console: command=\"{}\" remote={}",
                cmd.what == verb::auth ? std::string{"auth ***"}
                                       : escape_value(line.substr(0, 80)),
                r->remote_address());
  if (cmd.what == verb::quit)
    return r->answer_and_close("bye");
  if (cmd.what == verb::auth) {
    if (st.deps.password.empty())
      return r->answer("ERR no console.password is set");
    if (proto::secure_equals(cmd.arg, st.deps.password)) {
      r->set_authenticated();
      return r->answer("OK");
    }
    // A wrong guess costs a new connection.
    spdlog::warn("console: bad password remote={}", r->remote_address());
    return r->answer_and_close("ERR invalid password");
  }
  if (!st.deps.password.empty() && !r->authenticated())
    return r->answer("ERR authentication required: auth <password>");
  run(self, cmd, r);
}

} // namespace

inspector_actor::behavior_type
inspector(inspector_actor::stateful_pointer<inspector_state> self, inspector_deps deps) {
  self->state.deps = std::move(deps);
  self->state.started = self->clock().now();
  return {
    [=](console_atom, const std::string& line, const console_reply_ptr& r) {
      handle_line(self, line, r);
    },
    [=](inspect_atom) {
      return summarize(self, {{"commands", std::to_string(self->state.commands)}});
    },
  };
}

} // namespace coord::actors
