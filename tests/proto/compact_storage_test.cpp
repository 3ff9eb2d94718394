// proto/compact_storage.hpp: the one-pointer string and array the cached records are made of.

#include <boost/test/unit_test.hpp>

#include "proto/compact_storage.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace proto = coord::proto;

namespace {
constexpr std::uint64_t max_u64 = 18446744073709551615ULL;
} // namespace

BOOST_AUTO_TEST_SUITE(compact_storage)

BOOST_AUTO_TEST_CASE(compact_string_keeps_null_empty_and_bytes_apart) {
  proto::compact_string null;
  proto::compact_string empty{""};
  proto::compact_string text{std::string_view{"a\0b", 3}};
  BOOST_TEST(null.is_null());
  BOOST_TEST(!empty.is_null());
  BOOST_TEST((null != empty));
  BOOST_TEST(text.view().size() == 3u);
  auto copy = text;
  BOOST_TEST((copy == text));
  BOOST_TEST(static_cast<const void*>(copy.view().data()) !=
             static_cast<const void*>(text.view().data()));
  auto moved = std::move(copy);
  BOOST_TEST(copy.is_null()); // NOLINT(bugprone-use-after-move): moved-from is null
  BOOST_TEST((moved == text));
  moved = null;
  BOOST_TEST(moved.is_null());
  proto::compact_string nc{null};
  BOOST_TEST(nc.is_null());
}

BOOST_AUTO_TEST_CASE(compact_array_copies_moves_and_compares) {
  proto::compact_array<std::uint64_t> none;
  BOOST_TEST(none.empty());
  BOOST_TEST(none.size() == 0u);
  BOOST_TEST((none.begin() == none.end()));
  proto::compact_array<std::uint64_t> ids{std::vector<std::uint64_t>{1, max_u64, 3}};
  BOOST_TEST(ids.size() == 3u);
  BOOST_TEST(ids[1] == max_u64);
  auto copy = ids;
  BOOST_TEST((copy == ids));
  BOOST_TEST(copy.data() != ids.data());
  auto moved = std::move(copy);
  BOOST_TEST(copy.empty()); // NOLINT(bugprone-use-after-move)
  BOOST_TEST((moved == ids));
  BOOST_TEST(!(moved == none));
  std::uint64_t sum = 0;
  for (auto id : proto::compact_array<std::uint64_t>{std::vector<std::uint64_t>{1, 2, 3}})
    sum += id;
  BOOST_TEST(sum == 6u);
}

BOOST_AUTO_TEST_SUITE_END()
