// Hostile clients at the connection level (SPEC.md §2): silent and half-finished handshakes,
// malformed upgrades, max_sessions, thousands of dropped connections, peers stuck mid-frame,
// and slow readers on every dialect. After every attack the node must still serve a
// well-behaved client, and what the attack held (sessions, slots, descriptors) comes back.
// Past 400 lines on purpose: each attack is checked with the same "still serves" probe.

#include "tests/e2e/hostile.hpp"

using namespace coord::test;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

/// Live sessions of all dialects, as /api/v1/stats counts them.
std::int64_t sessions(std::uint16_t port) {
  auto s = body_json(admin(port, "GET", "/api/v1/stats")).at("sessions").as_object();
  return s.at("companion").as_int64() + s.at("gateway").as_int64() + s.at("voice").as_int64();
}

using headers = std::vector<std::pair<std::string, std::string>>;
const headers voice_auth = {{"Authorization", voice_pw}};
const headers no_headers;

/// The path of the i-th dialect, round robin.
const char* path_of(std::size_t i) {
  static const char* paths[] = {"/companion", "/gateway", "/ws"};
  return paths[i % 3];
}

/// The status an upgrade of `path` gets: "101", "503"...
std::string upgrade_status(std::uint16_t port, const std::string& path) {
  try {
    raw_ws c{port, path, path == "/ws" ? voice_auth : no_headers};
    return "101";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    const auto colon = what.rfind(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
  }
}

/// A raw session of `path` that has read its greeting (HELLO on gateway and voice; the op 1
/// reply on companion, after a handshake for guild 1) and now reads nothing more.
std::unique_ptr<raw_ws> greeted(std::uint16_t port, const std::string& path) {
  auto c = std::make_unique<raw_ws>(port, path, path == "/ws" ? voice_auth : no_headers);
  if (path == "/companion")
    c->send_text(companion_frame({{"op", 1}, {"guildIds", json::array{1}}}));
  BOOST_REQUIRE(c->read_message().has_value());
  return c;
}

/// limits.outbound_queue_bytes of the slow-reader tests.
constexpr std::size_t queue_bytes = 64 * 1024;
/// Allocator, mailboxes, socket and parser buffers: what a node may grow by on its own.
constexpr std::size_t slack_kb = 16 * 1024;

std::size_t rss_kb(const node_fixture& f) { return proc_status_kb(f.node.pid(), "VmRSS"); }

// Under a sanitizer the node's RSS says little (ASan keeps freed memory in quarantine and adds
// redzones and shadow memory): the memory bounds are checked on the Release build, and
// LeakSanitizer checks at the node's exit that no session is left behind.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool rss_is_meaningful = false;
#else
constexpr bool rss_is_meaningful = true;
#endif
std::size_t peak_rss_kb(const node_fixture& f) { return proc_status_kb(f.node.pid(), "VmHWM"); }

std::vector<std::string> slow_reader_args() {
  return hostile_node_args({"--limits.outbound_queue_bytes=65536", "--limits.max_frame_bytes=16384"});
}

/// Growth of the node's peak RSS since `before_kb` (VmRSS), in kB.
std::size_t growth_kb(const node_fixture& f, std::size_t before_kb) {
  const auto peak = peak_rss_kb(f);
  return peak > before_kb ? peak - before_kb : 0;
}

/// The slow reader, reading at last, finds what the kernel held, then the 4009 close; the
/// close is counted.
void expect_slow_consumer_close(node_fixture& f, raw_ws& slow, const char* dialect) {
  BOOST_TEST(slow.wait_close(10s).value_or(0) == 4009u, dialect);
  BOOST_TEST(slow.close_reason() == "slow consumer");
  slow.conn().close(); // the close handshake is answered: the TCP connection may go
  BOOST_TEST_MESSAGE(dialect << ": slow reader got " << slow.discarded() << " frames before 4009");
  const auto series = std::string{"coordinator_closes_total{dialect=\""} + dialect +
                      "\",code=\"4009\"}";
  BOOST_TEST(wait_until([&] { return metric(f.port(), series) == 1; }, 10s), series);
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_clients)

BOOST_AUTO_TEST_CASE(silent_partial_and_trickling_connections_are_dropped_after_handshake_timeout) {
  node_fixture f{hostile_node_args({"--limits.handshake_timeout_s=1"})};
  const auto start = clock_type::now();
  std::vector<raw_conn> idle;
  for (int i = 0; i < 20; ++i)
    idle.emplace_back(f.port()); // never sends a byte
  for (std::size_t i = 0; i < 21; ++i) {
    // Cut anywhere in the upgrade, up to all of it but the final CRLF.
    auto req = ws_upgrade_request(f.port(), path_of(i));
    idle.emplace_back(f.port());
    idle.back().write(req.substr(0, i == 20 ? req.size() - 2 : 1 + i * 5));
  }
  // A keep-alive connection that asked once and then goes quiet.
  idle.emplace_back(f.port());
  idle.back().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  // While they hang, the node serves others.
  expect_serves(f);
  // One byte at a time does not stretch the timeout: it covers the whole request.
  raw_conn trickle{f.port()};
  const auto req = ws_upgrade_request(f.port(), "/companion");
  std::size_t sent = 0;
  for (std::string in; !trickle.ended() && sent < req.size() && clock_type::now() < start + 5s;
       ++sent) {
    if (!trickle.write(req.substr(sent, 1)))
      break;
    trickle.read_some(in, 100ms); // ends early when the node drops us
  }
  BOOST_TEST(trickle.wait_end(1s), "a connection trickling its upgrade is still open");
  BOOST_TEST(sent < req.size());
  for (std::size_t i = 0; i < idle.size(); ++i)
    BOOST_TEST(idle[i].wait_end(std::chrono::duration_cast<std::chrono::milliseconds>(
                 start + 6s - clock_type::now())),
               "connection " << i << " still open");
  BOOST_TEST(sessions(f.port()) == 0);
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(malformed_upgrades_are_refused_and_hold_no_session_slot) {
  node_fixture f{hostile_node_args({"--limits.max_sessions=1", "--limits.handshake_timeout_s=1"})};
  auto without = [&](const std::string& header) {
    auto req = ws_upgrade_request(f.port(), "/companion");
    const auto at = req.find(header);
    return req.erase(at, req.find("\r\n", at) + 2 - at);
  };
  auto replace = [&](std::string req, const std::string& from, const std::string& to) {
    return req.replace(req.find(from), from.size(), to);
  };
  const auto good = ws_upgrade_request(f.port(), "/gateway");
  const std::vector<std::pair<const char*, std::string>> bad = {
    {"no key", without("Sec-WebSocket-Key")},
    {"version 12", replace(good, "Version: 13", "Version: 12")},
    {"no version", without("Sec-WebSocket-Version")},
    {"POST", replace(good, "GET", "POST")},
    {"HTTP/1.0", replace(good, "HTTP/1.1", "HTTP/1.0")},
    {"unknown path", replace(good, "/gateway", "/nope")},
    {"header without colon", replace(good, "Upgrade: websocket", "Upgrade websocket")},
    {"100 KiB header", replace(good, "Upgrade: websocket",
                               "Upgrade: websocket\r\nX-Big: " + std::string(100 << 10, 'x'))},
    {"TLS client hello", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)},
    {"binary garbage", std::string("\0\xff\r\n\r\n", 6)},
  };
  std::vector<raw_conn> conns;
  for (const auto& [what, bytes] : bad) {
    conns.emplace_back(f.port());
    conns.back().write(bytes);
  }
  for (std::size_t i = 0; i < bad.size(); ++i) {
    std::string got;
    while (conns[i].read_some(got, 5s))
      ;
    BOOST_TEST(conns[i].ended(), bad[i].first << ": connection left open");
    // An answer, if any, is an HTTP error (HTTP/1.0 asked gets HTTP/1.0), never a 101.
    const bool client_error = got.size() > 9 && got.rfind("HTTP/1.", 0) == 0 && got[9] == '4';
    BOOST_TEST((got.empty() || client_error), bad[i].first << ": " << got);
  }
  // The single slot is free: one upgrade succeeds, the next one is refused.
  {
    auto held = greeted(f.port(), "/gateway");
    BOOST_TEST(upgrade_status(f.port(), "/companion") == "503");
  }
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 0; }, 10s));
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(upgrades_past_max_sessions_answer_503_until_one_closes) {
  node_fixture f{hostile_node_args({"--limits.max_sessions=3"})};
  ws_client companion{f.port(), "/companion"};
  companion_handshake(companion);
  auto gateway = greeted(f.port(), "/gateway");
  auto voice = greeted(f.port(), "/ws");
  for (const char* path : {"/companion", "/gateway", "/ws/v1", "/ws"})
    BOOST_TEST(upgrade_status(f.port(), path) == "503", path);
  {
    raw_conn c{f.port()};
    c.write(ws_upgrade_request(f.port(), "/companion"));
    std::string answer;
    while (answer.find("too many sessions") == std::string::npos && c.read_some(answer, 5s))
      ;
    BOOST_TEST(answer.rfind("HTTP/1.1 503", 0) == 0u, answer);
    BOOST_TEST(answer.find(R"({"error":"too many sessions"})") != std::string::npos, answer);
  }
  // Plain HTTP is still served while the sessions are full.
  BOOST_TEST(http_request(f.port(), "GET", "/healthz").status == 200u);
  BOOST_TEST(sessions(f.port()) == 3);
  // A clean close frees a slot; so does a reset.
  companion.close();
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 2; }, 10s));
  expect_serves(f);
  gateway->conn().reset();
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 1; }, 10s));
  BOOST_TEST(upgrade_status(f.port(), "/gateway") == "101");
  BOOST_TEST(metric(f.port(), R"(coordinator_sessions{dialect="voice"})") == 1);
}

