#pragma once
// The voice registry's test fixture (voice_registry_test.cpp, voice_registry_cluster_test.cpp):
// a registry on the deterministic coordinator and what voice sessions ask of it.

#include "tests/actors/fixture.hpp"

#include "actors/voice/voice_registry.hpp"

#include <caf/after.hpp>
#include <caf/send.hpp>

#include <string>
#include <vector>

namespace coord::test {

using namespace std::chrono_literals;
using proto::voice::voice_client;

struct registry_fixture : actor_fixture {
  registry_fixture() {
    registry = track(sys.spawn(actors::voice_registry, caf::timespan{300s}, &metrics));
    sched.run();
  }

  actors::voice_claim claim(const std::string& key, std::uint64_t conn, caf::scoped_actor& who) {
    who->send(registry, actors::vc_claim_atom::value, key, conn,
              caf::actor_cast<actors::voice_session_actor>(who));
    sched.run();
    actors::voice_claim out;
    who->receive([&](actors::voice_claim& c) { out = std::move(c); });
    return out;
  }

  void release(const std::string& key, std::uint64_t conn) {
    caf::anon_send(registry, actors::vc_release_atom::value, key, conn);
    sched.run();
  }

  void set(const std::string& key, std::uint64_t conn, voice_client vc) {
    caf::anon_send(registry, actors::vc_set_atom::value, key, conn, std::move(vc));
    sched.run();
  }

  void del(const std::string& key, std::uint64_t conn, std::uint64_t guild) {
    caf::anon_send(registry, actors::vc_del_atom::value, key, conn, guild);
    sched.run();
  }

  std::vector<actors::voice_session_info> list() {
    self->send(registry, actors::vc_list_atom::value);
    sched.run();
    std::vector<actors::voice_session_info> out;
    self->receive([&](std::vector<actors::voice_session_info>& xs) { out = std::move(xs); });
    return out;
  }

  proto::voice::status_info status() {
    self->send(registry, actors::vc_status_atom::value);
    sched.run();
    proto::voice::status_info out;
    self->receive([&](const proto::voice::status_info& s) { out = s; });
    return out;
  }

  /// Fires the next timer (the VC_TIMEOUT of some release) and delivers it.
  bool fire_timer() {
    if (!sched.trigger_timeout())
      return false;
    sched.run();
    return true;
  }

  /// Whether `who` was told it was taken over since the last call.
  static bool taken_over(caf::scoped_actor& who) {
    bool got = false;
    who->receive([&](actors::vc_takeover_atom) { got = true; }, caf::after(0s) >> [] {});
    return got;
  }

  actors::voice_registry_actor registry;
};

} // namespace coord::test
