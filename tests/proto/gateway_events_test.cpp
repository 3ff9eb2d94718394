// proto/gateway_codec.hpp: the client events (EXECUTE_COMMAND byte exact, the others) and
// every frame the coordinator sends.

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

BOOST_AUTO_TEST_SUITE(gateway_events)

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

BOOST_AUTO_TEST_SUITE_END()
