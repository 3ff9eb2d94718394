// Fault injection, SPEC.md §8: SIGTERM under load. Hundreds of companion sessions, gateway
// and voice sessions, and a stream of changes (each broadcast to every session) in flight:
// every session hears 1001, the process exits 0 within 5 s, and every change acknowledged
// (or broadcast) before the process ended is there after a restart.
//
// Companion sessions: COORD_FAULT_SESSIONS (default 500).

#include "tests/e2e/fault_traffic.hpp"

#include <csignal>
#include <memory>

using namespace coord::test;
using namespace coord::test::fault;
namespace json = boost::json;

namespace {

constexpr std::size_t acks_before_sigterm = 100;
constexpr std::size_t requesters = 10;       // companion sessions that ask for op 2 broadcasts
constexpr int requests_per_requester = 50;   // each, right before the signal
constexpr int voice_sessions = 4;
constexpr unsigned closer_threads = 4;

/// Opens `count` companion sessions and completes op 1 on each (sent all at once, then read).
std::vector<std::unique_ptr<ws_client>> open_companions(std::uint16_t port, std::size_t count) {
  std::vector<std::unique_ptr<ws_client>> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(std::make_unique<ws_client>(port, "/companion"));
    out.back()->send_text(companion_frame({{"op", 1}, {"guildIds", json::array{i + 1}}}));
  }
  for (auto& c : out)
    BOOST_REQUIRE_EQUAL(next_json(*c).at("op").as_int64(), 1);
  return out;
}

/// Opens the voice sessions and identifies each.
std::vector<std::unique_ptr<ws_client>> open_voice(std::uint16_t port) {
  std::vector<std::unique_ptr<ws_client>> out;
  for (int i = 0; i < voice_sessions; ++i) {
    out.push_back(std::make_unique<ws_client>(
      port, "/ws", std::vector<std::pair<std::string, std::string>>{{"Authorization", voice_password}}));
    BOOST_REQUIRE(next_json(*out.back()).at("op").as_string() == "HELLO");
    out.back()->send_text(
      json::serialize(json::object{{"op", "IDENTIFY"}, {"d", {{"user_id", "42"}, {"shard_id", i}}}}));
    BOOST_REQUIRE(next_json(*out.back()).at("op").as_string() == "IDENTIFIED");
  }
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(sigterm_under_load_closes_every_session_with_1001_and_keeps_every_ack) {
  const auto companions = env_number("COORD_FAULT_SESSIONS", 500);
  temp_dir dir;
  const auto db = dir.path() / "coordinator.db";
  ledger book;
  {
    node_process n{db, node_args()};
    auto setup_started = std::chrono::steady_clock::now();
    auto sessions = open_companions(n.port(), companions);
    auto voice = open_voice(n.port());
    std::vector<std::unique_ptr<gateway_client>> services;
    for (const char* type : {"sharder", "commands", "dashboard", "panel", "feeds"})
      services.push_back(std::make_unique<gateway_client>(n.port(), type));
    BOOST_TEST_MESSAGE("sessions: " << companions << " companion, " << voice.size() << " voice, "
                                    << services.size() + 1 << " gateway; set up in "
                                    << std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - setup_started).count()
                                    << " ms");
    // Load: every change is broadcast to every companion (and the settings to the gateway).
    change_stream traffic{n.port(), 0, book, 3};
    BOOST_REQUIRE(wait_until([&] { return book.acks() >= acks_before_sigterm; },
                             std::chrono::seconds(10)));
    // More in flight: op 2 requests for written guilds, each broadcast to every companion.
    auto written = book.keys("guild:");
    for (std::size_t r = 0; r < requesters && r < sessions.size(); ++r) {
      auto guild = std::stoull(written.at(r % written.size()).substr(6));
      for (int i = 0; i < requests_per_requester; ++i)
        sessions[r]->send_text(companion_frame({{"op", 2}, {"guildId", guild}}));
    }
    const auto acks_at_signal = book.acks();
    traffic.fault_injected();
    auto signalled = std::chrono::steady_clock::now();
    n.signal(SIGTERM);
    // Every session reads on (the broadcasts queued before the close) to the close frame and
    // answers it; a few threads so the handshakes finish well within the node's grace period.
    std::vector<ws_client*> all;
    for (auto& c : sessions)
      all.push_back(c.get());
    for (auto& v : voice)
      all.push_back(v.get());
    for (auto& s : services)
      all.push_back(&s->ws);
    std::vector<std::optional<std::uint16_t>> codes(all.size());
    std::vector<std::thread> closers;
    for (unsigned t = 0; t < closer_threads; ++t)
      closers.emplace_back([&, t] {
        for (std::size_t i = t; i < all.size(); i += closer_threads)
          codes[i] = all[i]->wait_close(std::chrono::seconds(8));
      });
    for (auto& t : closers)
      t.join();
    auto code = n.wait_exit(std::chrono::seconds(10));
    auto exit_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - signalled).count();
    traffic.join();
    std::size_t not_1001 = 0;
    for (std::size_t i = 0; i < codes.size(); ++i)
      if (codes[i].value_or(0) != 1001 && not_1001++ < 5)
        BOOST_TEST(false, "session " << i << " closed with " << codes[i].value_or(0) << " "
                                     << all[i]->close_reason());
    BOOST_TEST(not_1001 == 0u, not_1001 << " of " << codes.size() << " sessions missed 1001");
    BOOST_TEST(traffic.observer_close().value_or(0) == 1001);
    BOOST_TEST(traffic.dashboard_close().value_or(0) == 1001);
    BOOST_TEST(code.value_or(-1) == 0, "exit code " << code.value_or(-1));
    BOOST_TEST(exit_ms < 5000);
    for (auto& e : traffic.errors())
      BOOST_TEST(false, e);
    BOOST_TEST_MESSAGE("SIGTERM under load: " << codes.size() + 2 << " sessions closed with 1001, "
                                              << "exit " << code.value_or(-1) << " after "
                                              << exit_ms << " ms; acks " << acks_at_signal
                                              << " before the signal, " << book.acks()
                                              << " in all; refused during shutdown: "
                                              << traffic.refusals().size());
  }
  node_process n{db, node_args()};
  verify_keys(n.port(), book, "after SIGTERM");
  BOOST_TEST_MESSAGE("after restart: acknowledged=" << book.acks() << " lost=" << book.lost()
                                                    << " unacknowledged_but_committed="
                                                    << book.unacked_committed());
  BOOST_TEST(book.lost() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
