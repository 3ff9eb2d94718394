#pragma once
// Gateway sessions (SPEC.md §4) on the deterministic coordinator: real session actors, a real
// broker (numbering, replay, command delivery), command router, service directory and shard
// planner, fake connections. The
// heartbeat monitor and the store are scoped actors, so a test sees what a session asks of
// them. Timers (command grace, resume window, backlog ticks) fire only when the test moves the
// test clock: no sleeps, no threads.

#include "tests/actors/fixture.hpp"

#include "actors/broker/broker.hpp"
#include "actors/broker/command_router_actor.hpp"
#include "actors/broker/service_directory.hpp"
#include "actors/gateway/gateway_session.hpp"
#include "actors/shards/shard_planner.hpp"
#include "proto/errors.hpp"
#include "proto/gateway_codec.hpp"
#include "proto/zlib_codec.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <caf/send.hpp>

#include <map>
#include <string>
#include <vector>

namespace coord::test {

namespace gw = proto::gateway;

/// One frame as the client sees it: the JSON (inflated when it came binary) and the frame kind.
struct client_frame {
  boost::json::object json;
  bool binary = false;

  const std::string t() const {
    auto* p = json.if_contains("t");
    return p && p->is_string() ? std::string{p->as_string()} : std::string{};
  }
  std::int64_t op() const { return json.at("op").to_number<std::int64_t>(); }
  bool has_s() const { return json.contains("s"); }
  std::uint64_t s() const { return json.at("s").to_number<std::uint64_t>(); }
  const boost::json::object& d() const { return json.at("d").as_object(); }
};

/// Every frame sent to `c`, decoded as a client would.
inline std::vector<client_frame> frames_of(const fake_connection& c) {
  std::vector<client_frame> out;
  for (const auto& [buf, binary] : c.sent) {
    std::string text = *buf;
    if (binary) {
      auto inflated = proto::zlib::inflate(text, 1 << 20);
      BOOST_REQUIRE_MESSAGE(inflated.has_value(), "a binary frame that is no zlib stream");
      text = *inflated;
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "a frame that is no JSON object: " << text);
    out.push_back({v.as_object(), binary});
  }
  return out;
}

/// The op 2 frames of `c` with event type `t`.
inline std::vector<client_frame> events_of(const fake_connection& c, const std::string& t) {
  std::vector<client_frame> out;
  for (auto& f : frames_of(c))
    if (f.op() == 2 && f.t() == t)
      out.push_back(std::move(f));
  return out;
}

/// The `raw` texts of the EXECUTE_COMMANDs `c` received, in order.
inline std::vector<std::string> commands_of(const fake_connection& c) {
  std::vector<std::string> out;
  for (auto& f : events_of(c, "EXECUTE_COMMAND"))
    out.emplace_back(f.d().at("raw").as_string());
  return out;
}

inline std::uint16_t code_of(const fake_connection& c) {
  return c.closed ? c.closed->first : 0;
}

constexpr const char* secret = "s3cret";

inline std::string identify_json(const std::string& type, bool compress = false,
                                 const std::string& key = secret) {
  return R"({"op":0,"d":{"type":")" + type + R"(","compress":)"
         + (compress ? "true" : "false") + R"(,"secret":")" + key + R"("}})";
}

inline std::string resume_json(const std::string& session_id, std::uint64_t seq,
                               const std::string& key = secret) {
  return R"({"op":6,"d":{"sessionId":")" + session_id + R"(","seq":)" + std::to_string(seq)
         + R"(,"secret":")" + key + R"("}})";
}

/// A valid EXECUTE_COMMAND from a sharder; `raw` tells the commands apart.
inline std::string command_json(std::uint64_t guild, const std::string& raw) {
  return R"({"op":2,"t":"EXECUTE_COMMAND","d":{"command":"ping","raw":")" + raw
         + R"(","ids":{"message":"1","author":"2","channel":"3","guild":")"
         + std::to_string(guild) + R"(","shard":0}}})";
}

/// The command queue of these tests: 4 commands, 30 s.
constexpr std::size_t test_command_buffer = 4;
constexpr caf::timespan test_command_ttl = std::chrono::seconds(30);

/// The broker limits of these tests: the default resume limits but a small replay buffer (so
/// a gap is easy to make).
inline actors::broker_config test_broker_config() {
  actors::broker_config cfg;
  cfg.resume_window = std::chrono::seconds(60);
  cfg.command_grace = std::chrono::milliseconds(2000);
  cfg.resume_buffer_events = 8;
  return cfg;
}

