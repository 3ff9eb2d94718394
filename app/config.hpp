#pragma once
// Every option of the coordinator, read by CAF from conf/coordinator.ini and the command
// line (`--section.key=value`). conf/coordinator.ini lists each with its default.

#include <caf/actor_system_config.hpp>
#include <caf/timestamp.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace coord::app {

/// The coordinator's configuration (CAF 0.17 INI sections: coordinator, limits, companion,
/// admin, store, log, console).
class config : public caf::actor_system_config {
public:
  config();

  /// Checks the values CAF cannot check by type; returns an empty string when all is well,
  /// else one line naming the bad option.
  std::string validate() const;

  /// True when the console must ask for `auth` (console.password is set).
  bool console_needs_auth() const { return !console_password.empty(); }

  /// Every option with its description (CAF's own --help lists only the global ones).
  std::string help_text() const { return custom_options_.help_text(false); }

  // [coordinator]
  std::string host = "127.0.0.1";
  std::uint16_t port = 7700;
  std::size_t io_threads = 1;
  // [limits]
  std::size_t max_frame_bytes = 1 << 20;
  std::size_t outbound_queue_bytes = 8 << 20;
  std::size_t messages_per_minute = 1200;
  std::size_t max_sessions = 20000;
  std::size_t handshake_timeout_s = 10;
  std::size_t max_body_bytes = 64 << 10;
  // [companion]
  std::string companion_key;
  std::string default_prefix = "!";
  caf::timespan ping_interval = std::chrono::seconds(30);
  caf::timespan stats_stale_after = std::chrono::seconds(90);
  // [gateway]
  std::string gateway_secret;
  std::size_t gateway_heartbeat_interval_ms = 30000;
  std::size_t gateway_messages_per_minute = 0;
  std::size_t gateway_shard_count = 1;
  std::size_t gateway_sharders = 1;
  double gateway_shard_release_s = 10;
  std::size_t gateway_max_concurrency = 1;
  std::size_t gateway_command_buffer = 10000;
  double gateway_command_buffer_ttl_s = 30;
  double gateway_resume_window_s = 60;       ///< 0: resume off (SPEC §4.9)
  std::size_t gateway_resume_buffer_events = 1024;
  std::size_t gateway_resume_buffer_bytes = 1 << 20;
  std::size_t gateway_command_grace_ms = 2000;
  // [voice]
  std::string voice_password;
  double voice_heartbeat_interval_s = 15.0;
  double voice_idle_timeout_s = 60;
  double voice_vc_timeout_s = 300;
  std::string voice_resumed_form = "map"; ///< map (the clients' form) or pairs (the seed's)
  // [admin]
  std::string admin_token;
  // [store]
  std::string store_path = "data/coordinator.db";
  // [log]
  std::string log_level = "info";
  // [cluster] (SPEC §9); etcd empty: a single node
  std::string cluster_etcd;
  std::string cluster_node_id;       ///< empty: <host name>:<port>
  std::string cluster_advertise_url; ///< empty: ws://<coordinator.host>:<real port>
  std::size_t cluster_lease_ttl_s = 5;
  std::string cluster_prefix = "/coordinator/";
  /// cluster.etcd split at commas, blanks trimmed.
  std::vector<std::string> etcd_endpoints() const;
  bool clustered() const { return !etcd_endpoints().empty(); }
  // [console]
  std::string console_host = "127.0.0.1";
  std::uint16_t console_port = 7701;
  std::string console_password;
};

/// True for an address that only this machine can reach: 127.0.0.0/8, ::1, ::ffff:127.x,
/// "localhost". Any other name counts as reachable from outside.
bool is_loopback_host(const std::string& host);

} // namespace coord::app
