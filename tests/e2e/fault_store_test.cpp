// Fault injection on the store (SPEC.md §6, §7, §8, docs/decisions.md "A failed commit"): a
// full disk, a read-only database, a write lock held by another process. Writes fail with 500
// and a JSON error, nothing failed is broadcast or stored, reads go on, the node neither
// crashes nor hangs on SIGTERM, and what was acknowledged before is intact after a restart. A
// store that cannot be written at start-up stops the node with one line and exit code 1.

#include "tests/e2e/fault_helpers.hpp"

#include <csignal>
#include <fstream>
#include <thread>

using namespace coord::test;
using namespace coord::test::fault;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* commit_failed = "store commit failed; nothing changed";
constexpr const char* failures_metric = "coordinator_store_commit_failures_total";

/// Stores guilds 1..3 (prefixes a1..a3) and supporters 1, 2 on a healthy disk, then stops.
void seed_database(const fs::path& db) {
  node_process n{db, node_args()};
  for (int g = 1; g <= 3; ++g)
    BOOST_REQUIRE_EQUAL(admin(n.port(), "PATCH", "/api/v1/guilds/" + std::to_string(g) + "/settings",
                              R"({"prefix":"a)" + std::to_string(g) + R"("})").status, 200u);
  for (int s = 1; s <= 2; ++s)
    BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/supporters/" + std::to_string(s)).status,
                        201u);
  n.signal(SIGTERM);
  BOOST_REQUIRE_EQUAL(n.wait_exit(std::chrono::seconds(5)).value_or(-1), 0);
}

/// The settings of `guild` on node `port`.
json::object settings_of(std::uint16_t port, int guild) {
  return body_json(admin(port, "GET", "/api/v1/guilds/" + std::to_string(guild) + "/settings"));
}

/// Asserts one admin write fails cleanly: 500 with the JSON error of docs/decisions.md.
void expect_commit_failure(std::uint16_t port, const std::string& method, const std::string& target,
                           const std::string& body = {}) {
  auto r = admin(port, method, target, body);
  BOOST_TEST(r.status == 500u, method << ' ' << target << " answered " << r.status << ' ' << r.body);
  if (r.status == 500u)
    BOOST_TEST(body_json(r).at("error").as_string() == commit_failed);
}

/// With the store unable to write: every kind of change fails cleanly (admin API and gateway
/// events), no companion or gateway session hears of any, reads answer the committed state,
/// and the node lives on. Tagged values ("lost-<tag>") must never appear anywhere.
void expect_clean_failures(node_process& n, ws_client& watcher, gateway_client& dashboard,
                           const std::string& tag) {
  const auto port = n.port();
  const auto failures = metric(port, failures_metric);
  expect_commit_failure(port, "PATCH", "/api/v1/guilds/1/settings",
                        R"({"prefix":"lost-)" + tag + R"("})");
  expect_commit_failure(port, "PUT", "/api/v1/guilds/1/music", R"({"enable":false})");
  expect_commit_failure(port, "PUT", "/api/v1/supporters/999");
  expect_commit_failure(port, "DELETE", "/api/v1/supporters/1");
  dashboard.send(2, {{"guildId", "2"}, {"prefix", "lost-gw-" + tag}}, "GUILD_SETTINGS_UPDATE");
  dashboard.send(2, {{"supporterId", "998"}}, "SUPPORTER_ADD");
  // The gateway has no answer to a failed change: the failure counter is the only witness.
  BOOST_TEST(wait_until([&] { return metric(port, failures_metric) >= failures + 6; }),
             "commit failures " << metric(port, failures_metric) << ", expected "
                                << failures + 6);
  // Barrier: the store answers this op 2 after the failed changes; a broadcast of any of them
  // would have reached the broker, and so this session, before it.
  watcher.send_text(companion_frame({{"op", 2}, {"guildId", 1}}));
  auto first = next_json(watcher);
  BOOST_TEST(first.at("op").as_int64() == 2, "broadcast of a failed change: " << json::serialize(first));
  BOOST_TEST(json::value_to<std::uint64_t>(first.at("guildId")) == 1u, json::serialize(first));
  BOOST_TEST(first.at("prefix").as_string() == "a1");
  // The gateway copy of a broadcast leaves the broker together with the companion one, so it
  // is already on its way: what arrives within 200 ms is all there is.
  while (auto m = dashboard.next(std::chrono::milliseconds(200))) {
    auto text = json::serialize(*m);
    BOOST_TEST(text.find("lost-") == std::string::npos, "dashboard got " << text);
  }
  BOOST_TEST(!dashboard.ws.closed(), "dashboard closed with " << dashboard.ws.close_code().value_or(0));
  // Reads answer the committed state.
  BOOST_TEST(http_request(port, "GET", "/healthz").status == 200u);
  auto g1 = settings_of(port, 1);
  BOOST_TEST(g1.at("prefix").as_string() == "a1");
  BOOST_TEST(g1.at("musicEnabled").as_bool() == true);
  BOOST_TEST(settings_of(port, 2).at("prefix").as_string() == "a2");
  BOOST_TEST((supporter_set(port) == std::set<std::string>{"1", "2"}));
  BOOST_TEST(!n.wait_exit(std::chrono::milliseconds(0)).has_value(), "the node died");
}

