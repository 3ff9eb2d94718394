// net/outbound_queue.hpp without a socket: the byte bound, gathering, partial writes, drops,
// ownership of the frames, and the multi-producer inbox.

#include "net/outbound_queue.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace coord::net::testing {
namespace {

using result = outbound_queue::push_result;

/// What the queue's iovecs would put on the wire, concatenated.
std::string wire(const outbound_queue& q) {
  std::string out;
  for (const auto& b : q.buffers())
    out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

/// The frame the server writes for a text `payload` of under 126 bytes.
std::string small_text(const std::string& payload) {
  return std::string{'\x81', static_cast<char>(payload.size())} + payload;
}

} // namespace

BOOST_AUTO_TEST_SUITE(outbound_queue_behaviour)

BOOST_AUTO_TEST_CASE(the_first_push_into_an_empty_inbox_asks_for_a_drain) {
  outbound_queue q(1024);
  BOOST_TEST(q.empty());
  BOOST_TEST((q.push(make_buffer("a"), false) == result::queued_first));
  BOOST_TEST((q.push(make_buffer("bc"), false) == result::queued));
  BOOST_TEST(q.queued_bytes() == 3u);
  BOOST_TEST(q.empty()); // still in the inbox
  BOOST_TEST(q.take_inbox() == 2u);
  BOOST_TEST(q.size() == 2u);
  BOOST_TEST(q.take_inbox() == 0u);
  // The inbox is empty again: the next push asks again.
  BOOST_TEST((q.push(make_buffer("d"), true) == result::queued_first));
}

BOOST_AUTO_TEST_CASE(gathered_frames_leave_in_push_order_with_their_headers) {
  outbound_queue q(1024);
  q.push(make_buffer("one"), false);
  q.push(make_buffer("two"), false);
  q.push(make_buffer(std::string("\x00\x01", 2)), true);
  q.take_inbox();
  const std::size_t bytes = q.gather();
  BOOST_TEST(q.batch_frames() == 3u);
  BOOST_TEST(q.buffers().size() == 6u); // header and payload of each
  const std::string expected =
    small_text("one") + small_text("two") + std::string("\x82\x02\x00\x01", 4);
  BOOST_TEST(wire(q) == expected);
  BOOST_TEST(bytes == expected.size());
  BOOST_TEST(q.complete_batch() == 3u);
  BOOST_TEST(q.empty());
  BOOST_TEST(q.queued_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(the_payload_is_shared_not_copied) {
  outbound_queue q(1024);
  const auto payload = make_buffer("shared");
  q.push(payload, false);
  q.take_inbox();
  q.gather();
  BOOST_TEST(q.buffers()[1].data() == static_cast<const void*>(payload->data()));
}

BOOST_AUTO_TEST_CASE(a_frame_that_would_pass_the_bound_is_refused_and_the_queue_overflows) {
  outbound_queue q(10);
  BOOST_TEST((q.push(make_buffer(std::string(6, 'a')), false) == result::queued_first));
  BOOST_TEST((q.push(make_buffer(std::string(4, 'b')), false) == result::queued)); // exactly 10
  BOOST_TEST(!q.overflowed());
  BOOST_TEST((q.push(make_buffer("c"), false) == result::overflow));
  BOOST_TEST(q.overflowed());
  BOOST_TEST(q.queued_bytes() == 10u); // the refused frame was never counted
  BOOST_TEST((q.push(make_buffer("d"), false) == result::refused)); // reported once
  // Room again after a write: frames are taken, but the queue stays overflowed.
  q.take_inbox();
  q.gather();
  q.complete_batch();
  BOOST_TEST((q.push(make_buffer("e"), false) == result::queued_first));
  BOOST_TEST(q.overflowed());
}

BOOST_AUTO_TEST_CASE(an_empty_frame_is_a_frame) {
  outbound_queue q(0);
  BOOST_TEST((q.push(make_buffer(""), false) == result::queued_first));
  BOOST_TEST((q.push(make_buffer("x"), false) == result::overflow));
  q.take_inbox();
  BOOST_TEST(q.gather() == 2u);
  BOOST_TEST(wire(q) == std::string("\x81\x00", 2));
}

BOOST_AUTO_TEST_CASE(a_batch_holds_at_most_32_frames) {
  outbound_queue q(1 << 20);
  for (int i = 0; i < 40; ++i)
    q.push(make_buffer(std::to_string(i)), false);
  q.take_inbox();
  q.gather();
  BOOST_TEST(q.batch_frames() == outbound_queue::max_batch_frames);
  BOOST_TEST(q.buffers().size() == 2 * outbound_queue::max_batch_frames);
  BOOST_TEST(q.complete_batch() == 32u);
  q.gather();
  BOOST_TEST(q.batch_frames() == 8u);
  BOOST_TEST(wire(q).substr(0, 4) == small_text("32"));
}

BOOST_AUTO_TEST_CASE(a_batch_holds_at_most_256_KiB_of_payload_past_its_first_frame) {
  outbound_queue q(8 << 20);
  const std::size_t kib100 = 100 * 1024;
  q.push(make_buffer(std::string(300 * 1024, 'a')), false); // alone: over the cap itself
  q.push(make_buffer(std::string(kib100, 'b')), false);
  q.push(make_buffer(std::string(kib100, 'c')), false);
  q.push(make_buffer(std::string(kib100, 'd')), false);
  q.take_inbox();
  BOOST_TEST(q.gather() == 10 + 300 * 1024); // a frame bigger than the cap still goes
  BOOST_TEST(q.batch_frames() == 1u);
  q.complete_batch();
  BOOST_TEST(q.gather() == 2 * (10 + kib100)); // the third would pass 256 KiB
  BOOST_TEST(q.batch_frames() == 2u);
  q.complete_batch();
  BOOST_TEST(q.batch_frames() == 0u);
  q.gather();
  BOOST_TEST(q.batch_frames() == 1u);
}

BOOST_AUTO_TEST_CASE(a_partial_write_leaves_exactly_the_unwritten_bytes) {
  outbound_queue q(1024);
  q.push(make_buffer("hello"), false);
  q.push(make_buffer("world"), false);
  q.take_inbox();
  const std::string all = small_text("hello") + small_text("world");
  BOOST_TEST(q.gather() == all.size());
  // Every split point: inside a header, at a boundary, inside a payload.
  for (std::size_t first = 0; first <= all.size(); ++first) {
    q.gather();
    q.consume(first);
    BOOST_TEST(wire(q) == all.substr(first), "after " << first << " bytes");
    // Written in two steps.
    const std::size_t rest = all.size() - first;
    q.consume(rest / 2);
    BOOST_TEST(wire(q) == all.substr(first + rest / 2));
  }
  q.gather();
  q.consume(all.size());
  BOOST_TEST(q.buffers().empty());
  BOOST_TEST(q.complete_batch() == 2u);
}

BOOST_AUTO_TEST_CASE(drop_keeps_the_batch_being_written_and_nothing_else) {
  outbound_queue q(1024);
  for (const char* s : {"a", "bb", "ccc"})
    q.push(make_buffer(s), false);
  q.take_inbox();
  q.gather();
  q.push(make_buffer("dddd"), false);
  q.push(make_buffer("eeeee"), false);
  q.take_inbox();
  q.push(make_buffer("inbox"), false); // still in the inbox
  BOOST_TEST(q.queued_bytes() == 20u);
  BOOST_TEST(q.drop(true) == 14u);
  BOOST_TEST(q.queued_bytes() == 6u);
  BOOST_TEST(q.size() == 3u);
  BOOST_TEST(wire(q) == small_text("a") + small_text("bb") + small_text("ccc"));
  BOOST_TEST(q.take_inbox() == 0u);
  BOOST_TEST(q.complete_batch() == 3u);
  BOOST_TEST(q.empty());
  BOOST_TEST(q.queued_bytes() == 0u);
  // New frames queue behind nothing.
  q.push(make_buffer("f"), false);
  q.take_inbox();
  q.gather();
  BOOST_TEST(wire(q) == small_text("f"));
}

BOOST_AUTO_TEST_CASE(drop_without_a_write_in_flight_drops_everything) {
  outbound_queue q(1024);
  q.push(make_buffer("a"), false);
  q.push(make_buffer("b"), false);
  q.take_inbox();
  q.gather(); // a write that failed at once
  q.push(make_buffer("c"), false);
  BOOST_TEST(q.drop(false) == 3u);
  BOOST_TEST(q.empty());
  BOOST_TEST(q.batch_frames() == 0u);
  BOOST_TEST(q.buffers().empty());
  BOOST_TEST(q.queued_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(discard_inbox_drops_only_what_was_not_taken) {
  outbound_queue q(1024);
  q.push(make_buffer("kept"), false);
  q.take_inbox();
  q.push(make_buffer("late"), false);
  q.push(make_buffer("later"), false);
  BOOST_TEST(q.discard_inbox() == 9u);
  BOOST_TEST(q.queued_bytes() == 4u);
  BOOST_TEST(q.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_queue_owns_its_frames_and_lets_go_of_every_payload) {
  const auto payload = make_buffer(std::string(64, 'p'));
  {
    outbound_queue q(1 << 20);
    for (int i = 0; i < 3; ++i)
      q.push(payload, false);
    q.take_inbox();
    q.gather();
    for (int i = 0; i < 2; ++i)
      q.push(payload, false); // left in the inbox
    BOOST_TEST(payload.use_count() == 6);
    q.complete_batch();
    BOOST_TEST(payload.use_count() == 3);
  } // destroyed with two frames in the inbox
  BOOST_TEST(payload.use_count() == 1);
  {
    // A long queue is freed without recursion (one frame after another).
    outbound_queue q(1 << 30);
    for (int i = 0; i < 200000; ++i)
      q.push(payload, false);
    q.take_inbox();
    BOOST_TEST(q.size() == 200000u);
  }
  BOOST_TEST(payload.use_count() == 1);
}

BOOST_AUTO_TEST_CASE(frames_pushed_from_many_threads_keep_each_thread_order_and_the_bound) {
  // Producers push while one consumer drains, as the strand does; the bound is small enough
  // that some pushes are refused.
  constexpr int threads = 4;
  constexpr int per_thread = 20000;
  constexpr std::size_t limit = 4096;
  outbound_queue q(limit);
  std::atomic<int> producers_left{threads};
  std::atomic<std::size_t> max_seen{0};
  std::vector<int> accepted(threads, 0);
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t)
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const auto r = q.push(make_buffer(std::to_string(t) + ":" + std::to_string(i)), false);
        if (r == result::queued || r == result::queued_first)
          ++accepted[t];
        const auto now = q.queued_bytes();
        auto seen = max_seen.load();
        while (now > seen && !max_seen.compare_exchange_weak(seen, now)) {
        }
      }
      --producers_left;
    });
  std::vector<int> last(threads, -1);
  std::vector<int> received(threads, 0);
  bool in_order = true;
  auto consume = [&] {
    q.take_inbox();
    while (!q.empty()) {
      q.gather();
      for (std::size_t i = 1; i < q.buffers().size(); i += 2) {
        const std::string m(static_cast<const char*>(q.buffers()[i].data()),
                            q.buffers()[i].size());
        const auto colon = m.find(':');
        const int t = std::stoi(m.substr(0, colon));
        const int n = std::stoi(m.substr(colon + 1));
        in_order = in_order && n > last[t];
        last[t] = n;
        ++received[t];
      }
      q.complete_batch();
    }
  };
  while (producers_left.load() > 0)
    consume();
  for (auto& p : producers)
    p.join();
  consume();
  BOOST_TEST(in_order);
  BOOST_TEST(received == accepted);
  BOOST_TEST(max_seen.load() <= limit);
  BOOST_TEST(q.queued_bytes() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