BOOST_AUTO_TEST_CASE(thousands_of_dropped_connections_leave_no_session_slot_or_descriptor) {
  constexpr std::size_t max_sessions = 64;
  node_fixture f{hostile_node_args({"--limits.max_sessions=64", "--limits.handshake_timeout_s=1"})};
  expect_serves(f);
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 0; }, 10s));
  const auto fds_before = open_fds(f.node.pid());
  std::size_t refused = 0, opened = 0;
  constexpr std::size_t total = 3000, batch = 50;
  for (std::size_t first = 0; first < total; first += batch) {
    // kind = i % 7; all of a batch are open at once, then go together.
    std::vector<std::pair<raw_conn, bool>> conns;              // bool: reset
    std::vector<std::pair<std::unique_ptr<raw_ws>, bool>> upgraded; // bool: reset
    for (std::size_t i = first; i < first + batch; ++i) {
      const std::string path = path_of(i / 7);
      const auto& hdrs = path == "/ws" ? voice_auth : no_headers;
      const auto req = ws_upgrade_request(f.port(), path, hdrs);
      const std::size_t kind = i % 7;
      if (kind <= 3) {
        conns.emplace_back(raw_conn{f.port()}, kind == 1);
        if (kind == 2) // half an upgrade, then gone
          conns.back().first.write(req.substr(0, req.size() / 2));
        if (kind == 3) // the whole upgrade, gone before the answer
          conns.back().first.write(req);
        continue; // 0: sends nothing, closes; 1: sends nothing, resets
      }
      // Upgraded, then reset (4), closed without (5) or after (6) a close frame.
      try {
        upgraded.emplace_back(std::make_unique<raw_ws>(f.port(), path, hdrs), kind == 4);
        ++opened;
        if (kind == 6)
          upgraded.back().first->send_raw(ws_frame(close_payload(1000), {ws_op::close}));
      } catch (const std::runtime_error&) {
        ++refused; // slots of the previous batch not given back yet: 503
      }
    }
    for (auto& [c, reset] : conns)
      reset ? c.reset() : c.close();
    for (auto& [c, reset] : upgraded)
      reset ? c->conn().reset() : c->conn().close();
  }
  BOOST_TEST_MESSAGE("upgraded " << opened << ", refused " << refused << " while slots drained");
  BOOST_TEST(opened > total / 7);
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 0; }, 10s));
  for (const char* d : {"companion", "gateway", "voice"})
    BOOST_TEST(metric(f.port(), std::string{"coordinator_sessions{dialect=\""} + d + "\"}") == 0);
  // Every descriptor comes back (a few may be in use by the check's own HTTP requests).
  BOOST_TEST(wait_until([&] { return open_fds(f.node.pid()) <= fds_before + 2; }, 10s),
             "fds before " << fds_before << ", now " << open_fds(f.node.pid()));
  // Every slot comes back: max_sessions upgrades succeed, one more is refused.
  std::vector<std::unique_ptr<raw_ws>> full;
  for (std::size_t i = 0; i < max_sessions; ++i)
    full.push_back(greeted(f.port(), path_of(i)));
  BOOST_TEST(upgrade_status(f.port(), "/companion") == "503");
  full.clear();
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 0; }, 10s));
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(peer_stuck_mid_frame_is_closed_by_each_dialects_liveness_check) {
  node_fixture f{hostile_node_args({"--companion.ping_interval=200ms",
                            "--gateway.heartbeat_interval_ms=300", "--voice.idle_timeout_s=0.5"})};
  std::vector<std::unique_ptr<raw_ws>> stuck;
  for (std::size_t i = 0; i < 3; ++i) {
    stuck.push_back(greeted(f.port(), path_of(i)));
    // Half a frame (a header announcing more than max_frame_bytes is 1009 at once instead:
    // a_header_announcing_more_than_max_frame_bytes_closes_with_1009_at_once).
    stuck.back()->send_raw(ws_frame_header(100) + "{\"op\"");
  }
  // The close frame comes; the peer, still inside its frame, cannot answer it and goes.
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(stuck[i]->wait_close(5s, false).value_or(0) == 4007u, path_of(i));
    stuck[i]->conn().reset();
  }
  BOOST_TEST(wait_until([&] { return sessions(f.port()) == 0; }, 3s));
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(a_header_announcing_more_than_max_frame_bytes_closes_with_1009_at_once) {
  // SPEC §2: "A frame larger than limits.max_frame_bytes closes the session with 1009." The
  // header says how large the frame is: the node need not wait for max_frame_bytes of it.
  node_fixture f{hostile_node_args({"--limits.max_frame_bytes=1024"})};
  std::vector<std::unique_ptr<raw_ws>> peers;
  for (std::size_t i = 0; i < 3; ++i) {
    peers.push_back(greeted(f.port(), path_of(i)));
    peers.back()->send_raw(ws_frame_header(std::uint64_t{1} << 40) + "{\"op\":1");
  }
  const auto deadline = clock_type::now() + 2s;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::max(deadline - clock_type::now(), clock_type::duration(100ms)));
    const auto code = peers[i]->wait_close(left);
    BOOST_TEST(code.value_or(0) == 1009u,
               path_of(i) << ": " << (code ? "closed with " + std::to_string(*code)
                                           : std::string{"no close frame within 2 s"}));
  }
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(peers_that_break_utf8_mid_frame_while_the_node_closes_leak_nothing) {
  // The node closes (here: voice idle timeout) while each peer is inside a text frame; the
  // peer resets, after sending a byte that is not UTF-8 or not. SPEC §2: the TCP connection
  // goes within 10 s, and nothing of the session may stay behind after that.
  node_fixture f{hostile_node_args({"--voice.idle_timeout_s=0.3", "--limits.max_frame_bytes=65536"})};
  constexpr std::size_t peers = 500;
  auto run_peers = [&](bool break_utf8) {
    std::vector<std::unique_ptr<raw_ws>> all;
    for (std::size_t i = 0; i < peers; ++i) {
      all.push_back(greeted(f.port(), "/ws"));
      // Half of a 60 KB text frame: the session's read buffer grows to hold it.
      all.back()->send_raw(ws_frame_header(60000) + std::string(30000, ' '));
    }
    for (auto& c : all) {
      BOOST_TEST(c->wait_close(3s, false).value_or(0) == 4007u);
      if (break_utf8)
        c->send_raw("\xff");
      c->conn().reset();
    }
    BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 0; }, 15s));
    return rss_kb(f);
  };
  // The first round sets the allocator's high-water mark. Had the second round left its
  // sessions behind, the third could not reuse their memory and the node would grow.
  const auto first = run_peers(false);
  run_peers(true);
  const auto third = run_peers(false);
  if (rss_is_meaningful)
    BOOST_TEST(third <= first + slack_kb / 2,
               "RSS " << first << " kB after " << peers << " peers that just reset; " << third
                      << " kB after as many that broke UTF-8 first and as many again");
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(peers_inside_big_frames_cost_what_they_send_not_what_they_announce) {
  // Each peer announces a legal 1 MB frame (default limits.max_frame_bytes: 1 MiB) and sends
  // 7 bytes of it. The node may read in steps, but should not hold a whole max_frame_bytes for
  // each: 20000 such peers (limits.max_sessions) would be 20 GB for 140 KB sent.
  node_fixture f{hostile_node_args()};
  expect_serves(f);
  const auto before = rss_kb(f);
  constexpr std::size_t peers = 300;
  std::vector<std::unique_ptr<raw_ws>> all;
  for (std::size_t i = 0; i < peers; ++i) {
    all.push_back(greeted(f.port(), path_of(i)));
    all.back()->send_raw(ws_frame_header(1000000) + "{\"op\":1");
  }
  // Wait until the node has read them: a last peer's frame is answered.
  auto last = greeted(f.port(), "/ws");
  last->send_text(R"({"op":"HEARTBEAT","d":1})");
  BOOST_REQUIRE(last->read_message().has_value());
  const std::size_t bound_kb = peers * 64 + slack_kb; // 64 KiB a peer, at most
  if (rss_is_meaningful)
    BOOST_TEST(rss_kb(f) <= before + bound_kb,
               "RSS " << before << " kB before, " << rss_kb(f) << " kB with " << peers
                      << " peers 7 bytes into a 1 MB frame");
  all.clear();
  BOOST_REQUIRE(wait_until([&] { return sessions(f.port()) == 1; }, 10s));
  expect_serves(f);
}

