#include "tests/proto/golden.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/gateway_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;
namespace proto = coord::proto;
namespace gw = coord::proto::gateway;
using proto::errc;
using gw::event_type;
using gw::service_type;

namespace {

constexpr std::string_view secret = "test-secret";
constexpr std::uint64_t max_u64 = 18446744073709551615ULL;

const std::vector<service_type> all_types{service_type::sharder, service_type::commands,
                                          service_type::dashboard, service_type::panel,
                                          service_type::feeds};
const std::vector<event_type> all_events{
    event_type::identified,           event_type::execute_command,
    event_type::shards_assigned,      event_type::identify_granted,
    event_type::identify_request,     event_type::guild_settings_update,
    event_type::music_command_update, event_type::supporter_add,
    event_type::supporter_remove};

/// A golden file of tests/data/gateway/.
using coord::test::parse_object;
using coord::test::keys_of;

std::string golden(const std::string& name) {
  return coord::test::golden_file("gateway", name);
}

gw::frame open_ok(std::string_view text) {
  auto f = gw::open(text);
  BOOST_REQUIRE_MESSAGE(f, "open failed: " << (f ? "" : f.error().reason));
  return std::move(*f);
}

/// What open() then decode() make of a frame for a session: an error, or nullopt if accepted.
std::optional<proto::decode_error> refusal(std::string_view text,
                                           std::optional<service_type> as = std::nullopt) {
  auto f = gw::open(text);
  if (!f)
    return f.error();
  auto msg = gw::decode(*f, {as, secret});
  if (!msg)
    return msg.error();
  return std::nullopt;
}

gw::client_message decode_ok(std::string_view text, std::optional<service_type> as) {
  auto f = open_ok(text);
  auto msg = gw::decode(f, {as, secret});
  BOOST_REQUIRE_MESSAGE(msg, "decode failed: " << (msg ? "" : msg.error().reason));
  return std::move(*msg);
}

gw::client_event event_ok(std::string_view text, service_type as) {
  auto msg = decode_ok(text, as);
  const auto* e = std::get_if<gw::client_event>(&msg);
  BOOST_REQUIRE(e);
  return *e;
}

struct bad_case {
  std::string text;
  errc code;
  std::string reason; ///< empty: any reason
};

void check_table(const std::vector<bad_case>& table, std::optional<service_type> as) {
  for (const auto& c : table) {
    BOOST_TEST_CONTEXT(c.text) {
      auto err = refusal(c.text, as);
      BOOST_REQUIRE(err.has_value());
      BOOST_TEST(proto::to_string(err->code) == proto::to_string(c.code));
      if (!c.reason.empty())
        BOOST_TEST(err->reason == c.reason);
    }
  }
}

std::string event_frame(std::string_view t, const std::string& d) {
  return "{\"op\":2,\"t\":\"" + std::string{t} + "\",\"d\":" + d + "}";
}

std::string identify_frame(const std::string& d) {
  return "{\"op\":0,\"d\":" + d + "}";
}

std::string heartbeat_frame(const std::string& d) {
  return "{\"op\":1,\"d\":" + d + "}";
}

const std::string good_ids =
    R"("ids":{"message":"1","author":"2","channel":"3","guild":"4","shard":5})";

/// One valid frame per op and client event, with who may send it.
std::vector<std::pair<std::string, std::optional<service_type>>> valid_frames() {
  return {
      {golden("identify.json"), std::nullopt},
      {golden("heartbeat.json"), service_type::sharder},
      {golden("execute_command.json"), service_type::sharder},
      {golden("identify_request.json"), service_type::sharder},
      {golden("guild_settings_update.json"), service_type::dashboard},
      {golden("music_command_update.json"), service_type::commands},
      {golden("supporter_add.json"), service_type::panel},
      {golden("supporter_remove.json"), service_type::panel},
      {golden("cache_member.json"), service_type::sharder},
  };
}

} // namespace

BOOST_AUTO_TEST_SUITE(gateway_codec)

// --- envelope -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(open_returns_op_d_and_t) {
  auto f = open_ok(R"({"t":"IDENTIFY_REQUEST","d":{"shard":3},"op":2,"s":1})");
  BOOST_TEST(f.op == 2);
  BOOST_TEST(f.d.as_object().at("shard").as_int64() == 3);
  BOOST_TEST(f.t.as_string() == "IDENTIFY_REQUEST");
  auto g = open_ok(R"({"op":1,"d":{"heapUsed":1}})");
  BOOST_TEST(g.op == 1);
  BOOST_TEST(g.t.is_null());
}

BOOST_AUTO_TEST_CASE(open_accepts_every_opcode_zero_to_five_and_any_d) {
  for (int op = 0; op <= 5; ++op)
    BOOST_TEST(open_ok("{\"op\":" + std::to_string(op) + ",\"d\":{}}").op == op);
  BOOST_TEST(open_ok(R"({"op":5,"d":[1,2]})").d.is_array());
  BOOST_TEST(open_ok(R"({"op":5,"d":null})").d.is_null());
}

