// The pieces of a websocket session's state that need no socket: its lifecycle
// (net/session_phase.hpp), when a ping goes out (net/ping_schedule.hpp) and the read sizes
// (net/message_buffer.hpp).

#include "net/message_buffer.hpp"
#include "net/ping_schedule.hpp"
#include "net/session_phase.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace coord::net::testing {
namespace {

using p = session_phase;
constexpr p all_phases[] = {p::handshaking, p::open,       p::close_requested,
                            p::closing,     p::close_sent, p::closed};

/// A lifecycle walked to `target` along the usual path.
void walk_to(session_lifecycle& l, p target) {
  for (p step : {p::open, p::close_requested, p::closing, p::close_sent, p::closed}) {
    if (l.phase() == target)
      return;
    BOOST_REQUIRE(l.enter(step));
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(session_lifecycle_rules)

BOOST_AUTO_TEST_CASE(a_session_goes_from_handshaking_to_closed_one_phase_at_a_time) {
  session_lifecycle l;
  BOOST_TEST(to_string(l.phase()) == std::string("handshaking"));
  BOOST_TEST(l.accepts_frames()); // nothing is sent yet, but nothing refuses either
  const auto was = l.enter(p::open);
  BOOST_REQUIRE(was);
  BOOST_TEST(to_string(*was) == std::string("handshaking"));
  BOOST_TEST(l.accepts_frames());
  BOOST_TEST(l.enter(p::close_requested).has_value());
  BOOST_TEST(!l.accepts_frames());
  BOOST_TEST(!l.close_started());
  BOOST_TEST(l.enter(p::closing).has_value());
  BOOST_TEST(l.close_started());
  BOOST_TEST(l.enter(p::close_sent).has_value());
  BOOST_TEST(!l.closed());
  BOOST_TEST(to_string(*l.enter(p::closed)) == std::string("close_sent"));
  BOOST_TEST(l.closed());
}

BOOST_AUTO_TEST_CASE(only_the_listed_transitions_are_allowed) {
  // from → the phases it may enter.
  const std::vector<std::pair<p, std::vector<p>>> table{
    {p::handshaking, {p::open, p::closed}},
    {p::open, {p::close_requested, p::closing, p::closed}},
    {p::close_requested, {p::closing, p::closed}},
    {p::closing, {p::close_sent, p::closed}},
    {p::close_sent, {p::closed}},
    {p::closed, {}},
  };
  for (const auto& [from, to_list] : table)
    for (p to : all_phases) {
      const bool expected = std::find(to_list.begin(), to_list.end(), to) != to_list.end();
      BOOST_TEST(session_lifecycle::allowed(from, to) == expected,
                 to_string(from) << " -> " << to_string(to));
      session_lifecycle l;
      walk_to(l, from);
      const auto was = l.enter(to);
      BOOST_TEST(was.has_value() == expected);
      // A refused transition changes nothing.
      BOOST_TEST((l.phase() == (expected ? to : from)));
    }
}

BOOST_AUTO_TEST_CASE(a_close_is_requested_once_however_many_threads_ask) {
  for (int round = 0; round < 50; ++round) {
    session_lifecycle l;
    l.enter(p::open);
    std::atomic<int> winners{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
      ts.emplace_back([&] {
        if (l.enter(p::close_requested))
          ++winners;
      });
    for (auto& t : ts)
      t.join();
    BOOST_TEST(winners.load() == 1);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ping_schedule_rule)

BOOST_AUTO_TEST_CASE(a_silent_peer_is_pinged_on_every_tick_and_never_given_up_by_net) {
  ping_schedule p;
  for (int i = 0; i < 10; ++i) {
    BOOST_TEST((p.on_tick(true) == ping_schedule::action::ping));
    p.on_ping_written();
  }
}

BOOST_AUTO_TEST_CASE(no_second_ping_while_one_is_being_written_nor_on_a_closed_stream) {
  ping_schedule p;
  BOOST_TEST((p.on_tick(true) == ping_schedule::action::ping));
  BOOST_TEST(p.ping_in_flight());
  BOOST_TEST((p.on_tick(true) == ping_schedule::action::skip));
  p.on_ping_written();
  BOOST_TEST((p.on_tick(true) == ping_schedule::action::ping));
  ping_schedule closed_stream;
  BOOST_TEST((closed_stream.on_tick(false) == ping_schedule::action::skip));
  BOOST_TEST(!closed_stream.ping_in_flight());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(message_read_sizes)

BOOST_AUTO_TEST_CASE(the_first_read_of_a_message_is_small_and_later_ones_are_capped) {
  BOOST_TEST(next_read_size(0, 1 << 20, 256) == 256u);
  BOOST_TEST(next_read_size(0, 1 << 20, 2048) == 2048u);
  BOOST_TEST(next_read_size(256, 1 << 20, 256) == max_read_chunk);
  BOOST_TEST(next_read_size(0, 0, 256) == 256u); // no frame limit
  BOOST_TEST(next_read_size(5000, 0, 256) == max_read_chunk);
}

BOOST_AUTO_TEST_CASE(reads_stop_one_byte_past_the_frame_limit) {
  BOOST_TEST(next_read_size(0, 100, 256) == 101u);
  BOOST_TEST(next_read_size(60, 100, 256) == 41u);
  BOOST_TEST(next_read_size(100, 100, 256) == 1u);
  BOOST_TEST(next_read_size(1000, 100, 256) == 1u); // never zero
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
