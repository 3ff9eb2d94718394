#pragma once
// What the two hostile-client suites share (hostile_frames_test.cpp, hostile_connections_test.cpp):
// a node serving all three dialects, and the check that it still serves after an attack.

#include "tests/e2e/helpers.hpp"
#include "tests/support/raw_tcp.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace coord::test {

inline constexpr const char* gw_secret = "hostile-gateway-secret";
inline constexpr const char* voice_pw = "hostile-voice-password";

/// A node serving all three dialects; the rate limit is off unless `more` sets it.
inline std::vector<std::string> hostile_node_args(std::vector<std::string> more = {}) {
  std::vector<std::string> out{std::string{"--gateway.secret="} + gw_secret,
                               std::string{"--voice.password="} + voice_pw,
                               "--limits.messages_per_minute=0"};
  for (auto& m : more)
    out.push_back(std::move(m));
  return out;
}

/// The node still answers /healthz and a companion handshake, and has not died.
inline void expect_serves(node_fixture& f) {
  const auto why = check_node_serves(f.port(), companion_key);
  BOOST_TEST(why.empty(), why);
  const auto exited = f.node.wait_exit(std::chrono::milliseconds(0));
  BOOST_TEST(!exited.has_value(), "node exited with " << exited.value_or(0));
}

} // namespace coord::test
