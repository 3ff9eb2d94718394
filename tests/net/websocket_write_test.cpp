// The gathered write path of websocket_session: many frames per write, and Beast's own
// frames (pongs, the close) never land inside one of ours — checked byte by byte by a client
// that parses every frame itself.

#include "tests/net/test_server.hpp"
#include "tests/support/raw_tcp.hpp"

#include <boost/test/unit_test.hpp>

namespace coord::net::testing {
namespace {

using test::raw_ws;
using test::ws_frame;
namespace ws_op = test::ws_op;

server_options roomy_options() {
  auto o = test_options();
  o.outbound_queue_bytes = 4 * 1024 * 1024; // the whole flood fits: no 4009 here
  return o;
}

/// Sends "flood", and once the first data frame is in, `pings` pings (so they arrive while
/// the server is in the middle of its writes), then reads everything the server sends:
/// 64 data frames of 16 KiB 'f' and one pong per ping, with its payload, in order.
void flood_with_pings(raw_ws& c, int pings) {
  BOOST_REQUIRE(c.send_text("flood"));
  std::string bytes;
  for (int i = 0; i < pings; ++i)
    bytes += ws_frame("p" + std::to_string(i), {ws_op::ping});
  int data = 0;
  int pongs = 0;
  while (data < 64 || pongs < pings) {
    if (data == 1 && !bytes.empty()) {
      BOOST_REQUIRE(c.send_raw(bytes));
      bytes.clear();
    }
    auto f = c.read_frame();
    BOOST_REQUIRE_MESSAGE(f, "stream ended after " << data << " data frames, " << pongs
                                                    << " pongs");
    if (f->opcode == ws_op::pong) {
      BOOST_TEST(f->payload == "p" + std::to_string(pongs));
      ++pongs;
      continue;
    }
    BOOST_REQUIRE_EQUAL(int{f->opcode}, int{ws_op::text});
    BOOST_TEST(f->fin);
    BOOST_REQUIRE_EQUAL(f->payload.size(), 16u * 1024);
    BOOST_TEST(f->payload.find_first_not_of('f') == std::string::npos);
    ++data;
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(websocket_gathered_writes)

BOOST_AUTO_TEST_CASE(a_burst_arrives_whole_and_in_order_with_pongs_between_frames) {
  test_server ts(roomy_options());
  raw_ws c(ts.port(), "/companion");
  flood_with_pings(c, 20);
  // Then the session still echoes.
  BOOST_REQUIRE(c.send_text("after"));
  auto m = c.read_message();
  BOOST_TEST(m.value_or("") == "after");
}

BOOST_AUTO_TEST_CASE(a_reader_with_a_tiny_receive_buffer_gets_partial_writes_finished) {
  // Small socket buffers make the kernel take part of each gathered write: the rest goes
  // through the async path while pings keep arriving.
  auto opts = roomy_options();
  opts.socket_send_buffer = 4096;
  test_server ts(opts);
  raw_ws c(ts.port(), "/companion", {}, 4096);
  flood_with_pings(c, 50);
  BOOST_TEST(ts.rec->max_queued.load() <= 4u * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(a_close_goes_out_after_every_frame_queued_before_it) {
  test_server ts(roomy_options());
  raw_ws c(ts.port(), "/companion");
  // "flood" queues 1 MiB, then close:... sends "bye" and closes: all of it, in order.
  BOOST_REQUIRE(c.send_raw(ws_frame("flood") + ws_frame("close:4321:done")));
  int data = 0;
  while (true) {
    auto f = c.read_frame();
    BOOST_REQUIRE(f);
    if (f->opcode == ws_op::close) {
      BOOST_REQUIRE_GE(f->payload.size(), 2u);
      const int code = (static_cast<unsigned char>(f->payload[0]) << 8) |
                       static_cast<unsigned char>(f->payload[1]);
      BOOST_TEST(code == 4321);
      BOOST_TEST(f->payload.substr(2) == "done");
      break;
    }
    if (data < 64) {
      BOOST_REQUIRE_EQUAL(f->payload.size(), 16u * 1024);
    } else {
      BOOST_TEST(f->payload == "bye");
    }
    ++data;
  }
  BOOST_TEST(data == 65);
}

BOOST_AUTO_TEST_CASE(frames_from_many_threads_each_keep_their_order) {
  // send() is called from any thread: each thread's frames arrive in its own order.
  test_server ts(roomy_options());
  raw_ws c(ts.port(), "/companion");
  BOOST_REQUIRE(eventually([&] { return ts.rec->connection_at(0) != nullptr; }));
  auto conn = ts.rec->connection_at(0);
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([conn, t] {
      for (int i = 0; i < per_thread; ++i)
        conn->send(make_buffer(std::to_string(t) + ":" + std::to_string(i)));
    });
  for (auto& s : senders)
    s.join();
  std::vector<int> next(threads, 0);
  for (int n = 0; n < threads * per_thread; ++n) {
    auto m = c.read_message();
    BOOST_REQUIRE_MESSAGE(m, "only " << n << " frames arrived");
    const auto colon = m->find(':');
    const int t = std::stoi(m->substr(0, colon));
    const int i = std::stoi(m->substr(colon + 1));
    BOOST_REQUIRE_EQUAL(i, next[t]);
    ++next[t];
  }
  BOOST_TEST(eventually([&] {
    return conn->queued_bytes() == 0u &&
           conn->messages_out() == static_cast<std::uint64_t>(threads * per_thread);
  }));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