BOOST_AUTO_TEST_CASE(envelope_errors_map_to_4003_4004_4005) {
  std::string deep = R"({"op":1,"d":)";
  deep += std::string(64, '[') + std::string(64, ']') + "}";
  check_table(
      {
          {"", errc::invalid_json, "invalid json"},
          {"{", errc::invalid_json, "invalid json"},
          {R"({"op":1,"d":{}} x)", errc::invalid_json, ""},
          {R"({"op":1,"d":{},})", errc::invalid_json, ""},
          {"{\"op\":1,\"d\":{\"x\":\"\xff\"}}", errc::invalid_json, ""},
          {R"({"op":1,"d":{"x":"\ud800"}})", errc::invalid_json, ""},
          {deep, errc::invalid_json, ""},
          {"[]", errc::invalid_payload, "payload must be an object"},
          {"1", errc::invalid_payload, "payload must be an object"},
          {"null", errc::invalid_payload, "payload must be an object"},
          {R"({"d":{}})", errc::invalid_payload, "missing field op"},
          {R"({"op":"1","d":{}})", errc::invalid_payload, "invalid field op"},
          {R"({"op":1.0,"d":{}})", errc::invalid_payload, "invalid field op"},
          {R"({"op":null,"d":{}})", errc::invalid_payload, "invalid field op"},
          {R"({"op":true,"d":{}})", errc::invalid_payload, "invalid field op"},
          {R"({"op":6,"d":{}})", errc::unknown_opcode, "unknown opcode"},
          {R"({"op":-1,"d":{}})", errc::unknown_opcode, "unknown opcode"},
          {R"({"op":10,"d":{}})", errc::unknown_opcode, "unknown opcode"},
          {R"({"op":9223372036854775807,"d":{}})", errc::unknown_opcode, "unknown opcode"},
          {R"({"op":18446744073709551615,"d":{}})", errc::unknown_opcode, "unknown opcode"},
          {R"({"op":1})", errc::invalid_payload, "missing field d"},
          {R"({"op":0,"D":{}})", errc::invalid_payload, "missing field d"},
          {R"({"op":9})", errc::unknown_opcode, "unknown opcode"},
      },
      std::nullopt);
  BOOST_TEST(proto::close_code(refusal(R"({"op":7,"d":{}})")->code) == 4003);
  BOOST_TEST(proto::close_code(refusal("{")->code) == 4004);
  BOOST_TEST(proto::close_code(refusal(R"({"op":1})")->code) == 4005);
}

// --- session state --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(anything_but_identify_or_heartbeat_before_identify_is_4000) {
  for (const auto* text :
       {R"({"op":2,"t":"EXECUTE_COMMAND","d":{}})", R"({"op":2,"d":{}})",
        R"({"op":5,"d":{"type":"user"}})", R"({"op":3,"d":{}})", R"({"op":4,"d":{}})"}) {
    BOOST_TEST_CONTEXT(text) {
      auto err = refusal(text);
      BOOST_REQUIRE(err);
      BOOST_TEST(proto::close_code(err->code) == 4000);
      BOOST_TEST(err->reason == "identify first");
    }
  }
  BOOST_TEST(!refusal(R"({"op":1,"d":{"heapUsed":5}})"));
}

BOOST_AUTO_TEST_CASE(identify_when_identified_is_4002_before_any_field_check) {
  for (const auto* text : {R"({"op":0,"d":{}})", R"({"op":0,"d":null})",
                           R"({"op":0,"d":{"type":"nope","secret":"wrong"}})"}) {
    auto err = refusal(text, service_type::commands);
    BOOST_REQUIRE(err);
    BOOST_TEST(proto::close_code(err->code) == 4002);
  }
  auto again = refusal(golden("identify.json"), service_type::sharder);
  BOOST_REQUIRE(again);
  BOOST_TEST(again->reason == "already identified");
}

BOOST_AUTO_TEST_CASE(hello_and_heartbeat_ack_from_a_client_are_4003_once_identified) {
  for (const auto* text : {R"({"op":3,"d":{"heartbeatInterval":1}})", R"({"op":4,"d":{}})"}) {
    auto err = refusal(text, service_type::sharder);
    BOOST_REQUIRE(err);
    BOOST_TEST(proto::close_code(err->code) == 4003);
  }
}

// --- identify -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(identify_decodes_type_compress_and_shards) {
  auto msg = decode_ok(golden("identify.json"), std::nullopt);
  const auto& id = std::get<gw::identify>(msg);
  BOOST_TEST((id.type == service_type::sharder));
  BOOST_TEST(id.compress);
  BOOST_REQUIRE(id.shards.has_value());
  const std::vector<gw::shard_id> want{0, 3, 4294967295u};
  BOOST_TEST(*id.shards == want, boost::test_tools::per_element());

  for (auto t : all_types) {
    const auto text = identify_frame(R"({"type":")" + std::string{gw::to_string(t)} +
                                     R"(","compress":false,"secret":"test-secret"})");
    auto m = decode_ok(text, std::nullopt);
    BOOST_TEST((std::get<gw::identify>(m).type == t));
    BOOST_TEST(!std::get<gw::identify>(m).compress);
    BOOST_TEST(!std::get<gw::identify>(m).shards.has_value());
  }
  auto nulls = decode_ok(
      identify_frame(R"({"type":"commands","compress":true,"secret":"test-secret","shards":null})"),
      std::nullopt);
  BOOST_TEST(!std::get<gw::identify>(nulls).shards.has_value());
  auto empty = decode_ok(
      identify_frame(R"({"type":"sharder","compress":true,"secret":"test-secret","shards":[]})"),
      std::nullopt);
  BOOST_TEST(std::get<gw::identify>(empty).shards->empty());
  auto dups = decode_ok(
      identify_frame(
          R"({"type":"sharder","compress":true,"secret":"test-secret","shards":[2,2,1]})"),
      std::nullopt);
  BOOST_TEST(std::get<gw::identify>(dups).shards->size() == 3u);
}

