// SPEC.md §1 routes and §6 admin API against the running node.

#include "tests/e2e/helpers.hpp"

using namespace coord::test;
namespace json = boost::json;

BOOST_AUTO_TEST_SUITE(admin_api)

BOOST_AUTO_TEST_CASE(healthz_metrics_404_and_426) {
  node_fixture f;
  auto h = http_request(f.port(), "GET", "/healthz");
  BOOST_TEST(h.status == 200u);
  BOOST_TEST(body_json(h).at("status").as_string() == "ok");
  auto nf = http_request(f.port(), "GET", "/nope");
  BOOST_TEST(nf.status == 404u);
  BOOST_TEST(body_json(nf).at("error").as_string() == "not found");
  BOOST_TEST(http_request(f.port(), "GET", "/companion").status == 426u);
  auto m = http_request(f.port(), "GET", "/metrics");
  BOOST_TEST(m.status == 200u);
  for (const char* series :
       {"coordinator_sessions{dialect=\"companion\"} 0", "coordinator_sessions{dialect=\"gateway\"} 0",
        "coordinator_sessions{dialect=\"voice\"} 0", "# TYPE coordinator_messages_in_total counter",
        "coordinator_broadcast_seconds_bucket{le=\"+Inf\"}", "coordinator_store_commits_total 0"})
    BOOST_TEST(m.body.find(series) != std::string::npos, "missing " << series);
}

