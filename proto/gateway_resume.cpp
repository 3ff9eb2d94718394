#include "proto/gateway_resume.hpp"

#include "proto/json_text.hpp"
#include "proto/secure_compare.hpp"

#include <boost/json/object.hpp>

namespace coord::proto::gateway {

result<resume> decode_resume(const boost::json::value& d, std::string_view expected_secret) {
  const auto* obj = d.if_object();
  if (!obj)
    return invalid_field("d");
  resume out;
  const auto* id = obj->if_contains("sessionId");
  if (!id)
    return missing_field("sessionId");
  const auto* id_text = id->if_string();
  if (!id_text)
    return invalid_field("sessionId");
  out.session_id.assign(id_text->data(), id_text->size());
  const auto* seq = obj->if_contains("seq");
  if (!seq)
    return missing_field("seq");
  if (const auto* i = seq->if_int64(); i && *i >= 0)
    out.seq = static_cast<std::uint64_t>(*i);
  else if (const auto* u = seq->if_uint64())
    out.seq = *u;
  else
    return invalid_field("seq");
  const auto* secret = obj->if_contains("secret");
  if (!secret)
    return missing_field("secret");
  const auto* secret_text = secret->if_string();
  if (!secret_text)
    return invalid_field("secret");
  // An empty gateway.secret refuses everyone, as for IDENTIFY.
  if (expected_secret.empty() ||
      !secure_equals(std::string_view{secret_text->data(), secret_text->size()}, expected_secret))
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
