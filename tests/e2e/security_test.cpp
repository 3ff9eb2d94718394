// Secrets never reach the logs or the wire, and the defaults expose nothing: the node runs at
// trace level while every dialect, the admin API and the console are offered right and wrong
// secrets, and nothing it printed or answered may contain one.

#include "tests/e2e/helpers.hpp"
#include "tests/support/line_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <sstream>

namespace coord::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

/// A port nobody listens on right now.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_listening(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (http_request(port, "GET", "/healthz").status == 200)
        return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Every secret the node is given, and every wrong one a client offers: distinct, greppable.
constexpr const char* companion_secret = "S3cret-companion-7a1f";
constexpr const char* gateway_secret = "S3cret-gateway-52c9";
constexpr const char* voice_secret = "S3cret-voice-0b7e";
constexpr const char* admin_secret = "S3cret-admin-d41d";
constexpr const char* console_secret = "S3cret-console-8f00";
constexpr const char* wrong_secret = "Wr0ng-offered-e3b0";

std::string section_of(const std::string& text, const char* name) {
  const auto at = text.find(std::string{"["} + name + "]");
  if (at == std::string::npos)
    return {};
  const auto end = text.find("\n[", at + 1);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

} // namespace

BOOST_AUTO_TEST_SUITE(security)

BOOST_AUTO_TEST_CASE(no_secret_is_ever_logged_or_echoed) {
  temp_dir dir;
  const auto port = free_port();
  const auto console_port = free_port();
  std::vector<std::string> args{
    std::string{"--config-file="} + COORD_SOURCE_DIR + "/conf/coordinator.ini",
    "--coordinator.port=" + std::to_string(port),
    "--console.port=" + std::to_string(console_port),
    "--console.password=" + std::string{console_secret},
    "--store.path=" + (dir.path() / "c.db").string(),
    std::string{"--companion.key="} + companion_secret,
    std::string{"--gateway.secret="} + gateway_secret,
    std::string{"--voice.password="} + voice_secret,
    std::string{"--admin.token="} + admin_secret,
    "--log.level=trace",
  };
  // The node runs (and prints) on its own thread until killed after the timeout.
  auto node = std::async(std::launch::async,
                         [&] { return run_binary(args, dir.path(), std::chrono::seconds(8)); });
  BOOST_REQUIRE(wait_listening(port, 6s));

  std::string answers; // everything the node sent back to clients
  auto collect = [&](ws_client& c) {
    while (auto m = c.read(300ms))
      answers += m->data + "\n";
    answers += c.close_reason() + "\n";
  };
  for (const char* key : {wrong_secret, companion_secret}) {
    ws_client c(port, "/companion");
    c.send_text(json::serialize(json::object{{"op", 1}, {"key", key}, {"guildIds", {1}}}));
    collect(c);
  }
  for (const char* secret : {wrong_secret, gateway_secret}) {
    ws_client c(port, "/gateway");
    c.send_text(json::serialize(json::object{
      {"op", 0}, {"d", {{"type", "commands"}, {"compress", false}, {"secret", secret}}}}));
    collect(c);
  }
  for (const char* pw : {wrong_secret, voice_secret}) {
    try {
      ws_client c(port, "/ws?client=1", {{"Authorization", pw}});
      collect(c);
    } catch (const std::exception& e) {
      answers += std::string{e.what()} + "\n";
    }
  }
  for (const char* token : {wrong_secret, admin_secret}) {
    auto r = http_request(port, "GET", "/api/v1/guilds/1/settings", {},
                          {{"Authorization", std::string{"Bearer "} + token}});
    answers += r.body + "\n";
  }
  for (const char* pw : {wrong_secret, console_secret}) {
    line_client console(console_port); // a wrong password ends the connection
    auto r = console.command(std::string{"auth "} + pw);
    for (const auto& l : r.lines)
      answers += l + "\n";
  }
  const auto run = node.get();
  // The node did run and log at trace level (not an empty output that passes trivially).
  BOOST_TEST(run.output.find("listening on") != std::string::npos, run.output);
  BOOST_TEST(run.output.size() > 500u, run.output);
  for (const char* s : {companion_secret, gateway_secret, voice_secret, admin_secret,
                        console_secret, wrong_secret}) {
    BOOST_TEST(run.output.find(s) == std::string::npos, "the log contains " << s);
    BOOST_TEST(answers.find(s) == std::string::npos, "an answer contains " << s);
  }
}

BOOST_AUTO_TEST_CASE(the_shipped_configuration_binds_loopback_only) {
  std::ifstream in(std::string{COORD_SOURCE_DIR} + "/conf/coordinator.ini");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto text = ss.str();
  for (const char* section : {"coordinator", "console"}) {
    const auto s = section_of(text, section);
    BOOST_REQUIRE_MESSAGE(!s.empty(), "no [" << section << "] section");
    BOOST_TEST(s.find("\nhost=\"127.0.0.1\"") != std::string::npos, s);
  }
  // And with no configuration file at all, the listeners say where they are: loopback.
  temp_dir dir;
  auto node = std::async(std::launch::async, [&] {
    return run_binary({"--coordinator.port=0", "--console.port=0",
                       "--store.path=" + (dir.path() / "c.db").string()},
                      dir.path(), std::chrono::seconds(3));
  });
  const auto run = node.get();
  BOOST_TEST(run.output.find("http+websocket listening on 127.0.0.1:") != std::string::npos,
             run.output);
  BOOST_TEST(run.output.find("console listening on 127.0.0.1:") != std::string::npos,
             run.output);
}

BOOST_AUTO_TEST_SUITE_END()

} // namespace coord::test
