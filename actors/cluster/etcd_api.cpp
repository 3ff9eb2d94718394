#include "actors/cluster/etcd_api.hpp"

#include "net/etcd_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace coord::actors::etcd {

namespace {

namespace json = boost::json;

std::string b64(std::string_view s) {
  return net::base64_encode(s);
}

/// etcd writes int64 as a string; a number is accepted too. Absent: 0.
std::int64_t int_field(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  if (!v)
    return 0;
  if (auto* s = v->if_string()) {
    std::int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  if (v->is_int64())
    return v->as_int64();
  if (v->is_uint64())
    return static_cast<std::int64_t>(v->as_uint64());
  return 0;
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object())
    return std::nullopt;
  return std::move(v.as_object());
}

std::optional<kv> parse_kv(const json::value& v) {
  auto* o = v.if_object();
  if (!o)
    return std::nullopt;
  kv out;
  if (auto* k = o->if_contains("key"); k && k->is_string()) {
    auto key = net::base64_decode(std::string_view{k->as_string()});
    if (!key)
      return std::nullopt;
    out.key = std::move(*key);
  }
  if (auto* val = o->if_contains("value"); val && val->is_string()) {
    auto value = net::base64_decode(std::string_view{val->as_string()});
    if (!value)
      return std::nullopt;
    out.value = std::move(*value);
  }
  out.create_revision = int_field(*o, "create_revision");
  out.mod_revision = int_field(*o, "mod_revision");
  out.lease = int_field(*o, "lease");
  return out;
}

std::int64_t header_revision(const json::object& o) {
  if (auto* h = o.if_contains("header"); h && h->is_object())
    return int_field(h->as_object(), "revision");
  return 0;
}

std::vector<kv> kvs_of(const json::object& o) {
  std::vector<kv> out;
  if (auto* a = o.if_contains("kvs"); a && a->is_array())
    for (const auto& item : a->as_array())
      if (auto k = parse_kv(item))
        out.push_back(std::move(*k));
  return out;
}

json::object put_object(std::string_view key, std::string_view value, std::int64_t lease) {
  json::object o;
  o["key"] = b64(key);
  o["value"] = b64(value);
  if (lease != 0)
    o["lease"] = std::to_string(lease);
  return o;
}

} // namespace

std::string range_request(std::string_view key, std::string_view range_end) {
  json::object o;
  o["key"] = b64(key);
  if (!range_end.empty())
    o["range_end"] = b64(range_end);
  return json::serialize(o);
}

namespace {

/// The first key of [key, range_end) in the given order.
std::string first_request(std::string_view key, std::string_view range_end, const char* order,
                          const char* target, bool keys_only) {
  json::object o;
  o["key"] = b64(key);
  o["range_end"] = b64(range_end);
  o["limit"] = "1";
  o["sort_order"] = order;
  o["sort_target"] = target;
  if (keys_only)
    o["keys_only"] = true;
  return json::serialize(o);
}

} // namespace

std::string first_created_request(std::string_view key, std::string_view range_end) {
  return first_request(key, range_end, "ASCEND", "CREATE", false);
}

std::string latest_request(std::string_view key, std::string_view range_end) {
  return first_request(key, range_end, "DESCEND", "MOD", true);
}

std::string txn_request(const std::vector<compare>& cmp, const std::vector<op>& success,
                        const std::vector<std::string>& failure_ranges) {
  json::array compares;
  for (const auto& c : cmp) {
    json::object o;
    o["key"] = b64(c.key);
    o["result"] = "EQUAL";
    if (c.target == compare::create) {
      o["target"] = "CREATE";
      o["create_revision"] = std::to_string(c.revision);
    } else {
      o["target"] = "MOD";
      o["mod_revision"] = std::to_string(c.revision);
    }
    compares.push_back(std::move(o));
  }
  json::array ops;
  for (const auto& x : success) {
    json::object o;
    if (x.kind == op::put) {
      o["request_put"] = put_object(x.key, x.value, x.lease);
    } else {
      json::object d;
      d["key"] = b64(x.key);
      o["request_delete_range"] = std::move(d);
    }
    ops.push_back(std::move(o));
  }
  json::array failure;
  for (const auto& key : failure_ranges) {
    json::object r;
    r["key"] = b64(key);
    json::object o;
    o["request_range"] = std::move(r);
    failure.push_back(std::move(o));
  }
  json::object root;
  root["compare"] = std::move(compares);
  root["success"] = std::move(ops);
  if (!failure.empty())
    root["failure"] = std::move(failure);
  return json::serialize(root);
}

