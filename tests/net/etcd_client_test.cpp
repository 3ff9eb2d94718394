// etcd_client against real etcd 3.4 members on 127.0.0.1: calls, failover, timeouts, watches
// across kills and restarts, cancellation and destruction.

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
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

/// Generous: a loaded CI machine, an etcd election.
constexpr auto patience = 15s;

std::string b64(std::string_view s) { return base64_encode(s); }

long ms_since(clock::time_point start) {
  return static_cast<long>(
    std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count());
}

/// One call, waited for (the test fails if `done` never comes).
etcd_reply call_sync(etcd_client& client, const std::string& path, const std::string& body,
                     std::chrono::milliseconds timeout = 0ms) {
  auto promise = std::make_shared<std::promise<etcd_reply>>();
  auto future = promise->get_future();
  client.call(path, body, [promise](etcd_reply r) { promise->set_value(std::move(r)); },
              timeout);
  BOOST_REQUIRE_MESSAGE(future.wait_for(patience) == std::future_status::ready,
                        "no answer to " << path);
  return future.get();
}

json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "not a JSON object: " << body);
  return v.get_object();
}

std::int64_t revision_of(const json::object& obj) {
  return std::stoll(std::string(obj.at("header").at("revision").as_string()));
}

/// Puts until etcd takes it (a member may be electing a leader); returns the revision.
std::int64_t put(etcd_client& client, const std::string& key, const std::string& value) {
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

std::int64_t del(etcd_client& client, const std::string& key) {
  auto r = call_sync(client, "/v3/kv/deleterange", json::serialize(json::object{{"key", b64(key)}}));
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  return revision_of(parse_object(r.body));
}

etcd_options options_for(std::vector<std::string> endpoints) {
  etcd_options o;
  o.endpoints = std::move(endpoints);
  return o;
}

/// Whether the member at `url` is the raft leader (/v3/maintenance/status).
bool is_leader(const std::string& url) {
  etcd_client client(options_for({url}));
  auto r = call_sync(client, "/v3/maintenance/status", "{}");
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  const auto obj = parse_object(r.body);
  return obj.at("leader") == obj.at("header").at("member_id");
}

/// One etcd member shared by the tests that do not kill it (each test uses its own keys).
etcd_cluster& shared_etcd() {
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

std::string put_line(const std::string& key, const std::string& value, std::int64_t rev) {
  return "PUT " + key + "=" + value + "@" + std::to_string(rev);
}

} // namespace

BOOST_AUTO_TEST_SUITE(etcd_client_behaviour)

BOOST_AUTO_TEST_CASE(base64_round_trips_rfc4648_vectors_and_every_byte) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
    {"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    BOOST_TEST(base64_encode(plain) == encoded);
    BOOST_TEST(base64_decode(encoded).value_or("<invalid>") == plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); len += 37)
    BOOST_TEST(base64_decode(base64_encode(all.substr(0, len))).value_or("<invalid>") ==
               all.substr(0, len));
  BOOST_TEST(base64_decode(base64_encode(all)).value_or("<invalid>") == all);
}

BOOST_AUTO_TEST_CASE(base64_decode_rejects_invalid_text) {
  for (const std::string bad :
       {"Z", "Zg=", "Zg==Zg==", "Z===", "====", "Zm9v!A==", "Zm 9v", "Zm9v\n", "Zg=A", "=Zm9"})
    BOOST_TEST(!base64_decode(bad).has_value(), "accepted \"" << bad << "\"");
}

BOOST_AUTO_TEST_CASE(prefix_range_end_increments_the_last_byte_below_0xff) {
  BOOST_TEST(prefix_range_end("/shards/") == "/shards0");
  BOOST_TEST(prefix_range_end("a") == "b");
  BOOST_TEST(prefix_range_end("a\xff") == "b");
  BOOST_TEST(prefix_range_end(std::string("ab\xff\xff")) == "ac");
  BOOST_TEST(prefix_range_end("\xff\xff") == std::string(1, '\0'));
  BOOST_TEST(prefix_range_end("") == std::string(1, '\0'));
}

BOOST_AUTO_TEST_CASE(constructor_rejects_anything_but_http_host_port) {
  for (const std::string bad :
       {"https://127.0.0.1:2379", "127.0.0.1:2379", "http://127.0.0.1", "http://127.0.0.1:0",
        "http://127.0.0.1:65536", "http://:2379", "http://127.0.0.1:23x9", "http://a/b:1"}) {
    try {
      etcd_client c(options_for({bad}));
      BOOST_ERROR("accepted " << bad);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      BOOST_TEST(what.find(bad) != std::string::npos);
      BOOST_TEST(what.find('\n') == std::string::npos);
    }
  }
  BOOST_CHECK_THROW(etcd_client(options_for({})), std::invalid_argument);
  BOOST_CHECK_NO_THROW(etcd_client(options_for({"http://localhost:2379", "http://[::1]:2379/"})));
}

