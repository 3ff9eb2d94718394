#include "tests/proto/golden.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/admin_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;
namespace proto = coord::proto;
namespace admin = coord::proto::admin;
using proto::errc;

namespace {

constexpr std::uint64_t max_u64 = 18446744073709551615ULL;

/// A golden file of tests/data/admin/.
std::string golden(const std::string& name) {
  return coord::test::golden_file("admin", name);
}

admin::settings_patch patch_ok(std::string_view body) {
  auto p = admin::decode_settings_patch(body);
  BOOST_REQUIRE_MESSAGE(p, "refused: " << (p ? "" : p.error().reason));
  return *p;
}

struct bad_case {
  std::string body;
  errc code;
  std::string reason; ///< empty: any reason
};

template <class Decode>
void check_table(Decode decode, const std::vector<bad_case>& table) {
  for (const auto& c : table) {
    BOOST_TEST_CONTEXT(c.body) {
      auto r = decode(c.body);
      BOOST_REQUIRE(!r);
      BOOST_TEST(proto::to_string(r.error().code) == proto::to_string(c.code));
      if (!c.reason.empty())
        BOOST_TEST(r.error().reason == c.reason);
    }
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(admin_codec)

BOOST_AUTO_TEST_CASE(patch_decodes_every_field) {
  const auto p = patch_ok(golden("settings_patch.json"));
  BOOST_TEST(p.prefix.value() == "?");
  BOOST_TEST(p.dj_role_id.value() == 81384788765712384ULL);
  BOOST_TEST(p.voice_channel_id.value() == 0u);
  BOOST_TEST(p.music_channel_id.value() == max_u64);
  BOOST_TEST(p.music_enabled.value() == false);
}

BOOST_AUTO_TEST_CASE(patch_fields_left_out_stay_unset) {
  const auto empty = patch_ok("{}");
  BOOST_TEST(!empty.prefix);
  BOOST_TEST(!empty.dj_role_id);
  BOOST_TEST(!empty.voice_channel_id);
  BOOST_TEST(!empty.music_channel_id);
  BOOST_TEST(!empty.music_enabled);

  const auto one = patch_ok(R"({"voiceChannelId":"9007199254740993"})");
  BOOST_TEST(!one.prefix);
  BOOST_TEST(one.voice_channel_id.value() == 9007199254740993ULL);
  BOOST_TEST(!one.music_enabled);
}

BOOST_AUTO_TEST_CASE(null_ids_clear_the_field) {
  const auto p = patch_ok(R"({"djRoleId":null,"voiceChannelId":null,"musicChannelId":null})");
  BOOST_TEST(p.dj_role_id.value() == 0u);
  BOOST_TEST(p.voice_channel_id.value() == 0u);
  BOOST_TEST(p.music_channel_id.value() == 0u);
  const auto zero = patch_ok(R"({"djRoleId":"0","musicChannelId":0})");
  BOOST_TEST(zero.dj_role_id.value() == 0u);
  BOOST_TEST(zero.music_channel_id.value() == 0u);
}

BOOST_AUTO_TEST_CASE(guild_id_in_the_body_is_ignored) {
  const auto p = patch_ok(R"({"guildId":"123","prefix":"$"})");
  BOOST_TEST(p.prefix.value() == "$");
  BOOST_TEST(patch_ok(R"({"guildId":{"anything":[1]}})").prefix.has_value() == false);
}

BOOST_AUTO_TEST_CASE(prefix_of_1_and_2000_bytes_is_accepted) {
  BOOST_TEST(patch_ok(R"({"prefix":"!"})").prefix.value() == "!");
  const std::string longest(proto::max_prefix_bytes, 'p');
  BOOST_TEST(patch_ok(R"({"prefix":")" + longest + "\"}").prefix.value() == longest);
  // 2000 bytes counted as bytes: 1000 two-byte characters.
  std::string accented;
  for (int i = 0; i < 1000; ++i)
    accented += "\xc3\xa9";
  BOOST_TEST(patch_ok(R"({"prefix":")" + accented + "\"}").prefix.value() == accented);
  BOOST_TEST(patch_ok(R"({"prefix":"a\"b\\c\u00e9"})").prefix.value() == "a\"b\\c\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(apply_changes_only_the_patched_fields) {
  proto::guild_settings g{42, "!", 1, 2, 3, true};
  admin::apply(g, patch_ok(R"({"prefix":"?","voiceChannelId":null})"));
  BOOST_TEST((g == proto::guild_settings{42, "?", 1, 0, 3, true}));
  admin::apply(g, patch_ok(R"({"djRoleId":"7","musicChannelId":8,"musicEnabled":false})"));
  BOOST_TEST((g == proto::guild_settings{42, "?", 7, 0, 8, false}));
  admin::apply(g, patch_ok("{}"));
  BOOST_TEST((g == proto::guild_settings{42, "?", 7, 0, 8, false}));
  admin::apply(g, patch_ok(R"({"guildId":"99"})"));
  BOOST_TEST(g.guild_id == 42u);
}

BOOST_AUTO_TEST_CASE(every_patch_error_is_refused_with_a_reason) {
  const std::string two_thousand_and_one(proto::max_prefix_bytes + 1, 'p');
  std::string accented_too_long;
  for (int i = 0; i < 1000; ++i)
    accented_too_long += "\xc3\xa9";
  accented_too_long += "x";
  check_table(admin::decode_settings_patch, {
      {"", errc::invalid_json, "invalid json"},
      {"{", errc::invalid_json, ""},
      {R"({"prefix":"!",})", errc::invalid_json, ""},
      {R"({"prefix":"!"} trailing)", errc::invalid_json, ""},
      {"{\"prefix\":\"\xff\"}", errc::invalid_json, ""},
      {"{\"prefix\":\"\xed\xa0\x80\"}", errc::invalid_json, ""},
      {R"({"prefix":"\udc00"})", errc::invalid_json, ""},
      {"[]", errc::invalid_payload, "body must be a JSON object"},
      {R"([{"prefix":"!"}])", errc::invalid_payload, "body must be a JSON object"},
      {"null", errc::invalid_payload, "body must be a JSON object"},
      {"\"prefix\"", errc::invalid_payload, "body must be a JSON object"},
      {"12", errc::invalid_payload, "body must be a JSON object"},
      {R"({"nope":1})", errc::invalid_payload, "unknown field nope"},
      {R"({"prefix":"!","Prefix":"?"})", errc::invalid_payload, "unknown field Prefix"},
      {R"({"enable":true})", errc::invalid_payload, "unknown field enable"},
      {R"({"prefix":""})", errc::invalid_payload, "prefix must be 1 to 2000 bytes"},
      {R"({"prefix":")" + two_thousand_and_one + "\"}", errc::invalid_payload,
       "prefix must be 1 to 2000 bytes"},
      {R"({"prefix":")" + accented_too_long + "\"}", errc::invalid_payload,
       "prefix must be 1 to 2000 bytes"},
      {R"({"prefix":null})", errc::invalid_payload, "invalid field prefix"},
      {R"({"prefix":1})", errc::invalid_payload, "invalid field prefix"},
      {R"({"prefix":["!"]})", errc::invalid_payload, "invalid field prefix"},
      {R"({"djRoleId":-1})", errc::invalid_payload, "invalid field djRoleId"},
      {R"({"djRoleId":1.0})", errc::invalid_payload, "invalid field djRoleId"},
      {R"({"djRoleId":"x"})", errc::invalid_payload, "invalid field djRoleId"},
      {R"({"djRoleId":true})", errc::invalid_payload, "invalid field djRoleId"},
      {R"({"voiceChannelId":"18446744073709551616"})", errc::invalid_payload,
       "invalid field voiceChannelId"},
      {R"({"voiceChannelId":18446744073709551616})", errc::invalid_payload,
       "invalid field voiceChannelId"},
      {R"({"voiceChannelId":[]})", errc::invalid_payload, "invalid field voiceChannelId"},
      {R"({"musicChannelId":"-1"})", errc::invalid_payload, "invalid field musicChannelId"},
      {R"({"musicChannelId":{}})", errc::invalid_payload, "invalid field musicChannelId"},
      {R"({"musicEnabled":"true"})", errc::invalid_payload, "invalid field musicEnabled"},
      {R"({"musicEnabled":1})", errc::invalid_payload, "invalid field musicEnabled"},
      {R"({"musicEnabled":null})", errc::invalid_payload, "invalid field musicEnabled"},
  });
}

