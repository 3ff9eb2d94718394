#include "app/node.hpp"

#include "actors/broker/broker.hpp"
#include "actors/broker/command_router_actor.hpp"
#include "actors/broker/service_directory.hpp"
#include "actors/cluster/cluster_node.hpp"
#include "actors/cluster/cluster_view.hpp"
#include "actors/settings/etcd_store.hpp"
#include "actors/companion/companion_session.hpp"
#include "actors/cache/entity_cache.hpp"
#include "actors/gateway/gateway_session.hpp"
#include "actors/shards/shard_planner.hpp"
#include "actors/liveness/heartbeat_monitor.hpp"
#include "actors/http/http_api.hpp"
#include "actors/settings/settings_store.hpp"
#include "actors/companion/shard_stats.hpp"
#include "actors/voice/voice_registry.hpp"
#include "actors/voice/voice_session.hpp"
#include "net/console_server.hpp"
#include "net/etcd_client.hpp"
#include "net/server.hpp"
#include "proto/errors.hpp"
#include "store/settings_repository.hpp"

#include <algorithm>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <future>

#include <unistd.h>

namespace coord::app {

namespace {

/// A config value in (fractional) seconds as a CAF timespan.
caf::timespan seconds_span(double s) {
  return std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(s));
}

} // namespace

