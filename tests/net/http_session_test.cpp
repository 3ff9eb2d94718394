// http_session: routing, limits and timeouts of the HTTP side.

#include "tests/net/test_server.hpp"
#include "tests/support/raw_tcp.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/test/unit_test.hpp>

namespace coord::net::testing {
namespace {

using test::http_request;
using test::raw_exchange;
using test::ws_client;

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1))
    ++n;
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_session_behaviour)

BOOST_AUTO_TEST_CASE(plain_request_on_an_upgrade_path_answers_426_with_upgrade_header) {
  test_server ts;
  for (const auto* target : {"/companion", "/gateway", "/ws/v1", "/ws", "/ws?x=1"}) {
    const auto r = http_request(ts.port(), "GET", target);
    BOOST_TEST(r.status == 426u);
    BOOST_TEST(r.body == R"({"error":"upgrade required"})");
    BOOST_TEST(r.headers.at("Upgrade") == "websocket");
  }
  BOOST_TEST(http_request(ts.port(), "POST", "/companion", "{}").status == 426u);
  BOOST_TEST(ts.rec->http_targets.empty());
}

BOOST_AUTO_TEST_CASE(other_paths_go_to_on_http_and_get_its_answer) {
  test_server ts;
  const auto r = http_request(ts.port(), "PATCH", "/api/v1/guilds/1?x=2", "payload",
                              {{"Authorization", "token"}});
  BOOST_TEST(r.status == 200u);
  BOOST_TEST(r.body == "PATCH /api/v1/guilds/1?x=2 payload");
  BOOST_TEST(r.headers.at("Content-Type") == "text/plain");
  BOOST_TEST(r.headers.at("Server") == "coordinator");
  BOOST_TEST(r.headers.at("Content-Length") == std::to_string(r.body.size()));
  // Paths that merely start like a dialect path are not dialect paths.
  BOOST_TEST(http_request(ts.port(), "GET", "/wss").status == 200u);
  BOOST_TEST(http_request(ts.port(), "GET", "/companion/x").status == 200u);
  BOOST_TEST(ts.metrics.http_requests.value() == 3u);
}

BOOST_AUTO_TEST_CASE(responder_answering_from_another_thread_is_written) {
  test_server ts;
  const auto r = http_request(ts.port(), "GET", "/slow");
  BOOST_TEST(r.status == 202u);
  BOOST_TEST(r.body == "later");
}

BOOST_AUTO_TEST_CASE(responder_dropped_unanswered_answers_500) {
  test_server ts;
  const auto r = http_request(ts.port(), "GET", "/drop");
  BOOST_TEST(r.status == 500u);
  BOOST_TEST(r.body == R"({"error":"internal error"})");
  BOOST_TEST(r.headers.at("Content-Type") == "application/json");
}

BOOST_AUTO_TEST_CASE(body_over_max_body_bytes_answers_413) {
  test_server ts; // max_body_bytes 1024
  BOOST_TEST(http_request(ts.port(), "POST", "/api", std::string(1024, 'b')).status == 200u);
  const auto r = http_request(ts.port(), "POST", "/api", std::string(4096, 'b'));
  BOOST_TEST(r.status == 413u);
  BOOST_TEST(r.body == R"({"error":"body too large"})");
}

BOOST_AUTO_TEST_CASE(malformed_request_answers_400_and_closes) {
  test_server ts;
  const auto r = raw_exchange(ts.port(), "this is not http\r\n\r\n", std::chrono::seconds(3));
  BOOST_TEST(r.closed);
  BOOST_TEST(r.received.rfind("HTTP/1.1 400", 0) == 0);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
  test_server ts;
  const auto r = raw_exchange(ts.port(),
                              "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                              "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                              std::chrono::seconds(3));
  BOOST_TEST(r.closed);
  BOOST_TEST(count_of(r.received, "HTTP/1.1 200") == 2u);
  BOOST_TEST(r.received.find("GET /a") < r.received.find("GET /b"));
}

BOOST_AUTO_TEST_CASE(connection_that_sends_nothing_is_dropped_after_handshake_timeout) {
  auto opts = test_options();
  opts.handshake_timeout = 200ms;
  test_server ts(opts);
  const auto silent = raw_exchange(ts.port(), "", std::chrono::seconds(3));
  BOOST_TEST(silent.closed);
  BOOST_TEST(silent.received.empty());
  BOOST_TEST(silent.elapsed.count() >= 150);
  BOOST_TEST(silent.elapsed.count() < 1500);
  // Half an upgrade request is no better.
  const auto partial = raw_exchange(ts.port(), "GET /companion HTTP/1.1\r\nHost: x\r\n",
                                    std::chrono::seconds(3));
  BOOST_TEST(partial.closed);
  BOOST_TEST(partial.elapsed.count() < 1500);
  BOOST_TEST(ts.srv.session_count() == 0u);
}

BOOST_AUTO_TEST_CASE(upgrade_past_max_sessions_answers_503) {
  auto opts = test_options();
  opts.max_sessions = 2;
  test_server ts(opts);
  auto a = std::make_unique<ws_client>(ts.port(), "/companion");
  ws_client b(ts.port(), "/gateway");
  try {
    ws_client c(ts.port(), "/ws");
    BOOST_FAIL("third upgrade accepted");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("503") != std::string::npos);
  }
  BOOST_TEST(ts.srv.session_count() == 2u);
  // A slot frees up when a session ends.
  a->close();
  a.reset();
  BOOST_REQUIRE(eventually([&] { return ts.srv.session_count() == 1; }));
  ws_client d(ts.port(), "/ws");
  BOOST_TEST(ts.srv.session_count() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
