#include "proto/gateway_cache_reader.hpp"

#include "proto/snowflake.hpp"

#include <string>
#include <utility>

namespace coord::proto::gateway::cache_reading {

namespace {

void render(std::string& out, const path* p) {
  if (!p)
    return;
  render(out, p->parent);
  if (!out.empty())
    out.push_back('.');
  out.append(p->name);
  if (p->index != no_index) {
    out.push_back('[');
    out += std::to_string(p->index);
    out.push_back(']');
  }
}

decode_error field_error(std::string_view what, const path* at, std::string_view field) {
  std::string where;
  render(where, at);
  std::string reason{what};
  reason += where;
  if (!where.empty())
    reason.push_back('.');
  reason += field;
  return {errc::invalid_payload, std::move(reason)};
}

} // namespace

bool reader::missing(std::string_view name) {
  error_ = field_error("missing field ", at_, name);
  return false;
}

bool reader::invalid(std::string_view name) {
  error_ = field_error("invalid field ", at_, name);
  return false;
}

bool reader::invalid_element(const path& element) {
  std::string where;
  render(where, &element);
  error_ = {errc::invalid_payload, "invalid field " + where};
  return false;
}

bool reader::fail(reader& nested) {
  error_ = std::move(nested.error_);
  return false;
}

bool reader::optional_snowflake(std::string_view name, std::uint64_t& out) {
  auto id = json_fields::optional_snowflake(o_, name);
  if (!id)
    return invalid(name);
  if (*id)
    out = **id;
  return true;
}

bool reader::guild_id(const std::optional<std::uint64_t>& parent, std::uint64_t& out) {
  if (!parent)
    return snowflake("guildID", out);
  const auto* v = find("guildID");
  if (!v || v->is_null()) {
    out = *parent;
    return true;
  }
  auto id = parse_snowflake(*v);
  if (!id || *id != *parent)
    return invalid("guildID");
  out = *id;
  return true;
}

bool reader::string(std::string_view name, compact_string& out) {
  auto s = json_fields::string(o_, name);
  if (!s)
    return refuse(s.error(), name);
  out = compact_string{*s};
  return true;
}

bool reader::optional_string(std::string_view name, compact_string& out) {
  auto s = json_fields::optional_string(o_, name);
  if (!s)
    return invalid(name);
  out = *s ? compact_string{**s} : compact_string{};
  return true;
}

} // namespace coord::proto::gateway::cache_reading
