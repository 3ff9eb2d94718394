#include "actors/session/session_sink.hpp"

#include <caf/send.hpp>

namespace coord::actors {

void actor_sink::on_frame(std::string data, bool binary) {
  caf::anon_send(actor_, frame_atom::value, std::move(data), binary);
}

void actor_sink::on_pong() {
  caf::anon_send(actor_, pong_atom::value);
}

void actor_sink::on_closed(std::uint16_t code) {
  caf::anon_send(actor_, closed_atom::value, code);
}

std::shared_ptr<ports::session_sink> attach_session(const broker_actor& broker, connection_ptr conn,
                                                  session_actor actor) {
  caf::anon_send(broker, register_atom::value, session_handle{std::move(conn), actor});
  return std::make_shared<actor_sink>(std::move(actor));
}

} // namespace coord::actors