struct gateway_fixture : actor_fixture {
  gateway_fixture() : monitor(sys), store(sys) {
    router = sys.spawn(actors::command_router_behavior, &metrics, test_command_buffer,
                       test_command_ttl);
    directory = sys.spawn(actors::service_directory, actors::wall_clock{});
    track(router);
    track(directory);
    auto cfg = test_broker_config();
    cfg.router = router;
    cfg.directory = directory;
    broker = track(sys.spawn(actors::broker_with, &metrics, cfg));
    planner = track(sys.spawn(actors::shard_planner, std::uint32_t{2}, std::uint32_t{1},
                              caf::timespan{std::chrono::seconds(10)}, std::uint32_t{1}));
    sched.run();
  }

  ~gateway_fixture() {
    // net/ tells every session actor its connection ended; they quit on that.
    for (auto& [id, s] : sinks)
      s->on_closed(1006);
    sched.run();
  }

  /// A new connection `id` on /gateway; its session actor has sent HELLO.
  std::shared_ptr<fake_connection> open(std::uint64_t id) {
    auto conn = std::make_shared<fake_connection>(id, ports::dialect::gateway);
    actors::gateway_deps deps;
    deps.secret = secret;
    deps.heartbeat_interval_ms = 30000;
    deps.broker = broker;
    deps.directory = directory;
    // The scoped actor stands in for the store: dynamically typed, so an unchecked cast.
    deps.store = caf::actor_cast<actors::settings_store_actor>(store);
    deps.planner = planner;
    deps.monitor = caf::actor_cast<actors::heartbeat_monitor_actor>(monitor);
    deps.metrics = &metrics;
    sinks[id] = actors::open_gateway_session(sys, conn, deps);
    conns[id] = conn;
    sched.run();
    return conn;
  }

  /// The client of connection `id` sends a text frame.
  void frame(std::uint64_t id, std::string text) {
    sinks.at(id)->on_frame(std::move(text), false);
    sched.run();
  }

  /// net/ reports that connection `id` ended with `code`.
  void closed(std::uint64_t id, std::uint16_t code = 1006) {
    sinks.at(id)->on_closed(code);
    sinks.erase(id);
    sched.run();
  }

  /// Opens connection `id` and identifies it as `type`; returns the connection.
  std::shared_ptr<fake_connection> identified(std::uint64_t id, const std::string& type,
                                              bool compress = false) {
    auto conn = open(id);
    frame(id, identify_json(type, compress));
    BOOST_REQUIRE_EQUAL(events_of(*conn, "IDENTIFIED").size(), 1u);
    return conn;
  }

  /// The sessionId of connection `id`'s IDENTIFIED.
  std::string session_id(std::uint64_t id) {
    auto ev = events_of(*conns.at(id), "IDENTIFIED");
    BOOST_REQUIRE_EQUAL(ev.size(), 1u);
    return std::string{ev.front().d().at("sessionId").as_string()};
  }

  /// The last `s` connection `id` received.
  std::uint64_t last_s(std::uint64_t id) {
    std::uint64_t s = 0;
    for (auto& f : frames_of(*conns.at(id)))
      if (f.has_s())
        s = f.s();
    return s;
  }

  /// A stored-state change the store broadcasts to the gateway sessions (§4.6).
  void broadcast(std::uint64_t guild) {
    actors::broadcast_msg msg;
    msg.gateway = ports::make_buffer(gw::encode_music_command_update(guild, true));
    caf::anon_send(broker, actors::broadcast_atom::value, msg);
    sched.run();
  }

  /// Moves the test clock by `d`, fires the timers due and runs what they sent.
  void advance(caf::timespan d) {
    sched.advance_time(d);
    sched.run();
  }

  std::uint64_t commands(metrics::command_outcome o) const {
    return metrics.commands[static_cast<std::size_t>(o)].value();
  }

  /// The service directory's /services list.
  std::vector<actors::service_info> services() {
    return ask<std::vector<actors::service_info>>(directory, actors::services_atom::value);
  }

  /// The broker's session list.
  std::vector<actors::session_info> sessions() {
    return ask<std::vector<actors::session_info>>(broker, actors::sessions_atom::value);
  }

  caf::scoped_actor monitor; ///< stands in for the heartbeat monitor
  caf::scoped_actor store;   ///< stands in for the store
  actors::broker_actor broker;
  actors::command_router_actor router;
  actors::service_directory_actor directory;
  actors::shard_planner_actor planner;
  std::map<std::uint64_t, std::shared_ptr<ports::session_sink>> sinks;
  std::map<std::uint64_t, std::shared_ptr<fake_connection>> conns;
};

} // namespace coord::test
