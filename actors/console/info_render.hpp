#pragma once
// The console's `info` text (SPEC.md §8), Redis INFO style: `# Section` then `key:value`
// lines. Built by a pure function from values the inspector gathered, so it tests without
// actors or sockets.

#include "actors/messages.hpp"
#include "metrics/registry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coord::actors {

/// Everything `info` shows; the inspector fills it, the renderer only reads it.
struct info_input {
  // Server
  std::string version;
  std::int64_t pid = 0;
  std::int64_t uptime_s = 0;
  std::uint64_t rss_bytes = 0; ///< resident set size; 0 when unknown
  std::string http_address;
  std::string console_address;
  std::size_t io_threads = 0;
  std::size_t scheduler_threads = 0;
  // Sessions, Stats, Store (counters)
  const metrics::registry* metrics = nullptr; ///< required
  /// The broker's session list; nullopt when it did not answer in time.
  std::optional<std::vector<session_info>> sessions;
  // Store
  std::optional<store_counts> store; ///< nullopt when the store did not answer in time
  // Music
  std::optional<music_snapshot> music; ///< nullopt when shard_stats did not answer in time
};

/// The sections in order, lower case: server, sessions, stats, store, music.
const std::vector<std::string>& info_sections();

/// The `info` text of `section` (case-insensitive; "clients" is an alias of "sessions"),
/// every section when `section` is empty, "all" or "everything"; nullopt for an unknown
/// section. Each line ends with '\n'; there are no empty lines.
std::optional<std::string> render_info(const info_input& in, std::string_view section);

/// `text` safe to put on one console line: control bytes and '\\' as C-style escapes.
std::string escape_value(std::string_view text);

/// 1536 -> "1.50K" (Redis' used_memory_human style).
std::string human_bytes(std::uint64_t bytes);

} // namespace coord::actors
