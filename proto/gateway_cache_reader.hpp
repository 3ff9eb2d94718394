#pragma once
// Inside the op 5 decoder (gateway_cache.hpp): a reader of one object's fields that names a
// refused field by its whole path ("invalid field members[2].user.id"), and the per-record
// decoders that gateway_cache_records.cpp defines. Not for use outside gateway_cache*.cpp.

#include "proto/gateway_cache.hpp"
#include "proto/json_fields.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace coord::proto::gateway::cache_reading {

namespace json = boost::json;

inline constexpr std::size_t no_index = static_cast<std::size_t>(-1);

/// Where a field sits in the payload; built on the stack, rendered only for an error reason.
struct path {
  const path* parent = nullptr;
  std::string_view name;
  std::size_t index = no_index; ///< set for an array element
};

/// Reads the fields of one object with json_fields; a false return leaves the reason in error().
class reader {
public:
  reader(const json::object& o, const path* at) : o_{o}, at_{at} {}

  const json::value* find(std::string_view name) const { return o_.if_contains(name); }
  const path* at() const { return at_; }
  decode_error& error() { return error_; }

  /// "missing field <path>.<name>".
  bool missing(std::string_view name);
  /// "invalid field <path>.<name>".
  bool invalid(std::string_view name);
  /// An array element that is not an object.
  bool invalid_element(const path& element);
  /// Adopts the error of a nested reader.
  bool fail(reader& nested);

  /// A required snowflake (string or number).
  bool snowflake(std::string_view name, std::uint64_t& out) {
    return take(json_fields::snowflake(o_, name), name, out);
  }
  /// An optional snowflake: absent or null leaves out as it is.
  bool optional_snowflake(std::string_view name, std::uint64_t& out);
  /// A guildID: required at the top level; inside a guild optional, but equal to the guild's.
  bool guild_id(const std::optional<std::uint64_t>& parent, std::uint64_t& out);
  /// A required string.
  bool string(std::string_view name, compact_string& out);
  /// A string that may be null or absent (both: the null string, i.e. unknown).
  bool optional_string(std::string_view name, compact_string& out);
  /// A required boolean.
  bool boolean(std::string_view name, bool& out) {
    return take(json_fields::boolean(o_, name), name, out);
  }
  /// A required integer that fits Int.
  template <class Int>
  bool integer(std::string_view name, Int& out) {
    return take(json_fields::integer<Int>(o_, name), name, out);
  }
  /// A required object; null (and the error set) when missing or not an object.
  const json::object* object(std::string_view name) {
    auto o = json_fields::object(o_, name);
    return o ? *o : (refuse(o.error(), name), nullptr);
  }
  /// A permission bit set: a non-negative integer, or its decimal string.
  bool bits(std::string_view name, std::uint64_t& out) { return snowflake(name, out); }

private:
  /// A json_fields read: its value into out, or its fault as this reader's error.
  template <class T, class Out>
  bool take(const json_fields::field<T>& f, std::string_view name, Out& out) {
    if (!f)
      return refuse(f.error(), name);
    out = *f;
    return true;
  }
  /// missing(name) or invalid(name), as the json_fields read found.
  bool refuse(const json_fields::field_error& e, std::string_view name) {
    return e.kind == json_fields::fault::missing ? missing(name) : invalid(name);
  }

  const json::object& o_;
  const path* at_;
  decode_error error_{errc::invalid_payload, {}};
};

// The records (gateway_cache_records.cpp). `parent`: the enclosing guild's id, nullopt at the
// top level (then guildID is required).
bool decode_user(reader& r, user& u);
bool decode_member(reader& r, const std::optional<std::uint64_t>& parent, member& m, user& u);
bool decode_role(reader& r, const std::optional<std::uint64_t>& parent, role& out);
bool decode_channel(reader& r, const std::optional<std::uint64_t>& parent, channel& out);
/// A voice state; a null channelID sets channel_id 0 and skips the remaining fields.
bool decode_voice_state(reader& r, const std::optional<std::uint64_t>& parent, voice_state& out);
bool decode_guild(reader& r, guild_update& g);

} // namespace coord::proto::gateway::cache_reading
