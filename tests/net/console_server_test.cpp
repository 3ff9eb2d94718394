// net::console_server with a test hook: line framing, answer framing, order, limits, stop.

#include "net/console_server.hpp"
#include "tests/net/test_server.hpp"
#include "tests/support/line_client.hpp"

#include <boost/test/unit_test.hpp>

#include <mutex>
#include <thread>

using namespace coord;
using namespace coord::net;
using coord::test::line_client;
using coord::net::testing::eventually;

namespace {

/// A console whose hook records every line and answers "echo <line>", except:
/// "hold" (the reply is kept unanswered), "drop" (the reply is dropped), "multi" (an answer
/// with empty lines and '\r' inside), "bye" (answer_and_close).
struct console_fixture {
  console_fixture(console_options opts = {}) {
    opts.host = "127.0.0.1";
    opts.port = 0;
    server = std::make_unique<console_server>(
      opts, [this](std::string line, std::shared_ptr<console_reply> r) {
        std::lock_guard lock(mtx);
        lines.push_back(line);
        if (line == "hold")
          held.push_back(std::move(r));
        else if (line == "drop")
          ;
        else if (line == "multi")
          r->answer("a\r\n\n\nb\n");
        else if (line == "bye")
          r->answer_and_close("bye");
        else
          r->answer("echo " + line);
      });
    server->start();
  }

  std::vector<std::string> seen() {
    std::lock_guard lock(mtx);
    return lines;
  }

  std::mutex mtx;
  std::vector<std::string> lines;
  std::vector<std::shared_ptr<console_reply>> held;
  std::unique_ptr<console_server> server;
};

} // namespace

BOOST_AUTO_TEST_SUITE(console_server_tests)

BOOST_FIXTURE_TEST_CASE(binds_port_0_and_reports_it, console_fixture) {
  BOOST_TEST(server->local_port() != 0);
  BOOST_TEST(server->local_address() == "127.0.0.1:" + std::to_string(server->local_port()));
}

BOOST_FIXTURE_TEST_CASE(each_line_gets_its_answer_then_one_empty_line, console_fixture) {
  line_client c{server->local_port()};
  auto a = c.command("hello world");
  BOOST_TEST(a.raw == "echo hello world\n\n");
  // "\r\n" endings and blank lines: the hook sees neither.
  c.write("one\r\n\n   \ntwo\n");
  BOOST_TEST(c.read_answer().value().raw == "echo one\n\n");
  BOOST_TEST(c.read_answer().value().raw == "echo two\n\n");
  BOOST_TEST(seen() == (std::vector<std::string>{"hello world", "one", "two"}));
}

BOOST_FIXTURE_TEST_CASE(empty_lines_and_cr_inside_an_answer_are_dropped, console_fixture) {
  line_client c{server->local_port()};
  BOOST_TEST(c.command("multi").raw == "a\nb\n\n");
}

BOOST_FIXTURE_TEST_CASE(a_line_byte_at_a_time_is_one_line, console_fixture) {
  line_client c{server->local_port()};
  for (char ch : std::string("slow\n"))
    c.write(std::string(1, ch));
  BOOST_TEST(c.read_answer().value().raw == "echo slow\n\n");
}

BOOST_FIXTURE_TEST_CASE(the_next_line_waits_for_the_answer_to_the_last, console_fixture) {
  line_client c{server->local_port()};
  c.write("hold\nafter\n");
  BOOST_REQUIRE(eventually([&] { return seen().size() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BOOST_TEST(seen().size() == 1u); // "after" is not handed over yet
  std::shared_ptr<console_reply> r;
  {
    std::lock_guard lock(mtx);
    r = held.at(0);
  }
  // An answer from another thread.
  std::thread([r] { r->answer("done"); }).join();
  BOOST_TEST(c.read_answer().value().raw == "done\n\n");
  BOOST_TEST(c.read_answer().value().raw == "echo after\n\n");
}

BOOST_FIXTURE_TEST_CASE(a_dropped_reply_answers_err, console_fixture) {
  line_client c{server->local_port()};
  BOOST_TEST(c.command("drop").raw == "ERR internal error\n\n");
  BOOST_TEST(c.command("x").raw == "echo x\n\n");
}

BOOST_FIXTURE_TEST_CASE(answer_and_close_closes_after_the_answer, console_fixture) {
  line_client c{server->local_port()};
  BOOST_TEST(c.command("bye").raw == "bye\n\n");
  BOOST_TEST(c.wait_closed());
}

BOOST_FIXTURE_TEST_CASE(a_line_over_4_kib_is_refused_and_closes, console_fixture) {
  line_client ok{server->local_port()};
  BOOST_TEST(ok.command(std::string(4096, 'a')).lines.at(0).size() == 5u + 4096u);
  line_client c{server->local_port()};
  c.write(std::string(4097, 'a') + "\n");
  BOOST_TEST(c.read_answer().value().raw == "ERR line too long\n\n");
  BOOST_TEST(c.wait_closed());
  // Without a newline at all: refused once it is too long.
  line_client d{server->local_port()};
  d.write(std::string(10000, 'b'));
  BOOST_TEST(d.read_answer().value().raw == "ERR line too long\n\n");
  BOOST_TEST(d.wait_closed());
}

BOOST_AUTO_TEST_CASE(connections_past_the_limit_are_refused) {
  console_options opts;
  opts.max_connections = 2;
  console_fixture f{opts};
  line_client a{f.server->local_port()}, b{f.server->local_port()};
  BOOST_TEST(a.command("1").raw == "echo 1\n\n");
  BOOST_TEST(b.command("2").raw == "echo 2\n\n");
  line_client c{f.server->local_port()};
  BOOST_TEST(c.read_answer().value().raw == "ERR too many console connections\n\n");
  BOOST_TEST(c.wait_closed());
}

BOOST_FIXTURE_TEST_CASE(a_client_leaving_mid_answer_harms_no_one, console_fixture) {
  {
    line_client gone{server->local_port()};
    gone.write("hold\n");
    BOOST_REQUIRE(eventually([&] { return seen().size() == 1; }));
  }
  std::shared_ptr<console_reply> r;
  {
    std::lock_guard lock(mtx);
    r = held.at(0);
  }
  r->answer(std::string(1 << 20, 'z')); // to a closed socket
  line_client c{server->local_port()};
  BOOST_TEST(c.command("still").raw == "echo still\n\n");
}

BOOST_FIXTURE_TEST_CASE(stop_closes_every_connection_and_late_answers_are_ignored,
                        console_fixture) {
  line_client a{server->local_port()}, b{server->local_port()};
  a.write("hold\n");
  BOOST_REQUIRE(eventually([&] { return seen().size() == 1; }));
  BOOST_TEST(b.command("x").raw == "echo x\n\n");
  server->stop();
  BOOST_TEST(a.wait_closed());
  BOOST_TEST(b.wait_closed());
  std::shared_ptr<console_reply> r;
  {
    std::lock_guard lock(mtx);
    r = held.at(0);
  }
  r->answer("too late");
  server->stop(); // idempotent
  server.reset(); // the held reply outlives the server
  r.reset();
}

BOOST_AUTO_TEST_CASE(an_unusable_address_fails_start_with_one_line) {
  console_options opts;
  opts.host = "203.0.113.1"; // TEST-NET-3: not an address of this machine
  opts.port = 0;
  console_server s{opts, [](std::string, std::shared_ptr<console_reply>) {}};
  try {
    s.start();
    BOOST_FAIL("start() should throw");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    BOOST_TEST(what.find("cannot listen on 203.0.113.1:0") == 0u, what);
    BOOST_TEST(what.find('\n') == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
