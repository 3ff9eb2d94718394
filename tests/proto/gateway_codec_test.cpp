// proto/gateway_codec.hpp: the envelope, session state, identify, heartbeat and who may send
// which event.

#include "tests/proto/gateway_frames.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/gateway_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace coord::test;

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
          {R"({"op":7,"d":{}})", errc::unknown_opcode, "unknown opcode"},
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

BOOST_AUTO_TEST_SUITE_END()
