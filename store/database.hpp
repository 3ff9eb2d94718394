#pragma once
// A small RAII wrapper over one sqlite3 connection: prepared statements cached by their SQL
// text, a statement cursor that resets itself after use, and a transaction guard.
// Single-threaded by design: the store actor is the only user.

#include "store/store_error.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

// Declared here so that users of the store never include sqlite3.h.
struct sqlite3;
struct sqlite3_stmt;

namespace coord::store {

class statement;

/// One open SQLite connection and its cache of prepared statements.
class database {
public:
  /// Opens or creates the file at `path`, creating missing parent directories.
  explicit database(const std::string& path);
  /// Finalizes every cached statement, then closes the connection.
  ~database();

  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Runs `sql` (one or more statements, result rows ignored); `op` names it in errors.
  void exec(const char* sql, const char* op);

  /// The cached statement for `sql`, prepared on first use; `op` names it in errors.
  statement query(const char* sql, const char* op);

  /// Throws store_error: `cannot <op> store "<path>": <detail>`.
  [[noreturn]] void fail(std::string_view op, std::string_view detail) const;

  /// Throws store_error carrying the connection's last error message.
  [[noreturn]] void fail_sqlite(std::string_view op) const;

  /// True while no transaction is open.
  bool autocommit() const noexcept;

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const noexcept;

  /// Transactions committed through this connection's transaction guards.
  std::uint64_t commits() const noexcept { return commits_; }

  /// The path given at open.
  const std::string& path() const noexcept { return path_; }

  /// While another connection holds the lock, statements wait up to `timeout` for it (in
  /// short sleeps), unless stop_waiting() is called: then every wait gives up at once.
  void set_busy_wait(std::chrono::milliseconds timeout);
  /// Thread-safe: busy waits end now and from now on (a statement then fails as busy).
  void stop_waiting() noexcept { stop_waiting_.store(true, std::memory_order_release); }

private:
  friend class transaction;
  static int on_busy(void* self, int count) noexcept;

  std::string path_;
  sqlite3* db_ = nullptr;
  std::chrono::milliseconds busy_timeout_{0};
  std::atomic<bool> stop_waiting_{false};
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::uint64_t commits_ = 0;
};

/// A cached prepared statement in use: bind, step, read; reset and unbound on destruction.
class statement {
public:
  /// Wraps `stmt`, owned by `db`'s cache; `op` names the operation in errors.
  statement(database& db, sqlite3_stmt* stmt, const char* op) noexcept
      : db_(db), stmt_(stmt), op_(op) {}
  /// Resets the statement and clears its bindings for the next user.
  ~statement();

  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  /// Binds a 64-bit integer to the 1-based parameter `index`.
  statement& bind(int index, std::int64_t value);
  /// Binds UTF-8 text by its byte length (never NULL, even when empty).
  statement& bind_text(int index, std::string_view text);

  /// Steps once: true when a row is ready, false when done; throws store_error on failure.
  bool step();
  /// Steps to the end, ignoring any rows.
  void run();

  /// Column `col` (0-based) of the current row as an integer.
  std::int64_t column_int64(int col) const noexcept;
  /// Column `col` of the current row as text, by its byte length.
  std::string column_text(int col) const;

private:
  database& db_;
  sqlite3_stmt* stmt_;
  const char* op_;
};

/// Begins an IMMEDIATE transaction; rolls it back on destruction unless committed.
class transaction {
public:
  /// `op` names the operation in errors (e.g. "save settings to").
  transaction(database& db, const char* op);
  /// Rolls back unless committed.
  ~transaction();

  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  /// Commits (counted in database::commits()); on failure rolls back and throws store_error.
  void commit();

private:
  void rollback() noexcept;

  database& db_;
  const char* op_;
  bool open_ = false;
};

} // namespace coord::store
