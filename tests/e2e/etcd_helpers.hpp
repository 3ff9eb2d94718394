#pragma once
// Talking to a real etcd member from the end-to-end tests: its JSON API by plain HTTP (keys
// and values in base64), and the etcd processes of tests/net/etcd_process.hpp.

#include "tests/e2e/helpers.hpp"
#include "tests/net/etcd_process.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace coord::test {

inline const std::string base64_alphabet =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard padded base64 (etcd's JSON API carries keys and values so).
inline std::string b64(std::string_view in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16
                      | static_cast<unsigned char>(in[i + 1]) << 8
                      | static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out += base64_alphabet[n >> s & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size())
      n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += base64_alphabet[n >> 18 & 63];
    out += base64_alphabet[n >> 12 & 63];
    out += i + 1 < in.size() ? base64_alphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

inline std::string unb64(std::string_view in) {
  std::string out;
  std::uint32_t n = 0;
  int bits = 0;
  for (char c : in) {
    auto v = base64_alphabet.find(c);
    if (v == std::string::npos)
      break; // '=' padding
    n = n << 6 | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(n >> bits & 0xff);
    }
  }
  return out;
}

/// A call to etcd's JSON API on `port`; fails the test unless it answers 200.
inline boost::json::object etcd_call(std::uint16_t port, const std::string& path, const boost::json::object& body) {
  auto r = http_request(port, "POST", path, boost::json::serialize(body),
                        {{"Content-Type", "application/json"}});
  BOOST_REQUIRE_MESSAGE(r.status == 200u, path << " answered " << r.status << " " << r.body);
  return boost::json::parse(r.body).as_object();
}

/// Every key under `prefix` with its value, as etcd holds them.
inline std::map<std::string, std::string> etcd_keys(std::uint16_t port, const std::string& prefix) {
  auto end = prefix;
  end.back() = static_cast<char>(end.back() + 1);
  auto answer = etcd_call(port, "/v3/kv/range", {{"key", b64(prefix)}, {"range_end", b64(end)}});
  std::map<std::string, std::string> out;
  if (auto* kvs = answer.if_contains("kvs"))
    for (const auto& kv : kvs->as_array()) {
      const auto& o = kv.as_object();
      auto* value = o.if_contains("value");
      out[unb64(o.at("key").as_string())] = value ? unb64(value->as_string()) : "";
    }
  return out;
}

inline void etcd_put(std::uint16_t port, const std::string& key, const std::string& value) {
  etcd_call(port, "/v3/kv/put", {{"key", b64(key)}, {"value", b64(value)}});
}

} // namespace coord::test
