// libFuzzer target: the gateway cache ingestion path (SPEC.md §4.7): an op 5 frame's `d` (or the
// input itself as `d`) through decode_cache, each record through the read API's JSON and back;
// input that is not JSON goes to the ISO 8601 parser of joinedAt instead.

#include "fuzz/cache_checks.hpp"
#include "fuzz/fuzz_check.hpp"
#include "proto/gateway_cache.hpp"
#include "proto/timestamp.hpp"

#include <cstdint>
#include <string>

namespace gw = coord::proto::gateway;
namespace fuzz = coord::fuzz;
using coord::proto::errc;

namespace {

/// parse_timestamp accepts only what append_timestamp can write back, and reads that back.
void check_timestamp(std::string_view text) {
  const auto ms = coord::proto::parse_timestamp(text);
  if (!ms)
    return;
  FUZZ_CHECK(*ms >= coord::proto::min_timestamp_ms && *ms <= coord::proto::max_timestamp_ms,
             "parse_timestamp returned a value outside its range");
  std::string out;
  coord::proto::append_timestamp(out, *ms);
  FUZZ_CHECK(out.size() == 26 && out.front() == '"' && out.back() == '"',
             "append_timestamp writes \"YYYY-MM-DDTHH:MM:SS.mmmZ\"");
  const auto again = coord::proto::parse_timestamp(std::string_view{out}.substr(1, 24));
  FUZZ_CHECK(again && *again == *ms, "a timestamp does not round-trip");
  if (text.size() == 24 && text[10] == 'T' && text[19] == '.' && text[23] == 'Z')
    FUZZ_CHECK(std::string_view{out}.substr(1, 24) == text,
               "a timestamp in the written form is written back unchanged");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = fuzz::as_text(data, size);
  auto dom = fuzz::parse_json(text);
  if (!dom) {
    check_timestamp(text);
    return 0;
  }
  // A whole op 5 frame (the golden files) feeds its d; anything else is d itself.
  boost::json::value d = std::move(*dom);
  if (auto* o = d.if_object()) {
    const auto* op = o->if_contains("op");
    if (auto* inner = o->if_contains("d"); inner && op && op->is_int64() && op->get_int64() == 5)
      d = std::move(*inner);
  }
  auto update = gw::decode_cache(d);
  if (!update) {
    fuzz::check_error(update.error());
    FUZZ_CHECK(update.error().code == errc::invalid_payload, "cache refusals are 4005");
    return 0;
  }
  const auto& o = d.as_object();
  const auto type = gw::cache_type_from_string(fuzz::string_at(o, "type"));
  FUZZ_CHECK(type.has_value(), "an accepted cache update names a known type");
  if (const auto* removal = std::get_if<gw::cache_removal>(&*update)) {
    FUZZ_CHECK(removal->type == *type, "a removal keeps the payload's type");
    const auto* deleted = o.if_contains("deleted");
    FUZZ_CHECK((deleted && deleted->is_bool() && deleted->get_bool()) ||
                   *type == gw::cache_type::voice_state,
               "only deleted:true or a voice state without channel removes");
    return 0;
  }
  fuzz::check_cache_update(*update);
  return 0;
}
