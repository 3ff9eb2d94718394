#pragma once
// Calls to etcd from an actor: the client answers on its io thread, the answer comes back as
// a message (cl_etcd_atom) and the continuation runs inside the actor, so actor state is
// only ever touched by the actor.

#include "actors/cluster/cluster_messages.hpp"
#include "metrics/registry.hpp"
#include "actors/ports.hpp"

#include <caf/replies_to.hpp>
#include <caf/send.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <memory>
#include <unordered_map>

namespace coord::actors {

/// What an actor that calls etcd through etcd_calls must accept: the answer to call `id`.
/// The etcd store's and the cluster node's interfaces both convert to it.
using etcd_caller_actor =
  caf::typed_actor<caf::reacts_to<cl_etcd_atom, std::uint64_t, ports::etcd_reply>>;

class etcd_calls {
public:
  using continuation = std::function<void(ports::etcd_reply&)>;

  etcd_calls() = default;
  etcd_calls(std::weak_ptr<ports::etcd_port> client, metrics::registry* metrics)
    : client_(std::move(client)), metrics_(metrics) {}

  /// POSTs `body` to `path`; `k` runs in `self` (a typed actor whose interface includes
  /// etcd_caller_actor's) with the answer. Without a client (shut down) `k` runs at once
  /// with an error.
  template <class Self>
  void call(Self* self, std::string path, std::string body, continuation k,
            std::chrono::milliseconds timeout = std::chrono::milliseconds{0}) {
    auto client = client_.lock();
    if (!client) {
      ports::etcd_reply r;
      r.error = "etcd client stopped";
      k(r);
      return;
    }
    auto id = ++next_;
    pending_.emplace(id, std::move(k));
    etcd_caller_actor me = self; // the compiler checks that `self` takes the answer
    client->call(std::move(path), std::move(body),
                 [me, id](ports::etcd_reply r) {
                   caf::anon_send(me, cl_etcd_atom::value, id, std::move(r));
                 },
                 timeout);
  }

  /// The answer to call `id` arrived: counts it and runs its continuation.
  void complete(std::uint64_t id, ports::etcd_reply& r) {
    auto i = pending_.find(id);
    if (i == pending_.end())
      return;
    auto k = std::move(i->second);
    pending_.erase(i);
    if (metrics_) {
      auto outcome = r.ok ? 0 : (r.error.find("timeout") != std::string::npos ? 2 : 1);
      metrics_->etcd_requests[outcome].inc();
    }
    k(r);
  }

  /// Continuations of calls made before now are dropped (their answers are ignored).
  void forget_all() { pending_.clear(); }

  std::shared_ptr<ports::etcd_port> client() const { return client_.lock(); }

private:
  std::weak_ptr<ports::etcd_port> client_;
  metrics::registry* metrics_ = nullptr;
  std::uint64_t next_ = 0;
  std::unordered_map<std::uint64_t, continuation> pending_;
};

} // namespace coord::actors
