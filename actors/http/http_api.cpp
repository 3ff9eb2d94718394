#include "actors/http/http_api.hpp"

#include "actors/http/http_reply.hpp"

#include "actors/http/admin_json.hpp"
#include "actors/http/dashboard.hpp"
#include "proto/admin_codec.hpp"
#include "proto/secure_compare.hpp"
#include "proto/snowflake.hpp"
#include "web/assets.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include <string_view>
#include <vector>

namespace coord::actors {

namespace {

using self_ptr = http_api_actor::stateful_pointer<http_api_state>;
using std::string_view;

constexpr auto ask_timeout = std::chrono::seconds(10);


/// The error handler of a request to another actor.
auto on_failure(http_responder_ptr r) {
  return [r](caf::error& err) {
    if (err.category() == caf::atom("coord")
        && err.code() == static_cast<std::uint8_t>(coord_errc::store_failed))
      reply_error(r, 500, "store commit failed; nothing changed");
    else if (err.category() == caf::atom("coord")
             && err.code() == static_cast<std::uint8_t>(coord_errc::unavailable))
      reply_error(r, 503, err.context().match_elements<std::string>()
                            ? err.context().get_as<std::string>(0)
                            : std::string{"store unavailable; nothing changed"});
    else {
      spdlog::warn("http: actor request failed error=\"{}\"", caf::to_string(err));
      reply_error(r, 503, "internal actor did not answer");
    }
  };
}

void settings_route(self_ptr self, const ports::http_request& req, std::uint64_t guild,
                    const http_responder_ptr& r) {
  auto& d = self->state.deps;
  auto send_settings = [r](const proto::guild_settings& s) {
    reply(r, 200, proto::admin::encode_settings(s));
  };
  if (req.method == "GET") {
    self->request(d.store, ask_timeout, settings_get_atom::value, guild)
      .then(send_settings, on_failure(r));
  } else if (req.method == "PATCH") {
    auto patch = proto::admin::decode_settings_patch(req.body);
    if (!patch)
      return reply_error(r, 400, patch.error().reason);
    self->request(d.store, ask_timeout, settings_set_atom::value, guild, *patch)
      .then(send_settings, on_failure(r));
  } else {
    reply_error(r, 405, "method not allowed");
  }
}

void music_route(self_ptr self, const ports::http_request& req, std::uint64_t guild,
                 const http_responder_ptr& r) {
  if (req.method != "PUT")
    return reply_error(r, 405, "method not allowed");
  auto enable = proto::admin::decode_music_toggle(req.body);
  if (!enable)
    return reply_error(r, 400, enable.error().reason);
  self->request(self->state.deps.store, ask_timeout, music_set_atom::value, guild, *enable)
    .then([r](const proto::guild_settings& s) { reply(r, 200, proto::admin::encode_settings(s)); },
          on_failure(r));
}

void supporter_route(self_ptr self, const ports::http_request& req, std::uint64_t id,
                     const http_responder_ptr& r) {
  auto& store = self->state.deps.store;
  auto body = "{\"supporterId\":\"" + std::to_string(id) + "\"}";
  if (req.method == "PUT") {
    self->request(store, ask_timeout, supporter_add_atom::value, id)
      .then([r, body](bool added) { reply(r, added ? 201 : 200, body); }, on_failure(r));
  } else if (req.method == "DELETE") {
    self->request(store, ask_timeout, supporter_del_atom::value, id)
      .then(
        [r, body](bool removed) {
          if (removed)
            reply(r, 200, body);
          else
            reply_error(r, 404, "not a supporter");
        },
        on_failure(r));
  } else {
    reply_error(r, 405, "method not allowed");
  }
}

void stats_route(self_ptr self, const http_responder_ptr& r) {
  auto* metrics = self->state.deps.metrics;
  auto services = self->state.deps.read.services;
  self->request(self->state.deps.stats, ask_timeout, music_get_atom::value)
    .then(
      [self, r, metrics, services](const music_snapshot& music) {
        // Then the gateway services, as GET /services lists them.
        self->request(services, ask_timeout, services_atom::value)
          .then(
            [r, metrics, music](const std::vector<service_info>& services) {
              reply(r, 200, encode_stats(music, *metrics, encode_services(services)));
            },
            on_failure(r));
      },
      on_failure(r));
}

void sessions_route(self_ptr self, const ports::http_request& req,
                    const std::vector<string_view>& path, const http_responder_ptr& r) {
  auto& broker = self->state.deps.broker;
  if (path.size() == 3) {
    if (req.method != "GET")
      return reply_error(r, 405, "method not allowed");
    self->request(broker, ask_timeout, sessions_atom::value)
      .then([r](const std::vector<session_info>& xs) { reply(r, 200, encode_sessions(xs)); },
            on_failure(r));
    return;
  }
  auto id = proto::parse_snowflake(path[3]);
  if (!id)
    return reply_error(r, 404, "not found");
  if (req.method != "DELETE")
    return reply_error(r, 405, "method not allowed");
  self->request(broker, ask_timeout, kick_atom::value, *id, std::uint16_t{1000})
    .then(
      [r](bool found) {
        if (found)
          reply(r, 200, "{\"closed\":true}");
        else
          reply_error(r, 404, "no such session");
      },
      on_failure(r));
}

void admin_route(self_ptr self, const ports::http_request& req,
                 const std::vector<string_view>& path, const http_responder_ptr& r) {
  auto& token = self->state.deps.admin_token;
  constexpr string_view bearer = "Bearer ";
  string_view auth = req.authorization;
  if (auth.empty())
    return reply_error(r, 401, "missing Authorization: Bearer <admin.token>");
  if (token.empty() || auth.substr(0, bearer.size()) != bearer
      || !proto::secure_equals(auth.substr(bearer.size()), token))
    return reply_error(r, 403, "invalid admin token");
  // path[0] == "api", path[1] == "v1"
  auto n = path.size();
  if (n == 5 && path[2] == "guilds" && (path[4] == "settings" || path[4] == "music")) {
    auto guild = proto::parse_snowflake(path[3]);
    if (!guild)
      return reply_error(r, 400, "guild id is not a snowflake");
    if (path[4] == "settings")
      return settings_route(self, req, *guild, r);
    return music_route(self, req, *guild, r);
  }
  if (path[2] == "supporters" && n == 3) {
    if (req.method != "GET")
      return reply_error(r, 405, "method not allowed");
    self->request(self->state.deps.store, ask_timeout, supporters_atom::value)
      .then([r](const std::vector<std::uint64_t>& ids) { reply(r, 200, proto::admin::encode_supporters(ids)); },
            on_failure(r));
    return;
  }
  if (path[2] == "supporters" && n == 4) {
    auto id = proto::parse_snowflake(path[3]);
    if (!id)
      return reply_error(r, 400, "supporter id is not a snowflake");
    return supporter_route(self, req, *id, r);
  }
  if (path[2] == "stats" && n == 3) {
    if (req.method != "GET")
      return reply_error(r, 405, "method not allowed");
    return stats_route(self, r);
  }
  if (path[2] == "dashboard" && n == 3) {
    if (req.method != "GET")
      return reply_error(r, 405, "method not allowed");
    // The dashboard actor answers every poll of one window with the same snapshot.
    return self->send(self->state.dashboard, dashboard_atom::value, r);
  }
  if (path[2] == "sessions" && (n == 3 || n == 4))
    return sessions_route(self, req, path, r);
  if (path[2] == "shards" && n == 3) {
    if (req.method != "GET")
      return reply_error(r, 405, "method not allowed");
    self->request(self->state.deps.planner, ask_timeout, shard_plan_atom::value)
      .then([r](const shard_plan& plan) { reply(r, 200, encode_shards(plan)); }, on_failure(r));
    return;
  }
  reply_error(r, 404, "not found");
}

/// GET /dashboard and its files: public (the page holds no data; its data calls need the
/// admin token).
void dashboard_files(const ports::http_request& req, const http_responder_ptr& r) {
  const auto* file = web::find_asset(req.target);
  if (!file)
    return reply_error(r, 404, "not found");
  if (req.method != "GET")
    return reply_error(r, 405, "method not allowed");
  reply(r, 200, std::string(file->body), std::string(file->content_type));
}

} // namespace

http_api_actor::behavior_type
http_api(http_api_actor::stateful_pointer<http_api_state> self, http_api_deps deps) {
  self->state.deps = std::move(deps);
  const auto& d = self->state.deps;
  // Linked: it ends with this actor.
  self->state.dashboard =
    self->spawn<caf::linked>(dashboard, dashboard_deps{d.read.services, d.stats, d.planner, d.metrics});
  return {
    [=](http_atom, const ports::http_request& req, const http_responder_ptr& r) {
      self->state.deps.metrics->http_requests.inc();
      auto path = split_path(req.target);
      const auto& view = self->state.deps.view;
      if (path.size() == 1 && path[0] == "healthz") {
        if (req.method != "GET" && req.method != "HEAD")
          return reply_error(r, 405, "method not allowed");
        if (!view || !view->clustered())
          return reply(r, 200, "{\"status\":\"ok\"}");
        if (!view->serving(self->clock().now()))
          return reply(r, 503, view->standby_body());
        return reply(r, 200, "{\"status\":\"ok\",\"role\":\"active\"}");
      }
      // A standby serves /metrics and the dashboard's files; the rest is the active's.
      bool api = (path.size() >= 3 && path[0] == "api" && path[1] == "v1")
                 || is_read_api_path(req.target);
      if (api && view && !view->serving(self->clock().now()))
        return reply(r, 503, view->standby_body());
      if (path.size() == 1 && path[0] == "metrics") {
        if (req.method != "GET")
          return reply_error(r, 405, "method not allowed");
        return reply(r, 200, self->state.deps.metrics->render(),
                     "text/plain; version=0.0.4; charset=utf-8");
      }
      if (!path.empty() && path[0] == "dashboard")
        return dashboard_files(req, r);
      if (path.size() >= 3 && path[0] == "api" && path[1] == "v1")
        return admin_route(self, req, path, r);
      if (is_read_api_path(req.target))
        return serve_read_api(self, self->state.deps.read, req, r);
      reply_error(r, 404, "not found");
    },
    [=](inspect_atom) {
      auto requests = self->state.deps.metrics->http_requests.value();
      return summarize(self, {{"requests", std::to_string(requests)}});
    },
  };
}

} // namespace coord::actors