BOOST_AUTO_TEST_CASE(identify_checks_type_then_compress_then_secret_then_shards) {
  check_table(
      {
          // Everything wrong: type comes first.
          {identify_frame(R"({"type":"x","compress":"no","secret":"bad","shards":1})"),
           errc::invalid_payload, "invalid field type"},
          {identify_frame(R"({"compress":"no","secret":"bad"})"), errc::invalid_payload,
           "missing field type"},
          // Type fine: compress next, even with a wrong secret.
          {identify_frame(R"({"type":"panel","compress":"no","secret":"bad","shards":1})"),
           errc::invalid_payload, "invalid field compress"},
          {identify_frame(R"({"type":"panel","secret":"bad"})"), errc::invalid_payload,
           "missing field compress"},
          // Then the secret, before shards.
          {identify_frame(R"({"type":"panel","compress":true,"secret":"bad","shards":1})"),
           errc::auth_failed, "invalid secret"},
          {identify_frame(R"({"type":"panel","compress":true,"secret":"test-secret","shards":1})"),
           errc::invalid_payload, "invalid field shards"},
      },
      std::nullopt);
}

BOOST_AUTO_TEST_CASE(identify_refuses_every_bad_type_compress_secret_and_shards) {
  for (const auto* type : {R"("Sharder")", R"("")", R"("commands ")", R"("voice")", "1", "null",
                           "true", R"(["sharder"])", R"({"sharder":1})"})
    check_table({{identify_frame(std::string{R"({"type":)"} + type +
                                 R"(,"compress":true,"secret":"test-secret"})"),
                  errc::invalid_payload, "invalid field type"}},
                std::nullopt);
  for (const auto* compress : {R"("true")", "1", "0", "null", "[]", "{}"})
    check_table({{identify_frame(std::string{R"({"type":"feeds","compress":)"} + compress +
                                 R"(,"secret":"test-secret"})"),
                  errc::invalid_payload, "invalid field compress"}},
                std::nullopt);
  for (const auto* s : {R"(,"secret":"test-secre")", R"(,"secret":"test-secret ")",
                        R"(,"secret":"TEST-SECRET")", R"(,"secret":"")", R"(,"secret":null)",
                        R"(,"secret":1)", R"(,"secret":["test-secret"])", ""})
    check_table({{identify_frame(std::string{R"({"type":"feeds","compress":true)"} + s + "}"),
                  errc::auth_failed, "invalid secret"}},
                std::nullopt);
  for (const auto* shards : {"1", R"("0,1")", "{}", "[-1]", "[1.0]", R"(["1"])", "[4294967296]",
                             "[null]", "[[1]]", "[0,18446744073709551615]"})
    check_table({{identify_frame(
                      std::string{R"({"type":"sharder","compress":true,)"
                                  R"("secret":"test-secret","shards":)"} +
                      shards + "}"),
                  errc::invalid_payload, "invalid field shards"}},
                std::nullopt);
  for (const auto* d : {"null", "[]", "1", R"("x")"})
    check_table({{identify_frame(d), errc::invalid_payload, "invalid field d"}}, std::nullopt);
}

// --- heartbeat ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(heartbeat_decodes_heap_used_and_guilds) {
  auto msg = decode_ok(golden("heartbeat.json"), service_type::sharder);
  const auto& h = std::get<gw::heartbeat>(msg);
  BOOST_TEST(h.heap_used == 102292113u);
  BOOST_REQUIRE(h.guilds.has_value());
  BOOST_TEST(*h.guilds == 3000u);
  auto big = decode_ok(heartbeat_frame(R"({"heapUsed":18446744073709551615})"),
                       service_type::commands);
  BOOST_TEST(std::get<gw::heartbeat>(big).heap_used == max_u64);
  auto frac = decode_ok(heartbeat_frame(R"({"heapUsed":1.02292113e8,"guilds":2.5})"),
                        service_type::sharder);
  BOOST_TEST(std::get<gw::heartbeat>(frac).heap_used == 102292113u);
  BOOST_TEST(*std::get<gw::heartbeat>(frac).guilds == 2u);
}

BOOST_AUTO_TEST_CASE(heartbeat_requires_guilds_from_a_sharder_only) {
  const auto no_guilds = heartbeat_frame(R"({"heapUsed":1})");
  check_table({{no_guilds, errc::invalid_payload, "missing field guilds"}}, service_type::sharder);
  for (auto t : {service_type::commands, service_type::dashboard, service_type::panel,
                 service_type::feeds}) {
    auto msg = decode_ok(no_guilds, t);
    BOOST_TEST(!std::get<gw::heartbeat>(msg).guilds.has_value());
  }
  // Before identify the type is unknown: guilds optional, but checked when present.
  BOOST_TEST(!refusal(no_guilds));
  BOOST_TEST(!refusal(heartbeat_frame(R"({"heapUsed":1,"guilds":2})")));
  check_table({{heartbeat_frame(R"({"heapUsed":1,"guilds":"2"})"), errc::invalid_payload,
                "invalid field guilds"}},
              std::nullopt);
  check_table({{heartbeat_frame(R"({"heapUsed":1,"guilds":-1})"), errc::invalid_payload,
                "invalid field guilds"}},
              service_type::feeds);
}