// Slow readers (SPEC §2): the node pushes far more than limits.outbound_queue_bytes (set small)
// to a peer that reads nothing; the peer gets 4009, the others are served all along, and the
// node's memory grows by no more than the queues allow.

BOOST_AUTO_TEST_CASE(companion_slow_reader_of_broadcasts_gets_4009_and_memory_stays_bounded) {
  node_fixture f{slow_reader_args()};
  const std::string prefix(2000, 'p'); // the largest broadcast a guild makes: about 2.1 KB
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PATCH", "/api/v1/guilds/1/settings",
                            R"({"prefix":")" + prefix + R"("})").status, 200u);
  auto slow = greeted(f.port(), "/companion");
  ws_client driver{f.port(), "/companion"}, observer{f.port(), "/companion"};
  companion_handshake(driver);
  companion_handshake(observer);
  const auto before = rss_kb(f);
  // 10000 broadcasts, about 21 MB for each reader; the well-behaved ones read every 20 (40 KB,
  // within the 64 KiB queue) so that only the slow one falls behind.
  constexpr int rounds = 500, per_round = 20;
  const auto request = companion_frame({{"op", 2}, {"guildId", 1}});
  for (int r = 0; r < rounds; ++r) {
    for (int k = 0; k < per_round; ++k)
      driver.send_text(request);
    // Both well-behaved readers get every broadcast, however stuck the slow one is.
    for (int k = 0; k < per_round; ++k) {
      BOOST_REQUIRE(driver.read().has_value());
      BOOST_REQUIRE(observer.read().has_value());
    }
  }
  const std::size_t pushed_kb = rounds * per_round * (prefix.size() + 100) / 1024;
  const std::size_t bound_kb = 3 * queue_bytes / 1024 + slack_kb;
  BOOST_TEST(pushed_kb > bound_kb); // an unbounded queue would show
  if (rss_is_meaningful)
    BOOST_TEST(growth_kb(f, before) <= bound_kb, "grew " << growth_kb(f, before) << " kB");
  expect_slow_consumer_close(f, *slow, "companion");
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(gateway_slow_reader_of_routed_commands_gets_4009_and_memory_stays_bounded) {
  node_fixture f{slow_reader_args()};
  auto worker = greeted(f.port(), "/gateway");
  worker->send_text(R"({"op":0,"d":{"type":"commands","compress":false,"secret":")" +
                    std::string{gw_secret} + "\"}}");
  BOOST_REQUIRE(worker->read_message().has_value()); // IDENTIFIED; nothing is read after it
  auto sharder = greeted(f.port(), "/gateway");
  sharder->send_text(R"({"op":0,"d":{"type":"sharder","compress":false,"secret":")" +
                     std::string{gw_secret} + "\"}}");
  BOOST_REQUIRE(sharder->read_message().has_value());
  const auto before = rss_kb(f);
  const std::string raw(15000, 'r');
  constexpr int rounds = 15, per_round = 100; // 1500 commands of 15 KB: about 22 MB
  for (int r = 0; r < rounds; ++r) {
    std::string burst;
    for (int k = 0; k < per_round; ++k)
      burst += ws_frame(json::serialize(json::object{
        {"op", 2}, {"t", "EXECUTE_COMMAND"},
        {"d", {{"command", "play"}, {"raw", raw},
               {"ids", {{"message", "1"}, {"author", "2"}, {"channel", "3"},
                        {"guild", std::to_string(r * per_round + k)}, {"shard", 0}}}}}}));
    BOOST_REQUIRE(sharder->send_raw(burst));
    // The sharder is answered at once all along.
    BOOST_REQUIRE(sharder->send_text(R"({"op":1,"d":{"heapUsed":1,"guilds":1}})"));
    BOOST_REQUIRE(sharder->read_message().value_or("") == R"({"op":4,"d":{}})");
  }
  const std::size_t bound_kb = 2 * queue_bytes / 1024 + slack_kb;
  BOOST_TEST(rounds * per_round * raw.size() / 1024 > bound_kb);
  if (rss_is_meaningful)
    BOOST_TEST(growth_kb(f, before) <= bound_kb, "grew " << growth_kb(f, before) << " kB");
  expect_slow_consumer_close(f, *worker, "gateway");
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(voice_slow_reader_of_its_own_echoes_gets_4009_and_memory_stays_bounded) {
  node_fixture f{slow_reader_args()};
  auto slow = greeted(f.port(), "/ws");
  auto other = greeted(f.port(), "/ws");
  const auto before = rss_kb(f);
  const auto heartbeat = ws_frame(R"({"op":"HEARTBEAT","d":")" + std::string(15000, 'h') + "\"}");
  constexpr int rounds = 15, per_round = 100; // 1500 echoes of 15 KB: about 22 MB
  for (int r = 0; r < rounds; ++r) {
    std::string burst;
    for (int k = 0; k < per_round; ++k)
      burst += heartbeat;
    BOOST_REQUIRE(slow->send_raw(burst));
    other->send_text(R"({"op":"HEARTBEAT","d":1})");
    BOOST_REQUIRE(other->read_message().value_or("") == R"({"op":"HEARTBEAT_ACK","d":1})");
  }
  const std::size_t bound_kb = 2 * queue_bytes / 1024 + slack_kb;
  BOOST_TEST(rounds * per_round * heartbeat.size() / 1024 > bound_kb);
  if (rss_is_meaningful)
    BOOST_TEST(growth_kb(f, before) <= bound_kb, "grew " << growth_kb(f, before) << " kB");
  expect_slow_consumer_close(f, *slow, "voice");
  expect_serves(f);
}

BOOST_AUTO_TEST_SUITE_END()
