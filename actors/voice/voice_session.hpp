#pragma once
// One voice session (SPEC.md §5): password, HELLO, heartbeats, IDENTIFY and resume through
// the voice registry, voice clients from the bot's Discord voice events. States: connected
// (HELLO sent; only some ops before IDENTIFY) -> identified -> closing; a wrong password starts
// in closing.

#include "actors/messages.hpp"
#include "actors/session/session_core.hpp"
#include "metrics/registry.hpp"
#include "proto/voice_codec.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <map>
#include <optional>

namespace coord::actors {

/// What a voice session needs to know of the rest of the node.
struct voice_deps {
  std::string password;                  ///< voice.password (the Authorization header)
  std::string version;                   ///< coordinator version for HELLO
  double heartbeat_interval = 15.0;      ///< voice.heartbeat_interval_s, sent in HELLO
  caf::timespan idle_timeout = std::chrono::seconds(60); ///< voice.idle_timeout_s; 0 = off
  std::uint32_t messages_per_minute = 0; ///< limits.messages_per_minute, 0 = off
  broker_actor broker;
  voice_registry_actor registry;
  heartbeat_monitor_actor monitor;
  metrics::registry* metrics = nullptr;
  /// voice.resumed_form: RESUMED as the clients parse it (map) or as the seed shows it
  proto::voice::resumed_form resumed_form = proto::voice::resumed_form::map;
};

struct voice_session_state {
  static inline const char* name = "voice_session";
  session_core core;
  voice_deps deps;
  std::uint64_t user_id = 0;
  std::string key; ///< the registry key once identified
  /// The bot's latest voice channel per guild (VOICE_STATE_UPDATE for its own user).
  std::map<std::uint64_t, std::uint64_t> channels;
  /// This key's voice clients by guild: a mirror of the registry, which keeps them when the
  /// connection ends.
  std::map<std::uint64_t, proto::voice::voice_client> clients;
  std::uint64_t next_client = 0; ///< voice client ids are "<session id>-<n>"
  std::uint64_t ignored_ops = 0; ///< frames with an op not served, or without a string op

  /// Queues one text frame.
  void send(std::string text);
};

/// The actor behind one /ws websocket. `authorized`: the upgrade's Authorization header
/// matched voice.password.
voice_session_actor::behavior_type
voice_session(voice_session_actor::stateful_pointer<voice_session_state> self,
              connection_ptr conn, bool authorized, voice_deps deps);

/// Checks the password, spawns the session actor, registers it with the broker and returns
/// the sink net/ feeds its frames into.
std::shared_ptr<ports::session_sink> open_voice_session(caf::actor_system& sys,
                                                      connection_ptr conn,
                                                      const ports::upgrade_request& req,
                                                      const voice_deps& deps);

} // namespace coord::actors