BOOST_AUTO_TEST_CASE(heartbeat_refuses_a_missing_or_mistyped_heap_used) {
  for (auto as : {std::optional<service_type>{}, std::optional{service_type::sharder},
                  std::optional{service_type::panel}}) {
    check_table({{heartbeat_frame(R"({"guilds":1})"), errc::invalid_payload,
                  "missing field heapUsed"},
                 {heartbeat_frame(R"({})"), errc::invalid_payload, "missing field heapUsed"}},
                as);
    for (const auto* v : {"-1", "-0.5", R"("1")", "null", "true", "[1]", "{}", "1e400",
                          "18446744073709551616"})
      check_table({{heartbeat_frame(std::string{R"({"guilds":1,"heapUsed":)"} + v + "}"),
                    errc::invalid_payload, "invalid field heapUsed"}},
                  as);
    for (const auto* d : {"null", "[]", "5"})
      check_table({{heartbeat_frame(d), errc::invalid_payload, "invalid field d"}}, as);
  }
}

// --- events: names and permissions ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(event_names_and_service_types_round_trip) {
  for (auto e : all_events)
    BOOST_TEST((gw::event_type_from_string(gw::to_string(e)) == e));
  for (auto t : all_types)
    BOOST_TEST((gw::service_type_from_string(gw::to_string(t)) == t));
  BOOST_TEST(!gw::event_type_from_string("execute_command"));
  BOOST_TEST(!gw::service_type_from_string("SHARDER"));
}

BOOST_AUTO_TEST_CASE(permission_table_matches_the_from_column_for_every_type_and_event) {
  using S = service_type;
  const auto allowed = [](S s, event_type e) {
    switch (e) {
      case event_type::execute_command:
      case event_type::identify_request:
        return s == S::sharder;
      case event_type::guild_settings_update:
      case event_type::music_command_update:
        return s == S::commands || s == S::dashboard || s == S::panel;
      case event_type::supporter_add:
      case event_type::supporter_remove:
        return s == S::dashboard || s == S::panel;
      default:
        return false;
    }
  };
  std::size_t yes = 0;
  for (auto s : all_types)
    for (auto e : all_events) {
      BOOST_TEST_CONTEXT(gw::to_string(s) << " sends " << gw::to_string(e)) {
        BOOST_TEST(gw::may_send(s, e) == allowed(s, e));
        // Through decode: a forbidden event is 4006 whatever its d; an allowed one with an
        // empty d fails its field checks instead (4005).
        auto err = refusal(event_frame(gw::to_string(e), "{}"), s);
        BOOST_REQUIRE(err);
        BOOST_TEST(proto::close_code(err->code) == (allowed(s, e) ? 4005 : 4006));
        if (!allowed(s, e))
          BOOST_TEST(err->reason == "event not allowed");
      }
      yes += gw::may_send(s, e) ? 1 : 0;
    }
  BOOST_TEST(yes == 12u);
}

BOOST_AUTO_TEST_CASE(identified_from_any_client_is_4006) {
  for (auto s : all_types) {
    auto err = refusal(golden("identified_sharder.json"), s);
    BOOST_REQUIRE(err);
    BOOST_TEST(proto::close_code(err->code) == 4006);
  }
}

BOOST_AUTO_TEST_CASE(missing_mistyped_or_unknown_t_is_4005_before_permissions) {
  for (auto s : all_types)
    check_table(
        {
            {R"({"op":2,"d":{}})", errc::invalid_payload, "missing field t"},
            {R"({"op":2,"t":null,"d":{}})", errc::invalid_payload, "missing field t"},
            {R"({"op":2,"t":1,"d":{}})", errc::invalid_payload, "invalid field t"},
            {R"({"op":2,"t":["EXECUTE_COMMAND"],"d":{}})", errc::invalid_payload,
             "invalid field t"},
            {event_frame("execute_command", "{}"), errc::invalid_payload, "unknown event"},
            {event_frame("EXECUTE_COMMAND ", "{}"), errc::invalid_payload, "unknown event"},
            {event_frame("READY", "{}"), errc::invalid_payload, "unknown event"},
            {event_frame("", "{}"), errc::invalid_payload, "unknown event"},
        },
        s);
}

// --- EXECUTE_COMMAND ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(execute_command_decodes_strings_and_numbers_as_ids) {
  auto e = event_ok(golden("execute_command.json"), service_type::sharder);
  const auto& c = std::get<gw::execute_command>(e);
  BOOST_TEST(c.command == "ban");
  BOOST_TEST(c.raw ==
             "minemidnight#0001 \"spamming\" -t 5h \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n\\");
  BOOST_TEST(c.message_id == 479455578708639755u);
  BOOST_TEST(c.author_id == 9007199254740993u);
  BOOST_TEST(c.channel_id == 254770965018443776u);
  BOOST_TEST(c.guild_id == max_u64);
  BOOST_TEST(c.shard == 1u);
}

