// The etcd v3 JSON of cluster mode (actors/cluster/etcd_api.hpp): request bodies carry keys and
// values as base64 and int64s as strings; the answers parsed are real ones, copied from an
// etcd 3.4.23 (Debian's etcd-server) driven by hand with curl.

#include "actors/cluster/etcd_api.hpp"

#include "net/etcd_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace coord;
using namespace coord::actors::etcd;
namespace json = boost::json;

namespace {

json::object object_of(const std::string& body) {
  return json::parse(body).as_object();
}

/// A base64 field of a request, decoded.
std::string unb64(const json::value& v) {
  auto out = net::base64_decode(std::string_view{v.as_string()});
  BOOST_REQUIRE(out.has_value());
  return *out;
}

// Real answers of etcd 3.4.23 (the header's cluster and member ids as they came).

/// POST /v3/kv/range /coordinator/state/ .. /coordinator/state0 after two puts.
constexpr const char* range_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"3","raft_term":"2"},"kvs":[{"key":"L2Nvb3JkaW5hdG9yL3N0YXRlL2d1aWxkcy80Mg==","create_revision":"2","mod_revision":"2","version":"1","value":"eyJwcmVmaXgiOiI/In0="},{"key":"L2Nvb3JkaW5hdG9yL3N0YXRlL3N1cHBvcnRlcnMvNw==","create_revision":"3","mod_revision":"3","version":"1","value":"e30="}],"count":"2"})";
/// POST /v3/kv/range of a key that does not exist: no kvs, no count.
constexpr const char* empty_range_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"3","raft_term":"2"}})";
/// POST /v3/kv/txn, compare held: a put and a delete of one existing key.
constexpr const char* txn_success_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"11","raft_term":"2"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"11"}}},{"response_delete_range":{"header":{"revision":"11"},"deleted":"1"}}]})";
/// POST /v3/kv/txn, compare failed (a stale leader revision): the failure branch read the
/// leader key. "succeeded" is absent (false is etcd's default and not written).
constexpr const char* txn_failure_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"11","raft_term":"2"},"responses":[{"response_range":{"header":{"revision":"11"},"kvs":[{"key":"L2Nvb3JkaW5hdG9yL2VsZWN0aW9uLzQ1N2VhMjNmZGI1YzMyMjM=","create_revision":"9","mod_revision":"9","version":"1","value":"eyJub2RlSWQiOiJuMSIsImFkdmVydGlzZVVybCI6IndzOi8vMTI3LjAuMC4xOjEifQ==","lease":"5007618230829462051"}],"count":"1"}}]})";
/// POST /v3/kv/txn, compare failed, the failure range found nothing.
constexpr const char* txn_failure_empty_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"8","raft_term":"2"},"responses":[{"response_range":{"header":{"revision":"8"}}}]})";
/// POST /v3/kv/txn, compare held, the delete found nothing ("deleted" absent).
constexpr const char* txn_nothing_deleted_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"8","raft_term":"2"},"succeeded":true,"responses":[{"response_delete_range":{"header":{"revision":"8"}}}]})";
/// POST /v3/lease/grant {"TTL":"1"}: etcd raised the TTL to its minimum.
constexpr const char* grant_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"5","raft_term":"2"},"ID":"5007618230829462036","TTL":"2"})";
/// POST /v3/lease/keepalive of a live lease.
constexpr const char* keepalive_answer =
  R"({"result":{"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"4","raft_term":"2"},"ID":"5007618230829462029","TTL":"30"}})"
  "\n";
/// POST /v3/lease/keepalive of a lease that expired: HTTP 200, the ID echoed, no TTL.
constexpr const char* keepalive_expired_answer =
  R"({"result":{"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"5","raft_term":"2"},"ID":"5007618230829462038"}})"
  "\n";
/// POST /v3/lease/keepalive on the last member of three when the other two are down (HTTP
/// 503): the stream's error object.
constexpr const char* keepalive_no_quorum_answer =
  R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}})";
