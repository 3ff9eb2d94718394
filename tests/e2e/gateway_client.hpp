#pragma once
// A gateway client for the end-to-end tests: identify, events, inflating compressed frames.

#include "tests/e2e/helpers.hpp"

#include "proto/zlib_codec.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace coord::test {

namespace json = boost::json;

inline constexpr const char* secret = "test-gateway-secret";

inline std::vector<std::string> gw_args(std::vector<std::string> more = {}) {
  std::vector<std::string> out{std::string{"--gateway.secret="} + secret};
  for (auto& m : more)
    out.push_back(std::move(m));
  return out;
}

/// A gateway client that inflates compressed frames.
struct gw_client {
  explicit gw_client(std::uint16_t port, const std::string& path = "/gateway")
    : ws(port, path) {
    auto hello = next();
    BOOST_REQUIRE_EQUAL(hello.at("op").as_int64(), 3);
  }

  json::object next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto m = ws.read(timeout);
    BOOST_REQUIRE_MESSAGE(m.has_value(), "expected a frame; closed with "
                                             << ws.close_code().value_or(0) << " "
                                             << ws.close_reason());
    std::string text = m->data;
    if (m->binary) {
      auto inflated = coord::proto::zlib::inflate(m->data, 1 << 20);
      BOOST_REQUIRE_MESSAGE(inflated.has_value(), "binary frame is not a zlib stream");
      text = *inflated;
    }
    BOOST_TEST(m->binary == compressed);
    return json::parse(text).as_object();
  }

  /// Next op 2 event named `t` (skipping heartbeat requests).
  json::object event(const std::string& t) {
    for (;;) {
      auto m = next();
      if (m.at("op").as_int64() == 1)
        continue;
      BOOST_REQUIRE_MESSAGE(m.at("op").as_int64() == 2 && m.at("t").as_string() == t,
                            "expected " << t << ", got " << json::serialize(m));
      return m.at("d").as_object();
    }
  }

  void send(int op, json::value d, const char* t = nullptr) {
    json::object o{{"op", op}, {"d", std::move(d)}};
    if (t)
      o["t"] = t;
    ws.send_text(json::serialize(o));
  }

  json::object identify(const std::string& type, bool compress = false,
                        json::value shards = nullptr) {
    json::object d{{"type", type}, {"compress", compress}, {"secret", secret}};
    if (!shards.is_null())
      d["shards"] = std::move(shards);
    send(0, std::move(d));
    compressed = compress;
    return event("IDENTIFIED");
  }

  std::uint16_t close_after(int op, json::value d, const char* t = nullptr) {
    send(op, std::move(d), t);
    return ws.wait_close().value_or(0);
  }

  ws_client ws;
  bool compressed = false;
};

inline std::vector<std::uint32_t> shard_list(const json::object& d) {
  std::vector<std::uint32_t> out;
  for (auto& v : d.at("shards").as_array())
    out.push_back(static_cast<std::uint32_t>(v.as_int64()));
  return out;
}

} // namespace coord::test
