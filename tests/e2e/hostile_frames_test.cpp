// Hostile clients below and inside the JSON, on every dialect (SPEC.md §2-§5): broken UTF-8,
// broken or mistyped JSON, deep nesting, huge numbers and arrays, oversized and fragmented
// messages, websocket protocol violations, binary frames and floods. After every attack the
// node must still serve a well-behaved client.
// Past 400 lines on purpose: each attack is checked with the same "still serves" probe.

#include "tests/e2e/hostile.hpp"

using namespace coord::test;
namespace json = boost::json;
using str = std::string;

namespace {

enum class dialect { companion, gateway, voice };
constexpr dialect all_dialects[] = {dialect::companion, dialect::gateway, dialect::voice};

str name_of(dialect d) {
  return d == dialect::companion ? "companion" : d == dialect::gateway ? "gateway" : "voice";
}

/// A raw websocket on `d`'s path, past the HELLO that gateway and voice send first.
std::unique_ptr<raw_ws> open_raw(std::uint16_t port, dialect d) {
  std::vector<std::pair<str, str>> headers;
  if (d == dialect::voice)
    headers.emplace_back("Authorization", voice_pw);
  const char* path = d == dialect::companion ? "/companion"
                     : d == dialect::gateway ? "/gateway"
                                             : "/ws";
  auto c = std::make_unique<raw_ws>(port, path, headers);
  if (d != dialect::companion) {
    auto hello = c->read_message();
    const bool is_hello = hello && (hello->find("\"HELLO\"") != str::npos ||
                                    hello->rfind("{\"op\":3,", 0) == 0);
    BOOST_REQUIRE_MESSAGE(is_hello, "no HELLO on " << name_of(d));
  }
  return c;
}

/// A message each dialect answers, and the start of that answer.
str good_message(dialect d) {
  if (d == dialect::companion)
    return companion_frame({{"op", 1}, {"guildIds", json::array{1}}});
  return d == dialect::gateway ? R"({"op":1,"d":{"heapUsed":1}})" : R"({"op":"HEARTBEAT","d":1})";
}

str good_answer(dialect d) {
  return d == dialect::companion ? R"({"op":1,)"
         : d == dialect::gateway ? R"({"op":4,)"
                                 : R"({"op":"HEARTBEAT_ACK","d":1})";
}

/// Writes `bytes` on a fresh session of `d` and checks the code of the node's close frame.
void expect_close_bytes(std::uint16_t port, dialect d, const str& bytes, unsigned want,
                        const str& what) {
  auto c = open_raw(port, d);
  c->send_raw(bytes);
  const unsigned got = c->wait_close().value_or(0);
  BOOST_TEST(got == want, name_of(d) << " " << what << ": closed with " << got << ", expected "
                                     << want);
}

/// The same with `texts` sent as text frames.
void expect_close(std::uint16_t port, dialect d, const std::vector<str>& texts, unsigned want,
                  const str& what) {
  str bytes;
  for (const auto& t : texts)
    bytes += ws_frame(t);
  expect_close_bytes(port, d, bytes, want, what);
}

/// Sends `texts`, then a good message; true when that one is answered (the session stayed).
bool still_answers(std::uint16_t port, dialect d, const std::vector<str>& texts) {
  auto c = open_raw(port, d);
  for (const auto& t : texts)
    c->send_text(t);
  c->send_text(good_message(d));
  while (auto m = c->read_message())
    if (m->rfind(good_answer(d), 0) == 0)
      return true;
  return false;
}

str key_field() { return str{R"("key":")"} + companion_key + "\""; }

/// Companion op 1 with the given guildIds text.
str c_op1(const str& guild_ids) {
  return R"({"op":1,)" + key_field() + R"(,"guildIds":)" + guild_ids + "}";
}

/// `o` with `field` set to `value_text` as written (a parse and serialize would change
/// 1e400 or 2^64).
str with(json::object o, const char* field, const str& value_text) {
  o.erase(field);
  auto text = json::serialize(o);
  text.pop_back();
  return text + (o.empty() ? "\"" : ",\"") + field + "\":" + value_text + "}";
}

const str sharder_identify = R"({"op":0,"d":{"type":"sharder","compress":false,"secret":")" +
                             str{gw_secret} + "\"}}";

