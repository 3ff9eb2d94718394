#pragma once
// Shared pieces of the fault-injection tests (suite `faults`): a ledger of what was written
// and acknowledged, a gateway service client, metric scraping and waiting for a condition.

#include "tests/e2e/helpers.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace coord::test::fault {

inline constexpr const char* gateway_secret = "test-gateway-secret";
inline constexpr const char* voice_password = "test-voice-password";

/// The extra arguments every fault test node gets: gateway and voice secrets.
inline std::vector<std::string> node_args() {
  return {std::string{"--gateway.secret="} + gateway_secret,
          std::string{"--voice.password="} + voice_password};
}

/// An unsigned number from the environment, or `fallback` when unset or not a number.
inline std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0')
    return fallback;
  char* end = nullptr;
  auto n = std::strtoull(v, &end, 10);
  return *end == '\0' ? n : fallback;
}

/// GET /api/v1/supporters as a set of decimal strings.
inline std::set<std::string> supporter_set(std::uint16_t port) {
  auto body = body_json(admin(port, "GET", "/api/v1/supporters"));
  std::set<std::string> out;
  for (auto& id : body.at("supporterIds").as_array())
    out.insert(std::string(id.as_string()));
  return out;
}

/// What the tests know of one stored key. Exactly one thread writes a key, one write at a
/// time, so write i+1 is sent only after write i was acknowledged.
struct key_history {
  std::string initial;             ///< the value before any write
  std::vector<std::string> values; ///< values[i]: what write i stores
  int acked = -1;                  ///< last write acknowledged to its writer
  int observed = -1;               ///< last write seen in a broadcast by an observer

  int sent() const { return static_cast<int>(values.size()) - 1; }
  const std::string& value(int i) const { return i < 0 ? initial : values.at(i); }
};

/// Every write of a test, what was acknowledged and what was broadcast. Thread-safe.
///
/// "Nothing acknowledged is lost", per key: let k be the last write that was acknowledged or
/// broadcast (a broadcast promises a commit, SPEC.md §2). The stored value must be the value of
/// a write in [k, last sent]: write k itself, or the one write sent after it whose answer the
/// kill cut off (it may or may not have committed). Anything older is a lost change.
class ledger {
public:
  /// Records that write number sent()+1 of `key`, storing `value`, is about to be sent.
  void begin(const std::string& key, std::string value, const std::string& initial) {
    std::lock_guard lock(mtx_);
    auto& h = keys_[key];
    if (h.values.empty())
      h.initial = initial;
    h.values.push_back(std::move(value));
  }

  /// The last write begun on `key` was acknowledged.
  void ack(const std::string& key) {
    std::lock_guard lock(mtx_);
    auto& h = keys_.at(key);
    h.acked = h.sent();
    ++acks_;
  }

  /// A broadcast carried `value` for `key`: the latest write of that value committed.
  void observe(const std::string& key, const std::string& value) {
    std::lock_guard lock(mtx_);
    ++broadcasts_;
    auto it = keys_.find(key);
    if (it == keys_.end()) {
      stray_.push_back(key + "=" + value);
      return;
    }
    auto& h = it->second;
    if (value == h.initial)
      return; // an op 2 request answered before the first write committed
    for (int i = h.sent(); i >= 0; --i)
      if (h.values[static_cast<std::size_t>(i)] == value) {
        h.observed = std::max(h.observed, i);
        return;
      }
    stray_.push_back(key + "=" + value);
  }

  /// Empty when `stored` is allowed for `key` (see the class comment), else why not.
  std::string check(const std::string& key, const std::string& stored) {
    std::lock_guard lock(mtx_);
    auto& h = keys_.at(key);
    const int k = std::max(h.acked, h.observed);
    for (int i = h.sent(); i >= k; --i)
      if (h.value(i) == stored) {
        if (i > h.acked)
          ++unacked_committed_;
        return {};
      }
    ++lost_;
    return key + ": stored \"" + stored + "\" but write " + std::to_string(k) + " (\""
           + h.value(k) + "\") was " + (h.acked >= h.observed ? "acknowledged" : "broadcast")
           + "; last sent " + std::to_string(h.sent());
  }

  /// The keys with the given prefix (e.g. "guild:").
  std::vector<std::string> keys(const std::string& prefix) const {
    std::lock_guard lock(mtx_);
    std::vector<std::string> out;
    for (auto& [k, h] : keys_)
      if (k.compare(0, prefix.size(), prefix) == 0)
        out.push_back(k);
    return out;
  }

  std::size_t acks() const {
    std::lock_guard lock(mtx_);
    return acks_;
  }
  std::size_t broadcasts() const {
    std::lock_guard lock(mtx_);
    return broadcasts_;
  }
  std::size_t lost() const {
    std::lock_guard lock(mtx_);
    return lost_;
  }
  /// Writes whose answer never came but which were found committed.
  std::size_t unacked_committed() const {
    std::lock_guard lock(mtx_);
    return unacked_committed_;
  }
  /// Broadcasts of a value nobody wrote (must stay empty).
  std::vector<std::string> stray() const {
    std::lock_guard lock(mtx_);
    return stray_;
  }

private:
  mutable std::mutex mtx_;
  std::map<std::string, key_history> keys_;
  std::size_t acks_ = 0, broadcasts_ = 0, lost_ = 0, unacked_committed_ = 0;
  std::vector<std::string> stray_;
};

/// The ledger value of a guild's settings: prefix and djRoleId together, so a row that is
/// half one write and half another shows.
inline std::string settings_value(const std::string& prefix, std::uint64_t dj_role) {
  return prefix + "|" + std::to_string(dj_role);
}

