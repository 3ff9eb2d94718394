#pragma once
// load: command-line options of every scenario.

#include <cstddef>
#include <string>
#include <vector>

namespace load {

struct options {
  unsigned short port = 0;
  std::string scenario;
  std::size_t sessions = 0;
  std::size_t rounds = 50;
  double seconds = 60; // watchdog
  std::string key = "bench-key";
  std::string admin_token;
  long pid = 0;
  std::size_t concurrency = 128;

  // gateway (route, mixed)
  std::string secret = "bench-secret";
  std::size_t sharders = 4;
  std::size_t workers = 2;
  std::size_t guilds = 10000;
  std::size_t payload = 300; // bytes of one EXECUTE_COMMAND / broadcast frame
  std::vector<double> rates{5000, 10000, 20000, 50000, 80000};
  double step_seconds = 2;
  double flood_seconds = 0; // 0: no closed-loop step after the ramp
  std::size_t flood_window = 2000;

  // mixed
  double run_seconds = 10;
  double ping_ms = 1000;   // companion websocket ping period per session
  double hb_ms = 100;      // gateway heartbeat period per session
  double broadcast_per_s = 10;
  double route_per_s = 5000;

  // slow (S6)
  double slow_percent = 10;
  std::size_t window = 4; // broadcast rounds in flight
  int rcvbuf = 4096;      // SO_RCVBUF of the slow sessions
  int mss = 536;          // TCP_MAXSEG of the slow sessions
  double sample_ms = 100; // RSS sampling period
  double drain_seconds = 8;

  // storm (S7)
  std::size_t storm_concurrency = 0; // 0: every session reconnects at once
};

/// Parses argv; prints usage and exits on a bad argument.
options parse_options(int argc, char** argv);

} // namespace load
