// Fault injection, SPEC.md §7: kill -9 at a random moment while several writers change stored
// state by every path that changes it (admin PATCH, PUT music, PUT/DELETE supporters, gateway
// GUILD_SETTINGS_UPDATE); after a restart on the same database nothing acknowledged or
// broadcast is lost. process/kill_9_right_after_an_acknowledged_change_loses_nothing kills a
// quiet node; this one kills it mid-stream, with commits and answers in flight.
//
// Rounds: COORD_FAULT_ITERATIONS (default 10); seed: COORD_FAULT_SEED (default random,
// printed). scripts/kill9_loop.sh runs many.

#include "tests/e2e/fault_traffic.hpp"

#include <csignal>
#include <memory>
#include <random>

using namespace coord::test;
using namespace coord::test::fault;

namespace {

constexpr std::size_t acks_before_kill = 12;

} // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(kill_9_mid_stream_loses_no_acknowledged_or_broadcast_change) {
  const auto rounds = static_cast<int>(env_number("COORD_FAULT_ITERATIONS", 10));
  const auto seed = env_number("COORD_FAULT_SEED", std::random_device{}());
  BOOST_TEST_MESSAGE("kill -9: rounds=" << rounds << " seed=" << seed << " (COORD_FAULT_SEED="
                                        << seed << " repeats the kill delays)");
  std::mt19937_64 rng{seed};
  std::uniform_int_distribution<int> delay_ms{0, 250};
  temp_dir dir;
  const auto db = dir.path() / "coordinator.db";
  std::vector<std::unique_ptr<ledger>> books;
  std::map<std::string, std::string> recovered; // every key of every round, as first verified
  std::size_t acks = 0, broadcasts = 0, unacked_committed = 0;
  auto started = std::chrono::steady_clock::now();
  for (int round = 0; round <= rounds; ++round) {
    node_process n{db, node_args()};
    if (round > 0) {
      // The previous round's changes, after its kill -9 and this restart.
      auto& book = *books.back();
      auto found = verify_keys(n.port(), book, "round " + std::to_string(round - 1));
      recovered.insert(found.begin(), found.end());
      acks += book.acks();
      broadcasts += book.broadcasts();
      unacked_committed += book.unacked_committed();
    }
    if (round == rounds) {
      // The last node reads every round again: no later crash changed an earlier round.
      auto supporters = supporter_set(n.port());
      for (auto& [key, value] : recovered) {
        auto now = key.rfind("sup:", 0) == 0 ? (supporters.count(key.substr(4)) ? "1" : "0")
                                             : read_key(n.port(), key);
        BOOST_TEST(now == value, key << " changed after a later crash");
      }
      break;
    }
    books.push_back(std::make_unique<ledger>());
    auto& book = *books.back();
    change_stream traffic{n.port(), round, book};
    BOOST_REQUIRE_MESSAGE(wait_until([&] { return book.acks() >= acks_before_kill; },
                                     std::chrono::seconds(10)),
                          "round " << round << ": only " << book.acks() << " acks in 10 s");
    // The fault: a random moment in the stream (a sleep on purpose, not a wait).
    auto delay = delay_ms(rng);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    traffic.fault_injected();
    n.signal(SIGKILL);
    BOOST_TEST(n.wait_exit(std::chrono::seconds(5)).value_or(-1) == 128 + SIGKILL,
               "round " << round << ": the node had exited by itself");
    traffic.join();
    for (auto& e : traffic.errors())
      BOOST_TEST(false, "round " << round << ": " << e);
    BOOST_TEST(traffic.refusals().empty(), "round " << round << ": a non-2xx answer");
    BOOST_TEST_MESSAGE("round " << round << ": killed " << delay << " ms after "
                                << acks_before_kill << " acks; acks=" << book.acks()
                                << " broadcasts seen=" << book.broadcasts());
  }
  std::size_t lost = 0;
  for (auto& b : books)
    lost += b->lost();
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST_MESSAGE("kill -9 summary: rounds=" << rounds << " seed=" << seed
                                                << " acknowledged=" << acks
                                                << " broadcasts_seen=" << broadcasts
                                                << " unacknowledged_but_committed="
                                                << unacked_committed << " lost=" << lost
                                                << " keys=" << recovered.size()
                                                << " seconds=" << secs);
  BOOST_TEST(lost == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