/// settings_value of a GET /api/v1/guilds/{id}/settings body (ids as strings).
inline std::string settings_value(const boost::json::object& admin_settings) {
  return settings_value(std::string(admin_settings.at("prefix").as_string()),
                        std::stoull(std::string(admin_settings.at("djRoleId").as_string())));
}

/// A gateway service session (SPEC.md §4), uncompressed, identified as `type`.
class gateway_client {
public:
  gateway_client(std::uint16_t port, const std::string& type) : ws(port, "/gateway") {
    auto hello = next();
    BOOST_REQUIRE(hello && hello->at("op").as_int64() == 3);
    send(0, {{"type", type}, {"compress", false}, {"secret", gateway_secret}});
    for (;;) {
      auto m = next();
      BOOST_REQUIRE_MESSAGE(m, "no IDENTIFIED; closed with " << ws.close_code().value_or(0));
      if (m->at("op").as_int64() == 2 && m->at("t").as_string() == "IDENTIFIED")
        break;
    }
  }

  /// The next payload, or nullopt on timeout or close.
  std::optional<boost::json::object> next(
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto m = ws.read(timeout);
    if (!m)
      return std::nullopt;
    boost::system::error_code ec;
    auto v = boost::json::parse(m->data, ec);
    if (ec || !v.is_object())
      return std::nullopt;
    return std::move(v.as_object());
  }

  void send(int op, boost::json::object d, const char* t = nullptr) {
    boost::json::object o{{"op", op}, {"d", std::move(d)}};
    if (t != nullptr)
      o["t"] = t;
    ws.send_text(boost::json::serialize(o));
  }

  ws_client ws;
};

/// Sets or clears the immutable attribute (chattr +i) of `path`; false when the file system
/// or our privileges refuse (CAP_LINUX_IMMUTABLE is needed). Unlike a file mode it binds root,
/// and file descriptors already open: their writes fail with EPERM.
inline bool set_immutable(const std::filesystem::path& path, bool on) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  if (ok) {
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  }
  ::close(fd);
  return ok;
}

/// Clears the immutable attribute of the files it was set on, so the temp dir can go.
class immutable_guard {
public:
  immutable_guard() = default;
  ~immutable_guard() { release(); }
  immutable_guard(const immutable_guard&) = delete;
  immutable_guard& operator=(const immutable_guard&) = delete;

  /// Makes `path` immutable; false when refused.
  bool add(const std::filesystem::path& path) {
    if (!set_immutable(path, true))
      return false;
    files_.push_back(path);
    return true;
  }
  void release() {
    for (auto& f : files_)
      set_immutable(f, false);
    files_.clear();
  }

private:
  std::vector<std::filesystem::path> files_;
};

/// Holds SQLite's WAL write lock on the database `db` from this process, as another writer
/// would (an operator's `sqlite3` shell inside BEGIN IMMEDIATE, a VACUUM): an exclusive POSIX
/// lock on byte 120 of "<db>-shm" (WAL_WRITE_LOCK in SQLite's os_unix.c). The node's commits
/// then wait out its busy timeout and fail with "database is locked". Released on destruction.
class wal_write_lock {
public:
  explicit wal_write_lock(const std::filesystem::path& db)
    : fd_(::open((db.string() + "-shm").c_str(), O_RDWR | O_CLOEXEC)) {
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 120;
    fl.l_len = 1;
    locked_ = fd_ >= 0 && ::fcntl(fd_, F_SETLK, &fl) == 0;
  }
  ~wal_write_lock() { release(); }
  wal_write_lock(const wal_write_lock&) = delete;
  wal_write_lock& operator=(const wal_write_lock&) = delete;

  bool locked() const { return locked_; }
  /// Closing the descriptor drops the lock.
  void release() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
    locked_ = false;
  }

private:
  int fd_ = -1;
  bool locked_ = false;
};

/// `count` admin PATCHes of guilds `first_guild`.. (prefix "<tag><i>"), each on a thread of
/// its own, queued at the node's store: returns once the node has counted every request.
/// `statuses[i]` is the answer, 0 when the connection ended without one; join the threads.
class queued_patches {
public:
  queued_patches(std::uint16_t port, int count, int first_guild, const std::string& tag)
    : statuses(static_cast<std::size_t>(count), 0) {
    const auto before = metric(port, "coordinator_http_requests_total");
    for (int i = 0; i < count; ++i)
      threads_.emplace_back([this, port, i, first_guild, tag] {
        try {
          statuses[static_cast<std::size_t>(i)] =
            admin(port, "PATCH", "/api/v1/guilds/" + std::to_string(first_guild + i) + "/settings",
                  R"({"prefix":")" + tag + std::to_string(i) + R"("})").status;
        } catch (const std::exception&) {
          // The connection ended with the node: no answer.
        }
      });
    // Every /metrics request counts itself too.
    long long polls = 0;
    arrived = wait_until([&] {
      ++polls;
      return metric(port, "coordinator_http_requests_total") >= before + polls + count;
    });
  }
  ~queued_patches() { join(); }
  queued_patches(const queued_patches&) = delete;
  queued_patches& operator=(const queued_patches&) = delete;

  void join() {
    for (auto& t : threads_)
      if (t.joinable())
        t.join();
  }

  std::vector<unsigned> statuses;
  bool arrived = false; ///< the node counted every request within wait_until's timeout

private:
  std::vector<std::thread> threads_;
};

} // namespace coord::test::fault
