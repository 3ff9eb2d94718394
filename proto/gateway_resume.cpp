#include "proto/gateway_resume.hpp"

#include "proto/json_fields.hpp"
#include "proto/json_text.hpp"
#include "proto/secure_compare.hpp"

#include <boost/json/object.hpp>

namespace coord::proto::gateway {

result<resume> decode_resume(const boost::json::value& d, std::string_view expected_secret) {
  const auto* obj = d.if_object();
  if (!obj)
    return invalid_field("d");
  resume out;
  auto id = json_fields::string(*obj, "sessionId");
  if (!id)
    return id.error();
  out.session_id.assign(id->data(), id->size());
  auto seq = json_fields::integer<std::uint64_t>(*obj, "seq");
  if (!seq)
    return seq.error();
  out.seq = *seq;
  auto secret = json_fields::string(*obj, "secret");
  if (!secret)
    return secret.error();
  // An empty gateway.secret refuses everyone, as for IDENTIFY.
  if (expected_secret.empty() || !secure_equals(*secret, expected_secret))
    return decode_error{errc::auth_failed, "invalid secret"};
  return out;
}

std::string with_sequence(std::string_view payload, std::uint64_t s) {
  std::string out;
  out.reserve(payload.size() + 26);
  const auto close = payload.rfind('}');
  out.append(payload.substr(0, close));
  out.append(",\"s\":");
  json_text::append_uint(out, s);
  out.push_back('}');
  return out;
}

std::string encode_invalid_session() {
  return R"({"op":2,"t":"INVALID_SESSION","d":{"resumable":false}})";
}

std::string encode_resumed(std::uint64_t replayed) {
  std::string out{R"({"op":2,"t":"RESUMED","d":{"replayed":)"};
  json_text::append_uint(out, replayed);
  out.append("}}");
  return out;
}

} // namespace coord::proto::gateway
