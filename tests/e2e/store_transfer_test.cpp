// `coordinator store import|export` (SPEC.md §9) against a real etcd process: a single node's
// SQLite state goes into etcd under the documented keys and comes back into a new SQLite
// file that a single node serves as before; every refusal is exit 1 with one line. Also the
// [cluster] options' validation at start-up.

#include "tests/e2e/helpers.hpp"
#include "tests/e2e/etcd_helpers.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>

using namespace coord::test;
using coord::net::testing::etcd_cluster;
namespace json = boost::json;

namespace {

/// Exit 1 and exactly one line that holds `needle`.
void check_refused(const run_result& r, const std::string& needle) {
  BOOST_TEST(r.exit_code == 1, "exit code " << r.exit_code << ": " << r.output);
  BOOST_TEST(r.output.find(needle) != std::string::npos, "output: " << r.output);
  BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, "output: " << r.output);
}

/// A single node on `db` with two guilds' settings and two supporters, stopped again.
void make_single_node_state(const std::filesystem::path& db) {
  node_process n{db};
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PATCH", "/api/v1/guilds/9/settings",
                            R"({"prefix":"🎵","musicChannelId":"4","djRoleId":"18446744073709551615"})")
                        .status,
                      200u);
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/guilds/9/music", R"({"enable":false})").status,
                      200u);
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PATCH", "/api/v1/guilds/10/settings", R"({"prefix":"x"})")
                        .status,
                      200u);
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/supporters/11").status, 201u);
  BOOST_REQUIRE_EQUAL(admin(n.port(), "PUT", "/api/v1/supporters/12").status, 201u);
  n.signal(SIGTERM);
  BOOST_REQUIRE_EQUAL(n.wait_exit(std::chrono::seconds(5)).value_or(-1), 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(store_transfer)

BOOST_AUTO_TEST_CASE(a_single_nodes_state_goes_into_etcd_and_back_into_a_new_file) {
  etcd_cluster etcd{1};
  const auto port = etcd.member(0).client_port();
  const auto url = etcd.member(0).client_url();
  temp_dir dir;
  const auto db = dir.path() / "single.db";
  make_single_node_state(db);

  auto imported = run_binary({"store", "import", "--from=" + db.string(),
                              "--cluster.etcd=" + url, "--cluster.prefix=/bot1/"},
                             dir.path());
  BOOST_TEST(imported.exit_code == 0, imported.output);
  BOOST_TEST(imported.output.find("imported 2 guilds and 2 supporters") != std::string::npos,
             imported.output);

  // The documented layout: one key per guild with the admin API's JSON, one per supporter.
  auto keys = etcd_keys(port, "/bot1/");
  BOOST_REQUIRE_EQUAL(keys.size(), 4u);
  BOOST_REQUIRE(keys.count("/bot1/state/guilds/9"));
  auto g9 = json::parse(keys["/bot1/state/guilds/9"]).as_object();
  BOOST_TEST(g9.at("prefix").as_string() == "🎵");
  BOOST_TEST(g9.at("musicChannelId").as_string() == "4");
  BOOST_TEST(g9.at("djRoleId").as_string() == "18446744073709551615");
  BOOST_TEST(g9.at("musicEnabled").as_bool() == false);
  BOOST_REQUIRE(keys.count("/bot1/state/guilds/10"));
  BOOST_TEST(json::parse(keys["/bot1/state/guilds/10"]).at("prefix").as_string() == "x");
  BOOST_TEST(keys.count("/bot1/state/supporters/11") == 1u);
  BOOST_TEST(keys.count("/bot1/state/supporters/12") == 1u);
  // Another prefix saw nothing.
  BOOST_TEST(etcd_keys(port, "/coordinator/").empty());

  // Written by hand in the documented format: a partial value, a key that is no guild, and
  // a value that is no settings object.
  etcd_put(port, "/bot1/state/guilds/77", R"({"prefix":"h"})");
  etcd_put(port, "/bot1/state/guilds/abc", R"({"prefix":"h"})");
  etcd_put(port, "/bot1/state/guilds/78", R"({"prefix":""})");
  etcd_put(port, "/bot1/state/supporters/13", "{}");

  const auto out = dir.path() / "exported.db";
  auto exported = run_binary({"store", "export", "--to=" + out.string(),
                              "--cluster.etcd=" + url, "--cluster.prefix=/bot1/"},
                             dir.path());
  BOOST_TEST(exported.exit_code == 0, exported.output);
  BOOST_TEST(exported.output.find("exported 3 guilds and 3 supporters") != std::string::npos,
             exported.output);
  BOOST_TEST(exported.output.find("2 keys skipped") != std::string::npos, exported.output);

  // A single node on the exported file serves the same state.
  node_process n{out};
  auto s9 = body_json(admin(n.port(), "GET", "/api/v1/guilds/9/settings"));
  BOOST_TEST(s9.at("prefix").as_string() == "🎵");
  BOOST_TEST(s9.at("musicChannelId").as_string() == "4");
  BOOST_TEST(s9.at("djRoleId").as_string() == "18446744073709551615");
  BOOST_TEST(s9.at("musicEnabled").as_bool() == false);
  BOOST_TEST(body_json(admin(n.port(), "GET", "/api/v1/guilds/10/settings")).at("prefix")
               .as_string() == "x");
  auto s77 = body_json(admin(n.port(), "GET", "/api/v1/guilds/77/settings"));
  BOOST_TEST(s77.at("prefix").as_string() == "h");
  BOOST_TEST(s77.at("musicEnabled").as_bool() == true);
  auto sups = body_json(admin(n.port(), "GET", "/api/v1/supporters")).at("supporterIds").as_array();
  std::vector<std::string> ids;
  for (const auto& v : sups)
    ids.push_back(v.is_string() ? std::string{v.as_string()} : json::serialize(v));
  std::sort(ids.begin(), ids.end());
  BOOST_TEST(ids == (std::vector<std::string>{"11", "12", "13"}), "supporters " << json::serialize(sups));
}

BOOST_AUTO_TEST_CASE(refusals_are_exit_1_with_one_line) {
  etcd_cluster etcd{1};
  const auto url = etcd.member(0).client_url();
  temp_dir dir;
  const auto existing = dir.path() / "existing.db";
  std::ofstream{existing} << "keep me";

  check_refused(run_binary({"store", "export", "--to=" + existing.string(),
                            "--cluster.etcd=" + url},
                           dir.path()),
                "exists");

  check_refused(run_binary({"store", "import", "--from=" + (dir.path() / "missing.db").string(),
                            "--cluster.etcd=" + url},
                           dir.path()),
                "does not exist");
  // A file that is no SQLite database is refused and left as it was.
  check_refused(run_binary({"store", "import", "--from=" + existing.string(),
                            "--cluster.etcd=" + url},
                           dir.path()),
                "not a database");
  check_refused(run_binary({"store", "import", "--from=" + existing.string()}, dir.path()),
                "cluster.etcd");
  check_refused(run_binary({"store", "export", "--to=" + (dir.path() / "new.db").string()},
                           dir.path()),
                "cluster.etcd");
  BOOST_TEST(!std::filesystem::exists(dir.path() / "new.db"));
  // The existing file was not touched.
  std::ifstream in{existing};
  std::string text;
  std::getline(in, text);
  BOOST_TEST(text == "keep me");
  check_refused(run_binary({"store", "import", "--cluster.etcd=" + url}, dir.path()), "--from");
  check_refused(run_binary({"store", "export", "--from=x", "--cluster.etcd=" + url}, dir.path()),
                "--to");
  check_refused(run_binary({"store", "import", "--from=" + existing.string(),
                            "--cluster.etcd=" + url, "--cluster.prefix=nope"},
                           dir.path()),
                "cluster.prefix");
  check_refused(run_binary({"store", "export", "--to=" + (dir.path() / "new.db").string(),
                            "--cluster.etcd=http://nohostport"},
                           dir.path()),
                "the port is missing");
}

BOOST_AUTO_TEST_CASE(export_without_a_reachable_etcd_fails_and_writes_no_file) {
  temp_dir dir;
  const auto url = "http://127.0.0.1:" + std::to_string(coord::net::testing::free_port());
  const auto out = dir.path() / "out.db";
  auto r = run_binary({"store", "export", "--to=" + out.string(), "--cluster.etcd=" + url},
                      dir.path(), std::chrono::seconds(30));
  check_refused(r, "export");
  BOOST_TEST(!std::filesystem::exists(out));
}

BOOST_AUTO_TEST_CASE(bad_cluster_options_stop_the_node_with_one_line) {
  temp_dir dir;
  auto check = [&](const std::string& arg, const std::string& needle) {
    auto r = run_binary({arg, "--store.path=" + (dir.path() / "db.sqlite").string()}, dir.path());
    BOOST_TEST(r.exit_code == 1, arg << ": exit " << r.exit_code);
    BOOST_TEST(r.output.find(needle) != std::string::npos, arg << ": " << r.output);
    BOOST_TEST(std::count(r.output.begin(), r.output.end(), '\n') == 1, arg << ": " << r.output);
  };
  check("--cluster.lease_ttl_s=1", "cluster.lease_ttl_s must be between 2 and 3600");
  check("--cluster.lease_ttl_s=3601", "cluster.lease_ttl_s must be between 2 and 3600");
  check("--cluster.prefix=coordinator/", "cluster.prefix must start and end with '/'");
  check("--cluster.prefix=/coordinator", "cluster.prefix must start and end with '/'");
  check("--cluster.etcd=https://127.0.0.1:2379", "is not an http://host:port URL");
  check("--cluster.etcd=http://127.0.0.1:2379,ftp://x", "'ftp://x'");
  check("--cluster.node_id=a/b", "cluster.node_id must not contain '/'");
  // Past the option check, the etcd client's own: still one line, before anything starts.
  check("--cluster.etcd=http://nohostport", "the port is missing");
  check("--cluster.etcd=http://127.0.0.1:99999", "port out of range");
}

BOOST_AUTO_TEST_SUITE_END()
