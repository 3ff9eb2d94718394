#pragma once
// The guild-settings store (SPEC.md §7): one SQLite file, WAL, synchronous=FULL, schema
// versioned with PRAGMA user_version. Every change commits before the call returns.

#include "proto/guild_settings.hpp"
#include "store/database.hpp"
#include "store/store_error.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace coord::store {

/// Owns the SQLite file holding guild settings, music toggles and supporters (SPEC.md §7).
/// Single-threaded: used only by the store actor. Every failure throws store_error and
/// leaves no transaction open.
class settings_repository {
public:
  /// The schema version this code writes and understands.
  static constexpr int schema_version_supported = 1;

  /// Opens or creates the database at `path` (creating missing parent directories), sets
  /// journal_mode=WAL, synchronous=FULL, foreign_keys=ON, a 5 s busy wait and migrates the
  /// schema. Throws store_error if the file cannot be opened or written, or if its schema
  /// is newer than this code.
  explicit settings_repository(const std::string& path);
  /// Closes the database.
  ~settings_repository();

  settings_repository(const settings_repository&) = delete;
  settings_repository& operator=(const settings_repository&) = delete;

  /// Every stored guild's settings, ascending by unsigned guild id.
  std::vector<proto::guild_settings> load_settings();
  /// Every supporter id, ascending by unsigned value.
  std::vector<std::uint64_t> load_supporters();

  /// Inserts or replaces one guild's row in its own transaction; returns after COMMIT.
  void save_settings(const proto::guild_settings& settings);
  /// true if added, false if already there; own transaction.
  bool add_supporter(std::uint64_t id);
  /// true if removed, false if it was not there; own transaction.
  bool remove_supporter(std::uint64_t id);

  /// Transactions committed by this object (the schema migration included).
  std::uint64_t commits() const noexcept;
  /// The path given at open.
  const std::string& path() const noexcept;
  /// The file's PRAGMA user_version.
  int schema_version();

  /// Thread-safe: from now on a write that finds the file locked by another process fails at
  /// once instead of waiting (shutdown must not wait out a lock per queued write).
  void stop_waiting() noexcept { db_.stop_waiting(); }

private:
  void configure();
  void migrate();
  int read_version(const char* op);
  void check_version(int version) const;

  database db_;
};

} // namespace coord::store
