#include "actors/console/console_command.hpp"

#include "proto/snowflake.hpp"

#include <cctype>
#include <vector>

namespace coord::actors {

namespace {

using verb = console_command::verb;

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    auto start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t')
      ++i;
    if (i > start)
      out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// What may be echoed back of the user's input: printable ASCII, at most 64 bytes.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64))
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

console_command invalid(std::string error) {
  console_command c;
  c.error = std::move(error);
  return c;
}

console_command wrong_args(const std::string& name) {
  return invalid("ERR wrong number of arguments for '" + name + "' (try help)");
}

struct verb_spec {
  const char* name;
  verb what;
  std::size_t min_args;
  std::size_t max_args;
};

constexpr verb_spec verbs[] = {
  {"help", verb::help, 0, 0},         {"info", verb::info, 0, 1},
  {"actors", verb::actors, 0, 0},     {"sessions", verb::sessions, 0, 1},
  {"session", verb::session, 1, 1},   {"shards", verb::shards, 0, 0},
  {"guild", verb::guild, 1, 1},       {"supporters", verb::supporters, 0, 0},
  {"stats", verb::stats, 0, 0},       {"kick", verb::kick, 1, 2},
  {"quit", verb::quit, 0, 0},         {"auth", verb::auth, 1, 1},
  {"cluster", verb::cluster, 0, 0},
};

} // namespace

console_command parse_console_command(std::string_view line) {
  auto words = split_words(line);
  if (words.empty())
    return invalid("ERR empty command");
  const auto name = lower(words[0]);
  const verb_spec* spec = nullptr;
  for (const auto& v : verbs)
    if (name == v.name)
      spec = &v;
  if (!spec)
    return invalid("ERR unknown command '" + printable(words[0]) + "' (try help)");
  const auto args = words.size() - 1;
  if (args < spec->min_args || args > spec->max_args)
    return wrong_args(name);

  console_command c;
  c.what = spec->what;
  switch (spec->what) {
    case verb::info:
      if (args == 1)
        c.arg = lower(words[1]);
      break;
    case verb::auth:
      c.arg = std::string(words[1]);
      break;
    case verb::sessions:
      if (args == 1) {
        if (auto d = ports::dialect_named(lower(words[1])))
          c.dialect = *d;
        else
          return invalid("ERR unknown dialect '" + printable(words[1]) +
                         "' (companion, gateway or voice)");
      }
      break;
    case verb::session:
    case verb::guild:
    case verb::kick: {
      auto id = proto::parse_snowflake(words[1]);
      if (!id)
        return invalid("ERR '" + printable(words[1]) + "' is not an id");
      c.id = *id;
      if (spec->what == verb::kick && args == 2) {
        auto code = proto::parse_snowflake(words[2]);
        if (!code || !is_kick_code(*code))
          return invalid("ERR close code must be 1000 or 3000-4999");
        c.code = static_cast<std::uint16_t>(*code);
      }
      break;
    }
    default:
      break;
  }
  return c;
}

} // namespace coord::actors
