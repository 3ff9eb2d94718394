#include "actors/cache/read_api.hpp"

#include "actors/http/http_reply.hpp"

#include "actors/cache/entity_cache.hpp"
#include "proto/admin_codec.hpp"
#include "proto/gateway_cache_json.hpp"
#include "proto/json_text.hpp"
#include "proto/secure_compare.hpp"
#include "proto/snowflake.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace coord::actors {

namespace {

namespace gw = proto::gateway;
using std::string_view;
using self_ptr = http_api_actor::pointer;

constexpr auto ask_timeout = std::chrono::seconds(10);


bool is_not_found(const caf::error& err) {
  return err.category() == caf::atom("coord") &&
         err.code() == static_cast<std::uint8_t>(coord_errc::not_found);
}

/// The error handler of a request to a partition or the broker: not_found is the client's
/// 404 (with the partition's text), anything else the node's 503.
auto on_failure(http_responder_ptr r) {
  return [r](caf::error& err) {
    if (!is_not_found(err))
      return reply_error(r, 503, "internal actor did not answer");
    const auto& ctx = err.context();
    if (ctx.match_elements<std::string>())
      return reply_error(r, 404, ctx.get_as<std::string>(0));
    reply_error(r, 404, "not found");
  };
}

/// Answers a record as its JSON object.
template <class Record>
auto send_record(http_responder_ptr r) {
  return [r](const Record& x) { reply(r, 200, gw::to_json(x)); };
}

/// Answers records as a JSON array of objects.
template <class Record>
auto send_array(http_responder_ptr r) {
  return [r](const std::vector<Record>& xs) {
    std::string out{"["};
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (i != 0)
        out.push_back(',');
      gw::append_json(out, xs[i]);
    }
    out.push_back(']');
    reply(r, 200, std::move(out));
  };
}

const entity_cache_actor& partition_for(const read_api_deps& d, std::uint64_t id) {
  return d.partitions[partition_of(id, d.partitions.size())];
}

/// GET /discord/guilds/{id}/members/{mid}: the member from the guild's partition, then its
/// user from the user's partition.
void member_route(self_ptr self, const read_api_deps& d, std::uint64_t guild,
                  std::uint64_t id, const http_responder_ptr& r) {
  auto users = partition_for(d, id);
  self->request(partition_for(d, guild), ask_timeout, cache_member_atom::value, guild, id)
    .then(
      [self, users, r](const gw::member& m) {
        self->request(users, ask_timeout, cache_user_atom::value, m.id)
          .then([m, r](const gw::user& u) { reply(r, 200, gw::to_json(m, &u)); },
                [m, r](caf::error& err) {
                  if (is_not_found(err))
                    reply(r, 200, gw::to_json(m, nullptr));
                  else
                    reply_error(r, 503, "internal actor did not answer");
                });
      },
      on_failure(r));
}

/// Routes under /discord/guilds/{id}; path[0] == "discord", path[1] == "guilds".
void guild_routes(self_ptr self, const read_api_deps& d, const ports::http_request& req,
                  const std::vector<string_view>& path, const http_responder_ptr& r) {
  const auto n = path.size();
  const string_view kind = n > 3 ? path[3] : string_view{};
  const bool known = n == 3 || (n == 4 && (kind == "channels" || kind == "roles")) ||
                     (n == 5 && (kind == "channels" || kind == "voicestates" ||
                                 kind == "members" || kind == "roles")) ||
                     (n == 6 && kind == "channels" && path[5] == "members");
  if (!known)
    return reply_error(r, 404, "not found");
  // DELETE as the original gateway had it: the guild, a member, role, channel or voice state.
  const bool drop = req.method == "DELETE" && (n == 3 || n == 5);
  if (req.method != "GET" && !drop)
    return reply_error(r, 405, "method not allowed");
  auto guild = proto::parse_snowflake(path[2]);
  if (!guild)
    return reply_error(r, 400, "guild id is not a snowflake");
  std::uint64_t id = 0;
  if (n >= 5) {
    auto sub = proto::parse_snowflake(path[4]);
    if (!sub)
      return reply_error(r, 400, kind == "channels"      ? "channel id is not a snowflake"
                                 : kind == "roles"       ? "role id is not a snowflake"
                                 : kind == "members"     ? "member id is not a snowflake"
                                                         : "user id is not a snowflake");
    id = *sub;
  }
  const auto& p = partition_for(d, *guild);
  const auto g = *guild;
  if (drop) {
    const auto type = n == 3                ? gw::cache_type::guild
                      : kind == "members"   ? gw::cache_type::member
                      : kind == "roles"     ? gw::cache_type::role
                      : kind == "channels"  ? gw::cache_type::channel
                                            : gw::cache_type::voice_state;
    const std::string what = type == gw::cache_type::voice_state
                               ? "unknown voice state"
                               : "unknown " + std::string{gw::to_string(type)};
    self
      ->request(p, ask_timeout, cache_drop_atom::value, static_cast<std::uint8_t>(type), g,
                n == 3 ? g : id)
      .then(
        [r, what](bool removed) {
          if (!removed)
            return reply_error(r, 404, what);
          reply(r, 204, std::string{}); // no body, as the original answered
        },
        on_failure(r));
  } else if (n == 3) {
    self->request(p, ask_timeout, cache_guild_atom::value, g)
      .then(send_record<gw::guild>(r), on_failure(r));
  } else if (n == 4 && kind == "channels") {
    self->request(p, ask_timeout, cache_channels_atom::value, g)
      .then(send_array<gw::channel>(r), on_failure(r));
  } else if (n == 4) {
    self->request(p, ask_timeout, cache_roles_atom::value, g)
      .then(send_array<gw::role>(r), on_failure(r));
  } else if (n == 6) {
    self->request(p, ask_timeout, cache_in_voice_atom::value, g, id)
      .then(send_array<gw::voice_state>(r), on_failure(r));
  } else if (kind == "channels") {
    self->request(p, ask_timeout, cache_channel_atom::value, g, id)
      .then(send_record<gw::channel>(r), on_failure(r));
  } else if (kind == "voicestates") {
    self->request(p, ask_timeout, cache_voice_atom::value, g, id)
      .then(send_record<gw::voice_state>(r), on_failure(r));
  } else if (kind == "roles") {
    self->request(p, ask_timeout, cache_role_atom::value, g, id)
      .then(send_record<gw::role>(r), on_failure(r));
  } else {
    member_route(self, d, g, id, r);
  }
}

