#include "actors/http/dashboard.hpp"

#include "actors/http/dashboard_json.hpp"
#include "actors/http/http_reply.hpp"

#include <spdlog/spdlog.h>

namespace coord::actors {

namespace {

using self_ptr = dashboard_actor::stateful_pointer<dashboard_state>;

constexpr auto ask_timeout = std::chrono::seconds(5);

/// Answers every waiting poll with the new snapshot, or 503 when a source did not answer.
void finish(self_ptr self, std::shared_ptr<const std::string> body) {
  auto& st = self->state;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  if (body) {
    st.body = body;
    st.built_at = self->clock().now();
    ++st.snapshots;
  }
  for (auto& r : waiting) {
    if (body)
      reply(r, 200, *body);
    else
      reply_error(r, 503, "internal actor did not answer");
  }
}

/// Asks the three sources one after the other (each answer is small), then encodes once.
void build(self_ptr self) {
  auto& d = self->state.deps;
  auto in = std::make_shared<dashboard_input>();
  in->metrics = d.metrics;
  auto failed = [self](caf::error& err) {
    spdlog::warn("dashboard: source did not answer error=\"{}\"", caf::to_string(err));
    finish(self, nullptr);
  };
  self->request(d.stats, ask_timeout, music_get_atom::value)
    .then(
      [self, in, failed](music_snapshot& music) {
        in->music = std::move(music);
        self->request(self->state.deps.directory, ask_timeout, services_atom::value)
          .then(
            [self, in, failed](std::vector<service_info>& services) {
              in->services = std::move(services);
              self->request(self->state.deps.planner, ask_timeout, shard_plan_atom::value)
                .then(
                  [self, in](shard_plan& plan) {
                    in->shards = std::move(plan);
                    in->uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      self->clock().now() - self->state.started).count();
                    in->now_ms = unix_ms(self->state.deps.wall);
                    if (self->state.deps.metrics->clustered)
                      in->cluster_role = self->state.deps.metrics->cluster_active.value() != 0
                                           ? "active"
                                           : "standby";
                    // Read the counters last, so they are the freshest part of the snapshot.
                    finish(self, std::make_shared<const std::string>(encode_dashboard(*in)));
                  },
                  failed);
            },
            failed);
      },
      failed);
}

} // namespace

dashboard_actor::behavior_type
dashboard(dashboard_actor::stateful_pointer<dashboard_state> self, dashboard_deps deps) {
  self->state.deps = std::move(deps);
  self->state.started = self->clock().now();
  return {
    [=](dashboard_atom, const http_responder_ptr& r) {
      auto& st = self->state;
      ++st.polls;
      if (st.body && self->clock().now() - st.built_at < st.deps.max_age)
        return reply(r, 200, *st.body);
      st.waiting.push_back(r);
      // The first poll of a window starts the gathering; the others wait for its answer.
      if (st.waiting.size() == 1)
        build(self);
    },
    [=](inspect_atom) {
      return summarize(self, {{"polls", std::to_string(self->state.polls)},
                              {"snapshots", std::to_string(self->state.snapshots)}});
    },
  };
}

} // namespace coord::actors
