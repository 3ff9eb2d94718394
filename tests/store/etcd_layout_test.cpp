// Cluster mode's etcd key layout and value JSON (store/etcd_layout.hpp): keys are built and
// read back exactly, anything else under or beside a prefix is not mistaken for a key, and
// values written by a node or by hand decode (or are refused) as documented.

#include "store/etcd_layout.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace coord;
using namespace coord::store::etcd;
using proto::voice::voice_client;
using namespace std::string_literals;

BOOST_TEST_DONT_PRINT_LOG_VALUE(coord::store::etcd::state_key::kind_t)

namespace {

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

} // namespace

BOOST_AUTO_TEST_SUITE(etcd_layout)

BOOST_AUTO_TEST_CASE(keys_sit_under_the_prefix_as_documented) {
  layout l;
  BOOST_TEST(l.state() == "/coordinator/state/");
  BOOST_TEST(l.guild_key(42) == "/coordinator/state/guilds/42");
  BOOST_TEST(l.guild_key(max_u64) == "/coordinator/state/guilds/18446744073709551615");
  BOOST_TEST(l.supporter_key(7) == "/coordinator/state/supporters/7");
  BOOST_TEST(l.election() == "/coordinator/election");
  BOOST_TEST(l.node_key("node-a:4000") == "/coordinator/nodes/node-a:4000");
  BOOST_TEST(l.shard_key(0) == "/coordinator/shards/0");
  BOOST_TEST(l.shard_key(4294967295u) == "/coordinator/shards/4294967295");
  BOOST_TEST(l.voice_key("12-3") == "/coordinator/voice/31322d33");

  layout other{"/bots/b1/"};
  BOOST_TEST(other.guild_key(1) == "/bots/b1/state/guilds/1");
  BOOST_TEST(other.shards() == "/bots/b1/shards/");
}

BOOST_AUTO_TEST_CASE(state_keys_read_back_to_what_they_name) {
  layout l;
  auto g = parse_state_key(l, l.guild_key(max_u64));
  BOOST_TEST(g.kind == state_key::guild);
  BOOST_TEST(g.id == max_u64);
  auto s = parse_state_key(l, l.supporter_key(0));
  BOOST_TEST(s.kind == state_key::supporter);
  BOOST_TEST(s.id == 0u);
  auto z = parse_state_key(l, "/coordinator/state/guilds/0");
  BOOST_TEST(z.kind == state_key::guild);
  BOOST_TEST(z.id == 0u);
}

BOOST_AUTO_TEST_CASE(a_key_that_is_not_exactly_a_decimal_id_is_other) {
  layout l;
  for (const std::string key : {
         "/coordinator/state/guilds/"s,                      // no id
         "/coordinator/state/guilds"s,                       // the prefix without its slash
         "/coordinator/state/guilds/42x"s,                   // trailing garbage
         "/coordinator/state/guilds/42/"s,                   // trailing slash
         "/coordinator/state/guilds/42/prefix"s,             // a deeper key
         "/coordinator/state/guilds/ 42"s,                   // a blank
         "/coordinator/state/guilds/+42"s,                   // a sign
         "/coordinator/state/guilds/-1"s,                    // negative
         "/coordinator/state/guilds/0x2a"s,                  // hex
         "/coordinator/state/guilds/042"s,                   // not as guild_key writes 42
         "/coordinator/state/guilds/00"s,
         "/coordinator/state/supporters/07"s,
         "/coordinator/state/guilds/18446744073709551616"s,  // 2^64: overflow
         "/coordinator/state/guilds/99999999999999999999999"s,
         "/coordinator/state/guilds/4\0"s,                   // a NUL byte after the id
         "/coordinator/state/supporters/abc"s,
         "/coordinator/state/supporters/"s,
         "/coordinator/state/settings/42"s,                  // another folder
         "/coordinator/state/42"s,
         "/coordinator/guilds/42"s,                          // not under state/
         "/other/state/guilds/42"s,                          // another prefix
         "/coordinator/state/guilds/42"s.substr(1),          // the prefix without its slash
         "/coordinator/shards/3"s,
         ""s,
       }) {
    auto k = parse_state_key(l, key);
    BOOST_TEST((k.kind == state_key::other), "key " << key);
    BOOST_TEST(k.id == 0u, "key " << key);
  }
  // Another prefix's layout does not read this one's keys, nor this one another's.
  layout other{"/coordinator2/"};
  BOOST_TEST((parse_state_key(other, l.guild_key(1)).kind == state_key::other));
  BOOST_TEST((parse_state_key(l, other.guild_key(1)).kind == state_key::other));
}

