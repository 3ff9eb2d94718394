#include "store/settings_repository.hpp"

#include <chrono>
#include <cstring>
#include <string>

namespace coord::store {

namespace {

// Snowflakes are unsigned 64-bit, SQLite INTEGERs signed 64-bit: ids are stored as the
// int64 with the same bits (2^64-1 is stored as -1) and turned back on the way out, so every
// id round-trips exactly. Ordering by unsigned value is therefore `ORDER BY id < 0, id`.
std::int64_t to_sql(std::uint64_t id) noexcept {
  std::int64_t out;
  std::memcpy(&out, &id, sizeof out);
  return out;
}

std::uint64_t from_sql(std::int64_t value) noexcept {
  std::uint64_t out;
  std::memcpy(&out, &value, sizeof out);
  return out;
}

std::int64_t now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr const char* schema_v1 = R"sql(
CREATE TABLE guild_settings (
  guild_id INTEGER PRIMARY KEY,
  prefix TEXT NOT NULL,
  dj_role_id INTEGER NOT NULL DEFAULT 0,
  voice_channel_id INTEGER NOT NULL DEFAULT 0,
  music_channel_id INTEGER NOT NULL DEFAULT 0,
  music_enabled INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL
);
CREATE TABLE supporters (
  supporter_id INTEGER PRIMARY KEY,
  added_at INTEGER NOT NULL
);
PRAGMA user_version = 1;
)sql";

constexpr const char* select_settings_sql =
  "SELECT guild_id, prefix, dj_role_id, voice_channel_id, music_channel_id, music_enabled "
  "FROM guild_settings ORDER BY guild_id < 0, guild_id";

constexpr const char* upsert_settings_sql =
  "INSERT INTO guild_settings (guild_id, prefix, dj_role_id, voice_channel_id, "
  "music_channel_id, music_enabled, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
  "ON CONFLICT (guild_id) DO UPDATE SET prefix = excluded.prefix, "
  "dj_role_id = excluded.dj_role_id, voice_channel_id = excluded.voice_channel_id, "
  "music_channel_id = excluded.music_channel_id, music_enabled = excluded.music_enabled, "
  "updated_at = excluded.updated_at";

constexpr const char* select_supporters_sql =
  "SELECT supporter_id FROM supporters ORDER BY supporter_id < 0, supporter_id";

constexpr const char* insert_supporter_sql =
  "INSERT INTO supporters (supporter_id, added_at) VALUES (?1, ?2) "
  "ON CONFLICT (supporter_id) DO NOTHING";

constexpr const char* delete_supporter_sql = "DELETE FROM supporters WHERE supporter_id = ?1";

} // namespace

settings_repository::settings_repository(const std::string& path) : db_(path) {
  configure();
  migrate();
}

settings_repository::~settings_repository() = default;

void settings_repository::configure() {
  // Up to 5 s for a lock held by another connection, cut short by stop_waiting().
  db_.set_busy_wait(std::chrono::milliseconds(5000));
  // A newer coordinator's file is refused before anything here touches it.
  check_version(read_version("open"));
  // WAL can be refused silently (an in-memory database, a VFS without shared memory): the
  // pragma answers with the mode actually in force.
  {
    auto q = db_.query("PRAGMA journal_mode = WAL", "open");
    const std::string mode = q.step() ? q.column_text(0) : std::string();
    if (mode != "wal")
      db_.fail("open", "journal_mode=WAL refused (mode is \"" + mode + "\")");
  }
  // FULL: in WAL mode the log is synced at every commit, so an acknowledged change
  // survives kill -9 and power loss (SPEC.md §7).
  db_.exec("PRAGMA synchronous = FULL", "open");
  db_.exec("PRAGMA foreign_keys = ON", "open");
}

void settings_repository::migrate() {
  // The version is read inside a write transaction, so two processes opening a new file at
  // once cannot both create the tables; and a file we cannot write fails here, at open.
  transaction tx(db_, "open");
  const int version = read_version("open");
  check_version(version);
  if (version == 0) {
    db_.exec(schema_v1, "migrate");
    tx.commit();
    return;
  }
  // Up to date: still prove the file is writable now rather than at the first save. The
  // write is rolled back when `tx` goes out of scope.
  db_.exec("PRAGMA user_version = 1", "open");
}

void settings_repository::check_version(int version) const {
  if (version > schema_version_supported)
    throw store_error("store schema version " + std::to_string(version)
                      + " is newer than this coordinator supports ("
                      + std::to_string(schema_version_supported) + "): \"" + db_.path()
                      + "\"");
  if (version < 0)
    db_.fail("open", "unknown schema version " + std::to_string(version));
}

std::vector<proto::guild_settings> settings_repository::load_settings() {
  std::vector<proto::guild_settings> out;
  auto q = db_.query(select_settings_sql, "load settings from");
  while (q.step()) {
    proto::guild_settings s;
    s.guild_id = from_sql(q.column_int64(0));
    s.prefix = q.column_text(1);
    s.dj_role_id = from_sql(q.column_int64(2));
    s.voice_channel_id = from_sql(q.column_int64(3));
    s.music_channel_id = from_sql(q.column_int64(4));
    s.music_enabled = q.column_int64(5) != 0;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::uint64_t> settings_repository::load_supporters() {
  std::vector<std::uint64_t> out;
  auto q = db_.query(select_supporters_sql, "load supporters from");
  while (q.step())
    out.push_back(from_sql(q.column_int64(0)));
  return out;
}

void settings_repository::save_settings(const proto::guild_settings& settings) {
  constexpr const char* op = "save settings to";
  transaction tx(db_, op);
  {
    auto q = db_.query(upsert_settings_sql, op);
    q.bind(1, to_sql(settings.guild_id))
      .bind_text(2, settings.prefix)
      .bind(3, to_sql(settings.dj_role_id))
      .bind(4, to_sql(settings.voice_channel_id))
      .bind(5, to_sql(settings.music_channel_id))
      .bind(6, settings.music_enabled ? 1 : 0)
      .bind(7, now_unix_ms());
    q.run();
  }
  tx.commit();
}

bool settings_repository::add_supporter(std::uint64_t id) {
  constexpr const char* op = "add supporter to";
  transaction tx(db_, op);
  {
    auto q = db_.query(insert_supporter_sql, op);
    q.bind(1, to_sql(id)).bind(2, now_unix_ms());
    q.run();
  }
  const bool added = db_.changes() == 1;
  tx.commit();
  return added;
}

bool settings_repository::remove_supporter(std::uint64_t id) {
  constexpr const char* op = "remove supporter from";
  transaction tx(db_, op);
  {
    auto q = db_.query(delete_supporter_sql, op);
    q.bind(1, to_sql(id));
    q.run();
  }
  const bool removed = db_.changes() == 1;
  tx.commit();
  return removed;
}

std::uint64_t settings_repository::commits() const noexcept {
  return db_.commits();
}

const std::string& settings_repository::path() const noexcept {
  return db_.path();
}

int settings_repository::schema_version() {
  return read_version("read the schema version of");
}

int settings_repository::read_version(const char* op) {
  auto q = db_.query("PRAGMA user_version", op);
  return q.step() ? static_cast<int>(q.column_int64(0)) : 0;
}

} // namespace coord::store
