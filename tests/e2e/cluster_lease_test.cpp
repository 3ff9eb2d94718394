// A clustered node (SPEC.md §9) against a real etcd process when its hold on the election
// goes from under it: its lease revoked (a keepalive then answers with no TTL) or its leader
// key deleted (the election then has no leader). Either way it stands down (sessions closed
// with 1001) and, being the only node, campaigns again and comes back as active.

#include "tests/e2e/etcd_helpers.hpp"

#include <boost/json.hpp>

using namespace coord::test;
using coord::net::testing::etcd_cluster;
namespace json = boost::json;

namespace {

struct clustered_node {
  explicit clustered_node(const std::string& etcd_url)
    : node(dir.path() / "unused.db",
           {"--cluster.etcd=" + etcd_url, "--cluster.prefix=/lease-test/",
            "--cluster.lease_ttl_s=3"}) {}

  bool active() const { return http_request(node.port(), "GET", "/healthz").status == 200u; }
  long long failovers() const {
    return metric(node.port(), "coordinator_cluster_failovers_total");
  }

  temp_dir dir;
  node_process node;
};

/// The lease of the node's key under nodes/ (the node's own lease).
std::string node_lease(std::uint16_t etcd_port) {
  auto end = std::string{"/lease-test/nodes0"};
  auto answer = etcd_call(etcd_port, "/v3/kv/range",
                          {{"key", b64("/lease-test/nodes/")}, {"range_end", b64(end)}});
  BOOST_REQUIRE(answer.contains("kvs"));
  const auto& kvs = answer.at("kvs").as_array();
  BOOST_REQUIRE_EQUAL(kvs.size(), 1u);
  return std::string{kvs[0].at("lease").as_string()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(cluster_lease)

BOOST_AUTO_TEST_CASE(a_revoked_lease_makes_the_active_stand_down_and_campaign_again) {
  etcd_cluster etcd{1};
  clustered_node n{etcd.member(0).client_url()};
  BOOST_REQUIRE(wait_until([&] { return n.active(); }, std::chrono::seconds(15)));
  BOOST_TEST(n.failovers() == 1);
  ws_client c{n.node.port(), "/companion"};
  companion_handshake(c);

  auto lease = node_lease(etcd.member(0).client_port());
  etcd_call(etcd.member(0).client_port(), "/v3/lease/revoke", {{"ID", lease}});

  BOOST_TEST(c.wait_close(std::chrono::seconds(10)).value_or(0) == 1001);
  BOOST_TEST(wait_until([&] { return n.failovers() == 2 && n.active(); },
                        std::chrono::seconds(15)));
  BOOST_TEST(node_lease(etcd.member(0).client_port()) != lease);
}

BOOST_AUTO_TEST_CASE(a_deleted_leader_key_makes_the_active_stand_down_and_campaign_again) {
  etcd_cluster etcd{1};
  clustered_node n{etcd.member(0).client_url()};
  BOOST_REQUIRE(wait_until([&] { return n.active(); }, std::chrono::seconds(15)));
  BOOST_TEST(n.failovers() == 1);
  ws_client c{n.node.port(), "/companion"};
  companion_handshake(c);

  // Someone resets the election by hand: its lease lives on, but no node leads.
  auto deleted = etcd_call(etcd.member(0).client_port(), "/v3/kv/deleterange",
                           {{"key", b64("/lease-test/election/")},
                            {"range_end", b64("/lease-test/election0")}});
  BOOST_REQUIRE_EQUAL(deleted.at("deleted").as_string(), "1");

  BOOST_TEST(c.wait_close(std::chrono::seconds(10)).value_or(0) == 1001);
  BOOST_TEST(wait_until([&] { return n.failovers() == 2 && n.active(); },
                        std::chrono::seconds(15)));
}

BOOST_AUTO_TEST_SUITE_END()