BOOST_AUTO_TEST_CASE(metrics_count_sessions_and_messages) {
  node_fixture f;
  ws_client c{f.port(), "/companion"};
  companion_handshake(c);
  auto m = http_request(f.port(), "GET", "/metrics").body;
  BOOST_TEST(m.find("coordinator_sessions{dialect=\"companion\"} 1") != std::string::npos);
  BOOST_TEST(m.find("coordinator_messages_in_total{dialect=\"companion\"} 1") != std::string::npos);
  BOOST_TEST(m.find("coordinator_messages_out_total{dialect=\"companion\"} 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(admin_requires_the_bearer_token) {
  node_fixture f;
  BOOST_TEST(http_request(f.port(), "GET", "/api/v1/supporters").status == 401u);
  BOOST_TEST(http_request(f.port(), "GET", "/api/v1/supporters", {},
                          {{"Authorization", "Bearer wrong"}}).status == 403u);
  BOOST_TEST(http_request(f.port(), "GET", "/api/v1/supporters", {},
                          {{"Authorization", admin_token}}).status == 403u);
  auto ok = admin(f.port(), "GET", "/api/v1/supporters");
  BOOST_TEST(ok.status == 200u);
  BOOST_TEST(body_json(ok).at("supporterIds").as_array().empty());
}

BOOST_AUTO_TEST_CASE(settings_get_patch_and_music) {
  node_fixture f;
  auto g = body_json(admin(f.port(), "GET", "/api/v1/guilds/123/settings"));
  BOOST_TEST(g.at("guildId").as_string() == "123");
  BOOST_TEST(g.at("prefix").as_string() == "!");
  BOOST_TEST(g.at("djRoleId").as_string() == "0");
  BOOST_TEST(g.at("musicEnabled").as_bool() == true);
  auto p = admin(f.port(), "PATCH", "/api/v1/guilds/123/settings",
                 R"({"voiceChannelId":"18446744073709551615","djRoleId":99})");
  BOOST_REQUIRE_EQUAL(p.status, 200u);
  auto s = body_json(p);
  BOOST_TEST(s.at("voiceChannelId").as_string() == "18446744073709551615");
  BOOST_TEST(s.at("djRoleId").as_string() == "99");
  BOOST_TEST(s.at("prefix").as_string() == "!");
  // A later patch keeps the fields it does not name.
  s = body_json(admin(f.port(), "PATCH", "/api/v1/guilds/123/settings", R"({"prefix":"~"})"));
  BOOST_TEST(s.at("djRoleId").as_string() == "99");
  BOOST_TEST(s.at("prefix").as_string() == "~");
  auto mu = admin(f.port(), "PUT", "/api/v1/guilds/123/music", R"({"enable":false})");
  BOOST_REQUIRE_EQUAL(mu.status, 200u);
  BOOST_TEST(body_json(mu).at("musicEnabled").as_bool() == false);
  g = body_json(admin(f.port(), "GET", "/api/v1/guilds/123/settings"));
  BOOST_TEST(g.at("musicEnabled").as_bool() == false);
  BOOST_TEST(g.at("prefix").as_string() == "~");
}

BOOST_AUTO_TEST_CASE(bad_requests_get_json_errors) {
  node_fixture f;
  auto expect = [&](const std::string& method, const std::string& target, const std::string& body,
                    unsigned status) {
    auto r = admin(f.port(), method, target, body);
    BOOST_TEST(r.status == status, method << ' ' << target << ' ' << body << " -> " << r.status);
    BOOST_TEST(body_json(r).at("error").is_string());
  };
  expect("PATCH", "/api/v1/guilds/1/settings", "{nope", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", R"({"prefix":5})", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", R"({"prefix":""})", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", R"({"djRoleId":-1})", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", R"({"musicEnabled":"yes"})", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", R"({"color":"red"})", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", "[]", 400);
  expect("PATCH", "/api/v1/guilds/1/settings", "{\"prefix\":\"\xff\"}", 400);
  expect("PATCH", "/api/v1/guilds/1/settings",
         R"({"prefix":")" + std::string(2001, 'x') + R"("})", 400);
  expect("PUT", "/api/v1/guilds/1/music", R"({"enable":1})", 400);
  expect("PUT", "/api/v1/guilds/1/music", "", 400);
  expect("GET", "/api/v1/guilds/abc/settings", "", 400);
  expect("GET", "/api/v1/nothing", "", 404);
  expect("GET", "/api/v1/guilds/1/other", "", 404);
  expect("POST", "/api/v1/guilds/1/settings", "{}", 405);
  expect("DELETE", "/api/v1/stats", "", 405);
  expect("POST", "/api/v1/supporters", "", 405);
  expect("PATCH", "/api/v1/guilds/1/settings",
         R"({"prefix":")" + std::string(70000, 'x') + R"("})", 413);
  // None of it changed anything.
  auto g = body_json(admin(f.port(), "GET", "/api/v1/guilds/1/settings"));
  BOOST_TEST(g.at("prefix").as_string() == "!");
}

BOOST_AUTO_TEST_CASE(supporters_put_delete) {
  node_fixture f;
  BOOST_TEST(admin(f.port(), "PUT", "/api/v1/supporters/5").status == 201u);
  BOOST_TEST(admin(f.port(), "PUT", "/api/v1/supporters/5").status == 200u);
  BOOST_TEST(admin(f.port(), "PUT", "/api/v1/supporters/18446744073709551615").status == 201u);
  auto list = body_json(admin(f.port(), "GET", "/api/v1/supporters")).at("supporterIds").as_array();
  BOOST_REQUIRE_EQUAL(list.size(), 2u);
  BOOST_TEST(list[0].as_string() == "5");
  BOOST_TEST(list[1].as_string() == "18446744073709551615");
  BOOST_TEST(admin(f.port(), "DELETE", "/api/v1/supporters/5").status == 200u);
  BOOST_TEST(admin(f.port(), "DELETE", "/api/v1/supporters/5").status == 404u);
  BOOST_TEST(admin(f.port(), "PUT", "/api/v1/supporters/x").status == 400u);
}

BOOST_AUTO_TEST_CASE(sessions_list_and_kick) {
  node_fixture f;
  ws_client c{f.port(), "/companion"};
  companion_handshake(c);
  auto list = body_json(admin(f.port(), "GET", "/api/v1/sessions")).at("sessions").as_array();
  BOOST_REQUIRE_EQUAL(list.size(), 1u);
  auto& s = list[0].as_object();
  BOOST_TEST(s.at("dialect").as_string() == "companion");
  BOOST_TEST(s.at("receiving").as_bool());
  BOOST_TEST(s.at("state").as_string() == "connected");
  auto id = json::value_to<std::uint64_t>(s.at("id"));
  BOOST_TEST(admin(f.port(), "DELETE", "/api/v1/sessions/" + std::to_string(id)).status == 200u);
  BOOST_TEST(c.wait_close().value_or(0) == 1000);
  BOOST_TEST(admin(f.port(), "DELETE", "/api/v1/sessions/999999").status == 404u);
}

BOOST_AUTO_TEST_CASE(shards_lists_every_shard_with_its_state) {
  node_fixture f;
  auto r = admin(f.port(), "GET", "/api/v1/shards");
  BOOST_TEST(r.status == 200u);
  auto body = body_json(r);
  auto& shards = body.at("shards").as_array();
  BOOST_REQUIRE_EQUAL(shards.size(), 1u);
  BOOST_TEST(shards[0].at("state").as_string() == "free");
  BOOST_TEST(shards[0].at("session").is_null());
  BOOST_TEST(admin(f.port(), "DELETE", "/api/v1/shards").status == 405u);
  BOOST_TEST(http_request(f.port(), "GET", "/api/v1/shards").status == 401u);
}

BOOST_AUTO_TEST_SUITE_END()