/// GET /discord/users: every partition's user count, summed.
void user_count_route(self_ptr self, const read_api_deps& d, const http_responder_ptr& r) {
  struct tally {
    std::size_t pending = 0;
    std::uint64_t users = 0;
  };
  auto t = std::make_shared<tally>();
  t->pending = d.partitions.size();
  const auto user_slot = cache_slot(gw::cache_type::user);
  for (const auto& p : d.partitions) {
    // The responder keeps the first answer, so one failed partition answers 503 once.
    self->request(p, ask_timeout, cache_counts_atom::value)
      .then(
        [r, t, user_slot](const cache_counts& c) {
          t->users += c.entities[user_slot];
          if (--t->pending == 0) {
            std::string out{"{\"users\":"};
            proto::json_text::append_uint(out, t->users);
            out.push_back('}');
            reply(r, 200, std::move(out));
          }
        },
        on_failure(r));
  }
}

/// Routes under /discord; path[0] == "discord".
void discord_routes(self_ptr self, const read_api_deps& d, const ports::http_request& req,
                    const std::vector<string_view>& path, const http_responder_ptr& r) {
  const auto n = path.size();
  if (n >= 3 && path[1] == "guilds")
    return guild_routes(self, d, req, path, r);
  if (n < 2 || n > 3 || path[1] != "users")
    return reply_error(r, 404, "not found");
  if (req.method != "GET")
    return reply_error(r, 405, "method not allowed");
  if (n == 2)
    return user_count_route(self, d, r);
  auto id = proto::parse_snowflake(path[2]);
  if (!id)
    return reply_error(r, 400, "user id is not a snowflake");
  self->request(partition_for(d, *id), ask_timeout, cache_user_atom::value, *id)
    .then(send_record<gw::user>(r), on_failure(r));
}

} // namespace

bool is_read_api_path(const std::string& target) {
  auto path = split_path(target);
  return !path.empty() && (path[0] == "discord" || path[0] == "services");
}

void serve_read_api(http_api_actor::pointer self, const read_api_deps& deps,
                    const ports::http_request& req, http_responder_ptr r) {
  string_view auth = req.authorization;
  if (auth.empty())
    return reply_error(r, 401, "missing Authorization: <gateway.secret>");
  if (deps.secret.empty() || !proto::secure_equals(auth, deps.secret))
    return reply_error(r, 403, "invalid secret");
  auto path = split_path(req.target);
  if (path.size() == 1 && path[0] == "services") {
    if (req.method != "GET")
      return reply_error(r, 405, "method not allowed");
    if (!deps.services)
      return reply_error(r, 503, "services unavailable");
    self->request(deps.services, ask_timeout, services_atom::value)
      .then([r](const std::vector<service_info>& xs) { reply(r, 200, encode_services(xs)); },
            on_failure(r));
    return;
  }
  if (path.empty() || path[0] != "discord")
    return reply_error(r, 404, "not found");
  if (deps.partitions.empty())
    return reply_error(r, 503, "cache unavailable");
  discord_routes(self, deps, req, path, r);
}

std::string encode_services(const std::vector<service_info>& services) {
  namespace jt = proto::json_text;
  std::string out{"["};
  for (std::size_t i = 0; i < services.size(); ++i) {
    const auto& s = services[i];
    out.append(i == 0 ? "{\"id\":" : ",{\"id\":");
    jt::append_uint(out, s.id);
    out.append(",\"type\":");
    jt::append_string(out, gw::to_string(s.type));
    out.append(",\"heapUsed\":");
    jt::append_uint(out, s.heap_used);
    out.append(",\"startTime\":");
    if (s.start_time_ms < 0)
      out.push_back('-');
    jt::append_uint(out, static_cast<std::uint64_t>(s.start_time_ms < 0 ? -s.start_time_ms
                                                                          : s.start_time_ms));
    if (s.shards) {
      out.append(",\"shards\":[");
      for (std::size_t k = 0; k < s.shards->size(); ++k) {
        if (k != 0)
          out.push_back(',');
        jt::append_uint(out, (*s.shards)[k]);
      }
      out.push_back(']');
    }
    if (s.guilds) {
      out.append(",\"guilds\":");
      jt::append_uint(out, *s.guilds);
    }
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

} // namespace coord::actors
