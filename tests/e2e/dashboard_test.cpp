// SPEC.md §10 against the running node: GET /dashboard and its files answer without a token
// and with their content types; the data route needs the admin token and follows the node.

#include "tests/e2e/helpers.hpp"

using namespace coord::test;

BOOST_AUTO_TEST_SUITE(dashboard)

BOOST_AUTO_TEST_CASE(the_page_and_its_files_are_served_without_a_token) {
  node_fixture f;
  auto page = http_request(f.port(), "GET", "/dashboard");
  BOOST_TEST(page.status == 200u);
  BOOST_TEST(page.headers["Content-Type"] == "text/html; charset=utf-8");
  BOOST_TEST(page.body.find("<!doctype html>") == 0u);
  // The page holds no data.
  BOOST_TEST(page.body.find(admin_token) == std::string::npos);
  for (const auto& [path, type] :
       std::vector<std::pair<std::string, std::string>>{
         {"/dashboard/app.js", "text/javascript; charset=utf-8"},
         {"/dashboard/charts.js", "text/javascript; charset=utf-8"},
         {"/dashboard/uplot.js", "text/javascript; charset=utf-8"},
         {"/dashboard/app.css", "text/css; charset=utf-8"},
         {"/dashboard/uplot.css", "text/css; charset=utf-8"}}) {
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(page.body.find('"' + path + '"') != std::string::npos);
      auto r = http_request(f.port(), "GET", path);
      BOOST_TEST(r.status == 200u);
      BOOST_TEST(r.headers["Content-Type"] == type);
      BOOST_TEST(!r.body.empty());
    }
  }
  auto missing = http_request(f.port(), "GET", "/dashboard/nope.js");
  BOOST_TEST(missing.status == 404u);
  BOOST_TEST(body_json(missing).at("error").as_string() == "not found");
  BOOST_TEST(http_request(f.port(), "POST", "/dashboard").status == 405u);
}

BOOST_AUTO_TEST_CASE(the_data_route_needs_the_admin_token) {
  node_fixture f;
  auto none = http_request(f.port(), "GET", "/api/v1/dashboard");
  BOOST_TEST(none.status == 401u);
  BOOST_TEST(body_json(none).contains("error"));
  auto wrong = http_request(f.port(), "GET", "/api/v1/dashboard", {},
                            {{"Authorization", "Bearer wrong"}});
  BOOST_TEST(wrong.status == 403u);
  BOOST_TEST(body_json(wrong).at("error").as_string() == "invalid admin token");
  BOOST_TEST(admin(f.port(), "POST", "/api/v1/dashboard").status == 405u);
  auto ok = admin(f.port(), "GET", "/api/v1/dashboard");
  BOOST_TEST(ok.status == 200u);
  BOOST_TEST(ok.headers["Content-Type"] == "application/json");
  auto o = body_json(ok);
  BOOST_TEST(o.at("cluster").at("mode").as_string() == "single");
  BOOST_TEST(o.at("sessions").at("companion").as_int64() == 0);
  BOOST_TEST(o.at("shards").at("shards").as_array().size() >= 1u);
}

BOOST_AUTO_TEST_CASE(the_data_follows_a_companion_session) {
  node_fixture f;
  auto companions = [&] {
    return body_json(admin(f.port(), "GET", "/api/v1/dashboard"))
      .at("sessions").at("companion").as_int64();
  };
  {
    ws_client c{f.port(), "/companion"};
    companion_handshake(c);
    // Snapshots live up to half a second: poll until the new one shows the session.
    BOOST_TEST(wait_until([&] { return companions() == 1; }));
    auto stats = body_json(admin(f.port(), "GET", "/api/v1/stats"));
    BOOST_TEST(stats.at("sessions").at("companion").as_int64() == 1);
  }
  BOOST_TEST(wait_until([&] { return companions() == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
