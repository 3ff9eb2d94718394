#pragma once
// What the etcd_client tests share: a real etcd cluster started once per test process
// (etcd_process.hpp), helpers to put and delete keys, and a watch log that waits for events.

#include "net/etcd_client.hpp"
#include "tests/net/etcd_process.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>


namespace coord::net::testing {

namespace json = boost::json;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

/// Generous: a loaded CI machine, an etcd election.
constexpr auto patience = 15s;

inline std::string b64(std::string_view s) { return base64_encode(s); }

inline long ms_since(clock::time_point start) {
  return static_cast<long>(
    std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count());
}

/// One call, waited for (the test fails if `done` never comes).
inline etcd_reply call_sync(etcd_client& client, const std::string& path, const std::string& body,
                     std::chrono::milliseconds timeout = 0ms) {
  auto promise = std::make_shared<std::promise<etcd_reply>>();
  auto future = promise->get_future();
  client.call(path, body, [promise](etcd_reply r) { promise->set_value(std::move(r)); },
              timeout);
  BOOST_REQUIRE_MESSAGE(future.wait_for(patience) == std::future_status::ready,
                        "no answer to " << path);
  return future.get();
}

inline json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "not a JSON object: " << body);
  return v.get_object();
}

inline std::int64_t revision_of(const json::object& obj) {
  return std::stoll(std::string(obj.at("header").at("revision").as_string()));
}

/// Puts until etcd takes it (a member may be electing a leader); returns the revision.
inline std::int64_t put(etcd_client& client, const std::string& key, const std::string& value) {
  const auto deadline = clock::now() + patience;
  const auto body = json::serialize(json::object{{"key", b64(key)}, {"value", b64(value)}});
  for (;;) {
    auto r = call_sync(client, "/v3/kv/put", body);
    if (r.ok)
      return revision_of(parse_object(r.body));
    BOOST_REQUIRE_MESSAGE(clock::now() < deadline, "put " << key << " failed: " << r.error);
    std::this_thread::sleep_for(50ms);
  }
}

inline std::int64_t del(etcd_client& client, const std::string& key) {
  auto r = call_sync(client, "/v3/kv/deleterange", json::serialize(json::object{{"key", b64(key)}}));
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  return revision_of(parse_object(r.body));
}

inline etcd_options options_for(std::vector<std::string> endpoints) {
  etcd_options o;
  o.endpoints = std::move(endpoints);
  return o;
}

/// Whether the member at `url` is the raft leader (/v3/maintenance/status).
inline bool is_leader(const std::string& url) {
  etcd_client client(options_for({url}));
  auto r = call_sync(client, "/v3/maintenance/status", "{}");
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  const auto obj = parse_object(r.body);
  return obj.at("leader") == obj.at("header").at("member_id");
}

/// One etcd member shared by the tests that do not kill it (each test uses its own keys).
inline etcd_cluster& shared_etcd() {
  static etcd_cluster cluster(1);
  return cluster;
}

/// Everything a watch reported, as "PUT key=value@rev" / "DELETE key@rev" lines.
struct watch_log {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<std::string> events;
  std::vector<bool> states;
  std::int64_t compacted = 0;
  std::atomic<int> callbacks{0};

  etcd_watch_callbacks callbacks_for() {
    etcd_watch_callbacks cb;
    cb.on_events = [this](std::string result) {
      ++callbacks;
      auto obj = json::parse(result).as_object();
      std::lock_guard lock(mtx);
      for (const auto& e : obj.at("events").as_array()) {
        const auto& ev = e.as_object();
        const auto& kv = ev.at("kv").as_object();
        const bool is_delete = ev.contains("type") && ev.at("type").as_string() == "DELETE";
        std::string line = is_delete ? "DELETE " : "PUT ";
        line += base64_decode(kv.at("key").as_string()).value();
        if (!is_delete)
          line += "=" + base64_decode(kv.at("value").as_string()).value();
        line += "@" + std::string(kv.at("mod_revision").as_string());
        events.push_back(line);
      }
      cv.notify_all();
    };
    cb.on_state = [this](bool open) {
      ++callbacks;
      std::lock_guard lock(mtx);
      states.push_back(open);
      cv.notify_all();
    };
    cb.on_compacted = [this](std::int64_t rev) {
      ++callbacks;
      std::lock_guard lock(mtx);
      compacted = rev;
      cv.notify_all();
    };
    return cb;
  }

  template <class Pred> bool wait(Pred pred, std::chrono::milliseconds timeout = patience) {
    std::unique_lock lock(mtx);
    return cv.wait_for(lock, timeout, [&] { return pred(); });
  }
  bool wait_events(std::size_t n) {
    return wait([&] { return events.size() >= n; });
  }
  bool wait_state(bool open, std::size_t count = 1) {
    return wait([&] {
      return std::count(states.begin(), states.end(), open) >= static_cast<long>(count);
    });
  }
  std::vector<std::string> events_seen() {
    std::lock_guard lock(mtx);
    return events;
  }
  std::vector<bool> states_seen() {
    std::lock_guard lock(mtx);
    return states;
  }
};

inline std::string put_line(const std::string& key, const std::string& value, std::int64_t rev) {
  return "PUT " + key + "=" + value + "@" + std::to_string(rev);
}


} // namespace coord::net::testing