BOOST_AUTO_TEST_CASE(shard_keys_are_32_bit_decimal_ids) {
  layout l;
  BOOST_TEST(parse_shard_key(l, l.shard_key(0)).value_or(99) == 0u);
  BOOST_TEST(parse_shard_key(l, l.shard_key(4294967295u)).value_or(0) == 4294967295u);
  for (const std::string key : {"/coordinator/shards/4294967296"s, "/coordinator/shards/"s,
                                "/coordinator/shards/1a"s, "/coordinator/shards/-1"s,
                                "/coordinator/shards/1/2"s, "/coordinator/shards/01"s, "/coordinator/shard/1"s,
                                "/coordinator/state/guilds/1"s, "/x/shards/1"s})
    BOOST_TEST(!parse_shard_key(l, key), "key " << key);
}

BOOST_AUTO_TEST_CASE(voice_keys_carry_any_bytes_and_read_back) {
  layout l;
  std::string every_byte;
  for (int c = 0; c < 256; ++c)
    every_byte.push_back(static_cast<char>(c));
  for (const std::string key : {"1"s, "123456789012345678-4"s, "a/b/c"s, "with space"s,
                                "\0\xff\n"s, every_byte}) {
    auto k = l.voice_key(key);
    // Hex keeps the etcd key one path segment of [0-9a-f], whatever the session key holds.
    BOOST_TEST(k.substr(0, l.voice().size()) == l.voice());
    BOOST_TEST(k.find_first_not_of("0123456789abcdef", l.voice().size()) == std::string::npos);
    auto back = parse_voice_key(l, k);
    BOOST_REQUIRE(back.has_value());
    BOOST_TEST(*back == key);
  }
}

BOOST_AUTO_TEST_CASE(a_voice_key_that_is_not_lowercase_hex_is_refused) {
  layout l;
  for (const std::string key : {"/coordinator/voice/"s, "/coordinator/voice/3"s,
                                "/coordinator/voice/313"s, "/coordinator/voice/3G"s,
                                "/coordinator/voice/3A"s, "/coordinator/voice/31 2"s,
                                "/coordinator/voices/31"s, "/other/voice/31"s})
    BOOST_TEST(!parse_voice_key(l, key), "key " << key);
}

BOOST_AUTO_TEST_CASE(settings_round_trip_through_the_admin_json) {
  proto::guild_settings s;
  s.guild_id = max_u64;
  s.prefix = "🎵 \"quoted\"\n";
  s.dj_role_id = 1;
  s.voice_channel_id = max_u64;
  s.music_channel_id = 0;
  s.music_enabled = false;
  auto text = encode_settings(s);
  BOOST_TEST(text.find(R"("guildId":"18446744073709551615")") != std::string::npos);
  auto back = decode_settings(text, max_u64, "!");
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST((*back == s));
}

BOOST_AUTO_TEST_CASE(partial_settings_take_the_defaults_and_the_key_names_the_guild) {
  auto empty = decode_settings("{}", 5, "?");
  BOOST_REQUIRE(empty.has_value());
  BOOST_TEST(empty->guild_id == 5u);
  BOOST_TEST(empty->prefix == "?");
  BOOST_TEST(empty->dj_role_id == 0u);
  BOOST_TEST(empty->voice_channel_id == 0u);
  BOOST_TEST(empty->music_channel_id == 0u);
  BOOST_TEST(empty->music_enabled == true);

  // Written by hand: ids as numbers or strings, null for 0, a guildId that the key overrides.
  auto s = decode_settings(
    R"({"guildId":"77","djRoleId":12,"voiceChannelId":"13","musicChannelId":null,"musicEnabled":false})",
    5, "?");
  BOOST_REQUIRE(s.has_value());
  BOOST_TEST(s->guild_id == 5u);
  BOOST_TEST(s->prefix == "?");
  BOOST_TEST(s->dj_role_id == 12u);
  BOOST_TEST(s->voice_channel_id == 13u);
  BOOST_TEST(s->music_channel_id == 0u);
  BOOST_TEST(s->music_enabled == false);

  auto p = decode_settings(R"({"prefix":"$"})", 6, "?");
  BOOST_REQUIRE(p.has_value());
  BOOST_TEST(p->prefix == "$");
  BOOST_TEST(p->music_enabled == true);
}

