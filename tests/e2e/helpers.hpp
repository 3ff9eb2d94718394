#pragma once
// Shared pieces of the end-to-end tests: a node per test, JSON frames, admin calls.

#include "tests/e2e/node_process.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace coord::test {

/// Polls `pred` every 5 ms until it holds or `timeout` passes; its last answer.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return pred();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// A temporary directory and a node whose database lives in it.
struct node_fixture {
  explicit node_fixture(std::vector<std::string> args = {})
    : node(dir.path() / "coordinator.db", std::move(args)) {}
  temp_dir dir;
  node_process node;
  std::uint16_t port() const { return node.port(); }
};

/// The next frame of `c` parsed as a JSON object; fails the test if none or not JSON.
inline boost::json::object next_json(ws_client& c,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto m = c.read(timeout);
  BOOST_REQUIRE_MESSAGE(m.has_value(), "expected a frame, got none");
  boost::system::error_code ec;
  auto v = boost::json::parse(m->data, ec);
  BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "frame is not a JSON object: " << m->data);
  return v.as_object();
}

/// A companion payload with the test key added.
inline std::string companion_frame(boost::json::object o) {
  o["key"] = companion_key;
  return boost::json::serialize(o);
}

/// Connects to /companion and completes op 1 for `guilds`; returns the op 1 reply.
inline boost::json::object companion_handshake(ws_client& c, boost::json::array guilds = {}) {
  c.send_text(companion_frame({{"op", 1}, {"guildIds", std::move(guilds)}}));
  auto reply = next_json(c);
  BOOST_REQUIRE_EQUAL(reply.at("op").as_int64(), 1);
  return reply;
}

/// An admin API call with the test token.
inline http_reply admin(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = {}) {
  return http_request(port, method, target, body, {admin_auth()});
}

/// The value of one series of GET /metrics (name with its labels, as the node writes them), or
/// -1 when absent.
inline long long metric(std::uint16_t port, const std::string& series) {
  const auto body = http_request(port, "GET", "/metrics").body;
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos)
    return -1;
  return std::stoll(body.substr(at + series.size() + 2));
}

/// Parses an HTTP body as a JSON object; fails the test if it is not one.
inline boost::json::object body_json(const http_reply& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "body is not a JSON object: " << r.body);
  return v.as_object();
}

} // namespace coord::test
