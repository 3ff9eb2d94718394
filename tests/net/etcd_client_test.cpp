// etcd_client against real etcd 3.4 members on 127.0.0.1: the codecs, calls, failover and
// timeouts (watches: etcd_watch_test.cpp).

#include "tests/net/etcd_test_support.hpp"

namespace coord::net::testing {

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

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::net::testing
