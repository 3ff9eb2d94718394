// server: binding, shutdown, stop and the lifetime of connections.

#include "tests/net/test_server.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>

namespace coord::net::testing {
namespace {

using test::ws_client;
using clock = std::chrono::steady_clock;

} // namespace

BOOST_AUTO_TEST_SUITE(server_behaviour)

BOOST_AUTO_TEST_CASE(start_binds_an_ephemeral_port_and_reports_it) {
  test_server ts;
  BOOST_TEST(ts.port() != 0);
  BOOST_TEST(ts.srv.local_address() == "127.0.0.1:" + std::to_string(ts.port()));
  BOOST_TEST(ts.srv.session_count() == 0u);
}

BOOST_AUTO_TEST_CASE(start_on_a_busy_port_throws_a_one_line_error) {
  test_server first;
  auto opts = test_options();
  opts.port = first.port();
  metrics::registry m;
  server second(opts, {}, m);
  try {
    second.start();
    BOOST_FAIL("bound a busy port");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.rfind("cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": ",
                          0) == 0);
    BOOST_TEST(what.find('\n') == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(shutdown_closes_every_session_with_its_code_and_calls_done) {
  auto opts = test_options();
  opts.io_threads = 2;
  test_server ts(opts);
  ws_client a(ts.port(), "/companion");
  ws_client b(ts.port(), "/gateway");
  ws_client c(ts.port(), "/ws");
  BOOST_REQUIRE(eventually([&] {
    std::lock_guard lock(ts.rec->mtx);
    return ts.rec->opens.size() == 3;
  }));
  std::atomic<int> done{0};
  ts.srv.shutdown(1001, "shutting down", std::chrono::seconds(5), [&] { ++done; });
  for (auto* client : {&a, &b, &c}) {
    BOOST_TEST(code_of(client->wait_close()) == 1001);
    BOOST_TEST(client->close_reason() == "shutting down");
  }
  BOOST_REQUIRE(eventually([&] { return done.load() == 1; }));
  BOOST_TEST(ts.srv.session_count() == 0u);
  BOOST_TEST(ts.rec->closes_seen() == (std::vector<std::uint16_t>{1001, 1001, 1001}));
  // The acceptor is closed: nobody new gets in.
  BOOST_CHECK_THROW(ws_client(ts.port(), "/companion"), std::runtime_error);
  BOOST_TEST(done.load() == 1);
}

BOOST_AUTO_TEST_CASE(shutdown_calls_done_after_grace_when_a_peer_never_answers_the_close) {
  test_server ts; // close_timeout 2 s
  ws_client mute(ts.port(), "/companion"); // never reads, so never answers the close
  BOOST_REQUIRE(eventually([&] { return ts.srv.session_count() == 1; }));
  std::atomic<bool> done{false};
  const auto start = clock::now();
  ts.srv.shutdown(1001, "bye", 300ms, [&] { done = true; });
  BOOST_REQUIRE(eventually([&] { return done.load(); }));
  const auto elapsed =
    std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
  BOOST_TEST(elapsed >= 250);
  BOOST_TEST(elapsed < 1500);
}

BOOST_AUTO_TEST_CASE(shutdown_without_sessions_calls_done_at_once) {
  test_server ts;
  std::atomic<bool> done{false};
  ts.srv.shutdown(1001, "bye", std::chrono::seconds(30), [&] { done = true; });
  BOOST_TEST(eventually([&] { return done.load(); }, 1s));
}

BOOST_AUTO_TEST_CASE(stop_is_idempotent_and_ends_open_sessions_with_1006) {
  test_server ts;
  ws_client c(ts.port(), "/companion");
  // Opened (on_open called), not merely upgrading.
  BOOST_REQUIRE(eventually([&] { return ts.metrics.sessions[0].value() == 1; }));
  ts.srv.stop();
  ts.srv.stop();
  BOOST_TEST(ts.rec->closes_seen() == std::vector<std::uint16_t>{1006});
  BOOST_TEST(ts.srv.session_count() == 0u);
  BOOST_TEST(ts.metrics.sessions[0].value() == 0);
}

BOOST_AUTO_TEST_CASE(connection_outlives_the_server) {
  std::shared_ptr<connection> conn;
  {
    test_server ts;
    ws_client c(ts.port(), "/gateway");
    c.send_text("hello");
    BOOST_REQUIRE(c.read());
    conn = ts.rec->connection_at(0);
  } // server, client and recorder gone
  BOOST_REQUIRE(conn);
  conn->send(make_buffer("nobody listens"), false);
  conn->close(1000, "late");
  BOOST_TEST(conn->id() > 0u);
  BOOST_TEST(conn->remote_address().rfind("127.0.0.1:", 0) == 0);
  conn.reset(); // the io_context goes with the last connection
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
