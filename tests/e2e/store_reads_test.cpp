// Reads through the public surface while writes wait (docs/reliability.md): with a write lock
// held by another process and many PATCHes queued at the store, a GET answers at once with
// what is committed.

#include "tests/e2e/fault_helpers.hpp"

#include <thread>

using namespace coord::test;
using namespace coord::test::fault;

BOOST_AUTO_TEST_SUITE(store_reads)

BOOST_AUTO_TEST_CASE(reads_answer_at_once_while_writes_wait_for_the_write_lock) {
  temp_dir dir;
  auto db = dir.path() / "coordinator.db";
  node_process n{db, node_args()};
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PATCH", "/api/v1/guilds/1/settings", R"({"prefix":"a1"})").status,
                      200u);
  wal_write_lock lock{db};
  BOOST_REQUIRE_MESSAGE(lock.locked(), "could not take the WAL write lock");
  // Many writes queue up at the store; each waits on the lock held elsewhere.
  constexpr int queued = 6;
  queued_patches writers{n.port(), queued, 10, "queued"};
  BOOST_REQUIRE(writers.arrived);
  // A GET answers with what is committed, at once: it never waits behind the writes.
  auto started = std::chrono::steady_clock::now();
  auto got = admin(n.port(), "GET", "/api/v1/guilds/1/settings");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now()
                                                                  - started).count();
  BOOST_TEST_MESSAGE("GET with " << queued << " writes queued behind a held write lock: "
                     << got.status << " after " << ms << " ms");
  BOOST_TEST(got.status == 200u, got.body);
  if (got.status == 200u)
    BOOST_TEST(body_json(got).at("prefix").as_string() == "a1");
  BOOST_TEST(ms < 1000, "a GET waited " << ms << " ms behind queued writes");
  BOOST_TEST(admin(n.port(), "GET", "/api/v1/supporters").status == 200u);
  lock.release();
  writers.join();
  for (int i = 0; i < queued; ++i)
    BOOST_TEST_MESSAGE("queued write " << i << " answered "
                       << writers.statuses[static_cast<std::size_t>(i)]);
}

BOOST_AUTO_TEST_SUITE_END()