/// What fill_disk did: the writes acknowledged, and the first that failed (-1: none did).
struct fill_result {
  std::vector<int> acked;
  int failed_at = -1;
};

/// Writes prefix "b<i>" to guild base+i, i = 0.., until the first failure (at most 200): each
/// write before it is acknowledged and broadcast to `watcher`, the failure is a clean 500.
fill_result fill_disk(std::uint16_t port, ws_client& watcher, int base) {
  fill_result out;
  for (int i = 0; i < 200 && out.failed_at < 0; ++i) {
    auto prefix = "b" + std::to_string(i);
    auto r = admin(port, "PATCH", "/api/v1/guilds/" + std::to_string(base + i) + "/settings",
                   R"({"prefix":")" + prefix + R"("})");
    if (r.status == 200u) {
      out.acked.push_back(i);
      BOOST_TEST(next_json(watcher).at("prefix").as_string() == prefix);
      continue;
    }
    BOOST_TEST(r.status == 500u, r.body);
    BOOST_TEST(body_json(r).at("error").as_string() == commit_failed);
    out.failed_at = i;
  }
  return out;
}

/// After a restart on a healthy disk: the seeded data, none of the failed changes.
void expect_seeded_state(std::uint16_t port, const std::string& guild1_prefix) {
  BOOST_TEST(settings_of(port, 1).at("prefix").as_string() == guild1_prefix);
  BOOST_TEST(settings_of(port, 1).at("musicEnabled").as_bool() == true);
  BOOST_TEST(settings_of(port, 2).at("prefix").as_string() == "a2");
  BOOST_TEST(settings_of(port, 3).at("prefix").as_string() == "a3");
  BOOST_TEST((supporter_set(port) == std::set<std::string>{"1", "2"}));
}

/// Stops `n` with SIGTERM: exit code 0 within SPEC's 5 s; both sessions hear 1001.
void expect_clean_stop(node_process& n, ws_client& watcher, gateway_client& dashboard) {
  auto started = std::chrono::steady_clock::now();
  n.signal(SIGTERM);
  BOOST_TEST(watcher.wait_close().value_or(0) == 1001);
  BOOST_TEST(dashboard.ws.wait_close().value_or(0) == 1001);
  BOOST_TEST(n.wait_exit(std::chrono::seconds(6)).value_or(-1) == 0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                  - started).count();
  BOOST_TEST_MESSAGE("SIGTERM to exit: " << ms << " ms");
  BOOST_TEST(ms < 5000);
}

/// True when chattr +i works here (root with CAP_LINUX_IMMUTABLE on a file system with
/// attributes); the message says why not otherwise.
boost::test_tools::assertion_result immutable_supported(boost::unit_test::test_unit_id) {
  temp_dir dir;
  auto probe = dir.path() / "probe";
  std::ofstream{probe} << "x";
  if (!set_immutable(probe, true)) {
    boost::test_tools::assertion_result r{false};
    r.message() << "chattr +i refused here (needs CAP_LINUX_IMMUTABLE): skipped";
    return r;
  }
  set_immutable(probe, false);
  return true;
}

