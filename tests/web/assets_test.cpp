// The dashboard's embedded files: the page and every file it names are served with their
// content types, all from the node (no absolute URL to another host), uPlot included.

#include "web/assets.hpp"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <string>

using namespace coord;

BOOST_AUTO_TEST_SUITE(assets)

BOOST_AUTO_TEST_CASE(the_page_is_html_and_unknown_paths_are_not_found) {
  const auto* page = web::find_asset("/dashboard");
  BOOST_REQUIRE(page);
  BOOST_TEST(page->content_type == "text/html; charset=utf-8");
  BOOST_TEST(page->body.substr(0, 15) == "<!doctype html>");
  BOOST_TEST(web::find_asset("/dashboard?x=1") == page);
  BOOST_TEST(!web::find_asset("/dashboard/"));
  BOOST_TEST(!web::find_asset("/dashboard/nope.js"));
  BOOST_TEST(!web::find_asset("/dashboard/../metrics"));
}

BOOST_AUTO_TEST_CASE(every_file_the_page_names_is_embedded) {
  const std::string html{web::find_asset("/dashboard")->body};
  std::regex ref{R"re((?:src|href)="([^"]*)")re"};
  int local = 0;
  for (std::sregex_iterator it{html.begin(), html.end(), ref}, end; it != end; ++it) {
    std::string url = (*it)[1];
    if (url.rfind("data:", 0) == 0)
      continue;
    BOOST_TEST_CONTEXT(url) {
      BOOST_TEST(url.rfind("/dashboard/", 0) == 0); // same origin, nothing from a CDN
      const auto* file = web::find_asset(url);
      BOOST_REQUIRE(file);
      BOOST_TEST(!file->body.empty());
      auto dot = url.rfind('.');
      auto ext = url.substr(dot + 1);
      BOOST_TEST(file->content_type
                 == (ext == "js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"));
    }
    ++local;
  }
  BOOST_TEST(local == 5);
}

BOOST_AUTO_TEST_CASE(uplot_is_the_pinned_library) {
  const auto* js = web::find_asset("/dashboard/uplot.js");
  BOOST_REQUIRE(js);
  BOOST_TEST(js->body.find("uPlot") != std::string_view::npos);
  BOOST_TEST(js->body.size() > 20000u);
  const auto* css = web::find_asset("/dashboard/uplot.css");
  BOOST_REQUIRE(css);
  BOOST_TEST(css->body.find(".uplot") != std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(every_asset_has_a_path_under_dashboard_and_a_type) {
  BOOST_TEST(web::asset_count() == 6u);
  for (std::size_t i = 0; i < web::asset_count(); ++i) {
    const auto& a = web::assets()[i];
    BOOST_TEST(a.path.rfind("/dashboard", 0) == 0);
    BOOST_TEST(!a.content_type.empty());
    BOOST_TEST(a.body.size() > 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()