/// POST /v3/lease/revoke of an expired lease (HTTP 404).
constexpr const char* revoke_not_found_answer =
  R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})";
/// POST /v3/election/campaign that won.
constexpr const char* campaign_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"9","raft_term":"2"},"leader":{"name":"L2Nvb3JkaW5hdG9yL2VsZWN0aW9u","key":"L2Nvb3JkaW5hdG9yL2VsZWN0aW9uLzQ1N2VhMjNmZGI1YzMyMjM=","rev":"9","lease":"5007618230829462051"}})";
/// POST /v3/election/leader while a node leads.
constexpr const char* leader_answer =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"5","raft_term":"2"},"kv":{"key":"L2Nvb3JkaW5hdG9yL2VsZWN0aW9uLzQ1N2VhMjNmZGI1YzMyMGQ=","create_revision":"5","mod_revision":"5","version":"1","value":"eyJub2RlSWQiOiJuMSIsImFkdmVydGlzZVVybCI6IndzOi8vMTI3LjAuMC4xOjEifQ==","lease":"5007618230829462029"}})";
/// POST /v3/election/leader when nobody campaigns (HTTP 500).
constexpr const char* no_leader_answer =
  R"({"error":"election: no leader","message":"election: no leader","code":2})";
/// The "result" objects of a /v3/watch stream from revision 2: two puts in one answer, an
/// update, then a delete (only key and mod_revision).
constexpr const char* watch_puts =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"6","raft_term":"2"},"events":[{"kv":{"key":"L2Nvb3JkaW5hdG9yL3N0YXRlL2d1aWxkcy80Mg==","create_revision":"2","mod_revision":"2","version":"1","value":"eyJwcmVmaXgiOiI/In0="}},{"kv":{"key":"L2Nvb3JkaW5hdG9yL3N0YXRlL3N1cHBvcnRlcnMvNw==","create_revision":"3","mod_revision":"3","version":"1","value":"e30="}}]})";
constexpr const char* watch_update =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"7","raft_term":"2"},"events":[{"kv":{"key":"L2Nvb3JkaW5hdG9yL3N0YXRlL2d1aWxkcy80Mg==","create_revision":"2","mod_revision":"7","version":"2","value":"eyJwcmVmaXgiOiIhIn0="}}]})";
constexpr const char* watch_delete =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"8","raft_term":"2"},"events":[{"type":"DELETE","kv":{"key":"L2Nvb3JkaW5hdG9yL3N0YXRlL3N1cHBvcnRlcnMvNw==","mod_revision":"8"}}]})";
/// The watch's first answer (created, no events).
constexpr const char* watch_created =
  R"({"header":{"cluster_id":"7801232528081817440","member_id":"13458989633860879742","revision":"6","raft_term":"2"},"created":true})";

constexpr std::int64_t big_lease = 5007618230829462051;

} // namespace

BOOST_AUTO_TEST_SUITE(etcd_api)

BOOST_AUTO_TEST_CASE(range_and_delete_requests_carry_base64_keys) {
  auto r = object_of(range_request("/coordinator/state/", "/coordinator/state0"));
  BOOST_TEST(r.at("key").as_string() == "L2Nvb3JkaW5hdG9yL3N0YXRlLw==");
  BOOST_TEST(unb64(r.at("range_end")) == "/coordinator/state0");
  BOOST_TEST(!object_of(range_request("k", "")).contains("range_end"));

  auto d = object_of(delete_request(std::string{"a\0b", 3}));
  BOOST_TEST(unb64(d.at("key")) == std::string("a\0b", 3));
  BOOST_TEST(!d.contains("range_end"));
  BOOST_TEST(unb64(object_of(delete_request("a/", "a0")).at("range_end")) == "a0");
}

BOOST_AUTO_TEST_CASE(put_request_has_a_string_lease_only_when_given) {
  auto p = object_of(put_request("/k", "{\"v\":1}", big_lease));
  BOOST_TEST(unb64(p.at("key")) == "/k");
  BOOST_TEST(unb64(p.at("value")) == "{\"v\":1}");
  BOOST_TEST(p.at("lease").as_string() == "5007618230829462051");
  BOOST_TEST(!object_of(put_request("/k", "")).contains("lease"));
  BOOST_TEST(object_of(put_request("/k", "")).at("value").as_string() == "");
}