/// The one line and the exit code of a node that cannot write its store.
void expect_refused_start(const fs::path& db, const launch_options& launch, const std::string& what) {
  auto r = run_binary({std::string{"--config-file="} + COORD_SOURCE_DIR + "/conf/coordinator.ini",
                       "--coordinator.port=0", "--console.port=0", "--store.path=" + db.string()},
                      db.parent_path().parent_path(), launch);
  BOOST_TEST(r.exit_code == 1, what << ": exit code " << r.exit_code
                                     << (r.exit_code == 124 ? " (could not switch to uid 65534)" : "")
                                     << ", output: " << r.output);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, what << ": " << r.output);
  BOOST_TEST(r.output.rfind("coordinator: ", 0) == 0, what << ": " << r.output);
  BOOST_TEST(r.output.find(db.parent_path().string()) != std::string::npos, what << ": " << r.output);
  BOOST_TEST_MESSAGE(what << ": " << r.output.substr(0, r.output.size() - 1));
}

} // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(full_disk_fails_writes_cleanly_and_keeps_what_was_acknowledged) {
  temp_dir dir;
  auto db = dir.path() / "coordinator.db";
  seed_database(db);
  // No file may grow past this: room for the 32 KiB WAL index and a few WAL frames of 4 KiB.
  const std::uint64_t limit = std::max<std::uint64_t>(fs::file_size(db), 32768) + 16384;
  const launch_options full_disk{limit, std::nullopt};
  fill_result first, second;
  {
    node_process n{db, node_args(), full_disk};
    ws_client watcher{n.port(), "/companion"};
    companion_handshake(watcher);
    gateway_client dashboard{n.port(), "dashboard"};
    first = fill_disk(n.port(), watcher, 100);
    BOOST_TEST_MESSAGE("full disk: limit " << limit << " bytes, " << first.acked.size()
                                           << " writes acknowledged before the first failure");
    BOOST_REQUIRE_MESSAGE(first.failed_at >= 0, "200 writes fitted in " << limit << " bytes");
    expect_clean_failures(n, watcher, dashboard, "full");
    // Stopping while the disk is full: clean, and in time.
    expect_clean_stop(n, watcher, dashboard);
  }
  {
    // Starting on the still full disk: it starts, reads everything, and fails writes cleanly
    // once the little room the stop freed is used up again.
    node_process n{db, node_args(), full_disk};
    for (int i : first.acked)
      BOOST_TEST(settings_of(n.port(), 100 + i).at("prefix").as_string() == "b" + std::to_string(i));
    ws_client watcher{n.port(), "/companion"};
    companion_handshake(watcher);
    gateway_client dashboard{n.port(), "dashboard"};
    second = fill_disk(n.port(), watcher, 300);
    BOOST_TEST_MESSAGE("full disk, restarted: " << second.acked.size()
                                                << " more writes acknowledged before the first failure");
    BOOST_REQUIRE(second.failed_at >= 0);
    expect_clean_failures(n, watcher, dashboard, "full2");
    // Space comes back: the same node writes again, without a restart.
    BOOST_REQUIRE(set_max_file_bytes(n.pid(), std::nullopt));
    auto r = admin(n.port(), "PATCH", "/api/v1/guilds/1/settings", R"({"prefix":"after"})");
    BOOST_TEST(r.status == 200u, "after the disk has room again: " << r.status << ' ' << r.body);
    if (r.status == 200u)
      BOOST_TEST(next_json(watcher).at("prefix").as_string() == "after");
    expect_clean_stop(n, watcher, dashboard);
  }
  node_process n{db, node_args()};
  expect_seeded_state(n.port(), "after");
  for (auto [fill, base] : {std::pair{&first, 100}, std::pair{&second, 300}}) {
    for (int i : fill->acked)
      BOOST_TEST(settings_of(n.port(), base + i).at("prefix").as_string()
                 == "b" + std::to_string(i));
    BOOST_TEST(settings_of(n.port(), base + fill->failed_at).at("prefix").as_string() == "!",
               "the write answered 500 was stored");
  }
}

BOOST_AUTO_TEST_CASE(store_made_read_only_while_running_fails_writes_cleanly,
                     *boost::unit_test::precondition(immutable_supported)) {
  temp_dir dir;
  auto db = dir.path() / "coordinator.db";
  seed_database(db);
  {
    node_process n{db, node_args()};
    ws_client watcher{n.port(), "/companion"};
    companion_handshake(watcher);
    gateway_client dashboard{n.port(), "dashboard"};
    // Root ignores file modes; the immutable attribute binds root and the open descriptors.
    immutable_guard read_only;
    for (const char* suffix : {"", "-wal"})
      BOOST_REQUIRE(read_only.add(db.string() + suffix));
    expect_clean_failures(n, watcher, dashboard, "ro");
    // Stopping while the store still cannot be written: clean, and in time.
    expect_clean_stop(n, watcher, dashboard);
  }
  node_process n{db, node_args()};
  expect_seeded_state(n.port(), "a1");
}

