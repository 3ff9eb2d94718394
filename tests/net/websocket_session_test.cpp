// websocket_session through a real server and the test client.

#include "tests/net/test_server.hpp"
#include "tests/support/raw_tcp.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>

namespace coord::net::testing {
namespace {

using test::ws_client;
using clock = std::chrono::steady_clock;

std::uint64_t closes_of(metrics::registry& m, dialect d, std::uint16_t code) {
  const auto all = m.closes();
  const auto it = all.find({static_cast<std::size_t>(d), code});
  return it == all.end() ? 0 : it->second;
}

} // namespace

BOOST_AUTO_TEST_SUITE(websocket_session_behaviour)

BOOST_AUTO_TEST_CASE(upgrade_on_each_dialect_path_reaches_on_open_with_dialect_and_authorization) {
  test_server ts;
  struct expectation {
    std::string target;
    dialect d;
  };
  const std::vector<expectation> cases{{"/companion", dialect::companion},
                                       {"/gateway", dialect::gateway},
                                       {"/ws/v1", dialect::gateway},
                                       {"/ws?client=1", dialect::voice}};
  std::vector<std::unique_ptr<ws_client>> clients;
  for (std::size_t i = 0; i < cases.size(); ++i)
    clients.push_back(std::make_unique<ws_client>(
      ts.port(), cases[i].target,
      std::vector<std::pair<std::string, std::string>>{{"Authorization", "pw" + std::to_string(i)}}));

  // on_open runs once the 101 is written: the client may see it first.
  BOOST_REQUIRE(eventually([&] {
    std::lock_guard lock(ts.rec->mtx);
    return ts.rec->opens.size() == cases.size();
  }));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& open = ts.rec->opens[i];
    const auto conn = ts.rec->connection_at(i);
    BOOST_TEST(static_cast<int>(open.dialect) == static_cast<int>(cases[i].d));
    BOOST_TEST(static_cast<int>(conn->dialect()) == static_cast<int>(cases[i].d));
    BOOST_TEST(open.target == cases[i].target);
    BOOST_TEST(open.authorization == "pw" + std::to_string(i));
    BOOST_TEST(open.remote.rfind("127.0.0.1:", 0) == 0);
    BOOST_TEST(conn->remote_address() == open.remote);
    if (i > 0)
      BOOST_TEST(conn->id() > ts.rec->connection_at(i - 1)->id());
  }
  BOOST_TEST(ts.srv.session_count() == cases.size());
}

BOOST_AUTO_TEST_CASE(echo_returns_text_and_binary_frames) {
  test_server ts;
  ws_client c(ts.port(), "/companion");
  c.send_text(R"({"op":1})");
  auto m = c.read();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->data == R"({"op":1})");
  BOOST_TEST(!m->binary);

  const std::string bytes("\x00\x01\xff binary", 10);
  c.send_binary(bytes);
  m = c.read();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->data == bytes);
  BOOST_TEST(m->binary);
}

BOOST_AUTO_TEST_CASE(frame_over_max_frame_bytes_closes_with_1009) {
  auto opts = test_options();
  opts.max_frame_bytes = 1024;
  test_server ts(opts);
  ws_client c(ts.port(), "/gateway");
  c.send_text(std::string(1024, 'a')); // at the limit: fine
  BOOST_REQUIRE(c.read());
  c.send_text(std::string(4096, 'a'));
  BOOST_TEST(code_of(c.wait_close()) == 1009);
  BOOST_TEST(c.close_reason() == "message too big");
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 1; }));
  BOOST_TEST(ts.rec->closes_seen() == std::vector<std::uint16_t>{1009});
  BOOST_TEST(closes_of(ts.metrics, dialect::gateway, 1009) == 1u);
}

BOOST_AUTO_TEST_CASE(burst_past_the_outbound_bound_closes_with_4009_right_after_the_frame_in_flight) {
  test_server ts; // bound 64 KiB; "flood" sends 1 MiB in 16 KiB frames at once
  ws_client c(ts.port(), "/companion");
  c.send_text("flood");
  std::size_t frames = 0;
  while (auto m = c.read())
    ++frames;
  BOOST_TEST(c.closed());
  BOOST_TEST(code_of(c.close_code()) == 4009);
  BOOST_TEST(c.close_reason() == "slow consumer");
  // The queued frames were dropped: at most the one being written got out.
  BOOST_TEST(frames <= 1u);
  BOOST_TEST(ts.rec->max_queued.load() <= 64u * 1024);
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 1; }));
  BOOST_TEST(ts.rec->closes_seen() == std::vector<std::uint16_t>{4009});
  BOOST_TEST(closes_of(ts.metrics, dialect::companion, 4009) == 1u);
}

BOOST_AUTO_TEST_CASE(client_that_stops_reading_is_closed_with_4009_and_the_queue_stays_bounded) {
  // Small socket buffers on both ends, so the kernel cannot absorb what the client does not
  // read: the session's own queue (bound 64 KiB) has to take it, and overflows.
  auto opts = test_options();
  opts.socket_send_buffer = 4096;
  test_server ts(opts);
  test::raw_ws c(ts.port(), "/companion", {}, 4096);
  // 16 MiB asked for in 16 KiB frames, none read until the node has given up on us.
  std::string requests;
  for (int i = 0; i < 1024; ++i)
    requests += test::ws_frame("more");
  BOOST_REQUIRE(c.send_raw(requests));
  // The kernel buffers are full once the session's own queue grows; then start reading (within
  // close_timeout, or the node drops TCP before its close frame can get out).
  BOOST_REQUIRE(eventually([&] { return ts.rec->max_queued.load() > 32u * 1024; },
                           std::chrono::seconds(10)));
  BOOST_TEST(c.wait_close(std::chrono::seconds(10)).value_or(0) == 4009u);
  BOOST_TEST(c.close_reason() == "slow consumer");
  BOOST_TEST(ts.rec->max_queued.load() <= 64u * 1024);
  BOOST_TEST(ts.rec->max_queued.load() > 0u);
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 1; }));
  BOOST_TEST(ts.rec->closes_seen() == std::vector<std::uint16_t>{4009});
  BOOST_TEST(ts.rec->connection_at(0)->queued_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(close_after_send_delivers_the_frame_then_the_code_and_reason) {
  test_server ts;
  ws_client c(ts.port(), "/ws");
  c.send_text("close:4001:x");
  const auto m = c.read();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->data == "bye");
  BOOST_TEST(code_of(c.wait_close()) == 4001);
  BOOST_TEST(c.close_reason() == "x");
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 1; }));
  BOOST_TEST(ts.rec->closes_seen() == std::vector<std::uint16_t>{4001});
}