BOOST_AUTO_TEST_CASE(execute_command_forwards_only_the_validated_fields_byte_exact) {
  auto e = event_ok(golden("execute_command.json"), service_type::sharder);
  const auto text = gw::encode_execute_command(std::get<gw::execute_command>(e));
  BOOST_TEST(text == golden("execute_command_forwarded.json"));
  for (const auto* secret_field : {"must-not-be-forwarded", "prefix", "member", "user", "\"s\""})
    BOOST_TEST(text.find(secret_field) == std::string::npos);

  const auto o = parse_object(text);
  const std::vector<std::string> top{"op", "t", "d"};
  BOOST_TEST(keys_of(o) == top, boost::test_tools::per_element());
  const auto& d = o.at("d").as_object();
  const std::vector<std::string> fields{"command", "raw", "ids"};
  BOOST_TEST(keys_of(d) == fields, boost::test_tools::per_element());
  const std::vector<std::string> ids{"message", "author", "channel", "guild", "shard"};
  BOOST_TEST(keys_of(d.at("ids").as_object()) == ids, boost::test_tools::per_element());
  BOOST_TEST(d.at("ids").at("guild").as_string() == "18446744073709551615");
  BOOST_TEST(d.at("ids").at("shard").as_int64() == 1);

  // And the forwarded frame decodes to the same command.
  auto again = event_ok(text, service_type::sharder);
  BOOST_TEST((std::get<gw::execute_command>(again) == std::get<gw::execute_command>(e)));
}

BOOST_AUTO_TEST_CASE(execute_command_accepts_empty_strings_and_edge_ids) {
  auto e = event_ok(event_frame("EXECUTE_COMMAND",
                                R"({"command":"","raw":"","ids":{"message":0,"author":"0",)"
                                R"("channel":"00000000000000000001","guild":18446744073709551615,)"
                                R"("shard":4294967295}})"),
                    service_type::sharder);
  const auto& c = std::get<gw::execute_command>(e);
  BOOST_TEST(c.command.empty());
  BOOST_TEST(c.channel_id == 1u);
  BOOST_TEST(c.shard == 4294967295u);
  BOOST_TEST(gw::encode_execute_command(c) ==
             R"({"op":2,"t":"EXECUTE_COMMAND","d":{"command":"","raw":"","ids":{"message":"0",)"
             R"("author":"0","channel":"1","guild":"18446744073709551615","shard":4294967295}}})");
}

BOOST_AUTO_TEST_CASE(execute_command_refuses_each_invalid_field) {
  const auto frame = [](const std::string& d) { return event_frame("EXECUTE_COMMAND", d); };
  const auto with_ids = [&](const std::string& ids) {
    return frame(R"({"command":"ban","raw":"x","ids":)" + ids + "}");
  };
  std::vector<bad_case> table{
      {frame(R"({"raw":"x",)" + good_ids + "}"), errc::invalid_payload, "missing field command"},
      {frame(R"({"command":"ban",)" + good_ids + "}"), errc::invalid_payload, "missing field raw"},
      {frame(R"({"command":"ban","raw":"x"})"), errc::invalid_payload, "missing field ids"},
      {frame(R"({"command":"ban","raw":"x","ids":null})"), errc::invalid_payload,
       "invalid field ids"},
      {frame(R"({"command":"ban","raw":"x","ids":["1"]})"), errc::invalid_payload,
       "invalid field ids"},
      {with_ids(R"({"author":"2","channel":"3","guild":"4","shard":5})"), errc::invalid_payload,
       "missing field ids.message"},
      {with_ids(R"({"message":"1","channel":"3","guild":"4","shard":5})"), errc::invalid_payload,
       "missing field ids.author"},
      {with_ids(R"({"message":"1","author":"2","guild":"4","shard":5})"), errc::invalid_payload,
       "missing field ids.channel"},
      {with_ids(R"({"message":"1","author":"2","channel":"3","shard":5})"), errc::invalid_payload,
       "missing field ids.guild"},
      {with_ids(R"({"message":"1","author":"2","channel":"3","guild":"4"})"),
       errc::invalid_payload, "missing field ids.shard"},
      {frame("null"), errc::invalid_payload, "invalid field d"},
      {frame("[]"), errc::invalid_payload, "invalid field d"},
  };
  for (const auto* v : {"1", "null", "true", "[]", "{}"}) {
    table.push_back({frame(std::string{R"({"command":)"} + v + R"(,"raw":"x",)" + good_ids + "}"),
                     errc::invalid_payload, "invalid field command"});
    table.push_back({frame(std::string{R"({"command":"ban","raw":)"} + v + "," + good_ids + "}"),
                     errc::invalid_payload, "invalid field raw"});
  }
  for (const auto* name : {"message", "author", "channel", "guild"})
    for (const auto* v : {"-1", "1.0", "1e3", R"("")", R"("abc")", R"("-1")", R"(" 1")",
                          R"("18446744073709551616")", "18446744073709551616", "null", "true",
                          "[1]", "{}"}) {
      std::string ids = R"({"message":"1","author":"2","channel":"3","guild":"4","shard":5})";
      const std::string key = std::string{"\""} + name + "\":";
      const auto at = ids.find(key) + key.size();
      ids.replace(at, ids.find_first_of(",}", at) - at, v);
      table.push_back(
          {with_ids(ids), errc::invalid_payload, std::string{"invalid field ids."} + name});
    }
  for (const auto* v :
       {"-1", "1.0", R"("5")", "null", "true", "4294967296", "18446744073709551615"})
    table.push_back(
        {with_ids(std::string{R"({"message":"1","author":"2","channel":"3","guild":"4","shard":)"} +
                  v + "}"),
         errc::invalid_payload, "invalid field ids.shard"});
  check_table(table, service_type::sharder);
}

