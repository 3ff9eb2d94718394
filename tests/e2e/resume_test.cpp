// Gateway resume with replay (SPEC.md §4.9) against the running node over real websockets:
// sequence numbers, a dropped worker resuming without losing or repeating a command, every
// INVALID_SESSION case, compression, the grace after which commands go to the other workers,
// the takeover of a still-open connection, and a randomized run of drops and resumes.
// Past 400 lines on purpose: every resume case shares the worker/sharder pair set up here.

#include "tests/e2e/gateway_client.hpp"

#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

using namespace coord::test;
using namespace std::chrono_literals;

namespace {

/// A commands worker that processes an event only if its `s` is new to it, and resumes.
struct worker {
  worker(std::uint16_t port, bool compress = false) : port_(port), compress_(compress) {
    c = std::make_unique<gw_client>(port);
    auto d = c->identify("commands", compress);
    session_id = std::string{d.at("sessionId").as_string()};
  }

  /// Reads what arrives within `wait`; EXECUTE_COMMANDs with a new `s` are processed.
  void poll(std::chrono::milliseconds wait = 20ms) {
    for (;;) {
      auto m = c->ws.read(wait);
      if (!m)
        return;
      take(frame_json(*m));
      wait = 1ms;
    }
  }

  /// The TCP connection drops: no close frame.
  void drop() { c.reset(); }

  /// A new connection and RESUME with the last `s` processed: the replayed frames, then
  /// RESUMED. False on INVALID_SESSION.
  bool resume() {
    c = std::make_unique<gw_client>(port_);
    c->send(6, json::object{{"sessionId", session_id}, {"seq", last_s}, {"secret", secret}});
    for (;;) {
      auto m = c->ws.read(5s);
      BOOST_REQUIRE_MESSAGE(m, "no answer to RESUME; closed with "
                                 << c->ws.close_code().value_or(0));
      if (!m->binary && m->data.find("INVALID_SESSION") != std::string::npos)
        return false;
      c->compressed = compress_;
      auto o = frame_json(*m);
      if (o.at("op").as_int64() == 2 && o.at("t").as_string() == "RESUMED") {
        BOOST_TEST(!o.contains("s"));
        replayed += static_cast<std::size_t>(o.at("d").at("replayed").as_int64());
        return true;
      }
      take(o);
    }
  }

  json::object frame_json(const ws_message& m) {
    std::string text = m.data;
    if (m.binary) {
      auto inflated = coord::proto::zlib::inflate(m.data, 1 << 20);
      BOOST_REQUIRE(inflated.has_value());
      text = *inflated;
    }
    BOOST_TEST(m.binary == compress_);
    return json::parse(text).as_object();
  }

  void take(const json::object& o) {
    if (o.at("op").as_int64() != 2)
      return; // heartbeat requests and ACKs carry no s
    const auto s = o.at("s").to_number<std::uint64_t>();
    if (s <= last_s) {
      ++duplicates_seen;
      return; // already processed: a client skips it
    }
    BOOST_TEST(s > last_s);
    last_s = s;
    if (o.at("t").as_string() == "EXECUTE_COMMAND")
      commands.push_back(std::string{o.at("d").at("raw").as_string()});
  }

  std::uint16_t port_;
  bool compress_;
  std::unique_ptr<gw_client> c;
  std::string session_id;
  std::uint64_t last_s = 0;
  std::vector<std::string> commands;
  std::size_t replayed = 0;
  std::size_t duplicates_seen = 0;
};

json::object command(std::uint64_t guild, const std::string& raw) {
  return json::object{{"command", "play"},
                      {"raw", raw},
                      {"ids", json::object{{"message", "1"}, {"author", "2"}, {"channel", "3"},
                                           {"guild", std::to_string(guild)}, {"shard", 0}}}};
}

/// Waits until the node has seen a dropped connection end: a session is listed as resumable.
/// (A command routed in the instant before that goes to the dead connection and is kept for
/// a resume, like every frame handed to a connection: only commands routed while a session
/// is known to be away are routed again when it does not come back.)
void wait_resumable(std::uint16_t port) {
  BOOST_REQUIRE(wait_until([&] {
    return body_json(admin(port, "GET", "/api/v1/sessions")).at("sessions").as_array().size() > 0 &&
           json::serialize(body_json(admin(port, "GET", "/api/v1/sessions")))
               .find("\"resumable\"") != std::string::npos;
  }));
}

/// Polls the workers until `n` commands were processed over all of them.
void drain(std::vector<worker*> ws, std::size_t n, std::chrono::seconds limit = 10s) {
  auto total = [&] {
    std::size_t t = 0;
    for (auto* w : ws)
      t += w->commands.size();
    return t;
  };
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (total() < n && std::chrono::steady_clock::now() < deadline)
    for (auto* w : ws)
      if (w->c)
        w->poll(5ms);
  BOOST_TEST(total() == n);
}

} // namespace