BOOST_AUTO_TEST_CASE(unknown_field_reason_is_bounded) {
  const std::string name(500, 'n');
  auto r = admin::decode_settings_patch("{\"" + name + "\":1}");
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().reason == "unknown field " + name.substr(0, 64));
}

BOOST_AUTO_TEST_CASE(patch_truncated_anywhere_is_invalid_json) {
  const std::string body = golden("settings_patch.json");
  BOOST_REQUIRE(admin::decode_settings_patch(body));
  for (std::size_t n = 0; n < body.size(); ++n) {
    auto r = admin::decode_settings_patch(std::string_view{body}.substr(0, n));
    BOOST_REQUIRE(!r);
    BOOST_TEST(proto::to_string(r.error().code) == "invalid_json");
  }
}

BOOST_AUTO_TEST_CASE(music_toggle_decodes_enable) {
  BOOST_TEST(admin::decode_music_toggle(R"({"enable":true})").value() == true);
  BOOST_TEST(admin::decode_music_toggle(R"({"enable":false})").value() == false);
  BOOST_TEST(admin::decode_music_toggle(R"({"guildId":"5","enable":false})").value() == false);
}

BOOST_AUTO_TEST_CASE(every_music_toggle_error_is_refused_with_a_reason) {
  check_table(admin::decode_music_toggle, {
      {"", errc::invalid_json, "invalid json"},
      {R"({"enable":tru})", errc::invalid_json, ""},
      {"[true]", errc::invalid_payload, "body must be a JSON object"},
      {"true", errc::invalid_payload, "body must be a JSON object"},
      {"{}", errc::invalid_payload, "missing field enable"},
      {R"({"enable":"true"})", errc::invalid_payload, "invalid field enable"},
      {R"({"enable":1})", errc::invalid_payload, "invalid field enable"},
      {R"({"enable":null})", errc::invalid_payload, "invalid field enable"},
      {R"({"enable":true,"extra":1})", errc::invalid_payload, "unknown field extra"},
  });
}