BOOST_AUTO_TEST_CASE(send_and_close_on_an_ended_session_are_no_ops) {
  test_server ts;
  {
    ws_client c(ts.port(), "/companion");
    c.close(1000);
  }
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 1; }));
  const auto conn = ts.rec->connection_at(0);
  conn->send(make_buffer("late"), false);
  conn->close(4000, "late");
  BOOST_TEST(conn->queued_bytes() == 0u);
  BOOST_TEST(ts.rec->closes_seen() == std::vector<std::uint16_t>{1000});
  BOOST_TEST(ts.srv.session_count() == 0u);
}

BOOST_AUTO_TEST_CASE(peer_close_code_reaches_the_sink_and_tcp_drop_reports_1006) {
  test_server ts;
  {
    ws_client c(ts.port(), "/companion");
    c.close(4321);
  }
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 1; }));
  {
    ws_client c(ts.port(), "/companion");
    BOOST_REQUIRE(eventually([&] { return ts.srv.session_count() == 1; }));
  } // destroyed without a close frame
  BOOST_REQUIRE(eventually([&] { return ts.rec->close_count() == 2; }));
  BOOST_TEST(ts.rec->closes_seen() == (std::vector<std::uint16_t>{4321, 1006}));
}

BOOST_AUTO_TEST_CASE(session_without_a_sink_is_closed_with_1011) {
  test_server ts;
  ws_client c(ts.port(), "/companion?refuse");
  BOOST_TEST(code_of(c.wait_close()) == 1011);
  BOOST_REQUIRE(eventually([&] { return ts.srv.session_count() == 0; }));
  BOOST_TEST(closes_of(ts.metrics, dialect::companion, 1011) == 1u);
}

BOOST_AUTO_TEST_CASE(peer_that_does_not_pong_is_pinged_and_left_to_its_session) {
  // Liveness is the heartbeat monitor's (the session actor closes with 4007): net/ only pings
  // every interval and reports pongs, so a silent peer is not closed here.
  auto opts = test_options();
  opts.ping_interval[static_cast<std::size_t>(dialect::gateway)] = 100ms;
  test_server ts(opts);
  ws_client c(ts.port(), "/gateway");
  c.set_auto_pong(false);
  BOOST_TEST(!c.read(700ms));
  BOOST_TEST(!c.closed());
  BOOST_TEST(c.pings_received() >= 3u);
  BOOST_TEST(ts.rec->pongs.load() == 0);
  BOOST_TEST(ts.metrics.heartbeat_timeouts[1].value() == 0u);
}

BOOST_AUTO_TEST_CASE(peer_that_pongs_stays_open) {
  auto opts = test_options();
  opts.ping_interval[static_cast<std::size_t>(dialect::gateway)] = 100ms;
  test_server ts(opts);
  ws_client c(ts.port(), "/gateway");
  // Reading for 7 intervals answers every ping (nothing else arrives).
  BOOST_TEST(!c.read(700ms));
  BOOST_TEST(!c.closed());
  BOOST_TEST(c.pings_received() >= 3u);
  BOOST_TEST(ts.rec->pongs.load() >= 3);
  c.send_text("still here");
  const auto m = c.read();
  BOOST_REQUIRE(m);
  BOOST_TEST(m->data == "still here");
  BOOST_TEST(ts.metrics.heartbeat_timeouts[1].value() == 0u);
}

BOOST_AUTO_TEST_CASE(dialect_without_a_ping_interval_gets_no_pings) {
  auto opts = test_options();
  opts.ping_interval[static_cast<std::size_t>(dialect::gateway)] = 50ms;
  test_server ts(opts);
  ws_client c(ts.port(), "/companion");
  BOOST_TEST(!c.read(200ms));
  BOOST_TEST(c.pings_received() == 0u);
  BOOST_TEST(!c.closed());
}

BOOST_AUTO_TEST_CASE(metrics_count_sessions_messages_and_closes) {
  test_server ts;
  auto& m = ts.metrics;
  {
    ws_client c(ts.port(), "/ws");
    BOOST_REQUIRE(eventually([&] { return m.sessions[2].value() == 1; }));
    c.send_text("one");
    c.send_text("two");
    BOOST_REQUIRE(c.read());
    BOOST_REQUIRE(c.read());
    BOOST_TEST(m.messages_in[2].value() == 2u);
    // Counted when the write completes, which the client may see first.
    BOOST_TEST(eventually([&] { return m.messages_out[2].value() == 2u; }));
    BOOST_TEST(m.messages_in[0].value() == 0u);
    c.close(1000);
  }
  BOOST_REQUIRE(eventually([&] { return m.sessions[2].value() == 0; }));
  BOOST_TEST(closes_of(m, dialect::voice, 1000) == 1u);
  BOOST_TEST(m.closes().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