BOOST_AUTO_TEST_CASE(put_then_range_round_trips_bytes_and_an_error_status_ends_the_call) {
  auto& etcd = shared_etcd();
  etcd_client client(options_for(etcd.client_urls()));
  const std::string key = "/rt/key";
  const std::string value("v\0\xff\n\"{", 6);
  const auto rev = put(client, key, value);
  auto r = call_sync(client, "/v3/kv/range", json::serialize(json::object{{"key", b64(key)}}));
  BOOST_REQUIRE(r.ok);
  BOOST_TEST(r.status == 200u);
  BOOST_TEST(r.error.empty());
  BOOST_TEST(r.endpoint == etcd.member(0).client_url());
  const auto obj = parse_object(r.body);
  const auto& kv = obj.at("kvs").as_array().at(0).as_object();
  BOOST_TEST(base64_decode(kv.at("value").as_string()).value_or("") == value);
  BOOST_TEST(std::stoll(std::string(kv.at("mod_revision").as_string())) == rev);

  // grpc-gateway answers a body it cannot read with 400: that ends the call, not ok.
  auto bad = call_sync(client, "/v3/kv/range", "{not json");
  BOOST_TEST(!bad.ok);
  BOOST_TEST(bad.status == 400u);
  BOOST_TEST(bad.error.rfind("HTTP 400", 0) == 0u, bad.error);
  BOOST_TEST(bad.body.find("error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_dead_first_endpoint_is_skipped) {
  auto& etcd = shared_etcd();
  const auto dead = "http://127.0.0.1:" + std::to_string(free_port());
  etcd_client client(options_for({dead, etcd.member(0).client_url()}));
  const auto r = call_sync(client, "/v3/kv/range",
                           json::serialize(json::object{{"key", b64("/dead/none")}}));
  BOOST_TEST(r.ok, r.error);
  BOOST_TEST(r.endpoint == etcd.member(0).client_url());
  // The next call starts from the endpoint that worked (nothing to fail over from).
  const auto again = call_sync(client, "/v3/kv/range",
                               json::serialize(json::object{{"key", b64("/dead/none")}}));
  BOOST_TEST(again.ok, again.error);
}

BOOST_AUTO_TEST_CASE(only_dead_endpoints_fail_with_status_0_and_each_error) {
  const auto a = "http://127.0.0.1:" + std::to_string(free_port());
  const auto b = "http://127.0.0.1:" + std::to_string(free_port());
  auto opts = options_for({a, b});
  opts.request_timeout = 5s;
  etcd_client client(opts);
  const auto start = clock::now();
  const auto r = call_sync(client, "/v3/kv/range", "{}");
  BOOST_TEST(ms_since(start) < 5000);
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.status == 0u);
  BOOST_TEST(r.error.find(a + " connect: ") != std::string::npos, r.error);
  BOOST_TEST(r.error.find(b + " connect: ") != std::string::npos, r.error);
  BOOST_TEST(r.error.find('\n') == std::string::npos);
  BOOST_TEST(r.endpoint == b);
}

BOOST_AUTO_TEST_CASE(a_silent_endpoint_times_out_and_the_next_one_answers) {
  auto& etcd = shared_etcd();
  hung_server silent; // accepts, never answers
  auto opts = options_for({silent.url()});
  opts.request_timeout = 300ms;
  {
    etcd_client client(opts);
    const auto start = clock::now();
    const auto r = call_sync(client, "/v3/kv/range", "{}");
    const auto elapsed = ms_since(start);
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.status == 0u);
    BOOST_TEST(r.error == silent.url() + " timeout");
    BOOST_TEST(elapsed >= 250);
    BOOST_TEST(elapsed < 5000);
  }
  opts.endpoints.push_back(etcd.member(0).client_url());
  etcd_client client(opts);
  const auto body = json::serialize(json::object{{"key", b64("/silent/none")}});
  const auto r = call_sync(client, "/v3/kv/range", body);
  BOOST_TEST(r.ok, r.error);
  BOOST_TEST(r.endpoint == etcd.member(0).client_url());
  BOOST_TEST(silent.wait_connections(2, patience)); // the first client's call and this one
  // The next calls start from the endpoint that answered: the silent one is not tried again.
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(call_sync(client, "/v3/kv/range", body).ok);
  BOOST_TEST(silent.connections() == 2u);
}

