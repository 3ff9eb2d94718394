#include "store/database.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>
#include <thread>

namespace coord::store {

namespace {

// what() must stay one line even if a path or a trigger message carries a newline.
std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

} // namespace

database::database(const std::string& path) : path_(path) {
  namespace fs = std::filesystem;
  // SQLite creates the file but not its directory; a parent that cannot be a directory
  // (say, a regular file) must fail here, at open, not at the first write.
  const auto parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      fail("open", "cannot create directory \"" + parent.string() + "\": " + ec.message());
    if (!fs::is_directory(parent, ec))
      fail("open", "\"" + parent.string() + "\" is not a directory");
  }
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    // The handle is allocated even on failure (unless out of memory) and must be closed.
    std::string detail = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    fail("open", detail);
  }
  db_ = handle;
  sqlite3_extended_result_codes(db_, 1);
}

void database::set_busy_wait(std::chrono::milliseconds timeout) {
  busy_timeout_ = timeout;
  sqlite3_busy_handler(db_, &database::on_busy, this);
}

int database::on_busy(void* self, int count) noexcept {
  // SQLite calls this while the lock is taken elsewhere (an operator's sqlite3 shell, a
  // backup); returning 0 makes the statement fail as busy. Sleeping in 10 ms steps keeps a
  // shutdown from waiting out the whole timeout on every queued write.
  constexpr auto step = std::chrono::milliseconds(10);
  auto* db = static_cast<database*>(self);
  if (db->stop_waiting_.load(std::memory_order_acquire) || count * step >= db->busy_timeout_)
    return 0;
  std::this_thread::sleep_for(step);
  return db->stop_waiting_.load(std::memory_order_acquire) ? 0 : 1;
}

database::~database() {
  // sqlite3_close refuses while statements are still prepared: finalize them first.
  for (auto& [sql, stmt] : statements_)
    sqlite3_finalize(stmt);
  statements_.clear();
  sqlite3_close(db_);
}

void database::exec(const char* sql, const char* op) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    fail_sqlite(op);
}

statement database::query(const char* sql, const char* op) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    // PERSISTENT: these live for the whole connection, so SQLite may keep them off its
    // short-lived lookaside memory.
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr)
        != SQLITE_OK)
      fail_sqlite(op);
    it = statements_.emplace(sql, stmt).first;
  }
  return statement(*this, it->second, op);
}

void database::fail(std::string_view op, std::string_view detail) const {
  std::string msg = "cannot ";
  msg.append(op).append(" store \"").append(path_).append("\": ").append(detail);
  throw store_error(one_line(std::move(msg)));
}

void database::fail_sqlite(std::string_view op) const {
  fail(op, sqlite3_errmsg(db_));
}

bool database::autocommit() const noexcept {
  return sqlite3_get_autocommit(db_) != 0;
}

int database::changes() const noexcept {
  return sqlite3_changes(db_);
}

// --- statement ---------------------------------------------------------------------------

statement::~statement() {
  // Reset so the next user starts clean and no read lock is held; the return code repeats
  // the last step's error, which was already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

statement& statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
    db_.fail_sqlite(op_);
  return *this;
}

statement& statement::bind_text(int index, std::string_view text) {
  // A null data pointer would bind NULL, not the empty string.
  const char* data = text.data() != nullptr ? text.data() : "";
  if (sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8)
      != SQLITE_OK)
    db_.fail_sqlite(op_);
  return *this;
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW)
    return true;
  if (rc == SQLITE_DONE)
    return false;
  db_.fail_sqlite(op_);
}

void statement::run() {
  while (step()) {
  }
}

std::int64_t statement::column_int64(int col) const noexcept {
  return sqlite3_column_int64(stmt_, col);
}

std::string statement::column_text(int col) const {
  // column_text first, then column_bytes: the documented order for a UTF-8 length.
  const auto* text = sqlite3_column_text(stmt_, col);
  const int bytes = sqlite3_column_bytes(stmt_, col);
  if (text == nullptr)
    return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(bytes));
}

// --- transaction -------------------------------------------------------------------------

transaction::transaction(database& db, const char* op) : db_(db), op_(op) {
  // IMMEDIATE takes the write lock now, so a read-only file or a busy writer fails here
  // rather than half way through the work.
  db_.query("BEGIN IMMEDIATE", op_).run();
  open_ = true;
}

transaction::~transaction() {
  rollback();
}

void transaction::commit() {
  try {
    db_.query("COMMIT", op_).run();
  } catch (...) {
    // A failed COMMIT (busy, disk full, I/O) can leave the transaction open.
    rollback();
    throw;
  }
  open_ = false;
  ++db_.commits_;
}

void transaction::rollback() noexcept {
  if (!open_)
    return;
  open_ = false;
  // Some errors (I/O, full disk) already rolled back; a second ROLLBACK would only fail.
  if (!db_.autocommit())
    sqlite3_exec(db_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

} // namespace coord::store
