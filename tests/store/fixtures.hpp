#pragma once
// Test helpers for tests/store: a fresh temporary directory removed afterwards, a raw
// sqlite3 connection for looking at a store file from the outside, small builders.

#include "proto/guild_settings.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace coord::store::test {

/// A fresh directory under the system temp directory; removed (whatever its modes) at scope end.
class temp_dir {
public:
  temp_dir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path()
            / ("coord-store-test-" + std::to_string(::getpid()) + "-"
               + std::to_string(counter++) + "-" + std::to_string(stamp));
    std::filesystem::create_directories(path_);
  }

  ~temp_dir() {
    namespace fs = std::filesystem;
    // Tests make files and directories read-only; give the owner its rights back first.
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    for (fs::recursive_directory_iterator it(path_, ec), end; !ec && it != end;
         it.increment(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// The directory.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// `name` inside the directory, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

/// A plain sqlite3 connection, independent of the code under test.
class raw_db {
public:
  explicit raw_db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK)
      throw std::runtime_error("raw open failed: " + path);
  }
  ~raw_db() { sqlite3_close(db_); }

  raw_db(const raw_db&) = delete;
  raw_db& operator=(const raw_db&) = delete;

  /// Runs `sql`; throws on error.
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err != nullptr ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw exec failed: " + msg);
    }
  }

  /// The first column of the first row of `sql` as text ("" if no row).
  std::string text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error("raw prepare failed: " + sql);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return out;
  }

private:
  sqlite3* db_ = nullptr;
};

/// Settings for `guild` with `prefix` and every other field at its default.
inline proto::guild_settings make_settings(std::uint64_t guild, std::string prefix) {
  proto::guild_settings s;
  s.guild_id = guild;
  s.prefix = std::move(prefix);
  return s;
}

/// True if `text` is one non-empty line.
inline bool is_one_line(const std::string& text) {
  return !text.empty() && text.find_first_of("\r\n") == std::string::npos;
}

/// True if `text` begins with `head`.
inline bool starts_with(const std::string& text, const std::string& head) {
  return text.compare(0, head.size(), head) == 0;
}

} // namespace coord::store::test