BOOST_AUTO_TEST_CASE(settings_that_are_not_an_admin_settings_object_are_refused) {
  for (const std::string text : {
         ""s, "null"s, "[]"s, "\"x\""s, "42"s, "{"s, "{}x"s,
         R"({"prefix":""})"s,                        // prefix 1..2000 bytes
         std::string(R"({"prefix":")") + std::string(2001, 'a') + "\"}",
         R"({"prefix":5})"s,
         R"({"djRoleId":-1})"s,
         R"({"djRoleId":1.5})"s,
         R"({"voiceChannelId":"12a"})"s,
         R"({"musicChannelId":"18446744073709551616"})"s,
         R"({"musicEnabled":"yes"})"s,
         R"({"musicEnabled":1})"s,
         R"({"colour":"red"})"s,                     // unknown field
       })
    BOOST_TEST(!decode_settings(text, 1, "!"), "value " << text);
}

BOOST_AUTO_TEST_CASE(shard_owner_round_trips_and_refuses_what_is_not_an_id) {
  BOOST_TEST(encode_shard_owner(99) == R"({"session":"99"})");
  BOOST_TEST(decode_shard_owner(encode_shard_owner(max_u64)).value_or(0) == max_u64);
  BOOST_TEST(decode_shard_owner(R"({"session":12})").value_or(0) == 12u);
  for (const std::string text :
       {""s, "{}"s, "[]"s, R"({"session":null})"s, R"({"session":-3})"s,
        R"({"session":"x"})"s, R"({"session":"18446744073709551616"})"s,
        R"({"session":1.5})"s, R"({"owner":"1"})"s, "not json"s})
    BOOST_TEST(!decode_shard_owner(text), "value " << text);
}

BOOST_AUTO_TEST_CASE(node_round_trips_and_needs_both_strings) {
  node_info n{"node \"a\"", "ws://127.0.0.1:4000"};
  auto back = decode_node(encode_node(n));
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->node_id == n.node_id);
  BOOST_TEST(back->advertise_url == n.advertise_url);
  BOOST_TEST(encode_node({"a", "ws://x"}) == R"({"nodeId":"a","advertiseUrl":"ws://x"})");
  for (const std::string text :
       {""s, "[]"s, "{}"s, R"({"nodeId":"a"})"s, R"({"advertiseUrl":"ws://x"})"s,
        R"({"nodeId":1,"advertiseUrl":"ws://x"})"s, R"({"nodeId":"a","advertiseUrl":null})"s,
        R"({"nodeId":"a","advertiseUrl":"ws://x")"s})
    BOOST_TEST(!decode_node(text), "value " << text);
}

BOOST_AUTO_TEST_CASE(voice_clients_round_trip) {
  std::vector<voice_client> clients{
    {max_u64, "vc-1 ✓", std::nullopt, ""},
    {2, "vc-2", std::uint64_t{3}, "us-east1.discord.media:443"},
  };
  auto text = encode_voice(clients);
  BOOST_TEST(text.find(R"("channelId":null)") != std::string::npos);
  BOOST_TEST(text.find(R"("guildId":"18446744073709551615")") != std::string::npos);
  auto back = decode_voice(text);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST((*back == clients));

  auto none = decode_voice(encode_voice({}));
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST(none->empty());

  // Written by hand: a numeric guild id, no channelId and no endpoint.
  auto hand = decode_voice(R"({"voiceClients":[{"guildId":5,"id":"x"}]})");
  BOOST_REQUIRE(hand.has_value());
  BOOST_REQUIRE_EQUAL(hand->size(), 1u);
  BOOST_TEST((hand->at(0) == voice_client{5, "x", std::nullopt, ""}));
}

BOOST_AUTO_TEST_CASE(voice_values_that_are_not_a_client_list_are_refused) {
  for (const std::string text : {
         ""s, "[]"s, "{}"s, "null"s,
         R"({"voiceClients":{}})"s,
         R"({"voiceClients":[1]})"s,
         R"({"voiceClients":[{"id":"x"}]})"s,                          // no guildId
         R"({"voiceClients":[{"guildId":"1"}]})"s,                     // no id
         R"({"voiceClients":[{"guildId":"1","id":7}]})"s,              // id not a string
         R"({"voiceClients":[{"guildId":"-1","id":"x"}]})"s,
         R"({"voiceClients":[{"guildId":"1","id":"x","channelId":"c"}]})"s,
         R"({"voiceClients":[{"guildId":"1","id":"x"},{"guildId":true,"id":"y"}]})"s,
       })
    BOOST_TEST(!decode_voice(text), "value " << text);
}

BOOST_AUTO_TEST_SUITE_END()
