// libFuzzer target: admin API bodies (SPEC.md §6) through decode_settings_patch and
// decode_music_toggle; an accepted patch is applied and answered with encode_settings, which
// must carry its values; every refusal's {"error":..} body is JSON. The same bytes also go to
// parse_snowflake (path segments) and json_text's string encoding.

#include "fuzz/fuzz_check.hpp"
#include "proto/admin_codec.hpp"
#include "proto/snowflake.hpp"

#include <cstdint>
#include <string>

namespace admin = coord::proto::admin;
namespace fuzz = coord::fuzz;
using coord::proto::errc;

namespace {

/// The error body the HTTP API answers with must be JSON carrying the reason.
void check_refusal(const coord::proto::decode_error& e, bool is_json) {
  FUZZ_CHECK(!e.reason.empty(), "every refusal has a reason");
  FUZZ_CHECK((e.code == errc::invalid_json) == !is_json, "invalid_json iff not JSON");
  FUZZ_CHECK(e.code == errc::invalid_json || e.code == errc::invalid_payload,
             "bodies are refused as 400 only");
  const auto o = fuzz::must_parse_object(admin::encode_error(e.reason), "encode_error");
  FUZZ_CHECK(o.size() == 1 && o.contains("error"), "the error body is {\"error\":..}");
  if (coord::proto::json_text::is_valid_utf8(e.reason))
    FUZZ_CHECK(fuzz::string_at(o, "error") == e.reason, "the reason is written as is");
}

/// Every field of the patch shows in the settings answered after applying it.
void check_patch(const admin::settings_patch& p, const boost::json::object& body) {
  for (const auto& kv : body) {
    const auto k = fuzz::key_of(kv);
    FUZZ_CHECK(k == "prefix" || k == "djRoleId" || k == "voiceChannelId" ||
                   k == "musicChannelId" || k == "musicEnabled" || k == "guildId",
               "a patch with an unknown field was accepted");
  }
  coord::proto::guild_settings g{42, "!", 1, 2, 3, true};
  admin::apply(g, p);
  const auto o = fuzz::must_parse_object(admin::encode_settings(g), "encode_settings");
  FUZZ_CHECK(o.size() == 6, "settings have exactly six fields");
  FUZZ_CHECK(fuzz::quoted_uint_at(o, "guildId") == 42, "the path's guild, not the body's");
  if (p.prefix) {
    FUZZ_CHECK(!p.prefix->empty() && p.prefix->size() <= coord::proto::max_prefix_bytes,
               "an accepted prefix is 1 to 2000 bytes");
    FUZZ_CHECK(fuzz::string_at(o, "prefix") == *p.prefix, "prefix as patched");
  } else {
    FUZZ_CHECK(fuzz::string_at(o, "prefix") == "!", "an absent prefix is kept");
  }
  FUZZ_CHECK(fuzz::quoted_uint_at(o, "djRoleId") == p.dj_role_id.value_or(1), "djRoleId");
  FUZZ_CHECK(fuzz::quoted_uint_at(o, "voiceChannelId") == p.voice_channel_id.value_or(2),
             "voiceChannelId");
  FUZZ_CHECK(fuzz::quoted_uint_at(o, "musicChannelId") == p.music_channel_id.value_or(3),
             "musicChannelId");
  FUZZ_CHECK(o.at("musicEnabled").as_bool() == p.music_enabled.value_or(true), "musicEnabled");
}

/// parse_snowflake of a path segment against a plain digit loop.
void check_snowflake(std::string_view text) {
  std::optional<std::uint64_t> expected;
  if (!text.empty() && text.size() <= 20) {
    unsigned __int128 n = 0;
    bool digits = true;
    for (char c : text) {
      digits = digits && c >= '0' && c <= '9';
      n = n * 10 + static_cast<unsigned>(c - '0');
    }
    if (digits && n <= ~std::uint64_t{0})
      expected = static_cast<std::uint64_t>(n);
  }
  FUZZ_CHECK(coord::proto::parse_snowflake(text) == expected, "parse_snowflake(text)");
  FUZZ_CHECK(coord::proto::parse_snowflake(boost::json::value(boost::json::string(text))) ==
                 expected,
             "parse_snowflake(JSON string)");
  if (expected) {
    const auto ids = admin::encode_supporters({*expected, 0});
    const auto o = fuzz::must_parse_object(ids, "encode_supporters");
    const auto& list = o.at("supporterIds").as_array();
    FUZZ_CHECK(list.size() == 2 && fuzz::view(list[0].as_string()) == std::to_string(*expected),
               "supporter ids as decimal strings");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = fuzz::as_text(data, size);
  const auto dom = fuzz::parse_json(body);
  auto patch = admin::decode_settings_patch(body);
  if (patch)
    check_patch(*patch, dom->as_object());
  else
    check_refusal(patch.error(), dom.has_value());

  auto toggle = admin::decode_music_toggle(body);
  if (toggle)
    FUZZ_CHECK(dom->as_object().at("enable").as_bool() == *toggle, "enable as sent");
  else
    check_refusal(toggle.error(), dom.has_value());

  check_snowflake(body.substr(0, 24));
  fuzz::check_string_encoding(body);
  return 0;
}
