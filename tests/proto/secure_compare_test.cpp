#include <boost/test/unit_test.hpp>

#include "proto/secure_compare.hpp"

#include <string>

using coord::proto::secure_equals;

BOOST_AUTO_TEST_SUITE(secure_compare)

BOOST_AUTO_TEST_CASE(equal_strings_compare_equal) {
  BOOST_TEST(secure_equals("", ""));
  BOOST_TEST(secure_equals("k", "k"));
  BOOST_TEST(secure_equals("a-long-companion-key-0123456789", "a-long-companion-key-0123456789"));
}

BOOST_AUTO_TEST_CASE(any_differing_byte_makes_them_unequal) {
  const std::string key = "s3cret-key";
  for (std::size_t i = 0; i < key.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto other = key;
      other[i] = static_cast<char>(other[i] ^ (1 << bit));
      BOOST_TEST_CONTEXT("byte " << i << " bit " << bit) {
        BOOST_TEST(!secure_equals(key, other));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(different_lengths_are_unequal) {
  BOOST_TEST(!secure_equals("key", "key "));
  BOOST_TEST(!secure_equals("key", "ke"));
  BOOST_TEST(!secure_equals("", "k"));
  BOOST_TEST(!secure_equals("k", ""));
}

BOOST_AUTO_TEST_CASE(embedded_nul_bytes_count) {
  const std::string a{"ab\0c", 4};
  const std::string b{"ab\0d", 4};
  BOOST_TEST(secure_equals(a, a));
  BOOST_TEST(!secure_equals(a, b));
  BOOST_TEST(!secure_equals(a, "ab"));
}

BOOST_AUTO_TEST_SUITE_END()
