#include "actors/console/console_render.hpp"

#include "actors/console/info_render.hpp"

#include <algorithm>

namespace coord::actors {

namespace {

const char* yes_no(bool b) { return b ? "yes" : "no"; }

/// " key=value" for each field, values escaped and spaces turned into '_' so each item
/// stays one line of space-separated words.
std::string words(const summary_fields& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    auto value = escape_value(v);
    std::replace(value.begin(), value.end(), ' ', '_');
    out += " " + k + "=" + value;
  }
  return out;
}

} // namespace

std::string render_help() {
  return "help                  this list\n"
         "info [section]        server, sessions, stats, store, music (all when omitted)\n"
         "actors                every actor: name, id, mailbox size, state\n"
         "sessions [dialect]    sessions, optionally of companion, gateway or voice\n"
         "session <id>          one session: protocol state, queue, messages, last heartbeat\n"
         "shards                shard -> sharder session\n"
         "guild <id>            a guild's settings\n"
         "supporters            supporter ids\n"
         "stats                 music and session counts (as GET /api/v1/stats)\n"
         "kick <id> [code]      close a session (code 1000 or 3000-4999, default 1000)\n"
         "cluster               cluster mode: node id, role, active node, lease, nodes\n"
         "auth <password>       authenticate (a console not on loopback requires it)\n"
         "quit                  close this connection\n";
}

std::string render_sessions(std::vector<session_info> sessions,
                            std::optional<ports::dialect> only) {
  if (only)
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(),
                                  [&](const session_info& s) { return s.dialect != *only; }),
                   sessions.end());
  std::sort(sessions.begin(), sessions.end(),
            [](const session_info& a, const session_info& b) { return a.id < b.id; });
  std::string out = "sessions:" + std::to_string(sessions.size()) + "\n";
  for (const auto& s : sessions)
    out += "id=" + std::to_string(s.id) + " dialect=" + ports::to_string(s.dialect) +
           " state=" + s.state + " remote=" + escape_value(s.remote) + " receiving=" + yes_no(s.receiving) +
           " queued_bytes=" + std::to_string(s.queued_bytes) +
           " messages_in=" + std::to_string(s.messages_in) +
           " messages_out=" + std::to_string(s.messages_out) + "\n";
  return out;
}

std::string render_session(const session_info& info, const std::optional<actor_summary>& actor) {
  std::string out;
  out += "id:" + std::to_string(info.id) + "\n";
  out += std::string("dialect:") + ports::to_string(info.dialect) + "\n";
  out += "remote:" + escape_value(info.remote) + "\n";
  out += std::string("receiving_broadcasts:") + yes_no(info.receiving) + "\n";
  out += "queued_bytes:" + std::to_string(info.queued_bytes) + "\n";
  out += "messages_in:" + std::to_string(info.messages_in) + "\n";
  out += "messages_out:" + std::to_string(info.messages_out) + "\n";
  if (info.replays) { // an identified gateway session (SPEC §4.9)
    out += "last_s:" + std::to_string(info.last_s) + "\n";
    out += "replay_events:" + std::to_string(info.replay_events) + "\n";
    out += "replay_bytes:" + std::to_string(info.replay_bytes) + "\n";
    out += "resumable_in_ms:" +
           (info.resumable_in_ms < 0 ? std::string{"-"} : std::to_string(info.resumable_in_ms)) +
           "\n";
  }
  if (info.state == "resumable") {
    out += "state:resumable\n"; // no connection, so no session actor to ask
    return out;
  }
  if (!actor) {
    out += "actor:no answer\n";
    return out;
  }
  out += "actor:" + escape_value(actor->name) + "\n";
  out += "actor_id:" + std::to_string(actor->id) + "\n";
  out += "mailbox:" + std::to_string(actor->mailbox) + "\n";
  for (const auto& [k, v] : actor->fields)
    out += k + ":" + escape_value(v) + "\n";
  return out;
}