BOOST_AUTO_TEST_CASE(execute_command_from_a_non_sharder_is_4006_even_when_invalid) {
  for (auto s : {service_type::commands, service_type::dashboard, service_type::panel,
                 service_type::feeds})
    for (const auto& d : {std::string{"{}"}, std::string{"null"},
                          R"({"command":"ban","raw":"x",)" + good_ids + "}"})
      check_table({{event_frame("EXECUTE_COMMAND", d), errc::not_allowed, "event not allowed"}}, s);
}

BOOST_AUTO_TEST_CASE(snowflakes_above_2_53_survive_execute_command_byte_exact) {
  for (const char* id : {"9007199254740993", "9223372036854775807", "9223372036854775808",
                         "18446744073709551615"}) {
    for (bool quoted : {true, false}) {
      BOOST_TEST_CONTEXT(id << (quoted ? " as a string" : " as a number")) {
        const std::string v = quoted ? "\"" + std::string{id} + "\"" : std::string{id};
        const auto text = event_frame(
            "EXECUTE_COMMAND", R"({"command":"a","raw":"b","ids":{"message":)" + v +
                                   R"(,"author":)" + v + R"(,"channel":)" + v + R"(,"guild":)" +
                                   v + R"(,"shard":0}})");
        auto e = event_ok(text, service_type::sharder);
        const auto out = gw::encode_execute_command(std::get<gw::execute_command>(e));
        const std::string q = "\"" + std::string{id} + "\"";
        BOOST_TEST(out == R"({"op":2,"t":"EXECUTE_COMMAND","d":{"command":"a","raw":"b",)"
                          R"("ids":{"message":)" +
                              q + R"(,"author":)" + q + R"(,"channel":)" + q + R"(,"guild":)" + q +
                              R"(,"shard":0}}})");
      }
    }
  }
}

// --- other client events --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(identify_request_decodes_and_refuses_bad_shards) {
  auto e = event_ok(golden("identify_request.json"), service_type::sharder);
  BOOST_TEST(std::get<gw::identify_request>(e).shard == 7u);
  std::vector<bad_case> table{{event_frame("IDENTIFY_REQUEST", "{}"), errc::invalid_payload,
                               "missing field shard"}};
  for (const auto* v : {"-1", "1.5", R"("1")", "null", "[1]", "4294967296"})
    table.push_back({event_frame("IDENTIFY_REQUEST", std::string{R"({"shard":)"} + v + "}"),
                     errc::invalid_payload, "invalid field shard"});
  check_table(table, service_type::sharder);
}

BOOST_AUTO_TEST_CASE(guild_settings_update_decodes_a_patch_with_the_admin_rules) {
  auto e = event_ok(golden("guild_settings_update.json"), service_type::dashboard);
  const auto& u = std::get<gw::guild_settings_update>(e);
  BOOST_TEST(u.guild_id == 9223372036854775808u);
  BOOST_TEST(u.patch.prefix.value() == "m\"us\\ic\n\xe2\x82\xac");
  BOOST_TEST(u.patch.dj_role_id.value() == 1u);
  BOOST_TEST(u.patch.voice_channel_id.value() == 0u); // null clears
  BOOST_TEST(!u.patch.music_channel_id.has_value());
  BOOST_TEST(u.patch.music_enabled.value() == false);

  // Applied to stored settings and sent out: every field, ids as strings.
  proto::guild_settings g{u.guild_id, "!", 5, 6, max_u64, true};
  proto::admin::apply(g, u.patch);
  const auto text = gw::encode_guild_settings_update(g);
  BOOST_TEST(text == golden("guild_settings_update_sent.json"));
  const auto o = parse_object(text);
  BOOST_TEST(o.at("t").as_string() == "GUILD_SETTINGS_UPDATE");
  const std::vector<std::string> fields{"guildId",        "prefix",         "djRoleId",
                                        "voiceChannelId", "musicChannelId", "musicEnabled"};
  BOOST_TEST(keys_of(o.at("d").as_object()) == fields, boost::test_tools::per_element());
  BOOST_TEST(o.at("d").at("prefix").as_string() == g.prefix);
  BOOST_TEST(o.at("d").at("musicEnabled").as_bool() == false);

  // The sent form decodes as a patch that changes nothing.
  auto back = event_ok(text, service_type::commands);
  auto g2 = g;
  proto::admin::apply(g2, std::get<gw::guild_settings_update>(back).patch);
  BOOST_TEST((g2 == g));

  auto only_id = event_ok(event_frame("GUILD_SETTINGS_UPDATE", R"({"guildId":1,"x":2})"),
                          service_type::panel);
  const auto& p = std::get<gw::guild_settings_update>(only_id).patch;
  BOOST_TEST((!p.prefix && !p.dj_role_id && !p.voice_channel_id && !p.music_channel_id &&
              !p.music_enabled));
}