/// The values of every JSON type but the ones a field takes, as text.
const std::vector<str> not_an_object = {"[]", R"("x")", "1", "null", "true", "1.5"};
const std::vector<str> not_an_id = {"[]",    "{}",    R"("x")",  R"("")",  R"("-1")",
                                    "null",  "true",  R"(" 1")", R"("1.0")", "-1", "1.5"};
const std::vector<str> not_a_count = {"[]", "{}", "null", "true", "-1", R"("1")"};

} // namespace

BOOST_AUTO_TEST_SUITE(hostile_clients)

BOOST_AUTO_TEST_CASE(invalid_utf8_in_a_text_frame_closes_with_1007) {
  // SPEC is silent; RFC 6455 §8.1 makes invalid UTF-8 in a text message a 1007 close.
  node_fixture f{hostile_node_args()};
  const std::vector<str> bad = {"\xff", "\xc0\xaf" /* overlong */,
                                "{\"op\":1,\"d\":\"\xed\xa0\x80\"}" /* surrogate */,
                                "{\"key\":\"x\xf5\x80\x80\x80\"}", "{\"d\":\"cut \xe2\x82"};
  for (auto d : all_dialects) {
    for (std::size_t i = 0; i < bad.size(); ++i)
      expect_close(f.port(), d, {bad[i]}, 1007, "case " + std::to_string(i));
    // Split across two fragments, the bad sequence is still caught.
    expect_close_bytes(f.port(), d,
                       ws_frame("{\"d\":\"\xe2", {ws_op::text, false}) +
                         ws_frame("\x28\"}", {ws_op::continuation}),
                       1007, "split");
  }
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(non_json_closes_with_4004_and_non_objects_with_each_dialects_code) {
  node_fixture f{hostile_node_args()};
  for (auto d : all_dialects)
    for (const char* text : {"{nope", "", "   ", "nul", R"({"op":1,})", R"("open)", "{}{}", "[1]]"})
      expect_close(f.port(), d, {text}, 4004, text);
  // Not an object: companion finds no key in it (4001, decisions.md), gateway calls it an
  // invalid payload (4005), voice invalid JSON (4004).
  for (auto [d, code] : {std::pair{dialect::companion, 4001u}, std::pair{dialect::gateway, 4005u},
                         std::pair{dialect::voice, 4004u}})
    for (const auto& text : not_an_object)
      expect_close(f.port(), d, {text}, code, text);
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(companion_fields_of_every_wrong_type_close_with_4001_or_4005) {
  node_fixture f{hostile_node_args()};
  const auto p = f.port();
  const auto c = dialect::companion;
  const json::object op1{{"op", 1}, {"key", companion_key}, {"guildIds", json::array{}}};
  for (const char* key : {"[]", "{}", "null", "true", "1", R"("")"})
    expect_close(p, c, {with(op1, "key", key)}, 4001, str{"key "} + key);
  for (const char* op : {R"("1")", "[]", "{}", "null", "true", "1.0", "1e400"})
    expect_close(p, c, {with(op1, "op", op)}, 4005, str{"op "} + op);
  // An integer op that is not one of ours is an unknown opcode, however large; 2^64 is not an
  // integer to Boost.JSON (a double): a mistyped op.
  for (const char* op : {"-1", "0", "18446744073709551615"})
    expect_close(p, c, {with(op1, "op", op)}, 4003, str{"op "} + op);
  expect_close(p, c, {with(op1, "op", "18446744073709551616")}, 4005, "op 2^64");
  for (const char* v : {R"("1")", "1", "null", "true", "{}"})
    expect_close(p, c, {c_op1(v)}, 4005, str{"guildIds "} + v);
  const json::object op2{{"op", 2}, {"key", companion_key}, {"guildId", 1}};
  for (const auto& v : not_an_id) {
    expect_close(p, c, {c_op1("[" + v + "]")}, 4005, "guildIds item " + v);
    expect_close(p, c, {c_op1("[]"), with(op2, "guildId", v)}, 4005, "guildId " + v);
  }
  const json::object op5{{"op", 5}, {"key", companion_key}, {"shardId", 1}, {"playingMusic", 1}};
  for (const auto& v : not_a_count)
    for (const char* field : {"shardId", "playingMusic"})
      expect_close(p, c, {c_op1("[]"), with(op5, field, v)}, 4005, field + (" " + v));
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(gateway_fields_of_every_wrong_type_close_with_4001_or_4005) {
  node_fixture f{hostile_node_args()};
  const auto p = f.port();
  const auto g = dialect::gateway;
  const json::object heartbeat{{"op", 1}, {"d", {{"heapUsed", 1}}}};
  for (const char* op : {R"("1")", "[]", "{}", "null", "true", "1.5"})
    expect_close(p, g, {with(heartbeat, "op", op)}, 4005, str{"op "} + op);
  expect_close(p, g, {R"({"op":1})"}, 4005, "no d");
  for (const auto& v : not_an_object)
    expect_close(p, g, {with(heartbeat, "d", v)}, 4005, "heartbeat d " + v);
  for (const auto& v : not_a_count)
    expect_close(p, g, {R"({"op":1,"d":{"heapUsed":)" + v + "}}"}, 4005, "heapUsed " + v);
  const json::object d{{"type", "sharder"}, {"compress", false}, {"secret", gw_secret}};
  auto identify = [&](const char* field, const char* v) {
    return R"({"op":0,"d":)" + with(d, field, v) + "}";
  };
  for (const char* v : {"1", "[]", "{}", "null", "true", R"("SHARDER")"})
    expect_close(p, g, {identify("type", v)}, 4005, str{"type "} + v);
  for (const char* v : {"1", "[]", "{}", "null", R"("true")"})
    expect_close(p, g, {identify("compress", v)}, 4005, str{"compress "} + v);
  for (const char* v : {"1", "[]", "{}", "null", "true"})
    expect_close(p, g, {identify("secret", v)}, 4001, str{"secret "} + v);
  for (const char* v : {R"("0")", "0", "{}", "true", R"(["0"])", "[-1]", "[1.5]", "[null]",
                        "[[0]]", "[4294967296]"})
    expect_close(p, g, {identify("shards", v)}, 4005, str{"shards "} + v);
  // After identify: the event name, the event's d, a command's ids, a cache record.
  const json::object event{{"op", 2}, {"t", "EXECUTE_COMMAND"}, {"d", json::object{}}};
  for (const char* t : {"1", "[]", "{}", "true", "null"})
    expect_close(p, g, {sharder_identify, with(event, "t", t)}, 4005, str{"t "} + t);
  for (const auto& v : not_an_object)
    expect_close(p, g, {sharder_identify, with(event, "d", v)}, 4005, "command d " + v);
  const json::object ids{{"message", "1"}, {"author", "2"}, {"channel", "3"}, {"guild", "4"},
                         {"shard", 0}};
  auto command = [&](const char* field, const str& v) {
    return R"({"op":2,"t":"EXECUTE_COMMAND","d":{"command":"play","raw":"x","ids":)" +
           with(ids, field, v) + "}}";
  };
  for (const auto& v : not_an_id)
    expect_close(p, g, {sharder_identify, command("guild", v)}, 4005, "ids.guild " + v);
  for (const char* v : {R"("0")", "-1", "1.5", "null", "[]", "4294967296"})
    expect_close(p, g, {sharder_identify, command("shard", v)}, 4005, str{"ids.shard "} + v);
  for (const auto& v : not_an_object)
    expect_close(p, g, {sharder_identify, R"({"op":5,"d":)" + v + "}"}, 4005, "cache d " + v);
  expect_close(p, g, {sharder_identify, R"({"op":5,"d":{"type":1}})"}, 4005, "cache type 1");
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(voice_fields_of_every_wrong_type_close_with_4005_and_odd_ops_are_ignored) {
  node_fixture f{hostile_node_args()};
  const auto p = f.port();
  const auto v = dialect::voice;
  // An object without a string op is ignored and counted (decisions.md); the session goes on.
  for (const char* op : {"1", "[]", "{}", "null", "true"})
    BOOST_TEST(still_answers(p, v, {str{R"({"d":{},"op":)"} + op + "}"}), "op " << op);
  BOOST_TEST(still_answers(p, v, {R"({"d":{}})", R"({"op":"heartbeat","d":1})"}));
  const json::object identify{{"op", "IDENTIFY"}, {"d", {{"user_id", "1"}}}};
  for (const auto& x : not_an_object)
    expect_close(p, v, {with(identify, "d", x)}, 4005, "identify d " + x);
  for (const auto& x : not_an_id)
    expect_close(p, v, {R"({"op":"IDENTIFY","d":{"user_id":)" + x + "}}"}, 4005, "user_id " + x);
  for (const char* x : {R"("1")", "-1", "1.5", "[]", "{}", "true"})
    expect_close(p, v, {str{R"({"op":"IDENTIFY","d":{"user_id":"1","shard_id":)"} + x + "}}"},
                 4005, str{"shard_id "} + x);
  const str id = json::serialize(identify);
  const str state_update = R"({"op":"DISCORD_EVENT","d":{"t":"VOICE_STATE_UPDATE","d":)";
  for (const auto& x : not_an_object) {
    expect_close(p, v, {id, R"({"op":"DISCORD_EVENT","d":)" + x + "}"}, 4005, "event d " + x);
    expect_close(p, v, {id, state_update + x + "}}"}, 4005, "event d.d " + x);
    expect_close(p, v, {id, R"({"op":"getState","d":)" + x + "}"}, 4005, "getState d " + x);
  }
  for (const auto& x : not_an_id)
    expect_close(p, v, {id, R"({"op":"VC_DESTROY","d":{"guild_id":)" + x + "}}"}, 4005,
                 "guild_id " + x);
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_invalid_json_on_every_dialect) {
  node_fixture f{hostile_node_args()};
  const str open(100000, '['), closed = open + str(100000, ']');
  const str nested_33 = str(33, '[') + str(33, ']'); // Boost.JSON's limit is 32
  for (auto d : all_dialects) {
    expect_close(f.port(), d, {open}, 4004, "100k [");
    expect_close(f.port(), d, {closed}, 4004, "100k [ closed");
    expect_close(f.port(), d, {str(50000, '{') + str(50000, '}')}, 4004, "50k {");
  }
  // Too deep inside a field is as invalid as at the top.
  expect_close(f.port(), dialect::companion, {c_op1(nested_33)}, 4004, "guildIds");
  expect_close(f.port(), dialect::gateway, {R"({"op":1,"d":)" + nested_33 + "}"}, 4004, "d");
  expect_close(f.port(), dialect::voice, {R"({"op":"HEARTBEAT","d":)" + nested_33 + "}"}, 4004,
               "d");
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(huge_numbers_are_refused_or_kept_exact) {
  node_fixture f{hostile_node_args()};
  const auto p = f.port();
  // Snowflakes past 2^64-1, with a fraction or an exponent are not ids.
  for (const char* x : {"18446744073709551616", "18446744073709551617", R"("18446744073709551616")",
                        "1e400", "-1e400", "1e3", "1E2", "-0.0", "184467440737095516150"}) {
    expect_close(p, dialect::companion, {c_op1(str{"["} + x + "]")}, 4005, x);
    expect_close(p, dialect::voice, {str{R"({"op":"IDENTIFY","d":{"user_id":)"} + x + "}}"}, 4005,
                 x);
  }
  for (const char* x : {"1e400", "-1e400", "18446744073709551616", "-0.5"})
    expect_close(p, dialect::gateway, {str{R"({"op":1,"d":{"heapUsed":)"} + x + "}}"}, 4005, x);
  // The largest id is kept exact, as a number or a string; -0 is the integer 0.
  {
    auto c = open_raw(p, dialect::companion);
    c->send_text(c_op1(R"([18446744073709551615,"18446744073709551614",9007199254740993,-0])"));
    const auto m = c->read_message().value_or("");
    for (const char* id : {"18446744073709551615", "18446744073709551614", "9007199254740993", "0"})
      BOOST_TEST(m.find(str{"\"guildId\":"} + id + ",") != str::npos, id);
  }
  // Voice echoes a heartbeat's d byte for byte, whatever the number.
  {
    auto c = open_raw(p, dialect::voice);
    for (const char* d : {"1e400", "-0", "18446744073709551616", "-1E-400", "1.000"}) {
      c->send_text(str{R"({"op":"HEARTBEAT","d":)"} + d + "}");
      BOOST_TEST(c->read_message().value_or("") == str{R"({"op":"HEARTBEAT_ACK","d":)"} + d + "}");
    }
  }
  // Gateway heartbeat numbers that fit are acknowledged.
  BOOST_TEST(still_answers(p, dialect::gateway, {R"({"op":1,"d":{"heapUsed":-0}})",
                                                  R"({"op":1,"d":{"heapUsed":1.8e19}})"}));
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(ten_thousand_element_arrays_are_served) {
  node_fixture f{hostile_node_args()};
  json::array ids;
  for (int i = 1; i <= 10000; ++i)
    ids.push_back(i);
  {
    ws_client c{f.port(), "/companion"};
    auto guilds = companion_handshake(c, ids).at("guilds").as_array();
    BOOST_REQUIRE_EQUAL(guilds.size(), 10000u);
    BOOST_TEST(guilds.front().at("guildId").as_int64() == 1);
    BOOST_TEST(guilds.back().at("guildId").as_int64() == 10000);
  }
  // One bad id among 10k refuses the whole handshake.
  auto bad = ids;
  bad.push_back("x");
  expect_close(f.port(), dialect::companion, {c_op1(json::serialize(bad))}, 4005, "10k + x");
  // A sharder asking for 10k shards of a 1-shard node gets the one that exists.
  {
    auto c = open_raw(f.port(), dialect::gateway);
    json::array shards{0};
    for (int i = 0; i < 10000; ++i)
      shards.push_back(i);
    json::object d{{"type", "sharder"}, {"compress", false}, {"secret", gw_secret},
                   {"shards", shards}};
    c->send_text(json::serialize(json::object{{"op", 0}, {"d", d}}));
    const auto identified = json::parse(c->read_message().value_or("{}")).as_object();
    BOOST_TEST(json::serialize(identified.at("d").at("shards")) == "[0]");
  }
  // Voice echoes a 10k-element d unchanged.
  {
    auto c = open_raw(f.port(), dialect::voice);
    const auto d = json::serialize(ids);
    c->send_text(R"({"op":"HEARTBEAT","d":)" + d + "}");
    BOOST_TEST(c->read_message().value_or("") == R"({"op":"HEARTBEAT_ACK","d":)" + d + "}");
  }
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(messages_past_max_frame_bytes_close_with_1009_however_they_arrive) {
  node_fixture f{hostile_node_args({"--limits.max_frame_bytes=1024"})};
  const str part(400, ' ');
  for (auto d : all_dialects) {
    // Exactly at the limit is accepted; one byte more is not, text or binary.
    auto at_limit = good_message(d);
    at_limit.insert(1, 1024 - at_limit.size(), ' ');
    BOOST_TEST(still_answers(f.port(), d, {at_limit}), name_of(d));
    expect_close(f.port(), d, {" " + at_limit}, 1009, "1025 bytes");
    expect_close_bytes(f.port(), d, ws_frame(str(1025, ' '), {ws_op::binary}), 1009, "binary");
    // Small fragments adding up past the limit.
    expect_close_bytes(f.port(), d,
                       ws_frame(part, {ws_op::text, false}) +
                         ws_frame(part, {ws_op::continuation, false}) +
                         ws_frame(part, {ws_op::continuation}),
                       1009, "3 fragments");
    // A header announcing far more, then more than the limit of it.
    for (std::uint64_t announced : {std::uint64_t{1} << 40, (std::uint64_t{1} << 63) - 1})
      expect_close_bytes(f.port(), d, ws_frame_header(announced) + str(1025, ' '), 1009,
                         "announced " + std::to_string(announced));
  }
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(fragmented_messages_are_reassembled_into_one) {
  node_fixture f{hostile_node_args()};
  for (auto d : all_dialects) {
    const auto text = good_message(d);
    // Three fragments, an empty one, and a ping in the middle.
    auto c = open_raw(f.port(), d);
    c->send_raw(ws_frame(text.substr(0, 5), {ws_op::text, false}) +
                ws_frame("", {ws_op::continuation, false}) + ws_frame("hi", {ws_op::ping}) +
                ws_frame(text.substr(5, 7), {ws_op::continuation, false}) +
                ws_frame(text.substr(12), {ws_op::continuation}));
    auto pong = c->read_frame();
    BOOST_TEST((pong && pong->opcode == ws_op::pong && pong->payload == "hi"), name_of(d));
    BOOST_TEST(c->read_message().value_or("").rfind(good_answer(d), 0) == 0u, name_of(d));
    // One byte per fragment.
    str bytes = ws_frame(text.substr(0, 1), {ws_op::text, false});
    for (std::size_t i = 1; i < text.size(); ++i)
      bytes += ws_frame(text.substr(i, 1), {ws_op::continuation, i + 1 == text.size()});
    c->send_raw(bytes);
    BOOST_TEST(c->read_message().value_or("").rfind(good_answer(d), 0) == 0u, name_of(d));
  }
  // A multi-byte character split between fragments is valid UTF-8 once joined.
  auto c = open_raw(f.port(), dialect::voice);
  c->send_raw(ws_frame("{\"op\":\"HEARTBEAT\",\"d\":\"\xc3", {ws_op::text, false}) +
              ws_frame("\xa9\"}", {ws_op::continuation}));
  BOOST_TEST(c->read_message().value_or("") == "{\"op\":\"HEARTBEAT_ACK\",\"d\":\"\xc3\xa9\"}");
  BOOST_TEST(!c->wait_close(std::chrono::milliseconds(100)).has_value());
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(websocket_protocol_violations_close_with_1002) {
  // SPEC is silent; these are RFC 6455's protocol errors (§5.2, §5.4, §5.5, §7.4), answered
  // by Beast. A close reason that is not UTF-8 is one too (Beast says 1002, not 1007).
  node_fixture f{hostile_node_args()};
  const str text = R"({"op":1})";
  const std::vector<std::pair<const char*, str>> violations = {
    {"continuation without a start", ws_frame(text, {ws_op::continuation})},
    {"new message inside a fragmented one",
     ws_frame("{", {ws_op::text, false}) + ws_frame(text, {ws_op::text})},
    {"unmasked client frame", ws_frame(text, {ws_op::text, true, 0, false})},
    {"RSV1 without an extension", ws_frame(text, {ws_op::text, true, 4})},
    {"RSV2", ws_frame(text, {ws_op::text, true, 2})},
    {"RSV3", ws_frame(text, {ws_op::text, true, 1})},
    {"opcode 3", ws_frame(text, {0x3})},
    {"opcode 7", ws_frame(text, {0x7})},
    {"opcode 0xB", ws_frame(text, {0xB})},
    {"opcode 0xF", ws_frame(text, {0xF})},
    {"fragmented ping", ws_frame("x", {ws_op::ping, false})},
    {"ping of 126 bytes", ws_frame(str(126, 'x'), {ws_op::ping})},
    {"close with 1 byte", ws_frame("\x03", {ws_op::close})},
    {"close code 1005", ws_frame(close_payload(1005), {ws_op::close})},
    {"close code 999", ws_frame(close_payload(999), {ws_op::close})},
    {"close code 2999", ws_frame(close_payload(2999), {ws_op::close})},
    {"close reason not UTF-8", ws_frame(close_payload(1000, "\xff"), {ws_op::close})},
    {"16-bit length below 126", str("\x81\xfe\x00\x05\0\0\0\0hello", 13)},
  };
  for (auto d : all_dialects) {
    for (const auto& [what, bytes] : violations)
      expect_close_bytes(f.port(), d, bytes, 1002, what);
    // A valid close is answered with the same code.
    expect_close_bytes(f.port(), d, ws_frame(close_payload(4321, "bye"), {ws_op::close}), 4321,
                       "close 4321");
  }
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(binary_frames_close_with_4004_on_every_dialect) {
  // decisions.md: a binary frame cannot be JSON text; its bytes are never looked at.
  node_fixture f{hostile_node_args()};
  for (auto d : all_dialects) {
    const auto text = good_message(d);
    expect_close_bytes(f.port(), d, ws_frame(text, {ws_op::binary}), 4004, "good JSON");
    expect_close_bytes(f.port(), d, ws_frame("\xff\xfe", {ws_op::binary}), 4004, "not UTF-8");
    expect_close_bytes(f.port(), d,
                       ws_frame(text.substr(0, 3), {ws_op::binary, false}) +
                         ws_frame(text.substr(3), {ws_op::continuation}),
                       4004, "fragmented");
  }
  expect_serves(f);
}

BOOST_AUTO_TEST_CASE(floods_past_the_message_rate_close_with_4008) {
  node_fixture f{hostile_node_args({"--limits.messages_per_minute=5", "--gateway.messages_per_minute=8"})};
  // Companion and voice count against limits.messages_per_minute, gateway against its own.
  for (auto [d, limit] : {std::pair{dialect::voice, 5}, std::pair{dialect::gateway, 8},
                          std::pair{dialect::companion, 5}}) {
    auto c = open_raw(f.port(), d);
    str burst;
    for (int i = 0; i < 200; ++i)
      burst += ws_frame(good_message(d));
    c->send_raw(burst);
    int answered = 0;
    while (auto m = c->read_message(std::chrono::seconds(2)))
      answered += m->rfind(good_answer(d), 0) == 0 ? 1 : 0;
    // Answers the session writes itself come before the close; a companion op 1 answer comes
    // from the store and may find the session closing already.
    if (d == dialect::companion)
      BOOST_TEST(answered <= limit);
    else
      BOOST_TEST(answered == limit, name_of(d));
    BOOST_TEST(c->wait_close().value_or(0) == 4008u, name_of(d));
    BOOST_TEST(c->close_reason() == "rate limited");
  }
  const auto metrics = http_request(f.port(), "GET", "/metrics").body;
  for (const char* d : {"companion", "gateway", "voice"})
    BOOST_TEST(metrics.find(str{"coordinator_rate_limited_total{dialect=\""} + d + "\"} 1") !=
                 str::npos,
               d);
  expect_serves(f);
}

BOOST_AUTO_TEST_SUITE_END()
