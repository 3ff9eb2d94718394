#pragma once
// Gateway resume with replay (SPEC.md §4.9): the RESUME payload (op 6), sequence numbers on the
// coordinator's op 2 events, and the RESUMED / INVALID_SESSION answers.

#include "proto/errors.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace coord::proto::gateway {

/// op 6 `d`: {sessionId, seq, secret}.
struct resume {
  std::string session_id; ///< opaque, as IDENTIFIED gave it
  std::uint64_t seq = 0;  ///< the last `s` the client processed
};

/// op 6's fields, in SPEC §4.9's order (the caller checks "already identified" first): `d` not
/// an object, `sessionId` missing or not a string, `seq` missing or not a non-negative integer,
/// `secret` missing or not a string -> invalid_payload naming it; then a wrong secret
/// (secure_equals) -> auth_failed ("invalid secret").
result<resume> decode_resume(const boost::json::value& d, std::string_view expected_secret);

/// An op 2 payload `{"op":2,"t":..,"d":{..}}` with `,"s":N` added before its closing brace. The
/// payload must be an object's text (every encode_* of the gateway codec makes one).
std::string with_sequence(std::string_view payload, std::uint64_t s);

/// {"op":2,"t":"INVALID_SESSION","d":{"resumable":false}} (no `s`).
std::string encode_invalid_session();

/// {"op":2,"t":"RESUMED","d":{"replayed":n}} (no `s`).
std::string encode_resumed(std::uint64_t replayed);

} // namespace coord::proto::gateway
