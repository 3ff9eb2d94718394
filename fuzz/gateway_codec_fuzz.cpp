// libFuzzer target: service gateway frames (SPEC.md §4) through open() and decode() as seen by
// an unidentified session and by each service type; every event the coordinator forwards or
// answers with is re-encoded and must decode to the same values.

#include "fuzz/cache_checks.hpp"
#include "fuzz/fuzz_check.hpp"
#include "proto/gateway_codec.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gw = coord::proto::gateway;
namespace admin = coord::proto::admin;
namespace fuzz = coord::fuzz;
using coord::proto::errc;

namespace {

constexpr std::string_view secret = "test-secret"; // the secret in tests/data/gateway

constexpr gw::service_type all_types[] = {gw::service_type::sharder, gw::service_type::commands,
                                          gw::service_type::dashboard, gw::service_type::panel,
                                          gw::service_type::feeds};

/// SPEC §4.1's envelope checks, worked out from the DOM: the code open() must refuse with.
std::optional<errc> expected_refusal(const std::optional<boost::json::value>& v) {
  if (!v)
    return errc::invalid_json;
  const auto* obj = v->if_object();
  if (!obj)
    return errc::invalid_payload;
  const auto* op = obj->if_contains("op");
  if (!op || !(op->is_int64() || op->is_uint64()))
    return errc::invalid_payload;
  if (!op->is_int64() || op->get_int64() < 0 || op->get_int64() > 6)
    return errc::unknown_opcode;
  if (!obj->contains("d"))
    return errc::invalid_payload;
  return std::nullopt;
}

/// An encoded coordinator event, opened and decoded as `sender` would send it.
gw::client_event reopen(const std::string& text, gw::service_type sender) {
  auto f = gw::open(text);
  FUZZ_CHECK(f.has_value(), "an encoded event does not open");
  FUZZ_CHECK(f->op == gw::op::event, "an encoded event is op 2");
  auto e = gw::decode_event(*f, sender);
  if (!e)
    std::fprintf(stderr, "re-decoding %s: %s\n", text.c_str(), e.error().reason.c_str());
  FUZZ_CHECK(e.has_value(), "an encoded event does not decode again");
  return std::move(*e);
}

/// EXECUTE_COMMAND is forwarded re-encoded: only the documented fields, equal values.
void check_execute_command(const gw::execute_command& c) {
  const auto text = gw::encode_execute_command(c);
  const auto o = fuzz::must_parse_object(text, "encode_execute_command");
  const auto& d = o.at("d").as_object();
  FUZZ_CHECK(d.size() == 3 && d.at("ids").as_object().size() == 5,
             "only command, raw and the five ids are forwarded");
  auto back = reopen(text, gw::service_type::sharder);
  const auto* again = std::get_if<gw::execute_command>(&back);
  FUZZ_CHECK(again && *again == c, "EXECUTE_COMMAND does not round-trip");
}

/// GUILD_SETTINGS_UPDATE: the patch applied to defaults, broadcast, decoded, applied again.
void check_settings_update(const gw::guild_settings_update& u) {
  if (u.patch.prefix)
    FUZZ_CHECK(!u.patch.prefix->empty() && u.patch.prefix->size() <= coord::proto::max_prefix_bytes,
               "an accepted prefix is 1 to 2000 bytes");
  coord::proto::guild_settings g{u.guild_id, "!", 0, 0, 0, true};
  admin::apply(g, u.patch);
  const auto text = gw::encode_guild_settings_update(g);
  auto back = reopen(text, gw::service_type::commands);
  const auto* again = std::get_if<gw::guild_settings_update>(&back);
  FUZZ_CHECK(again && again->guild_id == g.guild_id, "GUILD_SETTINGS_UPDATE guildId");
  coord::proto::guild_settings g2{u.guild_id, "?", 7, 7, 7, false};
  admin::apply(g2, again->patch);
  FUZZ_CHECK(g2 == g, "GUILD_SETTINGS_UPDATE does not round-trip");
}

void check_event(const gw::client_event& e, gw::service_type sender) {
  if (const auto* c = std::get_if<gw::execute_command>(&e)) {
    check_execute_command(*c);
  } else if (const auto* r = std::get_if<gw::identify_request>(&e)) {
    const auto o =
        fuzz::must_parse_object(gw::encode_identify_granted(r->shard), "encode_identify_granted");
    FUZZ_CHECK(fuzz::uint_at(o.at("d").as_object(), "shard") == r->shard, "IDENTIFY_GRANTED");
  } else if (const auto* u = std::get_if<gw::guild_settings_update>(&e)) {
    check_settings_update(*u);
  } else if (const auto* m = std::get_if<gw::music_command_update>(&e)) {
    auto back = reopen(gw::encode_music_command_update(m->guild_id, m->enable), sender);
    const auto* again = std::get_if<gw::music_command_update>(&back);
    FUZZ_CHECK(again && again->guild_id == m->guild_id && again->enable == m->enable,
               "MUSIC_COMMAND_UPDATE does not round-trip");
  } else if (const auto* a = std::get_if<gw::supporter_add>(&e)) {
    auto back = reopen(gw::encode_supporter_add(a->supporter_id), sender);
    const auto* again = std::get_if<gw::supporter_add>(&back);
    FUZZ_CHECK(again && again->supporter_id == a->supporter_id, "SUPPORTER_ADD round-trip");
  } else if (const auto* r = std::get_if<gw::supporter_remove>(&e)) {
    auto back = reopen(gw::encode_supporter_remove(r->supporter_id), sender);
    const auto* again = std::get_if<gw::supporter_remove>(&back);
    FUZZ_CHECK(again && again->supporter_id == r->supporter_id, "SUPPORTER_REMOVE round-trip");
  }
}

/// The shard list of IDENTIFIED / SHARDS_ASSIGNED as the sharder will read it.
void check_shard_list(const std::vector<gw::shard_id>& shards) {
  for (const auto& text : {gw::encode_identified(gw::service_type::sharder, shards),
                           gw::encode_shards_assigned(shards)}) {
    const auto o = fuzz::must_parse_object(text, "encode_identified / encode_shards_assigned");
    const auto& list = o.at("d").as_object().at("shards").as_array();
    FUZZ_CHECK(list.size() == shards.size(), "every shard is listed");
    for (std::size_t i = 0; i < shards.size(); ++i)
      FUZZ_CHECK(list[i].to_number<std::uint64_t>() == shards[i], "shards in order");
  }
}

/// One frame as a session in state `as` (nullopt: not identified yet) decodes it.
void check_decode(const gw::frame& f, std::optional<gw::service_type> as) {
  auto msg = gw::decode(f, gw::session_view{as, secret});
  if (!msg) {
    const auto& e = msg.error();
    fuzz::check_error(e);
    if ((f.op == gw::op::identify || f.op == gw::op::resume) && as)
      FUZZ_CHECK(e.code == errc::already_identified, "identify/resume when identified is 4002");
    else if (f.op != gw::op::identify && f.op != gw::op::heartbeat &&
             f.op != gw::op::resume && !as)
      FUZZ_CHECK(e.code == errc::not_identified, "ops 2-5 before identify are 4000");
    else if (f.op == gw::op::hello || f.op == gw::op::heartbeat_ack)
      FUZZ_CHECK(e.code == errc::unknown_opcode, "clients do not send ops 3 and 4");
    else
      FUZZ_CHECK(e.code == errc::invalid_payload || e.code == errc::auth_failed ||
                     e.code == errc::not_allowed,
                 "a decoder refused with an unexpected code");
    return;
  }
  FUZZ_CHECK(f.op != gw::op::hello && f.op != gw::op::heartbeat_ack, "ops 3/4 never decode");
  if (const auto* id = std::get_if<gw::identify>(&*msg)) {
    FUZZ_CHECK(!as && f.op == gw::op::identify, "identify only before identify");
    if (id->shards)
      check_shard_list(*id->shards);
  } else if (const auto* h = std::get_if<gw::heartbeat>(&*msg)) {
    FUZZ_CHECK(f.op == gw::op::heartbeat, "a heartbeat is op 1");
    if (as == gw::service_type::sharder)
      FUZZ_CHECK(h->guilds.has_value(), "a sharder's heartbeat carries guilds");
  } else if (const auto* e = std::get_if<gw::client_event>(&*msg)) {
    auto type = gw::event_of(f);
    FUZZ_CHECK(as && type && gw::may_send(*as, *type), "an event passed that may not be sent");
    check_event(*e, *as);
  } else if (const auto* c = std::get_if<gw::cache_update>(&*msg)) {
    FUZZ_CHECK(as && f.op == gw::op::cache, "cache updates only from identified sessions");
    fuzz::check_cache_update(*c);
  } else if (const auto* r = std::get_if<gw::resume>(&*msg)) {
    FUZZ_CHECK(!as && f.op == gw::op::resume, "resume only before identify");
    const auto& d = f.d.as_object();
    FUZZ_CHECK(d.at("sessionId").as_string() == r->session_id, "sessionId kept as sent");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  const auto expected = expected_refusal(fuzz::parse_json(text));
  auto f = gw::open(text);
  if (!f) {
    fuzz::check_error(f.error());
    FUZZ_CHECK(expected && *expected == f.error().code, "open() broke SPEC §4.1's checks");
    return 0;
  }
  FUZZ_CHECK(!expected, "open() accepted a frame SPEC §4.1 refuses");
  FUZZ_CHECK(f->op >= gw::op::identify && f->op <= gw::op::resume, "open() keeps ops 0..6");
  check_decode(*f, std::nullopt);
  for (auto type : all_types)
    check_decode(*f, type);
  return 0;
}