BOOST_AUTO_TEST_CASE(an_http_error_ends_a_call_but_a_watch_moves_on) {
  auto& etcd = shared_etcd();
  hung_server not_etcd("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here\n");
  etcd_client client(options_for({not_etcd.url(), etcd.member(0).client_url()}));
  // An answer is an answer: no failover, whatever the status.
  const auto r = call_sync(client, "/v3/kv/range", "{}");
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.status == 404u);
  BOOST_TEST(r.body == "not here\n");
  BOOST_TEST(r.error == "HTTP 404 not here");
  BOOST_TEST(r.endpoint == not_etcd.url());
  // A watch needs a stream: it reports the failure and opens on the next endpoint.
  watch_log log;
  auto w = client.watch("/http/", prefix_range_end("/http/"), 0, log.callbacks_for());
  BOOST_REQUIRE(log.wait_state(true));
  BOOST_TEST(log.states_seen() == (std::vector<bool>{false, true}),
             boost::test_tools::per_element());
  BOOST_TEST(w->endpoint() == etcd.member(0).client_url());
  const auto rev = put(client, "/http/k", "v");
  BOOST_REQUIRE(log.wait_events(1));
  BOOST_TEST(log.events_seen() == std::vector<std::string>{put_line("/http/k", "v", rev)},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_watch_sees_puts_and_deletes_in_order) {
  auto& etcd = shared_etcd();
  etcd_client client(options_for(etcd.client_urls()));
  watch_log log;
  auto w = client.watch("/order/", prefix_range_end("/order/"), 0, log.callbacks_for());
  BOOST_REQUIRE(log.wait_state(true));
  BOOST_TEST(w->endpoint() == etcd.member(0).client_url());
  const auto r1 = put(client, "/order/a", "1");
  const auto r2 = put(client, "/order/b", "2");
  put(client, "/other", "not watched");
  const auto r3 = del(client, "/order/a");
  const auto r4 = put(client, "/order/a", "3");
  BOOST_REQUIRE(log.wait_events(4));
  BOOST_TEST(log.events_seen() ==
             (std::vector<std::string>{put_line("/order/a", "1", r1), put_line("/order/b", "2", r2),
                                       "DELETE /order/a@" + std::to_string(r3),
                                       put_line("/order/a", "3", r4)}),
             boost::test_tools::per_element());
  BOOST_TEST(w->next_revision() == r4 + 1);
  BOOST_TEST(log.states_seen() == std::vector<bool>{true}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cancel_stops_the_callbacks_of_that_watch_only) {
  auto& etcd = shared_etcd();
  etcd_client client(options_for(etcd.client_urls()));
  watch_log cancelled, control;
  auto w = client.watch("/cancel/", prefix_range_end("/cancel/"), 0, cancelled.callbacks_for());
  auto c = client.watch("/cancel/", prefix_range_end("/cancel/"), 0, control.callbacks_for());
  BOOST_REQUIRE(cancelled.wait_state(true));
  BOOST_REQUIRE(control.wait_state(true));
  put(client, "/cancel/1", "x");
  BOOST_REQUIRE(cancelled.wait_events(1));
  w->cancel();
  const int seen = cancelled.callbacks.load();
  put(client, "/cancel/2", "x");
  put(client, "/cancel/3", "x");
  BOOST_REQUIRE(control.wait_events(3));
  BOOST_TEST(cancelled.callbacks.load() == seen);
  BOOST_TEST(cancelled.events_seen().size() == 1u);
  // Dropping the handle cancels too.
  c.reset();
  const int control_seen = control.callbacks.load();
  watch_log third;
  auto t = client.watch("/cancel/", prefix_range_end("/cancel/"), 0, third.callbacks_for());
  BOOST_REQUIRE(third.wait_state(true));
  put(client, "/cancel/4", "x");
  BOOST_REQUIRE(third.wait_events(1));
  BOOST_TEST(control.callbacks.load() == control_seen);
}

BOOST_AUTO_TEST_CASE(a_watch_from_a_compacted_revision_reports_it_and_stops) {
  auto& etcd = shared_etcd();
  etcd_client client(options_for(etcd.client_urls()));
  const auto first = put(client, "/compact/k", "1");
  put(client, "/compact/k", "2");
  const auto last = put(client, "/compact/k", "3");
  const auto r = call_sync(client, "/v3/kv/compaction",
                           json::serialize(json::object{{"revision", last}}));
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  watch_log log;
  auto w = client.watch("/compact/", prefix_range_end("/compact/"), first, log.callbacks_for());
  BOOST_REQUIRE(log.wait([&] { return log.compacted != 0; }));
  BOOST_TEST(log.compacted == last);
  BOOST_TEST(log.events_seen().empty());
}

BOOST_AUTO_TEST_CASE(a_watch_survives_a_restart_of_etcd_without_losing_or_repeating_events) {
  etcd_cluster etcd(1);
  auto opts = options_for(etcd.client_urls());
  opts.watch_retry = 500ms;
  etcd_client client(opts);
  watch_log log;
  auto w = client.watch("/restart/", prefix_range_end("/restart/"), 0, log.callbacks_for());
  BOOST_REQUIRE(log.wait_state(true));
  const auto r1 = put(client, "/restart/1", "a");
  BOOST_REQUIRE(log.wait_events(1));

  etcd.member(0).kill();
  BOOST_REQUIRE(log.wait_state(false));
  etcd.member(0).start(etcd.initial_cluster()); // same data dir and port
  etcd.member(0).wait_healthy();
  // Written right after the restart: usually before the watch is back (it retries every
  // 500 ms), so these come from the resumed revision, not as live events.
  const auto r2 = put(client, "/restart/2", "b");
  const auto r3 = put(client, "/restart/3", "c");
  BOOST_REQUIRE(log.wait_events(3));
  BOOST_REQUIRE(log.wait_state(true, 2));
  const auto r4 = put(client, "/restart/4", "d");
  BOOST_REQUIRE(log.wait_events(4));
  BOOST_TEST(log.events_seen() ==
             (std::vector<std::string>{put_line("/restart/1", "a", r1),
                                       put_line("/restart/2", "b", r2),
                                       put_line("/restart/3", "c", r3),
                                       put_line("/restart/4", "d", r4)}),
             boost::test_tools::per_element());
  BOOST_TEST(w->next_revision() == r4 + 1);
}

BOOST_AUTO_TEST_CASE(a_watch_moves_to_another_member_when_its_member_dies) {
  etcd_cluster etcd(3);
  // The watch starts on a follower, so the writes below need no new election.
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < etcd.size(); ++i)
    if (!is_leader(etcd.member(i).client_url()))
      urls.insert(urls.begin(), etcd.member(i).client_url());
    else
      urls.push_back(etcd.member(i).client_url());
  auto opts = options_for(urls);
  opts.watch_retry = 2000ms; // the writes below land while the watch is down
  etcd_client client(opts);
  watch_log log;
  auto w = client.watch("/move/", prefix_range_end("/move/"), 0, log.callbacks_for());
  BOOST_REQUIRE(log.wait_state(true));
  BOOST_REQUIRE(w->endpoint() == urls.front());
  const auto r1 = put(client, "/move/1", "a");
  BOOST_REQUIRE(log.wait_events(1));

  std::size_t victim = 0;
  while (etcd.member(victim).client_url() != urls.front())
    ++victim;
  etcd.member(victim).kill();
  BOOST_REQUIRE(log.wait_state(false));
  etcd_client writer(options_for({urls.begin() + 1, urls.end()}));
  const auto r2 = put(writer, "/move/2", "b");
  const auto r3 = put(writer, "/move/3", "c");
  BOOST_TEST(log.states_seen() == (std::vector<bool>{true, false}),
             "the watch reopened before the writes were done");
  BOOST_REQUIRE(log.wait_state(true, 2));
  BOOST_TEST(w->endpoint() != urls.front());
  const auto r4 = put(writer, "/move/4", "d");
  BOOST_REQUIRE(log.wait_events(4));
  BOOST_TEST(log.events_seen() ==
             (std::vector<std::string>{put_line("/move/1", "a", r1), put_line("/move/2", "b", r2),
                                       put_line("/move/3", "c", r3),
                                       put_line("/move/4", "d", r4)}),
             boost::test_tools::per_element());
  BOOST_TEST(log.states_seen() == (std::vector<bool>{true, false, true}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_watch_leaves_a_member_that_lost_its_leader) {
  etcd_cluster etcd(3);
  std::vector<std::string> urls;
  std::vector<std::size_t> others;
  for (std::size_t i = 0; i < etcd.size(); ++i) {
    if (urls.empty() && !is_leader(etcd.member(i).client_url()))
      urls.push_back(etcd.member(i).client_url());
    else
      others.push_back(i);
  }
  for (const auto i : others)
    urls.push_back(etcd.member(i).client_url());
  auto opts = options_for(urls);
  opts.request_timeout = 1000ms;
  etcd_client client(opts);
  watch_log log;
  auto w = client.watch("/partition/", prefix_range_end("/partition/"), 0, log.callbacks_for());
  BOOST_REQUIRE(log.wait_state(true));
  BOOST_REQUIRE(w->endpoint() == urls.front());
  const auto r1 = put(client, "/partition/1", "a");
  BOOST_REQUIRE(log.wait_events(1));

  // The watch's member is alive but alone: etcd ends streams that require a leader once it
  // has had none for three election timeouts.
  for (const auto i : others)
    etcd.member(i).pause();
  const bool left = log.wait_state(false, 1);
  for (const auto i : others)
    etcd.member(i).resume();
  BOOST_REQUIRE_MESSAGE(left, "the watch stayed on a member without a leader");
  for (std::size_t i = 0; i < etcd.size(); ++i)
    etcd.member(i).wait_healthy();
  BOOST_REQUIRE(log.wait_state(true, 2));
  const auto r2 = put(client, "/partition/2", "b");
  BOOST_REQUIRE(log.wait_events(2));
  BOOST_TEST(log.events_seen() == (std::vector<std::string>{put_line("/partition/1", "a", r1),
                                                            put_line("/partition/2", "b", r2)}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_campaign_without_timeout_waits_until_the_leader_goes) {
  auto& etcd = shared_etcd();
  auto opts = options_for(etcd.client_urls());
  opts.request_timeout = 300ms;
  etcd_client client(opts);
  const auto grant = [&] {
    auto r = call_sync(client, "/v3/lease/grant", R"({"TTL":30})");
    BOOST_REQUIRE_MESSAGE(r.ok, r.error);
    return std::string(parse_object(r.body).at("ID").as_string());
  };
  const auto campaign = [&](const std::string& lease, const std::string& value) {
    return json::serialize(
      json::object{{"name", b64("/election/e")}, {"lease", lease}, {"value", b64(value)}});
  };
  const auto first = grant();
  const auto second = grant();
  auto a = call_sync(client, "/v3/election/campaign", campaign(first, "a"), etcd_client::no_timeout);
  BOOST_REQUIRE_MESSAGE(a.ok, a.error);
  std::promise<etcd_reply> b_done;
  auto b = b_done.get_future();
  client.call("/v3/election/campaign", campaign(second, "b"),
              [&](etcd_reply r) { b_done.set_value(std::move(r)); }, etcd_client::no_timeout);
  // Still waiting well past the request timeout: no deadline applies.
  BOOST_TEST((b.wait_for(1000ms) == std::future_status::timeout));
  auto revoke = call_sync(client, "/v3/lease/revoke", json::serialize(json::object{{"ID", first}}));
  BOOST_REQUIRE_MESSAGE(revoke.ok, revoke.error);
  BOOST_REQUIRE((b.wait_for(patience) == std::future_status::ready));
  const auto won = b.get();
  BOOST_REQUIRE_MESSAGE(won.ok, won.error);
  BOOST_TEST(std::string(parse_object(won.body).at("leader").at("lease").as_string()) == second);
}

BOOST_AUTO_TEST_CASE(destroying_the_client_with_a_call_and_a_watch_in_flight_is_quiet) {
  hung_server hung;
  std::atomic<int> callbacks{0};
  std::shared_ptr<etcd_watch> w;
  {
    std::optional<etcd_client> client;
    client.emplace(options_for({hung.url()}));
    client->call("/v3/election/campaign", "{}", [&](etcd_reply) { ++callbacks; },
                 etcd_client::no_timeout);
    etcd_watch_callbacks cb;
    cb.on_state = [&](bool) { ++callbacks; };
    cb.on_events = [&](std::string) { ++callbacks; };
    w = client->watch("/gone/", prefix_range_end("/gone/"), 0, cb);
    // Both are connected and waiting for an answer that never comes.
    BOOST_REQUIRE(hung.wait_connections(2, patience));
    client.reset();
  }
  BOOST_TEST(callbacks.load() == 0);
  // The handle outlives the client: cancelling and dropping it then is harmless.
  w->cancel();
  BOOST_TEST(w->next_revision() == 0);
  w.reset();
  BOOST_TEST(callbacks.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_client_destroyed_from_its_own_callback_does_not_deadlock) {
  auto& etcd = shared_etcd();
  auto client = std::make_unique<etcd_client>(options_for(etcd.client_urls()));
  std::promise<void> destroyed;
  auto* raw = client.release();
  raw->call("/v3/kv/range", json::serialize(json::object{{"key", b64("/self")}}),
            [&destroyed, raw](etcd_reply) {
              delete raw;
              destroyed.set_value();
            });
  BOOST_TEST((destroyed.get_future().wait_for(patience) == std::future_status::ready));
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
