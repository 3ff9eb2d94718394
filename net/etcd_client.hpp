#pragma once
// An asynchronous client for etcd's v3 JSON API (the grpc-gateway etcd 3.4 serves over
// HTTP/1.1 on its client URLs): unary calls (`/v3/kv/range`, `/v3/kv/txn`,
// `/v3/lease/grant`, `/v3/lease/keepalive`, `/v3/election/campaign`...) and watch streams.
// Beast-free interface: the implementation runs one io thread of its own, so a slow or dead
// etcd never blocks a server io thread or a CAF worker. Every callback runs on that thread;
// callers hand results to actors with a message.
//
// Scope: plain http:// endpoints only (no TLS, no authentication token); https is out of
// scope and rejected by the constructor. One TCP connection per call (no keep-alive reuse).
// A call that loses its connection after the request was written is sent again to the next
// endpoint: etcd may have applied it, so non-idempotent requests should be guarded (a txn
// with a compare, a lease keepalive, ...). Callbacks must not block; they must not destroy
// the client either unless nothing else refers to it (it is then torn down once the callback
// returns, without joining).

#include "actors/ports.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coord::net {

struct etcd_options {
  /// Client URLs ("http://127.0.0.1:2379"), tried in order; a call that cannot reach one
  /// (refused, reset, timed out before an answer) moves on to the next. A call starts at the
  /// endpoint that last answered 200 (or opened a watch).
  std::vector<std::string> endpoints;
  /// Connect + write + read of one call on one endpoint (so a call fails after at most
  /// endpoints.size() times this); for a watch, connect until etcd confirms the watch.
  std::chrono::milliseconds request_timeout{2000};
  /// Pause before a broken watch stream is opened again (on the next endpoint).
  std::chrono::milliseconds watch_retry{300};
};

using ports::etcd_reply;
using ports::etcd_watch;
using ports::etcd_watch_callbacks;

class etcd_client final : public ports::etcd_port {
public:
  /// Starts the io thread. Throws std::invalid_argument with a one-line message when an
  /// endpoint is not an "http://host:port" URL or none is given.
  explicit etcd_client(etcd_options opts);
  /// Cancels every call and watch and joins the io thread; calls in flight get no callback.
  ~etcd_client() override;
  etcd_client(const etcd_client&) = delete;
  etcd_client& operator=(const etcd_client&) = delete;

  /// POSTs `body` (JSON) to `path`. `done` runs exactly once on the io thread (unless the
  /// client is destroyed first). Thread-safe. `timeout` zero: the options' request_timeout.
  void call(std::string path, std::string body, std::function<void(etcd_reply)> done,
            std::chrono::milliseconds timeout = std::chrono::milliseconds{0}) override;

  /// Watches [key, range_end) from `start_revision` (0: from now). On a break it reopens on
  /// the next endpoint from next_revision(), so no event is lost or repeated. The stream
  /// requires a leader (as clientv3's WithRequireLeader): a member cut off from the cluster
  /// ends it after a few election timeouts, and the watch moves on. Thread-safe.
  std::shared_ptr<etcd_watch> watch(std::string key, std::string range_end,
                                    std::int64_t start_revision,
                                    etcd_watch_callbacks cb) override;

  const etcd_options& options() const noexcept { return opts_; }

private:
  struct impl;
  etcd_options opts_;
  std::shared_ptr<impl> impl_;
};

/// Standard base64 (etcd's JSON API carries keys and values as base64).
std::string base64_encode(std::string_view bytes);
/// nullopt on invalid input.
std::optional<std::string> base64_decode(std::string_view text);
/// The range_end that makes [prefix, range_end) every key starting with `prefix`.
std::string prefix_range_end(std::string_view prefix);

} // namespace coord::net
