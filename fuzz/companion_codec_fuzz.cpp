// libFuzzer target: companion frames (SPEC.md §3) through open() and decode(); refusals follow
// the spec's check order, and every reply built from a decoded frame parses back to its values.

#include "fuzz/fuzz_check.hpp"
#include "proto/companion_codec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace companion = coord::proto::companion;
namespace fuzz = coord::fuzz;
using coord::proto::errc;

namespace {

constexpr std::string_view key = "test-key"; // the key in tests/data/companion

/// SPEC §3's order, worked out from the DOM: the code open() must refuse with, or nullopt.
std::optional<errc> expected_refusal(const std::optional<boost::json::value>& v) {
  if (!v)
    return errc::invalid_json;
  const auto* obj = v->if_object();
  const auto* k = obj ? obj->if_contains("key") : nullptr;
  if (!k || !k->is_string() || fuzz::view(k->get_string()) != key)
    return errc::auth_failed;
  const auto* op = obj->if_contains("op");
  if (!op || !(op->is_int64() || op->is_uint64()))
    return errc::invalid_payload;
  if (!op->is_int64() || (op->get_int64() != 1 && op->get_int64() != 2 && op->get_int64() != 5))
    return errc::unknown_opcode;
  return std::nullopt;
}

/// The op 1 reply for the requested guilds (supporters = the same ids) lists them in order.
void check_handshake_reply(const companion::handshake& h, std::string_view prefix) {
  std::vector<coord::proto::guild_settings> guilds;
  for (auto id : h.guild_ids)
    guilds.push_back({id, std::string{prefix}, id, 0, ~id, true});
  const auto o = fuzz::must_parse_object(companion::encode_handshake_reply(h.guild_ids, guilds),
                                         "encode_handshake_reply");
  FUZZ_CHECK(fuzz::uint_at(o, "op") == 1, "handshake reply op");
  const auto& supporters = o.at("supporterIds").as_array();
  const auto& list = o.at("guilds").as_array();
  FUZZ_CHECK(supporters.size() == h.guild_ids.size() && list.size() == h.guild_ids.size(),
             "one entry per requested guild");
  for (std::size_t i = 0; i < h.guild_ids.size(); ++i) {
    const auto& g = list[i].as_object();
    FUZZ_CHECK(fuzz::uint_at(g, "guildId") == h.guild_ids[i], "guilds in request order");
    FUZZ_CHECK(fuzz::uint_at(g, "djRoleId") == h.guild_ids[i], "djRoleId as a number");
    FUZZ_CHECK(fuzz::uint_at(g, "musicChannelId") == ~h.guild_ids[i], "musicChannelId");
    FUZZ_CHECK(fuzz::string_at(g, "prefix") == prefix, "prefix written as stored");
    FUZZ_CHECK(supporters[i].to_number<std::uint64_t>() == h.guild_ids[i], "supporter ids");
  }
}

/// The op 2 broadcast for a requested guild, with a prefix of arbitrary bytes.
void check_guild_settings(std::uint64_t guild_id, std::string_view raw_prefix) {
  coord::proto::guild_settings g{guild_id, std::string{raw_prefix}, 1, 2, guild_id, false};
  const auto o =
      fuzz::must_parse_object(companion::encode_guild_settings(g), "encode_guild_settings");
  FUZZ_CHECK(fuzz::uint_at(o, "op") == 2 && fuzz::uint_at(o, "guildId") == guild_id,
             "op 2 names the guild as a number");
  FUZZ_CHECK(o.size() == 6, "op 2 has exactly op and the five settings fields");
  if (coord::proto::json_text::is_valid_utf8(raw_prefix))
    FUZZ_CHECK(fuzz::string_at(o, "prefix") == raw_prefix, "a valid UTF-8 prefix is kept");
}

void check_music_stats(const companion::music_stats& m) {
  FUZZ_CHECK(m.shard_id >= 0 && m.playing_music >= 0, "op 5 counts are non-negative");
  const auto shard = static_cast<std::uint64_t>(m.shard_id);
  const auto toggle = fuzz::must_parse_object(
      companion::encode_music_toggle(shard, m.playing_music % 2 == 1), "encode_music_toggle");
  FUZZ_CHECK(fuzz::uint_at(toggle, "guildId") == shard, "op 3 guildId");
  FUZZ_CHECK(toggle.at("enable").as_bool() == (m.playing_music % 2 == 1), "op 3 enable");
  for (auto [encode, op] : {std::pair{&companion::encode_supporter_added, 10},
                            std::pair{&companion::encode_supporter_removed, 11}}) {
    const auto o = fuzz::must_parse_object(encode(shard), "encode_supporter_*");
    FUZZ_CHECK(fuzz::uint_at(o, "op") == static_cast<std::uint64_t>(op), "op 10 / 11");
    FUZZ_CHECK(fuzz::uint_at(o, "supporterId") == shard, "supporterId as a number");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto dom = fuzz::parse_json(text);
  const auto expected = expected_refusal(dom);
  auto env = companion::open(text, key);
  if (!env) {
    fuzz::check_error(env.error());
    FUZZ_CHECK(expected && *expected == env.error().code, "open() broke SPEC §3's check order");
    return 0;
  }
  FUZZ_CHECK(!expected, "open() accepted a frame SPEC §3 refuses");
  FUZZ_CHECK(env->body.if_contains("key") == nullptr, "the key is erased from the body");
  FUZZ_CHECK(env->op == 1 || env->op == 2 || env->op == 5, "only client ops pass open()");

  auto msg = companion::decode(*env);
  if (!msg) {
    fuzz::check_error(msg.error());
    FUZZ_CHECK(msg.error().code == errc::invalid_payload, "a bad body is invalid_payload");
    return 0;
  }
  // The prefix for the replies: the raw frame, cut to the longest prefix the store accepts.
  const auto prefix = text.substr(0, coord::proto::max_prefix_bytes);
  if (const auto* h = std::get_if<companion::handshake>(&*msg)) {
    FUZZ_CHECK(env->op == 1, "a handshake comes from op 1");
    check_handshake_reply(*h, "!");
    if (!h->guild_ids.empty())
      check_guild_settings(h->guild_ids.front(), prefix);
  } else if (const auto* r = std::get_if<companion::guild_request>(&*msg)) {
    FUZZ_CHECK(env->op == 2, "a guild request comes from op 2");
    check_guild_settings(r->guild_id, prefix);
  } else if (const auto* m = std::get_if<companion::music_stats>(&*msg)) {
    FUZZ_CHECK(env->op == 5, "music stats come from op 5");
    check_music_stats(*m);
  }
  return 0;
}
