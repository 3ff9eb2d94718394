#pragma once
// The JSON of the etcd v3 API calls cluster mode makes (request bodies and the parts of the
// answers it reads), as pure functions over net/etcd_client's text. etcd's JSON gateway
// writes int64 fields as strings and keys and values as base64; both are handled here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coord::actors::etcd {

struct kv {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
  std::int64_t lease = 0;
};

struct event {
  bool deleted = false;
  kv item; ///< for a delete: key and mod_revision only
};

/// One operation of a transaction.
struct op {
  enum kind_t { put, del } kind = put;
  std::string key;
  std::string value;
  std::int64_t lease = 0;
};

/// A compare of a transaction: create_revision or mod_revision of `key` equals `revision`
/// (0 for "does not exist").
struct compare {
  enum target_t { create, mod } target = create;
  std::string key;
  std::int64_t revision = 0;
};

std::string range_request(std::string_view key, std::string_view range_end);
/// The oldest key (lowest create revision) of [key, range_end), with its value.
std::string first_created_request(std::string_view key, std::string_view range_end);
/// The most recently modified key of [key, range_end), without its value.
std::string latest_request(std::string_view key, std::string_view range_end);
/// A transaction: if every compare holds, `success` runs, else `failure_ranges` are read.
std::string txn_request(const std::vector<compare>& cmp, const std::vector<op>& success,
                        const std::vector<std::string>& failure_ranges = {});
std::string lease_grant_request(std::int64_t ttl_s);
std::string lease_id_request(std::int64_t lease); ///< keepalive, revoke
std::string campaign_request(std::string_view name, std::int64_t lease, std::string_view value);
std::string leader_request(std::string_view name);
std::string put_request(std::string_view key, std::string_view value, std::int64_t lease = 0);
std::string delete_request(std::string_view key, std::string_view range_end = {});

struct range_result {
  std::int64_t revision = 0; ///< the store revision the range was read at
  std::vector<kv> kvs;
};
std::optional<range_result> parse_range(std::string_view body);

struct txn_result {
  std::int64_t revision = 0;
  bool succeeded = false;
  std::vector<kv> failure_kvs; ///< what the failure branch's ranges read
  std::int64_t deleted = 0;    ///< keys the success branch's deletes removed
};
std::optional<txn_result> parse_txn(std::string_view body);

struct lease_result {
  std::int64_t id = 0;
  std::int64_t ttl = 0; ///< 0 or less: the lease is gone
};
/// A grant's or keepalive's answer; nullopt when it names no lease (an error object).
std::optional<lease_result> parse_lease(std::string_view body);

struct leader_result {
  std::string key;
  std::int64_t revision = 0; ///< the leader key's create revision
  std::int64_t lease = 0;
  std::string value; ///< only from /v3/election/leader (campaign does not echo it)
};
std::optional<leader_result> parse_campaign(std::string_view body);
std::optional<leader_result> parse_leader(std::string_view body);

/// The events of one watch result (the "result" object's text), in order.
std::optional<std::vector<event>> parse_events(std::string_view result_json);

} // namespace coord::actors::etcd