node::node(caf::actor_system& sys, const config& cfg, metrics::registry& metrics,
           std::shared_ptr<store::settings_repository> repo)
  : sys_(sys), cfg_(cfg), metrics_(metrics), repo_(repo) {
  router_ = sys_.spawn(actors::command_router_behavior, &metrics_, cfg_.gateway_command_buffer,
                       seconds_span(cfg_.gateway_command_buffer_ttl_s));
  directory_ = sys_.spawn(actors::service_directory, actors::wall_clock{});
  actors::broker_config routing{seconds_span(cfg_.gateway_resume_window_s),
                                std::chrono::milliseconds(cfg_.gateway_command_grace_ms),
                                cfg_.gateway_resume_buffer_events,
                                // a replay must fit the outbound queue, or it would end in 4009
                                std::min(cfg_.gateway_resume_buffer_bytes,
                                         cfg_.outbound_queue_bytes)};
  if (cfg_.clustered()) {
    view_ = std::make_shared<actors::cluster_view>(true);
    metrics_.clustered = true;
    routing.view = view_;
  }
  routing.router = router_;
  routing.directory = directory_;
  broker_ = sys_.spawn(actors::broker_with, &metrics_, routing);
  if (cfg_.clustered()) {
    // Cluster mode: etcd holds the state; the store waits on nothing but messages.
    net::etcd_options eo;
    eo.endpoints = cfg_.etcd_endpoints();
    eo.request_timeout = std::chrono::milliseconds(
      std::min<std::size_t>(2000, cfg_.cluster_lease_ttl_s * 1000 / 2));
    etcd_ = std::make_shared<net::etcd_client>(std::move(eo));
    actors::etcd_store_deps sd;
    sd.client = etcd_;
    sd.keys.prefix = cfg_.cluster_prefix;
    sd.default_prefix = cfg_.default_prefix;
    sd.broker = broker_;
    sd.metrics = &metrics_;
    sd.view = view_;
    etcd_store_ = sys_.spawn(actors::etcd_store, std::move(sd));
    store_ = etcd_store_;
  } else {
    // Its writer blocks on fsync on a thread of its own; reads are answered by the front.
    store_ = actors::spawn_settings_store(sys_, std::move(repo), cfg_.default_prefix,
                                          broker_, &metrics_);
  }
  stats_ = sys_.spawn(actors::shard_stats, cfg_.stats_stale_after, &metrics_, actors::wall_clock{});
  planner_ = sys_.spawn(actors::shard_planner, static_cast<std::uint32_t>(cfg_.gateway_shard_count),
                        static_cast<std::uint32_t>(cfg_.gateway_sharders),
                        seconds_span(cfg_.gateway_shard_release_s),
                        static_cast<std::uint32_t>(cfg_.gateway_max_concurrency));
  // One cache partition per shard: more shards, more actors, no hotter mailbox.
  cache_ = actors::spawn_entity_cache(sys_, static_cast<std::uint32_t>(cfg_.gateway_shard_count),
                                      &metrics_);
  actors::http_api_deps api{cfg_.admin_token, broker_, store_, stats_, &metrics_, planner_,
                            actors::read_api_deps{cfg_.gateway_secret, cache_, directory_}, view_};
  http_api_ = sys_.spawn(actors::http_api, std::move(api));
  monitor_ = sys_.spawn(actors::heartbeat_monitor, caf::timespan{std::chrono::milliseconds(250)});
  voice_registry_ = sys_.spawn(actors::voice_registry, seconds_span(cfg_.voice_vc_timeout_s),
                               &metrics_);

  net::server_options opts;
  opts.host = cfg_.host;
  opts.port = cfg_.port;
  opts.io_threads = static_cast<unsigned>(cfg_.io_threads);
  opts.max_frame_bytes = cfg_.max_frame_bytes;
  opts.outbound_queue_bytes = cfg_.outbound_queue_bytes;
  opts.max_body_bytes = cfg_.max_body_bytes;
  opts.max_sessions = cfg_.max_sessions;
  opts.handshake_timeout = std::chrono::seconds(cfg_.handshake_timeout_s);
  opts.ping_interval[static_cast<std::size_t>(net::dialect::companion)] =
    std::chrono::duration_cast<std::chrono::milliseconds>(cfg_.ping_interval);

  actors::companion_deps companion{cfg_.companion_key,
                                   static_cast<std::uint32_t>(cfg_.messages_per_minute),
                                   broker_, store_, stats_, &metrics_};
  // Three ping intervals without a pong: 4007 (protocol.md §3.3; the latest a silent peer
  // was closed before the monitor owned it, so no client that stayed open then is closed now).
  companion.monitor = monitor_;
  companion.ping_timeout = 3 * caf::timespan{cfg_.ping_interval};
  actors::voice_deps voice;
  voice.password = cfg_.voice_password;
  voice.version = COORD_VERSION;
  voice.heartbeat_interval = cfg_.voice_heartbeat_interval_s;
  voice.resumed_form = cfg_.voice_resumed_form == "pairs" ? proto::voice::resumed_form::pairs
                                                          : proto::voice::resumed_form::map;
  voice.idle_timeout = seconds_span(cfg_.voice_idle_timeout_s);
  voice.messages_per_minute = static_cast<std::uint32_t>(cfg_.messages_per_minute);
  voice.broker = broker_;
  voice.registry = voice_registry_;
  voice.monitor = monitor_;
  voice.metrics = &metrics_;
  actors::gateway_deps gateway;
  gateway.secret = cfg_.gateway_secret;
  gateway.heartbeat_interval_ms = cfg_.gateway_heartbeat_interval_ms;
  gateway.messages_per_minute = static_cast<std::uint32_t>(cfg_.gateway_messages_per_minute);
  gateway.broker = broker_;
  gateway.directory = directory_;
  gateway.store = store_;
  gateway.planner = planner_;
  gateway.monitor = monitor_;
  gateway.cache = cache_;
  gateway.metrics = &metrics_;
  net::server_hooks hooks;
  hooks.on_open = [this, companion, voice, gateway](std::shared_ptr<net::connection> conn,
                                    const net::upgrade_request& req)
    -> std::shared_ptr<net::session_sink> {
    switch (req.dialect) {
      case net::dialect::companion:
        return actors::open_companion_session(sys_, std::move(conn), companion);
      case net::dialect::gateway:
        return actors::open_gateway_session(sys_, std::move(conn), gateway);
      case net::dialect::voice:
        return actors::open_voice_session(sys_, std::move(conn), req, voice);
      default:
        return nullptr; // not a dialect: net/ closes with 1011
    }
  };
  hooks.on_http = [this](net::http_request req, std::shared_ptr<net::http_responder> r) {
    caf::anon_send(http_api_, actors::http_atom::value, std::move(req), std::move(r));
  };
  if (view_)
    hooks.refuse_upgrade = [view = view_]() -> std::string {
      // An io thread, not an actor: the real clock.
      return view->serving(actors::cluster_view::clock::now()) ? std::string{}
                                                               : view->standby_body();
    };
  server_ = std::make_unique<net::server>(std::move(opts), std::move(hooks), metrics_);
}