BOOST_AUTO_TEST_SUITE(gateway_resume)

BOOST_AUTO_TEST_CASE(identified_carries_a_session_id_and_op_2_events_a_sequence) {
  node_fixture f{gw_args()};
  gw_client a{f.port()};
  a.send(0, json::object{{"type", "commands"}, {"compress", false}, {"secret", secret}});
  auto identified = a.next();
  const auto id = std::string{identified.at("d").at("sessionId").as_string()};
  BOOST_TEST(id.size() == 32u); // 128 random bits
  BOOST_TEST(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  const auto s0 = identified.at("s").to_number<std::uint64_t>();
  gw_client b{f.port()};
  BOOST_TEST(std::string{b.identify("commands").at("sessionId").as_string()} != id);
  // A broadcast carries the same s to every receiver; a session's numbers increase.
  BOOST_REQUIRE_EQUAL(admin(f.port(), "PATCH", "/api/v1/guilds/1/settings", R"({"prefix":"?"})").status,
                      200u);
  auto ea = a.next(), eb = b.next();
  BOOST_TEST(ea.at("t").as_string() == "GUILD_SETTINGS_UPDATE");
  BOOST_TEST(ea.at("s").to_number<std::uint64_t>() == eb.at("s").to_number<std::uint64_t>());
  BOOST_TEST(ea.at("s").to_number<std::uint64_t>() > s0);
  // No s on heartbeat ACKs.
  a.send(1, json::object{{"heapUsed", 1}});
  BOOST_TEST(!a.next().contains("s"));
}

BOOST_AUTO_TEST_CASE(a_dropped_worker_resumes_and_gets_every_command_once_in_order) {
  node_fixture f{gw_args()};
  worker w{f.port()};
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  for (int i = 0; i < 20; ++i)
    sharder.send(2, command(7, "cmd " + std::to_string(i)), "EXECUTE_COMMAND");
  // The worker processes some, then its TCP connection drops mid-stream (no close frame).
  while (w.commands.size() < 5)
    w.poll();
  w.drop();
  for (int i = 20; i < 40; ++i)
    sharder.send(2, command(7, "cmd " + std::to_string(i)), "EXECUTE_COMMAND");
  std::this_thread::sleep_for(100ms);
  BOOST_REQUIRE(w.resume());
  drain({&w}, 40);
  std::vector<std::string> expected;
  for (int i = 0; i < 40; ++i)
    expected.push_back("cmd " + std::to_string(i));
  BOOST_TEST(w.commands == expected);
  BOOST_TEST(w.replayed > 0u);
  BOOST_TEST(metric(f.port(), R"(coordinator_resumes_total{outcome="resumed"})") == 1);
  BOOST_TEST(metric(f.port(), "coordinator_replayed_events_total") == static_cast<long>(w.replayed));
  BOOST_TEST(metric(f.port(), R"(coordinator_commands_total{outcome="rerouted"})") == 0);
  // The session kept its id, and is connected again.
  auto sessions = body_json(admin(f.port(), "GET", "/api/v1/sessions")).at("sessions").as_array();
  std::size_t connected = 0;
  for (auto& s : sessions)
    connected += s.at("state").as_string() == "connected";
  BOOST_TEST(connected == 2u);
}

BOOST_AUTO_TEST_CASE(a_resumable_session_is_listed_as_such) {
  node_fixture f{gw_args()};
  worker w{f.port()};
  auto before = body_json(admin(f.port(), "GET", "/api/v1/sessions")).at("sessions").as_array();
  BOOST_REQUIRE_EQUAL(before.size(), 1u);
  const auto id = before[0].at("id").as_int64();
  w.drop();
  BOOST_TEST(wait_until([&] {
    auto xs = body_json(admin(f.port(), "GET", "/api/v1/sessions")).at("sessions").as_array();
    return xs.size() == 1u && xs[0].at("state").as_string() == "resumable" &&
           xs[0].at("id").as_int64() == id;
  }));
  BOOST_TEST(metric(f.port(), R"(coordinator_sessions{dialect="gateway"})") == 0);
  BOOST_REQUIRE(w.resume());
  auto after = body_json(admin(f.port(), "GET", "/api/v1/sessions")).at("sessions").as_array();
  BOOST_REQUIRE_EQUAL(after.size(), 1u);
  BOOST_TEST(after[0].at("id").as_int64() == id); // the session keeps its id
  BOOST_TEST(after[0].at("state").as_string() == "connected");
}

BOOST_AUTO_TEST_CASE(every_failed_resume_answers_invalid_session_and_the_connection_stays) {
  node_fixture f{gw_args({"--gateway.resume_window_s=0.5", "--gateway.resume_buffer_events=3"})};
  // Unknown session.
  {
    gw_client c{f.port()};
    c.send(6, json::object{{"sessionId", "nope"}, {"seq", 0}, {"secret", secret}});
    auto m = c.ws.read(5s);
    BOOST_REQUIRE(m);
    BOOST_TEST(!m->binary); // never compressed
    BOOST_TEST(m->data == R"({"op":2,"t":"INVALID_SESSION","d":{"resumable":false}})");
    BOOST_TEST(c.identify("commands").contains("sessionId")); // still open: IDENTIFY works
  }
  // After the window.
  {
    worker w{f.port()};
    w.drop();
    std::this_thread::sleep_for(1s);
    BOOST_TEST(!w.resume());
  }
  // seq ahead of the last s sent.
  {
    worker w{f.port()};
    w.last_s += 1000;
    w.drop();
    BOOST_TEST(!w.resume());
    w.last_s -= 1000; // the session named is ended: a right seq does not bring it back
    w.c.reset();
    BOOST_TEST(!w.resume());
  }
  // After the buffer overflowed (3 frames kept): events after seq are gone.
  {
    worker w{f.port()};
    gw_client sharder{f.port()};
    sharder.identify("sharder");
    w.poll();
    const auto seen = w.last_s;
    for (int i = 0; i < 5; ++i)
      sharder.send(2, command(1, "x"), "EXECUTE_COMMAND");
    BOOST_REQUIRE(wait_until([&] {
      return metric(f.port(), R"(coordinator_commands_total{outcome="routed"})") >= 5;
    }));
    w.drop();
    w.last_s = seen;
    BOOST_TEST(!w.resume());
  }
  BOOST_TEST(metric(f.port(), R"(coordinator_resumes_total{outcome="invalid"})") == 5);
}

BOOST_AUTO_TEST_CASE(resume_checks_fields_then_the_secret) {
  node_fixture f{gw_args()};
  worker w{f.port()};
  w.drop();
  gw_client bad{f.port()};
  BOOST_TEST(bad.close_after(6, json::object{{"sessionId", w.session_id}, {"seq", 0},
                                             {"secret", "wrong"}}) == 4001);
  gw_client mistyped{f.port()};
  BOOST_TEST(mistyped.close_after(6, json::object{{"sessionId", w.session_id}, {"seq", "0"},
                                                  {"secret", secret}}) == 4005);
  gw_client identified{f.port()};
  identified.identify("commands");
  BOOST_TEST(identified.close_after(6, json::object{{"sessionId", w.session_id}, {"seq", 0},
                                                    {"secret", secret}}) == 4002);
  BOOST_TEST(w.resume()); // none of those ended the session
}

BOOST_AUTO_TEST_CASE(a_compressed_sessions_replay_is_compressed) {
  node_fixture f{gw_args()};
  worker w{f.port(), true};
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  w.drop();
  for (int i = 0; i < 3; ++i)
    sharder.send(2, command(9, "z" + std::to_string(i)), "EXECUTE_COMMAND");
  std::this_thread::sleep_for(100ms);
  BOOST_REQUIRE(w.resume()); // every replayed frame and RESUMED inflate (frame_json checks)
  drain({&w}, 3);
  BOOST_TEST((w.commands == std::vector<std::string>{"z0", "z1", "z2"}));
}

BOOST_AUTO_TEST_CASE(a_worker_that_never_returns_hands_its_commands_to_the_others) {
  node_fixture f{gw_args({"--gateway.command_grace_ms=300"})};
  worker a{f.port()}, b{f.port()};
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  // Which guilds hash to a?
  for (int g = 1; g <= 40; ++g)
    sharder.send(2, command(g, "probe " + std::to_string(g)), "EXECUTE_COMMAND");
  drain({&a, &b}, 40);
  std::set<std::uint64_t> guilds_of_a;
  for (auto& raw : a.commands)
    guilds_of_a.insert(std::stoull(raw.substr(6)));
  BOOST_REQUIRE(!guilds_of_a.empty());
  a.drop();
  wait_resumable(f.port());
  std::size_t sent = 0;
  for (auto g : guilds_of_a)
    for (int k = 0; k < 3; ++k, ++sent)
      sharder.send(2, command(g, "after " + std::to_string(g) + "-" + std::to_string(k)),
                   "EXECUTE_COMMAND");
  // After the grace they reach b, in order per guild, each once.
  const auto before = b.commands.size();
  drain({&b}, before + sent);
  std::map<std::uint64_t, std::vector<std::string>> per_guild;
  for (std::size_t i = before; i < b.commands.size(); ++i) {
    const auto& raw = b.commands[i];
    per_guild[std::stoull(raw.substr(6))].push_back(raw);
  }
  for (auto g : guilds_of_a)
    BOOST_TEST((per_guild[g] == std::vector<std::string>{
                  "after " + std::to_string(g) + "-0", "after " + std::to_string(g) + "-1",
                  "after " + std::to_string(g) + "-2"}));
  BOOST_TEST(metric(f.port(), R"(coordinator_commands_total{outcome="rerouted"})") > 0);
  // a comes back later: what was taken from it is not replayed to it.
  BOOST_REQUIRE(a.resume());
  a.poll(200ms);
  BOOST_TEST(a.commands.size() == guilds_of_a.size());
}

BOOST_AUTO_TEST_CASE(a_resume_takes_over_a_still_open_connection_with_4010) {
  node_fixture f{gw_args({"--gateway.shard_count=2"})};
  gw_client old{f.port()};
  auto d = old.identify("sharder", false, json::array{0, 1});
  const auto id = std::string{d.at("sessionId").as_string()};
  gw_client fresh{f.port()};
  fresh.send(6, json::object{{"sessionId", id}, {"seq", 0}, {"secret", secret}});
  // IDENTIFIED again (replayed, with its original s), then RESUMED.
  auto replayed = fresh.next();
  BOOST_TEST(replayed.at("t").as_string() == "IDENTIFIED");
  BOOST_TEST(fresh.event("RESUMED").at("replayed").as_int64() == 1);
  BOOST_TEST(old.ws.wait_close().value_or(0) == 4010);
  // It keeps its shards: nothing is handed out, and grants still work.
  fresh.send(2, json::object{{"shard", 1}}, "IDENTIFY_REQUEST");
  BOOST_TEST(fresh.event("IDENTIFY_GRANTED").at("shard").as_int64() == 1);
  auto shards = body_json(admin(f.port(), "GET", "/api/v1/shards"));
  BOOST_TEST(json::serialize(shards).find("\"held\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_resumed_sharder_hears_of_shards_it_lost_while_away) {
  node_fixture f{gw_args({"--gateway.shard_count=2", "--gateway.sharders=2",
                          "--gateway.shard_release_s=0.2"})};
  auto s = std::make_unique<gw_client>(f.port());
  auto d = s->identify("sharder");
  const auto id = std::string{d.at("sessionId").as_string()};
  BOOST_TEST(shard_list(d) == std::vector<std::uint32_t>{0});
  s.reset(); // away; its shard is held, then released, then taken
  std::this_thread::sleep_for(400ms);
  gw_client other{f.port()};
  BOOST_TEST(shard_list(other.identify("sharder", false, json::array{0})) ==
             std::vector<std::uint32_t>{0});
  gw_client back{f.port()};
  back.send(6, json::object{{"sessionId", id}, {"seq", 1}, {"secret", secret}});
  BOOST_TEST(back.event("RESUMED").at("replayed").as_int64() == 0);
  // Shard 0 is someone else's now: it gets its share of the free ones (1).
  BOOST_TEST(shard_list(back.event("SHARDS_ASSIGNED")) == std::vector<std::uint32_t>{1});
}

BOOST_AUTO_TEST_CASE(a_kick_or_a_protocol_error_ends_the_session) {
  node_fixture f{gw_args()};
  worker kicked{f.port()};
  auto list = body_json(admin(f.port(), "GET", "/api/v1/sessions")).at("sessions").as_array();
  const auto id = list.at(0).at("id").as_int64();
  BOOST_REQUIRE_EQUAL(admin(f.port(), "DELETE", "/api/v1/sessions/" + std::to_string(id)).status,
                      200u);
  BOOST_TEST(kicked.c->ws.wait_close().value_or(0) == 1000);
  BOOST_TEST(!kicked.resume());
  worker broken{f.port()};
  BOOST_TEST(broken.c->close_after(2, json::object{}, "NOPE") == 4005);
  BOOST_TEST(!broken.resume());
  // Any other close by the client leaves it resumable (1001: a browser tab going away).
  worker leaving{f.port()};
  leaving.c->ws.close(1001);
  BOOST_TEST(leaving.resume());
}

BOOST_AUTO_TEST_CASE(random_drops_and_resumes_process_every_command_exactly_once) {
  node_fixture f{gw_args({"--gateway.command_grace_ms=150"})};
  std::vector<std::unique_ptr<worker>> workers;
  for (int i = 0; i < 3; ++i)
    workers.push_back(std::make_unique<worker>(f.port(), i == 1));
  gw_client sharder{f.port()};
  sharder.identify("sharder");
  std::mt19937 rng{20261204};
  constexpr int total = 600;
  int sent = 0;
  std::size_t drops = 0, late = 0;
  while (sent < total) {
    for (int k = 0; k < 10 && sent < total; ++k, ++sent)
      sharder.send(2, command(1 + rng() % 25, "n" + std::to_string(sent)), "EXECUTE_COMMAND");
    for (auto& w : workers) {
      if (!w->c) {
        // Away: back at once, or after the grace (its commands then went elsewhere).
        if (rng() % 3 == 0) {
          BOOST_REQUIRE(w->resume());
        }
        continue;
      }
      w->poll(rng() % 2 ? 1ms : 10ms);
      if (rng() % 8 == 0) {
        w->drop();
        ++drops;
        if (rng() % 2 == 0) {
          std::this_thread::sleep_for(200ms); // past the grace
          ++late;
        }
      }
    }
  }
  for (auto& w : workers)
    if (!w->c)
      BOOST_REQUIRE(w->resume());
  std::vector<worker*> all;
  for (auto& w : workers)
    all.push_back(w.get());
  drain(all, total, 20s);
  std::map<std::string, int> seen;
  for (auto* w : all)
    for (auto& raw : w->commands)
      ++seen[raw];
  BOOST_TEST(seen.size() == static_cast<std::size_t>(total));
  for (auto& [raw, n] : seen)
    BOOST_TEST(n == 1, raw << " processed " << n << " times");
  BOOST_TEST_MESSAGE("random resume: " << drops << " drops (" << late << " past the grace), "
                     << metric(f.port(), R"(coordinator_commands_total{outcome="rerouted"})")
                     << " rerouted, " << metric(f.port(), "coordinator_replayed_events_total")
                     << " replayed");
  BOOST_TEST(drops > 10u);
  BOOST_TEST(late > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