BOOST_AUTO_TEST_CASE(guild_settings_update_refuses_bad_fields) {
  const auto f = [](const std::string& d) { return event_frame("GUILD_SETTINGS_UPDATE", d); };
  std::vector<bad_case> table{
      {f(R"({"prefix":"!"})"), errc::invalid_payload, "missing field guildId"},
      {f(R"({"guildId":null})"), errc::invalid_payload, "invalid field guildId"},
      {f(R"({"guildId":"x"})"), errc::invalid_payload, "invalid field guildId"},
      {f(R"({"guildId":1,"prefix":""})"), errc::invalid_payload, "prefix must be 1 to 2000 bytes"},
      {f(R"({"guildId":1,"prefix":")" + std::string(2001, 'p') + "\"}"), errc::invalid_payload,
       "prefix must be 1 to 2000 bytes"},
      {f(R"({"guildId":1,"prefix":null})"), errc::invalid_payload, "invalid field prefix"},
      {f(R"({"guildId":1,"prefix":1})"), errc::invalid_payload, "invalid field prefix"},
      {f(R"({"guildId":1,"musicEnabled":"true"})"), errc::invalid_payload,
       "invalid field musicEnabled"},
      {f(R"({"guildId":1,"musicEnabled":null})"), errc::invalid_payload,
       "invalid field musicEnabled"},
  };
  for (const auto* name : {"djRoleId", "voiceChannelId", "musicChannelId"})
    for (const auto* v : {"-1", "1.5", R"("x")", "true", "[]"})
      table.push_back({f(std::string{R"({"guildId":1,")"} + name + "\":" + v + "}"),
                       errc::invalid_payload, std::string{"invalid field "} + name});
  check_table(table, service_type::commands);
  BOOST_TEST(!refusal(f(R"({"guildId":1,"prefix":")" + std::string(2000, 'p') + "\"}"),
                      service_type::commands));
}

BOOST_AUTO_TEST_CASE(music_command_update_round_trips) {
  auto e = event_ok(golden("music_command_update.json"), service_type::commands);
  const auto& m = std::get<gw::music_command_update>(e);
  BOOST_TEST(m.guild_id == 81384788765712384u);
  BOOST_TEST(m.enable == false);
  const auto text = gw::encode_music_command_update(m.guild_id, m.enable);
  BOOST_TEST(text == golden("music_command_update.json"));
  const auto o = parse_object(gw::encode_music_command_update(max_u64, true));
  BOOST_TEST(o.at("d").at("guildId").as_string() == "18446744073709551615");
  BOOST_TEST(o.at("d").at("enable").as_bool());
  check_table(
      {{event_frame("MUSIC_COMMAND_UPDATE", R"({"enable":true})"), errc::invalid_payload,
        "missing field guildId"},
       {event_frame("MUSIC_COMMAND_UPDATE", R"({"guildId":1})"), errc::invalid_payload,
        "missing field enable"},
       {event_frame("MUSIC_COMMAND_UPDATE", R"({"guildId":1,"enable":1})"), errc::invalid_payload,
        "invalid field enable"},
       {event_frame("MUSIC_COMMAND_UPDATE", R"({"guildId":-1,"enable":true})"),
        errc::invalid_payload, "invalid field guildId"}},
      service_type::panel);
}

BOOST_AUTO_TEST_CASE(supporter_events_round_trip) {
  auto add = event_ok(golden("supporter_add.json"), service_type::dashboard);
  BOOST_TEST(std::get<gw::supporter_add>(add).supporter_id == max_u64);
  BOOST_TEST(gw::encode_supporter_add(max_u64) == golden("supporter_add.json"));
  auto rm = event_ok(golden("supporter_remove.json"), service_type::panel);
  BOOST_TEST(std::get<gw::supporter_remove>(rm).supporter_id == 9007199254740993u);
  BOOST_TEST(gw::encode_supporter_remove(9007199254740993u) == golden("supporter_remove.json"));
  auto num = event_ok(event_frame("SUPPORTER_ADD", R"({"supporterId":9007199254740993})"),
                      service_type::panel);
  BOOST_TEST(std::get<gw::supporter_add>(num).supporter_id == 9007199254740993u);
  for (const auto* t : {"SUPPORTER_ADD", "SUPPORTER_REMOVE"})
    check_table({{event_frame(t, "{}"), errc::invalid_payload, "missing field supporterId"},
                 {event_frame(t, R"({"supporterId":1.5})"), errc::invalid_payload,
                  "invalid field supporterId"},
                 {event_frame(t, R"({"supporterId":null})"), errc::invalid_payload,
                  "invalid field supporterId"}},
                service_type::dashboard);
}

// --- coordinator -> client ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hello_and_heartbeats_match_golden_and_round_trip) {
  BOOST_TEST(gw::encode_hello(30000) == golden("hello.json"));
  BOOST_TEST(gw::encode_heartbeat_request() == golden("heartbeat_request.json"));
  BOOST_TEST(gw::encode_heartbeat_ack() == golden("heartbeat_ack.json"));
  const auto hello = parse_object(gw::encode_hello(max_u64));
  BOOST_TEST(hello.at("op").as_int64() == 3);
  BOOST_TEST(hello.at("d").at("heartbeatInterval").as_uint64() == max_u64);
  BOOST_TEST(parse_object(gw::encode_heartbeat_request()).at("op").as_int64() == 1);
  BOOST_TEST(parse_object(gw::encode_heartbeat_ack()).at("op").as_int64() == 4);
  BOOST_TEST(parse_object(gw::encode_heartbeat_ack()).at("d").as_object().empty());
}