BOOST_AUTO_TEST_CASE(settings_encode_as_strings_in_spec_order) {
  const proto::guild_settings g{9223372036854775808ULL, "m\"us\\ic\n\xe2\x82\xac", 1, 0,
                                max_u64, false};
  const auto text = admin::encode_settings(g);
  BOOST_TEST(text == golden("settings.json"));

  const auto o = json::parse(text).as_object();
  std::vector<std::string> keys;
  for (const auto& kv : o)
    keys.emplace_back(kv.key());
  const std::vector<std::string> want{"guildId",        "prefix",         "djRoleId",
                                      "voiceChannelId", "musicChannelId", "musicEnabled"};
  BOOST_TEST(keys == want, boost::test_tools::per_element());
  BOOST_TEST(o.at("guildId").as_string() == "9223372036854775808");
  BOOST_TEST(o.at("prefix").as_string() == g.prefix);
  BOOST_TEST(o.at("voiceChannelId").as_string() == "0");
  BOOST_TEST(o.at("musicChannelId").as_string() == "18446744073709551615");
  BOOST_TEST(o.at("musicEnabled").as_bool() == false);
}

BOOST_AUTO_TEST_CASE(encoded_settings_decode_back_as_a_patch) {
  const proto::guild_settings g{77, "pre", 9007199254740993ULL, 2, max_u64, false};
  proto::guild_settings back{77, "!", 0, 0, 0, true};
  admin::apply(back, patch_ok(admin::encode_settings(g)));
  BOOST_TEST((back == g));
}

BOOST_AUTO_TEST_CASE(supporters_encode_as_strings) {
  BOOST_TEST(admin::encode_supporters({9007199254740993ULL, max_u64}) == golden("supporters.json"));
  BOOST_TEST(admin::encode_supporters({}) == R"({"supporterIds":[]})");
}

BOOST_AUTO_TEST_CASE(errors_are_escaped_json) {
  BOOST_TEST(admin::encode_error("not found") == R"({"error":"not found"})");
  BOOST_TEST(admin::encode_error("bad \"x\"\n\\") == R"({"error":"bad \"x\"\n\\"})");
  const auto o = json::parse(admin::encode_error("unknown field \xff\x01")).as_object();
  BOOST_TEST(o.at("error").as_string() == "unknown field \xef\xbf\xbd\x01");
}

BOOST_AUTO_TEST_SUITE_END()
