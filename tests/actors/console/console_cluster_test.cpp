// The console's `cluster` command (SPEC.md §9): its parse and its answer
// (actors/console/console_command.hpp, actors/console/console_render.hpp).

#include "actors/console/console_command.hpp"
#include "actors/console/console_render.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace coord;
using namespace coord::actors;
using verb = console_command::verb;

BOOST_AUTO_TEST_SUITE(console_cluster)

BOOST_AUTO_TEST_CASE(cluster_parses_without_arguments_in_any_case) {
  BOOST_TEST((parse_console_command("cluster").what == verb::cluster));
  BOOST_TEST((parse_console_command("  CLUSTER\t").what == verb::cluster));
  for (auto line : {"cluster nodes", "cluster 1 2", "clusters"}) {
    auto c = parse_console_command(line);
    BOOST_TEST((c.what == verb::invalid), line);
    BOOST_TEST(c.error.rfind("ERR ", 0) == 0u, line);
  }
  BOOST_TEST(parse_console_command("cluster x").error.find("wrong number of arguments")
             != std::string::npos);
  BOOST_TEST(render_help().find("\ncluster ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_active_node_lists_itself_its_lease_and_every_node) {
  cluster_info c;
  c.node_id = "a";
  c.role = "active";
  c.active_node = "a";
  c.active_url = "ws://127.0.0.1:4000";
  c.lease_left_ms = 4200;
  c.lease_id = 77;
  c.revision = 123;
  c.failovers = 2;
  c.nodes = {{"a", "ws://127.0.0.1:4000"}, {"b", "ws://127.0.0.1:4001"}};
  BOOST_TEST(render_cluster(c) ==
             "node_id:a\n"
             "role:active\n"
             "active:a\n"
             "active_url:ws://127.0.0.1:4000\n"
             "lease_left_ms:4200\n"
             "revision:123\n"
             "failovers:2\n"
             "nodes:2\n"
             "node:a ws://127.0.0.1:4000\n"
             "node:b ws://127.0.0.1:4001\n");
}

BOOST_AUTO_TEST_CASE(a_standby_without_a_known_active_shows_dashes) {
  cluster_info c;
  c.node_id = "b";
  c.role = "standby";
  BOOST_TEST(render_cluster(c) ==
             "node_id:b\n"
             "role:standby\n"
             "active:-\n"
             "active_url:-\n"
             "lease_left_ms:-1\n"
             "revision:0\n"
             "failovers:0\n"
             "nodes:0\n");
}

BOOST_AUTO_TEST_CASE(names_read_from_etcd_stay_on_one_line) {
  // Any program may write a node key: its id and URL must not add lines to the answer.
  cluster_info c;
  c.node_id = "a";
  c.role = "standby";
  c.active_node = "evil\nrole:active";
  c.active_url = "ws://x\r\n";
  c.nodes = {{"n\n1", "ws://y\nnode:z w"}};
  auto text = render_cluster(c);
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 9);
  BOOST_TEST(text.find("active:evil\\nrole:active\n") != std::string::npos);
  BOOST_TEST(text.find("active_url:ws://x\\r\\n\n") != std::string::npos);
  BOOST_TEST(text.find("node:n\\n1 ws://y\\nnode:z w\n") != std::string::npos);
  BOOST_TEST(text.back() == '\n');
  BOOST_TEST(text.find("\n\n") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_single_node_answers_one_err_line) {
  auto text = render_not_clustered();
  BOOST_TEST(text.rfind("ERR ", 0) == 0u);
  BOOST_TEST(text.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