std::string render_actors(const std::vector<actor_summary>& actors) {
  std::string out = "actors:" + std::to_string(actors.size()) + "\n";
  for (const auto& a : actors)
    out += "name=" + escape_value(a.name) + " id=" + std::to_string(a.id) +
           " mailbox=" + (a.answered ? std::to_string(a.mailbox) : std::string("?")) +
           words(a.fields) + "\n";
  return out;
}

std::string render_guild(const proto::guild_settings& s) {
  std::string out;
  out += "guild_id:" + std::to_string(s.guild_id) + "\n";
  out += "prefix:" + escape_value(s.prefix) + "\n";
  out += "dj_role_id:" + std::to_string(s.dj_role_id) + "\n";
  out += "voice_channel_id:" + std::to_string(s.voice_channel_id) + "\n";
  out += "music_channel_id:" + std::to_string(s.music_channel_id) + "\n";
  out += std::string("music_enabled:") + yes_no(s.music_enabled) + "\n";
  return out;
}

std::string render_supporters(std::vector<std::uint64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::string out = "supporters:" + std::to_string(ids.size()) + "\n";
  for (auto id : ids)
    out += std::to_string(id) + "\n";
  return out;
}

std::string render_stats(const music_snapshot& music, const metrics::registry& metrics) {
  std::string out;
  out += "music_playing:" + std::to_string(music.playing) + "\n";
  out += "music_shards:" + std::to_string(music.shards.size()) + "\n";
  for (const auto& s : music.shards)
    out += "shard_" + std::to_string(s.shard_id) + ":playing=" + std::to_string(s.playing_music) +
           ",updated_at=" + std::to_string(s.updated_at_ms) + "\n";
  out += "services:0\n";
  for (std::size_t d = 0; d < metrics::dialects; ++d)
    out += std::string("sessions_") + metrics::dialect_names[d] + ":" +
           std::to_string(metrics.sessions[d].value()) + "\n";
  return out;
}

std::string render_shards(const shard_plan& plan) {
  static constexpr const char* states[] = {"owned", "held", "free"};
  std::string out = "shards:" + std::to_string(plan.shard_count) + "\nshare:"
                    + std::to_string(plan.share) + "\nmax_concurrency:"
                    + std::to_string(plan.max_concurrency) + "\ngrants:"
                    + std::to_string(plan.grants) + '\n';
  for (const auto& s : plan.shards) {
    out += "shard=" + std::to_string(s.shard) + " state=" + states[static_cast<int>(s.status)];
    if (s.owner != 0)
      out += " session=" + std::to_string(s.owner);
    if (s.status == shard_status::held)
      out += " release_in_ms=" + std::to_string(s.release_in_ms);
    out += '\n';
  }
  for (const auto& b : plan.buckets)
    if (!b.waiting.empty() || b.next_grant_in_ms > 0)
      out += "bucket=" + std::to_string(b.bucket) + " waiting="
             + std::to_string(b.waiting.size()) + " next_grant_in_ms="
             + std::to_string(b.next_grant_in_ms) + '\n';
  return out;
}

} // namespace coord::actors

namespace coord::actors {

std::string render_cluster(const cluster_info& c) {
  std::string out;
  // Node ids and URLs come from etcd, where any program may write: one line each, always.
  out += "node_id:" + escape_value(c.node_id) + "\n";
  out += "role:" + c.role + "\n";
  out += "active:" + (c.active_node.empty() ? std::string{"-"} : escape_value(c.active_node))
         + "\n";
  out += "active_url:" + (c.active_url.empty() ? std::string{"-"} : escape_value(c.active_url))
         + "\n";
  out += "lease_left_ms:" + std::to_string(c.lease_left_ms) + "\n";
  out += "revision:" + std::to_string(c.revision) + "\n";
  out += "failovers:" + std::to_string(c.failovers) + "\n";
  out += "nodes:" + std::to_string(c.nodes.size()) + "\n";
  for (const auto& [id, url] : c.nodes)
    out += "node:" + escape_value(id) + " " + escape_value(url) + "\n";
  return out;
}

std::string render_not_clustered() {
  return "ERR not in cluster mode (cluster.etcd is empty)";
}

} // namespace coord::actors
