// The console's command line (actors/console/console_command.hpp).

#include "actors/console/console_command.hpp"

#include <boost/test/unit_test.hpp>

using namespace coord;
using namespace coord::actors;
using verb = console_command::verb;

BOOST_AUTO_TEST_SUITE(console_command_parse)

BOOST_AUTO_TEST_CASE(every_command_parses) {
  BOOST_TEST((parse_console_command("help").what == verb::help));
  BOOST_TEST((parse_console_command("info").what == verb::info));
  BOOST_TEST(parse_console_command("info").arg.empty());
  BOOST_TEST(parse_console_command("info Server").arg == "server");
  BOOST_TEST((parse_console_command("actors").what == verb::actors));
  BOOST_TEST((parse_console_command("sessions").what == verb::sessions));
  BOOST_TEST(!parse_console_command("sessions").dialect);
  BOOST_TEST((parse_console_command("sessions voice").dialect == ports::dialect::voice));
  BOOST_TEST((parse_console_command("sessions GATEWAY").dialect == ports::dialect::gateway));
  auto s = parse_console_command("session 42");
  BOOST_TEST((s.what == verb::session));
  BOOST_TEST(s.id == 42u);
  BOOST_TEST((parse_console_command("shards").what == verb::shards));
  auto g = parse_console_command("guild 18446744073709551615");
  BOOST_TEST((g.what == verb::guild));
  BOOST_TEST(g.id == 18446744073709551615ull);
  BOOST_TEST((parse_console_command("supporters").what == verb::supporters));
  BOOST_TEST((parse_console_command("stats").what == verb::stats));
  BOOST_TEST((parse_console_command("quit").what == verb::quit));
  auto a = parse_console_command("auth s3cret pw");
  BOOST_TEST((a.what == verb::invalid));
  BOOST_TEST(parse_console_command("auth s3cret").arg == "s3cret");
}

BOOST_AUTO_TEST_CASE(names_are_case_insensitive_and_spacing_is_free) {
  BOOST_TEST((parse_console_command("HELP").what == verb::help));
  auto k = parse_console_command("  Kick\t7   4000  ");
  BOOST_TEST((k.what == verb::kick));
  BOOST_TEST(k.id == 7u);
  BOOST_TEST(k.code == 4000);
}

BOOST_AUTO_TEST_CASE(kick_code_defaults_to_1000_and_must_be_1000_or_3000_to_4999) {
  BOOST_TEST(parse_console_command("kick 7").code == 1000);
  for (auto ok : {"1000", "3000", "4009", "4999"})
    BOOST_TEST((parse_console_command(std::string("kick 7 ") + ok).what == verb::kick), ok);
  for (auto bad : {"999", "1001", "2999", "5000", "65536", "4294968296", "-1", "x", "4000.0"}) {
    auto c = parse_console_command(std::string("kick 7 ") + bad);
    BOOST_TEST((c.what == verb::invalid), bad);
    BOOST_TEST(c.error.rfind("ERR ", 0) == 0u, bad);
  }
}

BOOST_AUTO_TEST_CASE(unknown_and_malformed_lines_are_one_err_line) {
  for (auto line : {"nope", "info a b", "session", "session abc", "session -1", "guild",
                    "kick", "kick 1 2 3", "help me", "sessions moon", "quit now", ""}) {
    auto c = parse_console_command(line);
    BOOST_TEST((c.what == verb::invalid), line);
    BOOST_TEST(c.error.rfind("ERR ", 0) == 0u, line);
    BOOST_TEST(c.error.find('\n') == std::string::npos, line);
  }
}

BOOST_AUTO_TEST_CASE(echoed_input_is_printable_and_short) {
  auto c = parse_console_command(std::string("\x01\x02") + std::string(500, 'z'));
  BOOST_TEST((c.what == verb::invalid));
  BOOST_TEST(c.error.size() < 120u);
  for (char ch : c.error)
    BOOST_TEST((ch >= 0x20 && ch < 0x7f));
}

BOOST_AUTO_TEST_SUITE_END()
