// etcd_client's watches against real etcd 3.4 members on 127.0.0.1: order, cancellation,
// compaction, kills and restarts, a member without a leader, a campaign, and destruction.

#include "tests/net/etcd_test_support.hpp"

namespace coord::net::testing {

BOOST_AUTO_TEST_SUITE(etcd_client_behaviour_watch)

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