BOOST_AUTO_TEST_CASE(lease_and_election_requests_write_int64s_as_strings) {
  BOOST_TEST(object_of(lease_grant_request(5)).at("TTL").as_string() == "5");
  BOOST_TEST(object_of(lease_id_request(big_lease)).at("ID").as_string()
             == "5007618230829462051");
  auto c = object_of(campaign_request("/coordinator/election", big_lease, "{\"nodeId\":\"a\"}"));
  BOOST_TEST(unb64(c.at("name")) == "/coordinator/election");
  BOOST_TEST(c.at("lease").as_string() == "5007618230829462051");
  BOOST_TEST(unb64(c.at("value")) == "{\"nodeId\":\"a\"}");
  BOOST_TEST(unb64(object_of(leader_request("/coordinator/election")).at("name"))
             == "/coordinator/election");
}

BOOST_AUTO_TEST_CASE(txn_request_compares_runs_and_reads_on_failure) {
  std::vector<compare> cmp{{compare::create, "/e/1", 9}, {compare::mod, "/m", 0}};
  std::vector<op> ops{{op::put, "/s/3", "{\"session\":\"99\"}", big_lease},
                      {op::put, "/s/4", "x", 0},
                      {op::del, "/s/5", {}, 0}};
  auto t = object_of(txn_request(cmp, ops, {"/e/1"}));
  auto& c = t.at("compare").as_array();
  BOOST_REQUIRE_EQUAL(c.size(), 2u);
  BOOST_TEST(unb64(c[0].at("key")) == "/e/1");
  BOOST_TEST(c[0].at("target").as_string() == "CREATE");
  BOOST_TEST(c[0].at("result").as_string() == "EQUAL");
  BOOST_TEST(c[0].at("create_revision").as_string() == "9");
  BOOST_TEST(c[1].at("target").as_string() == "MOD");
  BOOST_TEST(c[1].at("mod_revision").as_string() == "0");
  auto& s = t.at("success").as_array();
  BOOST_REQUIRE_EQUAL(s.size(), 3u);
  auto& put = s[0].at("request_put").as_object();
  BOOST_TEST(unb64(put.at("key")) == "/s/3");
  BOOST_TEST(unb64(put.at("value")) == "{\"session\":\"99\"}");
  BOOST_TEST(put.at("lease").as_string() == "5007618230829462051");
  BOOST_TEST(!s[1].at("request_put").as_object().contains("lease"));
  BOOST_TEST(unb64(s[2].at("request_delete_range").at("key")) == "/s/5");
  auto& f = t.at("failure").as_array();
  BOOST_REQUIRE_EQUAL(f.size(), 1u);
  BOOST_TEST(unb64(f[0].at("request_range").at("key")) == "/e/1");
  // No failure reads: no failure branch at all.
  BOOST_TEST(!object_of(txn_request({}, ops)).contains("failure"));
}

BOOST_AUTO_TEST_CASE(range_answers_give_the_revision_and_the_decoded_kvs) {
  auto r = parse_range(range_answer);
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->revision == 3);
  BOOST_REQUIRE_EQUAL(r->kvs.size(), 2u);
  BOOST_TEST(r->kvs[0].key == "/coordinator/state/guilds/42");
  BOOST_TEST(r->kvs[0].value == R"({"prefix":"?"})");
  BOOST_TEST(r->kvs[0].create_revision == 2);
  BOOST_TEST(r->kvs[0].mod_revision == 2);
  BOOST_TEST(r->kvs[0].lease == 0);
  BOOST_TEST(r->kvs[1].key == "/coordinator/state/supporters/7");
  BOOST_TEST(r->kvs[1].value == "{}");

  auto none = parse_range(empty_range_answer);
  BOOST_REQUIRE(none.has_value());
  BOOST_TEST(none->revision == 3);
  BOOST_TEST(none->kvs.empty());
}

