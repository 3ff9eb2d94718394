// proto/settings_patch.hpp: the one rule of a settings patch, and the admin PATCH and the
// gateway's GUILD_SETTINGS_UPDATE giving the same answer through it.

#include "tests/proto/golden.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/admin_codec.hpp"
#include "proto/gateway_codec.hpp"
#include "proto/settings_patch.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace proto = coord::proto;
namespace gw = coord::proto::gateway;
using proto::decode_error;
using proto::errc;

namespace {

using coord::test::parse_value;

/// read_setting of one field into an empty patch: the patch, or the error.
proto::result<proto::settings_patch> read_one(std::string_view name, std::string_view value) {
  proto::settings_patch p;
  auto known = proto::read_setting(p, name, parse_value(value));
  if (!known)
    return known.error();
  BOOST_TEST(*known);
  return p;
}

/// A patch as one printable line.
std::string show(const proto::settings_patch& p) {
  std::string out;
  if (p.prefix)
    out += "prefix=" + *p.prefix + ";";
  if (p.dj_role_id)
    out += "dj=" + std::to_string(*p.dj_role_id) + ";";
  if (p.voice_channel_id)
    out += "voice=" + std::to_string(*p.voice_channel_id) + ";";
  if (p.music_channel_id)
    out += "music=" + std::to_string(*p.music_channel_id) + ";";
  if (p.music_enabled)
    out += *p.music_enabled ? "enabled=1;" : "enabled=0;";
  return out;
}

std::string show(const proto::result<proto::settings_patch>& r) {
  return r ? show(*r) : "error:" + r.error().reason;
}

/// The gateway's answer for a GUILD_SETTINGS_UPDATE with `fields` (JSON members, no braces).
std::string gateway_answer(const std::string& fields) {
  const std::string text = R"({"op":2,"t":"GUILD_SETTINGS_UPDATE","d":{"guildId":"1")" +
                           (fields.empty() ? "" : "," + fields) + "}}";
  auto f = gw::open(text);
  BOOST_REQUIRE(f);
  auto e = gw::decode_event(*f, gw::service_type::commands);
  if (!e)
    return "error:" + e.error().reason;
  return show(std::get<gw::guild_settings_update>(*e).patch);
}

} // namespace

BOOST_AUTO_TEST_SUITE(settings_patch)

BOOST_AUTO_TEST_CASE(each_field_reads_by_its_rule) {
  BOOST_TEST(show(read_one("prefix", R"("!")")) == "prefix=!;");
  BOOST_TEST(show(read_one("prefix", '"' + std::string(2000, 'x') + '"')) ==
             "prefix=" + std::string(2000, 'x') + ";");
  BOOST_TEST(show(read_one("djRoleId", R"("7")")) == "dj=7;");
  BOOST_TEST(show(read_one("voiceChannelId", "8")) == "voice=8;");
  BOOST_TEST(show(read_one("musicChannelId", "null")) == "music=0;");
  BOOST_TEST(show(read_one("musicEnabled", "false")) == "enabled=0;");
}

BOOST_AUTO_TEST_CASE(a_refused_value_names_the_field_or_the_prefix_rule) {
  BOOST_TEST(show(read_one("prefix", R"("")")) == "error:prefix must be 1 to 2000 bytes");
  BOOST_TEST(show(read_one("prefix", '"' + std::string(2001, 'x') + '"')) ==
             "error:prefix must be 1 to 2000 bytes");
  BOOST_TEST(show(read_one("prefix", "null")) == "error:invalid field prefix");
  BOOST_TEST(show(read_one("djRoleId", "-1")) == "error:invalid field djRoleId");
  BOOST_TEST(show(read_one("voiceChannelId", "1.5")) == "error:invalid field voiceChannelId");
  BOOST_TEST(show(read_one("musicChannelId", "true")) == "error:invalid field musicChannelId");
  BOOST_TEST(show(read_one("musicEnabled", "null")) == "error:invalid field musicEnabled");
  BOOST_TEST(show(read_one("musicEnabled", "1")) == "error:invalid field musicEnabled");
  auto r = read_one("prefix", "1");
  BOOST_REQUIRE(!r);
  BOOST_TEST((r.error().code == errc::invalid_payload));
}

BOOST_AUTO_TEST_CASE(another_name_is_not_a_setting_and_leaves_the_patch) {
  proto::settings_patch p;
  for (const char* name : {"guildId", "Prefix", "music_enabled", ""}) {
    auto known = proto::read_setting(p, name, parse_value("true"));
    BOOST_REQUIRE(known);
    BOOST_TEST(!*known);
  }
  BOOST_TEST(show(p).empty());
}

BOOST_AUTO_TEST_CASE(apply_sets_what_the_patch_has_and_keeps_the_rest) {
  proto::guild_settings g{5, "?", 1, 2, 3, true};
  proto::settings_patch p;
  p.prefix = "!";
  p.voice_channel_id = 0;
  proto::apply(g, p);
  BOOST_TEST((g == proto::guild_settings{5, "!", 1, 0, 3, true}));
  proto::apply(g, proto::settings_patch{});
  BOOST_TEST((g == proto::guild_settings{5, "!", 1, 0, 3, true}));
}

BOOST_AUTO_TEST_CASE(admin_patch_and_gateway_update_answer_alike) {
  for (const std::string fields :
       {"", R"("prefix":"!")", R"("prefix":"")", R"("prefix":7)", R"("djRoleId":"12")",
        R"("djRoleId":null)", R"("djRoleId":"x")", R"("voiceChannelId":18446744073709551615)",
        R"("voiceChannelId":-3)", R"("musicChannelId":"0")", R"("musicChannelId":[])",
        R"("musicEnabled":true)", R"("musicEnabled":"true")",
        R"("prefix":"p","djRoleId":1,"voiceChannelId":2,"musicChannelId":3,)"
        R"("musicEnabled":false)"}) {
    BOOST_TEST_CONTEXT(fields) {
      const auto admin = show(proto::admin::decode_settings_patch("{" + fields + "}"));
      BOOST_TEST(admin == gateway_answer(fields));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
