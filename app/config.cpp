#include "app/config.hpp"

#include <caf/config_option_adder.hpp>

#include <spdlog/common.h>

#include <arpa/inet.h>
#include <netinet/in.h>

namespace coord::app {

config::config() {
  // Two scheduler threads on the 2-core target machine unless told otherwise.
  set("scheduler.max-threads", 2);
  opt_group{custom_options_, "coordinator"}
    .add(host, "host", "address of the HTTP + websocket listener")
    .add(port, "port", "port of the HTTP + websocket listener (0 = pick a free one)")
    .add(io_threads, "io_threads", "threads running the network io");
  opt_group{custom_options_, "limits"}
    .add(max_frame_bytes, "max_frame_bytes", "largest websocket message accepted (else 1009)")
    .add(outbound_queue_bytes, "outbound_queue_bytes",
         "bytes queued to one session before it is closed with 4009")
    .add(messages_per_minute, "messages_per_minute",
         "companion/voice messages per minute before 4008 (0 = off)")
    .add(max_sessions, "max_sessions", "websocket sessions before upgrades answer 503")
    .add(handshake_timeout_s, "handshake_timeout_s",
         "seconds a connection may take to finish its HTTP request or upgrade")
    .add(max_body_bytes, "max_body_bytes", "largest HTTP body accepted (else 413)");
  opt_group{custom_options_, "companion"}
    .add(companion_key, "key", "the key every companion payload must carry")
    .add(default_prefix, "default_prefix", "prefix of a guild with nothing stored")
    .add(ping_interval, "ping_interval", "websocket ping period; two unanswered: close 4007")
    .add(stats_stale_after, "stats_stale_after",
         "an op 5 report stops counting after this long without a new one");
  opt_group{custom_options_, "gateway"}
    .add(gateway_secret, "secret",
         "secret services identify with, and the Authorization of /discord and /services "
         "(empty: refused)")
    .add(gateway_heartbeat_interval_ms, "heartbeat_interval_ms",
         "heartbeat interval announced in HELLO; 1.5x: request, 2x: close 4007")
    .add(gateway_messages_per_minute, "messages_per_minute",
         "gateway messages per minute before 4008 (0 = off: sharders stream the cache)")
    .add(gateway_shard_count, "shard_count", "shards handed out to sharders")
    .add(gateway_sharders, "sharders", "sharders expected; each gets ceil(shard_count/sharders)")
    .add(gateway_shard_release_s, "shard_release_s",
         "seconds a gone sharder's shards wait for it before returning to the pool")
    .add(gateway_max_concurrency, "max_concurrency",
         "identify buckets (shard % max_concurrency), one grant per bucket per 5 s")
    .add(gateway_command_buffer, "command_buffer",
         "commands kept while no commands service is connected")
    .add(gateway_command_buffer_ttl_s, "command_buffer_ttl_s",
         "seconds a kept command waits before it is dropped")
    .add(gateway_resume_window_s, "resume_window_s",
         "seconds a dropped service's session stays resumable (0 = resume off)")
    .add(gateway_resume_buffer_events, "resume_buffer_events",
         "op 2 frames kept per session for a resume")
    .add(gateway_resume_buffer_bytes, "resume_buffer_bytes",
         "wire bytes of op 2 frames kept per session for a resume")
    .add(gateway_command_grace_ms, "command_grace_ms",
         "milliseconds a dropped worker keeps its guilds before its commands go elsewhere");
  opt_group{custom_options_, "voice"}
    .add(voice_password, "password", "Authorization header music nodes must send on /ws "
                                     "(empty: every voice session is refused)")
    .add(voice_heartbeat_interval_s, "heartbeat_interval_s",
         "heartbeat interval announced in HELLO, seconds")
    .add(voice_idle_timeout_s, "idle_timeout_s", "seconds without a message before 4007")
    .add(voice_vc_timeout_s, "vc_timeout_s",
         "seconds a closed voice session's voice clients are kept for a resume")
    .add(voice_resumed_form, "resumed_form",
         "RESUMED's voice_clients: map (what discodo's clients parse) or pairs (the seed's)");
  opt_group{custom_options_, "admin"}.add(admin_token, "token",
                                           "bearer token of /api/v1 (empty: API refused)");
  opt_group{custom_options_, "store"}.add(store_path, "path", "SQLite file of the settings");
  opt_group{custom_options_, "log"}.add(
    log_level, "level", "trace, debug, info, warn, error, critical or off");
  opt_group{custom_options_, "cluster"}
    .add(cluster_etcd, "etcd",
         "comma-separated etcd client URLs (http://host:port); empty = a single node")
    .add(cluster_node_id, "node_id", "this node's name in the cluster (default host:port)")
    .add(cluster_advertise_url, "advertise_url",
         "the URL clients use for this node (default ws://<coordinator.host>:<port>)")
    .add(cluster_lease_ttl_s, "lease_ttl_s",
         "seconds of the node's etcd lease: a lost active is replaced within this + 2 s")
    .add(cluster_prefix, "prefix", "etcd key prefix of this cluster's keys");
  opt_group{custom_options_, "console"}
    .add(console_host, "host", "address of the debug console (loopback only by default)")
    .add(console_port, "port", "port of the debug console (0 = pick a free one)")
    .add(console_password, "password",
         "password the console asks for with `auth` (required when host is not loopback)");
}

std::string config::validate() const {
  if (host.empty())
    return "coordinator.host must not be empty";
  if (io_threads < 1 || io_threads > 64)
    return "coordinator.io_threads must be between 1 and 64";
  if (max_frame_bytes < 128)
    return "limits.max_frame_bytes must be at least 128";
  if (outbound_queue_bytes < max_frame_bytes)
    return "limits.outbound_queue_bytes must be at least limits.max_frame_bytes";
  if (max_sessions < 1)
    return "limits.max_sessions must be at least 1";
  if (handshake_timeout_s < 1)
    return "limits.handshake_timeout_s must be at least 1";
  if (messages_per_minute > UINT32_MAX)
    return "limits.messages_per_minute is too large";
  if (default_prefix.empty() || default_prefix.size() > 2000)
    return "companion.default_prefix must be 1 to 2000 bytes";
  if (ping_interval.count() <= 0)
    return "companion.ping_interval must be positive";
  if (stats_stale_after.count() <= 0)
    return "companion.stats_stale_after must be positive";
  if (gateway_heartbeat_interval_ms < 100 || gateway_heartbeat_interval_ms > 3600000)
    return "gateway.heartbeat_interval_ms must be between 100 and 3600000";
  if (gateway_shard_count < 1 || gateway_shard_count > 1000000)
    return "gateway.shard_count must be between 1 and 1000000";
  if (gateway_sharders < 1 || gateway_sharders > gateway_shard_count)
    return "gateway.sharders must be between 1 and gateway.shard_count";
  if (gateway_max_concurrency < 1 || gateway_max_concurrency > 65536)
    return "gateway.max_concurrency must be between 1 and 65536";
  if (!(gateway_shard_release_s >= 0) || gateway_shard_release_s > 86400)
    return "gateway.shard_release_s must be between 0 and 86400";
  if (!(gateway_command_buffer_ttl_s > 0) || gateway_command_buffer_ttl_s > 86400)
    return "gateway.command_buffer_ttl_s must be between 0 and 86400";
  if (!(gateway_resume_window_s >= 0) || gateway_resume_window_s > 86400)
    return "gateway.resume_window_s must be between 0 and 86400";
  if (gateway_resume_buffer_events < 1 || gateway_resume_buffer_events > 1000000)
    return "gateway.resume_buffer_events must be between 1 and 1000000";
  if (gateway_resume_buffer_bytes < 1 || gateway_resume_buffer_bytes > (std::size_t{1} << 32))
    return "gateway.resume_buffer_bytes must be between 1 and 4294967296";
  if (gateway_command_grace_ms > 3600000)
    return "gateway.command_grace_ms must be at most 3600000";
  if (gateway_messages_per_minute > UINT32_MAX)
    return "gateway.messages_per_minute is too large";
  if (!(voice_heartbeat_interval_s > 0) || voice_heartbeat_interval_s > 86400)
    return "voice.heartbeat_interval_s must be between 0 and 86400";
  if (!(voice_idle_timeout_s > 0) || voice_idle_timeout_s > 86400)
    return "voice.idle_timeout_s must be between 0 and 86400";
  if (!(voice_vc_timeout_s > 0) || voice_vc_timeout_s > 86400 * 7)
    return "voice.vc_timeout_s must be between 0 and 604800";
  if (voice_resumed_form != "map" && voice_resumed_form != "pairs")
    return "voice.resumed_form must be map or pairs";
  if (cluster_lease_ttl_s < 2 || cluster_lease_ttl_s > 3600)
    return "cluster.lease_ttl_s must be between 2 and 3600";
  if (cluster_prefix.empty() || cluster_prefix.front() != '/' || cluster_prefix.back() != '/')
    return "cluster.prefix must start and end with '/'";
  for (const auto& e : etcd_endpoints())
    if (e.rfind("http://", 0) != 0 || e.size() <= 7)
      return "cluster.etcd: '" + e + "' is not an http://host:port URL";
  if (!cluster_node_id.empty() && cluster_node_id.find('/') != std::string::npos)
    return "cluster.node_id must not contain '/'";
  if (store_path.empty())
    return "store.path must not be empty";
  if (console_host.empty())
    return "console.host must not be empty";
  if (console_password.empty() && !is_loopback_host(console_host))
    return "console.password must be set when console.host (" + console_host +
           ") is not a loopback address";
  if (spdlog::level::from_str(log_level) == spdlog::level::off && log_level != "off")
    return "log.level must be one of trace, debug, info, warn, error, critical, off";
  return {};
}

std::vector<std::string> config::etcd_endpoints() const {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= cluster_etcd.size()) {
    auto comma = cluster_etcd.find(',', start);
    if (comma == std::string::npos)
      comma = cluster_etcd.size();
    auto item = cluster_etcd.substr(start, comma - start);
    auto first = item.find_first_not_of(" \t");
    auto last = item.find_last_not_of(" \t");
    if (first != std::string::npos)
      out.push_back(item.substr(first, last - first + 1));
    start = comma + 1;
  }
  return out;
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost")
    return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6))
      return true;
    // ::ffff:127.x.y.z
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

} // namespace coord::app