BOOST_AUTO_TEST_CASE(txn_answers_say_success_deletes_and_what_the_failure_read) {
  auto ok = parse_txn(txn_success_answer);
  BOOST_REQUIRE(ok.has_value());
  BOOST_TEST(ok->succeeded);
  BOOST_TEST(ok->revision == 11);
  BOOST_TEST(ok->deleted == 1);
  BOOST_TEST(ok->failure_kvs.empty());

  auto failed = parse_txn(txn_failure_answer);
  BOOST_REQUIRE(failed.has_value());
  BOOST_TEST(!failed->succeeded);
  BOOST_TEST(failed->revision == 11);
  BOOST_REQUIRE_EQUAL(failed->failure_kvs.size(), 1u);
  const auto& leader = failed->failure_kvs[0];
  BOOST_TEST(leader.key == "/coordinator/election/457ea23fdb5c3223");
  BOOST_TEST(leader.create_revision == 9);
  BOOST_TEST(leader.lease == big_lease);
  BOOST_TEST(leader.value == R"({"nodeId":"n1","advertiseUrl":"ws://127.0.0.1:1"})");

  auto gone = parse_txn(txn_failure_empty_answer);
  BOOST_REQUIRE(gone.has_value());
  BOOST_TEST(!gone->succeeded);
  BOOST_TEST(gone->failure_kvs.empty());

  auto nothing = parse_txn(txn_nothing_deleted_answer);
  BOOST_REQUIRE(nothing.has_value());
  BOOST_TEST(nothing->succeeded);
  BOOST_TEST(nothing->deleted == 0);
}

BOOST_AUTO_TEST_CASE(lease_answers_give_id_and_ttl_and_an_expired_lease_has_none) {
  auto g = parse_lease(grant_answer);
  BOOST_REQUIRE(g.has_value());
  BOOST_TEST(g->id == 5007618230829462036);
  BOOST_TEST(g->ttl == 2);

  auto k = parse_lease(keepalive_answer);
  BOOST_REQUIRE(k.has_value());
  BOOST_TEST(k->id == 5007618230829462029);
  BOOST_TEST(k->ttl == 30);

  // etcd answers a keepalive of an expired (or unknown) lease with 200 and no TTL: gone.
  auto e = parse_lease(keepalive_expired_answer);
  BOOST_REQUIRE(e.has_value());
  BOOST_TEST(e->id == 5007618230829462038);
  BOOST_TEST(e->ttl <= 0);
}

BOOST_AUTO_TEST_CASE(an_error_answer_is_not_a_lease_answer) {
  // Not "the lease is gone" (which fences the node at once): no answer at all, so the
  // keepalive is retried and only fencing's timer decides.
  BOOST_TEST(!parse_lease(keepalive_no_quorum_answer));
  BOOST_TEST(!parse_lease(revoke_not_found_answer));
  BOOST_TEST(!parse_lease("{}"));
  BOOST_TEST(!parse_lease(R"({"result":{"header":{"revision":"5"}}})"));
  BOOST_TEST(!parse_lease("not json"));
  BOOST_TEST(!parse_lease("[]"));
}

BOOST_AUTO_TEST_CASE(campaign_answer_names_the_leader_key_its_revision_and_lease) {
  auto c = parse_campaign(campaign_answer);
  BOOST_REQUIRE(c.has_value());
  BOOST_TEST(c->key == "/coordinator/election/457ea23fdb5c3223");
  BOOST_TEST(c->revision == 9);
  BOOST_TEST(c->lease == big_lease);
  BOOST_TEST(c->value.empty());
  BOOST_TEST(!parse_campaign(no_leader_answer));
  BOOST_TEST(!parse_campaign(range_answer));
  BOOST_TEST(!parse_campaign(R"({"leader":{"key":"L2E=","rev":"0"}})"));
  BOOST_TEST(!parse_campaign(R"({"leader":{"key":"!!","rev":"3"}})"));
}

BOOST_AUTO_TEST_CASE(leader_answer_carries_the_leaders_value) {
  auto l = parse_leader(leader_answer);
  BOOST_REQUIRE(l.has_value());
  BOOST_TEST(l->key == "/coordinator/election/457ea23fdb5c320d");
  BOOST_TEST(l->revision == 5);
  BOOST_TEST(l->lease == 5007618230829462029);
  BOOST_TEST(l->value == R"({"nodeId":"n1","advertiseUrl":"ws://127.0.0.1:1"})");
  // No leader: etcd answers HTTP 500 with an error object, which is no leader answer.
  BOOST_TEST(!parse_leader(no_leader_answer));
  BOOST_TEST(!parse_leader(empty_range_answer));
  BOOST_TEST(!parse_leader(R"({"kv":{"key":"not base64!"}})"));
}

BOOST_AUTO_TEST_CASE(watch_results_give_puts_and_deletes_in_order) {
  auto puts = parse_events(watch_puts);
  BOOST_REQUIRE(puts.has_value());
  BOOST_REQUIRE_EQUAL(puts->size(), 2u);
  BOOST_TEST(!(*puts)[0].deleted);
  BOOST_TEST((*puts)[0].item.key == "/coordinator/state/guilds/42");
  BOOST_TEST((*puts)[0].item.value == R"({"prefix":"?"})");
  BOOST_TEST((*puts)[0].item.mod_revision == 2);
  BOOST_TEST((*puts)[1].item.key == "/coordinator/state/supporters/7");
  BOOST_TEST((*puts)[1].item.mod_revision == 3);

  auto update = parse_events(watch_update);
  BOOST_REQUIRE(update.has_value());
  BOOST_REQUIRE_EQUAL(update->size(), 1u);
  BOOST_TEST((*update)[0].item.value == R"({"prefix":"!"})");
  BOOST_TEST((*update)[0].item.create_revision == 2);
  BOOST_TEST((*update)[0].item.mod_revision == 7);

  auto del = parse_events(watch_delete);
  BOOST_REQUIRE(del.has_value());
  BOOST_REQUIRE_EQUAL(del->size(), 1u);
  BOOST_TEST((*del)[0].deleted);
  BOOST_TEST((*del)[0].item.key == "/coordinator/state/supporters/7");
  BOOST_TEST((*del)[0].item.value.empty());
  BOOST_TEST((*del)[0].item.mod_revision == 8);

  auto created = parse_events(watch_created);
  BOOST_REQUIRE(created.has_value());
  BOOST_TEST(created->empty());
}

BOOST_AUTO_TEST_CASE(malformed_watch_results_are_refused_whole) {
  BOOST_TEST(!parse_events("not json"));
  BOOST_TEST(!parse_events("[]"));
  BOOST_TEST(!parse_events(R"({"events":[1]})"));
  BOOST_TEST(!parse_events(R"({"events":[{"type":"DELETE"}]})"));
  // One bad key among good events: none is taken (an event skipped would be a change lost).
  BOOST_TEST(!parse_events(
    R"({"events":[{"kv":{"key":"L2E=","value":"e30="}},{"kv":{"key":"L2E","value":"e30="}}]})"));
  BOOST_TEST(!parse_events(R"({"events":[{"kv":{"key":"L2E=","value":"%%%%"}}]})"));
}

BOOST_AUTO_TEST_CASE(int64_fields_read_strings_and_numbers) {
  auto r = parse_range(
    R"({"header":{"revision":9223372036854775807},"kvs":[{"key":"L2E=","mod_revision":"-1","lease":"9223372036854775807"}]})");
  BOOST_REQUIRE(r.has_value());
  BOOST_TEST(r->revision == 9223372036854775807);
  BOOST_REQUIRE_EQUAL(r->kvs.size(), 1u);
  BOOST_TEST(r->kvs[0].key == "/a");
  BOOST_TEST(r->kvs[0].mod_revision == -1);
  BOOST_TEST(r->kvs[0].lease == 9223372036854775807);
}

BOOST_AUTO_TEST_SUITE_END()
