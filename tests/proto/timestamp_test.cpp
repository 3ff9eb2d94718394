// proto/timestamp.hpp: ISO 8601 timestamps of the op 5 records.

#include "tests/proto/cache_records.hpp"
#include <boost/test/unit_test.hpp>

#include "proto/timestamp.hpp"

#include <random>
#include <string>

using namespace coord::test;

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(timestamps_parse_iso_8601_forms) {
  const std::vector<std::pair<std::string, std::int64_t>> ok{
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:00.001Z", 1},
      {"1970-01-01T00:00:00.1z", 100},
      {"1970-01-01t00:00:00.123456789Z", 123},
      {"2016-11-26T22:35:18.123456+00:00", 1480199718123},
      {"2016-11-26T23:35:18.123+01:00", 1480199718123},
      {"2016-11-26T20:05:18.123-02:30", 1480199718123},
      {"2000-02-29T00:00:00Z", 951782400000},
      {"1969-12-31T23:59:59.999Z", -1},
      {"0000-01-01T00:00:00Z", proto::min_timestamp_ms},
      {"9999-12-31T23:59:59.999Z", proto::max_timestamp_ms},
  };
  for (const auto& [text, ms] : ok) {
    BOOST_TEST_CONTEXT(text) {
      auto got = proto::parse_timestamp(text);
      BOOST_REQUIRE(got.has_value());
      BOOST_TEST(*got == ms);
    }
  }
  for (const auto* bad :
       {"", "2016-11-26", "2016-11-26T22:35:18", "2016-11-26 22:35:18Z", "2016-11-26T22:35Z",
        "2016-13-01T00:00:00Z", "2016-00-01T00:00:00Z", "2016-02-30T00:00:00Z",
        "2019-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2016-11-26T24:00:00Z",
        "2016-11-26T23:60:00Z", "2016-11-26T23:59:60Z", "2016-11-26T22:35:18.Z",
        "2016-11-26T22:35:18.1234567890Z", "2016-11-26T22:35:18+0100", "2016-11-26T22:35:18+24:00",
        "2016-11-26T22:35:18+01:60", "2016-11-26T22:35:18ZZ", "2016-11-26T22:35:18Z ",
        " 2016-11-26T22:35:18Z", "+2016-11-26T22:35:18Z", "2016-1l-26T22:35:18Z",
        "0000-01-01T00:30:00+01:00", "9999-12-31T23:00:00-02:00"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!proto::parse_timestamp(bad).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(timestamps_format_like_to_iso_string_and_round_trip) {
  const auto fmt = [](std::int64_t ms) {
    std::string out;
    proto::append_timestamp(out, ms);
    return out;
  };
  BOOST_TEST(fmt(0) == "\"1970-01-01T00:00:00.000Z\"");
  BOOST_TEST(fmt(1480199718123) == "\"2016-11-26T22:35:18.123Z\"");
  BOOST_TEST(fmt(-1) == "\"1969-12-31T23:59:59.999Z\"");
  BOOST_TEST(fmt(951782400000) == "\"2000-02-29T00:00:00.000Z\"");
  BOOST_TEST(fmt(proto::max_timestamp_ms + 1) == "\"9999-12-31T23:59:59.999Z\"");
  BOOST_TEST(fmt(proto::min_timestamp_ms - 1) == "\"0000-01-01T00:00:00.000Z\"");
  std::mt19937_64 rng{3};
  std::uniform_int_distribution<std::int64_t> any{proto::min_timestamp_ms, proto::max_timestamp_ms};
  for (int i = 0; i < 20000; ++i) {
    const auto ms = any(rng);
    const auto text = fmt(ms);
    auto back = proto::parse_timestamp(std::string_view{text}.substr(1, text.size() - 2));
    BOOST_REQUIRE(back.has_value());
    BOOST_REQUIRE_EQUAL(*back, ms);
  }
}

BOOST_AUTO_TEST_SUITE_END()