BOOST_AUTO_TEST_CASE(unwritable_store_fails_start_up_with_one_line_and_exit_1) {
  temp_dir dir;
  auto data = dir.path() / "data";
  auto db = data / "coordinator.db";
  fs::create_directories(data);
  seed_database(db);
  // Whatever happens below, the temp dir can be removed again.
  struct restore_modes {
    fs::path dir, file;
    ~restore_modes() {
      std::error_code ec;
      fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
      fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add, ec);
    }
  } restore{data, db};
  const bool root = ::geteuid() == 0;
  // As root, the node runs as nobody so that file modes bind it; as anyone else, as itself.
  launch_options unprivileged{std::nullopt, root ? std::optional<unsigned>{65534} : std::nullopt};
  // A read-only file in a writable folder.
  fs::permissions(data, fs::perms::all);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  expect_refused_start(db, unprivileged, "read-only database file");
  // A read-only folder (the WAL and its index cannot be created next to the file).
  fs::permissions(db, fs::perms::all);
  fs::permissions(data, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read
                          | fs::perms::group_exec | fs::perms::others_read
                          | fs::perms::others_exec);
  expect_refused_start(db, unprivileged, "read-only folder, database present");
  expect_refused_start(data / "new.db", unprivileged, "read-only folder, no database yet");
  fs::permissions(data, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec
                          | fs::perms::others_read | fs::perms::others_exec);
  // The refused start with the read-only file left "-wal" and "-shm" behind, read-only too
  // (SQLite gives them the database file's mode): they need the same repair as the file, or
  // the next start fails with the same "readonly database" line (docs/reliability.md).
  for (const char* suffix : {"", "-wal", "-shm"})
    if (fs::exists(db.string() + suffix))
      fs::permissions(db.string() + suffix, fs::perms::owner_read | fs::perms::owner_write
                                              | fs::perms::group_read | fs::perms::others_read);
  // Root itself, held back by the immutable attribute where it can be set.
  {
    immutable_guard read_only;
    if (read_only.add(db))
      expect_refused_start(db, {}, "immutable database file, as " + std::string(root ? "root" : "user"));
    else
      BOOST_TEST_MESSAGE("chattr +i refused here: the immutable case is skipped");
  }
  // Nothing was damaged on the way.
  node_process n{db, node_args()};
  expect_seeded_state(n.port(), "a1");
}

BOOST_AUTO_TEST_CASE(sigterm_while_another_process_holds_the_write_lock_exits_within_5_s) {
  temp_dir dir;
  auto db = dir.path() / "coordinator.db";
  node_process n{db, node_args()};
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PATCH", "/api/v1/guilds/1/settings", R"({"prefix":"a1"})").status,
                      200u);
  ws_client watcher{n.port(), "/companion"};
  companion_handshake(watcher);
  wal_write_lock lock{db};
  BOOST_REQUIRE_MESSAGE(lock.locked(), "could not take the WAL write lock");
  // Three writes queue up at the store; each waits out SQLite's busy timeout, then fails.
  constexpr int queued = 3;
  queued_patches writers{n.port(), queued, 10, "locked"};
  BOOST_REQUIRE(writers.arrived);
  auto signalled = std::chrono::steady_clock::now();
  n.signal(SIGTERM);
  BOOST_TEST(watcher.wait_close().value_or(0) == 1001);
  auto code = n.wait_exit(std::chrono::seconds(8));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                  - signalled).count();
  BOOST_TEST_MESSAGE("SIGTERM with the write lock held elsewhere and " << queued
                     << " writes queued: " << (code ? "exit " + std::to_string(*code) : "still running")
                     << " after " << ms << " ms");
  BOOST_TEST(code.has_value(), "still running 8 s after SIGTERM (SPEC.md §8: exit within 5 s)");
  BOOST_TEST(code.value_or(-1) == 0);
  BOOST_TEST(ms < 5000, "SIGTERM to exit took " << ms << " ms (SPEC.md §8: within 5 s)");
  if (!code) {
    n.signal(SIGKILL);
    n.wait_exit(std::chrono::seconds(5));
  }
  lock.release();
  writers.join();
  auto& statuses = writers.statuses;
  node_process again{db, node_args()};
  BOOST_TEST(settings_of(again.port(), 1).at("prefix").as_string() == "a1");
  for (int i = 0; i < queued; ++i) {
    BOOST_TEST_MESSAGE("queued write " << i << " answered " << statuses[static_cast<std::size_t>(i)]);
    if (statuses[static_cast<std::size_t>(i)] == 500u)
      BOOST_TEST(settings_of(again.port(), 10 + i).at("prefix").as_string() == "!");
  }
}

BOOST_AUTO_TEST_SUITE_END()