BOOST_AUTO_TEST_CASE(identified_carries_shards_for_a_sharder_only) {
  BOOST_TEST(gw::encode_identified(service_type::sharder, {0, 1, 2}) ==
             golden("identified_sharder.json"));
  for (auto t : {service_type::commands, service_type::dashboard, service_type::panel,
                 service_type::feeds})
    BOOST_TEST(gw::encode_identified(t, {0, 1, 2}) == golden("identified_commands.json"));
  BOOST_TEST(gw::encode_identified(service_type::sharder, {}) ==
             R"({"op":2,"t":"IDENTIFIED","d":{"shards":[]}})");
  const auto o = parse_object(gw::encode_identified(service_type::sharder, {4294967295u}));
  BOOST_TEST(o.at("d").at("shards").as_array().at(0).as_int64() == 4294967295);
}

BOOST_AUTO_TEST_CASE(shards_assigned_and_identify_granted_match_golden) {
  BOOST_TEST(gw::encode_shards_assigned({4, 5, 4294967295u}) == golden("shards_assigned.json"));
  BOOST_TEST(gw::encode_identify_granted(7) == golden("identify_granted.json"));
  const auto o = parse_object(gw::encode_shards_assigned({}));
  BOOST_TEST(o.at("t").as_string() == "SHARDS_ASSIGNED");
  BOOST_TEST(o.at("d").at("shards").as_array().empty());
  // IDENTIFY_GRANTED's d is IDENTIFY_REQUEST's: the answer names the shard asked for.
  BOOST_TEST(parse_object(gw::encode_identify_granted(7)).at("d") ==
             parse_object(golden("identify_request.json")).at("d"));
}

BOOST_AUTO_TEST_CASE(every_coordinator_frame_reopens_with_its_op_and_t) {
  const std::vector<std::pair<std::string, int>> frames{
      {gw::encode_hello(1), 3},
      {gw::encode_heartbeat_request(), 1},
      {gw::encode_heartbeat_ack(), 4},
      {gw::encode_identified(service_type::sharder, {1}), 2},
      {gw::encode_shards_assigned({1}), 2},
      {gw::encode_identify_granted(1), 2},
      {gw::encode_execute_command({"c", "r", 1, 2, 3, 4, 5}), 2},
      {gw::encode_guild_settings_update({1, "!", 0, 0, 0, true}), 2},
      {gw::encode_music_command_update(1, true), 2},
      {gw::encode_supporter_add(1), 2},
      {gw::encode_supporter_remove(1), 2},
  };
  for (const auto& [text, op] : frames) {
    BOOST_TEST_CONTEXT(text) {
      auto f = open_ok(text);
      BOOST_TEST(f.op == op);
      BOOST_TEST(f.d.is_object());
      if (op == 2)
        BOOST_TEST(gw::event_of(f).has_value());
    }
  }
}

// --- malformed input ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_valid_frame_truncated_anywhere_is_an_error) {
  for (const auto& [text, as] : valid_frames()) {
    BOOST_TEST_CONTEXT(text) {
      BOOST_REQUIRE(!refusal(text, as).has_value());
      for (std::size_t n = 0; n < text.size(); ++n) {
        auto err = refusal(std::string_view{text}.substr(0, n), as);
        BOOST_REQUIRE_MESSAGE(err.has_value(), "first " << n << " bytes accepted");
        BOOST_TEST(proto::to_string(err->code) == "invalid_json");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_byte_mutations_never_crash) {
  // Any outcome but a crash, or an accepted frame whose op is outside 0..5.
  std::mt19937 rng{7};
  std::uniform_int_distribution<int> byte{0, 255};
  std::size_t accepted = 0;
  for (const auto& [base, as] : valid_frames()) {
    std::uniform_int_distribution<std::size_t> pos{0, base.size() - 1};
    for (int round = 0; round < 3000; ++round) {
      auto text = base;
      for (int k = 0; k < 1 + round % 3; ++k)
        text[pos(rng)] = static_cast<char>(byte(rng));
      auto f = gw::open(text);
      if (!f)
        continue;
      BOOST_TEST((f->op >= 0 && f->op <= 5));
      for (auto who : {as, std::optional<service_type>{}})
        if (gw::decode(*f, {who, secret}))
          ++accepted;
    }
  }
  BOOST_TEST(accepted > 0u);
}

BOOST_AUTO_TEST_CASE(structural_mutations_of_d_never_crash) {
  // Every value kind in every position of every event's d.
  const std::vector<std::string> kinds{"null", "true", "0", "-1", "1.5", "18446744073709551615",
                                       "\"\"", "\"x\"", "[]", "[1]", "{}", "{\"a\":1}"};
  for (auto e : all_events)
    for (const auto& k : kinds) {
      const auto name = std::string{gw::to_string(e)};
      for (const auto& d :
           {k, "{\"guildId\":" + k + "}", "{\"ids\":" + k + "}", "{\"shard\":" + k + "}",
            "{\"command\":\"a\",\"raw\":\"b\",\"ids\":{\"message\":" + k + "}}"})
        for (auto s : all_types)
          (void)refusal(event_frame(name, d), s);
    }
  for (const auto& k : kinds) {
    (void)refusal(identify_frame("{\"type\":\"sharder\",\"compress\":true,"
                                 "\"secret\":\"test-secret\","
                                 "\"shards\":" + k + "}"));
    (void)refusal(heartbeat_frame("{\"heapUsed\":" + k + ",\"guilds\":" + k + "}"),
                  service_type::sharder);
  }
  BOOST_TEST(true);
}

BOOST_AUTO_TEST_SUITE_END()