std::string lease_grant_request(std::int64_t ttl_s) {
  json::object o;
  o["TTL"] = std::to_string(ttl_s);
  return json::serialize(o);
}

std::string lease_id_request(std::int64_t lease) {
  json::object o;
  o["ID"] = std::to_string(lease);
  return json::serialize(o);
}

std::string campaign_request(std::string_view name, std::int64_t lease, std::string_view value) {
  json::object o;
  o["name"] = b64(name);
  o["lease"] = std::to_string(lease);
  o["value"] = b64(value);
  return json::serialize(o);
}

std::string leader_request(std::string_view name) {
  json::object o;
  o["name"] = b64(name);
  return json::serialize(o);
}

std::string put_request(std::string_view key, std::string_view value, std::int64_t lease) {
  return json::serialize(put_object(key, value, lease));
}

std::string delete_request(std::string_view key, std::string_view range_end) {
  json::object o;
  o["key"] = b64(key);
  if (!range_end.empty())
    o["range_end"] = b64(range_end);
  return json::serialize(o);
}

std::optional<range_result> parse_range(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return std::nullopt;
  return range_result{header_revision(*o), kvs_of(*o)};
}

std::optional<txn_result> parse_txn(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return std::nullopt;
  txn_result out;
  out.revision = header_revision(*o);
  if (auto* s = o->if_contains("succeeded"); s && s->is_bool())
    out.succeeded = s->as_bool();
  if (auto* rs = o->if_contains("responses"); rs && rs->is_array())
    for (const auto& r : rs->as_array())
      if (auto* ro = r.if_object())
      {
        if (auto* range = ro->if_contains("response_range"); range && range->is_object())
          for (auto& k : kvs_of(range->as_object()))
            out.failure_kvs.push_back(std::move(k));
        if (auto* del = ro->if_contains("response_delete_range"); del && del->is_object())
          out.deleted += int_field(del->as_object(), "deleted");
      }
  return out;
}

std::optional<lease_result> parse_lease(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return std::nullopt;
  // keepalive wraps its answer in "result"; grant does not.
  const json::object* r = &*o;
  if (auto* inner = o->if_contains("result"); inner && inner->is_object())
    r = &inner->as_object();
  // Every lease answer names its lease (an expired one too: ID without TTL). Without an ID
  // it is no lease answer (a keepalive stream's {"error":...}), not "the lease is gone".
  if (!r->contains("ID"))
    return std::nullopt;
  return lease_result{int_field(*r, "ID"), int_field(*r, "TTL")};
}

std::optional<leader_result> parse_campaign(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return std::nullopt;
  auto* l = o->if_contains("leader");
  if (!l || !l->is_object())
    return std::nullopt;
  const auto& lo = l->as_object();
  leader_result out;
  if (auto* k = lo.if_contains("key"); k && k->is_string()) {
    auto key = net::base64_decode(std::string_view{k->as_string()});
    if (!key)
      return std::nullopt;
    out.key = std::move(*key);
  }
  out.revision = int_field(lo, "rev");
  out.lease = int_field(lo, "lease");
  if (out.key.empty() || out.revision == 0)
    return std::nullopt;
  return out;
}

std::optional<leader_result> parse_leader(std::string_view body) {
  auto o = parse_object(body);
  if (!o)
    return std::nullopt;
  auto* k = o->if_contains("kv");
  if (!k)
    return std::nullopt;
  auto item = parse_kv(*k);
  if (!item || item->key.empty())
    return std::nullopt;
  return leader_result{item->key, item->create_revision, item->lease, item->value};
}

std::optional<std::vector<event>> parse_events(std::string_view result_json) {
  auto o = parse_object(result_json);
  if (!o)
    return std::nullopt;
  std::vector<event> out;
  if (auto* a = o->if_contains("events"); a && a->is_array()) {
    for (const auto& e : a->as_array()) {
      auto* eo = e.if_object();
      if (!eo)
        return std::nullopt;
      event ev;
      if (auto* t = eo->if_contains("type"); t && t->is_string() && t->as_string() == "DELETE")
        ev.deleted = true;
      auto* k = eo->if_contains("kv");
      if (!k)
        return std::nullopt;
      auto item = parse_kv(*k);
      if (!item)
        return std::nullopt;
      ev.item = std::move(*item);
      out.push_back(std::move(ev));
    }
  }
  return out;
}

} // namespace coord::actors::etcd