void node::start_cluster() {
  if (!etcd_)
    return;
  auto port = std::to_string(server_->local_port());
  actors::cluster_deps d;
  d.client = etcd_;
  d.keys.prefix = cfg_.cluster_prefix;
  d.node_id = cfg_.cluster_node_id;
  if (d.node_id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    d.node_id = std::string{host} + ":" + port;
  }
  d.advertise_url = cfg_.cluster_advertise_url.empty() ? "ws://" + cfg_.host + ":" + port
                                                       : cfg_.cluster_advertise_url;
  d.lease_ttl = std::chrono::seconds(cfg_.cluster_lease_ttl_s);
  d.voice_ttl = std::chrono::seconds(
    std::max<std::int64_t>(1, static_cast<std::int64_t>(cfg_.voice_vc_timeout_s + 0.999)));
  d.view = view_;
  d.metrics = &metrics_;
  d.store = etcd_store_;
  d.planner = planner_;
  d.voice_registry = voice_registry_;
  d.broker = broker_;
  spdlog::info("cluster: node_id=\"{}\" advertise_url=\"{}\" etcd=\"{}\" prefix=\"{}\"",
               d.node_id, d.advertise_url, cfg_.cluster_etcd, cfg_.cluster_prefix);
  cluster_ = sys_.spawn(actors::cluster_node, std::move(d));
}

void node::stop_cluster() {
  if (!cluster_)
    return;
  // Give the lease back so a standby takes over now instead of after the TTL.
  caf::scoped_actor self{sys_};
  std::int64_t lease = 0;
  self->request(cluster_, std::chrono::seconds(1), actors::cl_info_atom::value)
    .receive([&](const actors::cluster_info& info) { lease = info.lease_id; },
             [](caf::error&) {});
  caf::anon_send_exit(cluster_, caf::exit_reason::user_shutdown);
  if (lease != 0 && etcd_) {
    std::promise<void> revoked;
    auto done = revoked.get_future();
    etcd_->call("/v3/lease/revoke", "{\"ID\":\"" + std::to_string(lease) + "\"}",
                [&revoked](net::etcd_reply) { revoked.set_value(); },
                std::chrono::milliseconds(1000));
    if (done.wait_for(std::chrono::milliseconds(1500)) != std::future_status::ready)
      spdlog::warn("cluster: lease not revoked at shutdown (etcd did not answer)");
  }
}

node::~node() {
  stop_console();
  if (server_)
    server_->stop();
}

void node::start() {
  server_->start();
  start_cluster();
  start_console();
}

std::string node::http_address() const {
  return server_->local_address();
}

void node::shutdown() {
  stop_console();
  if (view_)
    view_->set_standby(); // no new session while the old ones close
  stop_cluster();
  std::promise<void> closed;
  auto done = closed.get_future();
  server_->shutdown(proto::close::going_away, "coordinator shutting down",
                    std::chrono::seconds(3), [&closed] { closed.set_value(); });
  if (done.wait_for(std::chrono::seconds(4)) != std::future_status::ready)
    spdlog::warn("shutdown: sessions still open after the grace period");
  server_->stop();
  // Writes still queued give up on a lock held by another process instead of waiting 5 s
  // each (they were never acknowledged); writes that find the file free still commit.
  if (repo_)
    repo_->stop_waiting();
  // Every acknowledged change is already committed; exiting the store closes SQLite.
  for (auto& partition : cache_)
    caf::anon_send_exit(partition, caf::exit_reason::user_shutdown);
  auto stop = [](const auto& a) { caf::anon_send_exit(a, caf::exit_reason::user_shutdown); };
  stop(http_api_);
  stop(stats_);
  stop(voice_registry_);
  stop(monitor_);
  stop(planner_);
  // The store before the broker, as before; its SQLite writer is linked to it and ends with it.
  stop(store_);
  stop(broker_);
  stop(router_);
  stop(directory_);
  // The etcd client goes last: its io thread stops, no answer arrives after this.
  etcd_.reset();
}

} // namespace coord::app
