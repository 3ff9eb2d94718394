// The replay buffer of a gateway session (SPEC.md §4.9), without actors: bounds in count and
// bytes, gap detection, the frames after a seq, and the commands taken out to route again.

#include "actors/gateway/replay_buffer.hpp"

#include <boost/test/unit_test.hpp>

using coord::actors::replay_buffer;

namespace {

replay_buffer::entry frame(std::uint64_t s, std::size_t bytes = 10) {
  return {s, coord::ports::make_buffer(std::string(bytes, 'x')), false, false, 0, nullptr};
}

replay_buffer::entry away_command(std::uint64_t s, std::uint64_t guild) {
  auto e = frame(s);
  e.away_command = true;
  e.guild = guild;
  e.json = coord::ports::make_buffer("cmd" + std::to_string(s));
  return e;
}

std::vector<std::uint64_t> seqs_after(const replay_buffer& b, std::uint64_t seq) {
  std::vector<std::uint64_t> out;
  for (const auto* e : b.after(seq))
    out.push_back(e->s);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(replay_buffer_suite)

BOOST_AUTO_TEST_CASE(frames_after_a_seq_come_in_order_with_their_own_buffers) {
  replay_buffer b{10, 1000};
  auto shared = coord::ports::make_buffer("{\"op\":2}");
  b.push({3, shared, false, false, 0, nullptr});
  b.push(frame(7));
  b.push(frame(12)); // increasing, not consecutive: one counter for the whole node
  BOOST_TEST(b.last_s() == 12u);
  BOOST_TEST((seqs_after(b, 3) == std::vector<std::uint64_t>{7, 12}));
  BOOST_TEST((seqs_after(b, 5) == std::vector<std::uint64_t>{7, 12}));
  BOOST_TEST(seqs_after(b, 12).empty());
  BOOST_TEST(b.after(0).front()->frame == shared); // the frame already made, not a copy
}

BOOST_AUTO_TEST_CASE(the_oldest_go_first_past_either_bound) {
  replay_buffer by_count{3, 1 << 20};
  for (std::uint64_t s = 1; s <= 5; ++s)
    by_count.push(frame(s));
  BOOST_TEST(by_count.size() == 3u);
  BOOST_TEST((seqs_after(by_count, 0) == std::vector<std::uint64_t>{3, 4, 5}));
  replay_buffer by_bytes{100, 25};
  for (std::uint64_t s = 1; s <= 5; ++s)
    by_bytes.push(frame(s, 10));
  BOOST_TEST(by_bytes.bytes() <= 25u);
  BOOST_TEST((seqs_after(by_bytes, 0) == std::vector<std::uint64_t>{4, 5}));
  // A frame larger than the byte bound alone is still kept (the newest always is).
  by_bytes.push(frame(6, 100));
  BOOST_TEST((seqs_after(by_bytes, 0) == std::vector<std::uint64_t>{6}));
}

BOOST_AUTO_TEST_CASE(a_resume_needs_every_frame_after_its_seq_and_no_seq_ahead) {
  replay_buffer b{2, 1 << 20};
  BOOST_TEST(b.can_resume(0));  // nothing sent yet
  BOOST_TEST(!b.can_resume(1)); // ahead of the last s
  b.push(frame(4));
  b.push(frame(9));
  BOOST_TEST(b.can_resume(0));
  BOOST_TEST(b.can_resume(4));
  BOOST_TEST(b.can_resume(9));
  BOOST_TEST(!b.can_resume(10));
  b.push(frame(11)); // 4 goes: a client that processed less than 4 has a gap
  BOOST_TEST(!b.can_resume(0));
  BOOST_TEST(!b.can_resume(3));
  BOOST_TEST(b.can_resume(4));
  BOOST_TEST(b.can_resume(9));
}

BOOST_AUTO_TEST_CASE(away_commands_are_taken_out_in_order_and_leave_no_gap) {
  replay_buffer b{10, 1 << 20};
  b.push(frame(1));
  b.push(away_command(2, 100));
  b.push(frame(3));
  b.push(away_command(4, 200));
  auto taken = b.take_away_commands();
  BOOST_REQUIRE_EQUAL(taken.size(), 2u);
  BOOST_TEST(taken[0].guild == 100u);
  BOOST_TEST(*taken[1].json == "cmd4");
  BOOST_TEST((seqs_after(b, 0) == std::vector<std::uint64_t>{1, 3}));
  BOOST_TEST(b.can_resume(0)); // taken-out commands are no gap
  BOOST_TEST(b.bytes() == 20u);
  BOOST_TEST(b.take_away_commands().empty());
}

BOOST_AUTO_TEST_CASE(commands_pushed_out_by_the_bounds_are_handed_back) {
  replay_buffer b{2, 1 << 20};
  BOOST_TEST(b.push(away_command(1, 7)).empty());
  BOOST_TEST(b.push(frame(2)).empty());
  auto dropped = b.push(frame(3));
  BOOST_REQUIRE_EQUAL(dropped.size(), 1u); // never written: the caller routes it again
  BOOST_TEST(dropped[0].s == 1u);
  BOOST_TEST(b.can_resume(0)); // routed again, not lost: no gap
  BOOST_TEST(b.push(frame(4)).empty()); // an ordinary frame just goes
  BOOST_TEST(!b.can_resume(1));         // ... and leaves one
}

BOOST_AUTO_TEST_CASE(a_session_that_came_back_keeps_its_commands_to_replay) {
  replay_buffer b{10, 1 << 20};
  b.push(away_command(5, 1));
  b.keep_away_commands();
  BOOST_TEST(b.take_away_commands().empty());
  BOOST_TEST((seqs_after(b, 0) == std::vector<std::uint64_t>{5}));
}

BOOST_AUTO_TEST_SUITE_END()
