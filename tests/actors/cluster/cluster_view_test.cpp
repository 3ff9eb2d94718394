// The role every thread reads (actors/cluster/cluster_view.hpp): a single node always serves; a
// clustered one only while active and before its lease may have run out; the standby's 503
// body names the active node or null.

#include "actors/cluster/cluster_view.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace coord::actors;
using namespace std::chrono_literals;
using clock_type = cluster_view::clock;

BOOST_TEST_DONT_PRINT_LOG_VALUE(coord::actors::cluster_view::role)

BOOST_AUTO_TEST_SUITE(cluster_view_tests)

BOOST_AUTO_TEST_CASE(a_single_node_always_serves) {
  cluster_view v;
  BOOST_TEST(!v.clustered());
  BOOST_TEST((v.current() == cluster_view::role::single));
  BOOST_TEST(v.serving(clock_type::now()));
  BOOST_TEST(v.serving(clock_type::time_point::max()));
}

BOOST_AUTO_TEST_CASE(a_clustered_node_serves_only_while_active_and_its_lease_is_sure) {
  cluster_view v{true};
  BOOST_TEST(v.clustered());
  BOOST_TEST((v.current() == cluster_view::role::standby));
  BOOST_TEST(!v.serving(clock_type::now()));

  auto t0 = clock_type::now();
  v.set_active(t0 + 2s);
  BOOST_TEST((v.current() == cluster_view::role::active));
  BOOST_TEST(v.serving(t0));
  BOOST_TEST(v.serving(t0 + 1999ms));
  // A node frozen past its lease stops serving the moment it runs again.
  BOOST_TEST(!v.serving(t0 + 2s));
  v.extend(t0 + 5s);
  BOOST_TEST(v.serving(t0 + 4s));

  v.set_standby();
  BOOST_TEST(v.clustered());
  BOOST_TEST(!v.serving(t0));
}

BOOST_AUTO_TEST_CASE(the_standby_body_names_the_active_or_null) {
  cluster_view v{true};
  auto none = boost::json::parse(v.standby_body()).as_object();
  BOOST_TEST(none.at("status").as_string() == "standby");
  BOOST_TEST(none.at("active").is_null());

  v.set_active_url("ws://127.0.0.1:4000/\"x\"");
  auto named = boost::json::parse(v.standby_body()).as_object();
  BOOST_TEST(named.at("active").as_string() == "ws://127.0.0.1:4000/\"x\"");
  BOOST_TEST(v.active_url() == "ws://127.0.0.1:4000/\"x\"");
}

BOOST_AUTO_TEST_SUITE_END()
