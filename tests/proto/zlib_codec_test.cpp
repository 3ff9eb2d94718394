#include <boost/test/unit_test.hpp>

#include "proto/zlib_codec.hpp"

#include <zlib.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace proto = coord::proto;
namespace zlib = coord::proto::zlib;

namespace {

constexpr std::size_t mib = 1024 * 1024;

/// Gateway-like text: repetitive JSON with a share of random bytes, so both paths of the
/// compressor run.
std::string sample(std::size_t size, std::mt19937& rng) {
  static const std::string chunk =
      R"({"op":5,"d":{"type":"member","id":"155112606661607425","guildID":"254768930223161344"}})";
  std::uniform_int_distribution<int> byte{0, 255};
  std::uniform_int_distribution<int> coin{0, 3};
  std::string out;
  out.reserve(size);
  while (out.size() < size) {
    if (coin(rng) == 0) {
      for (int i = 0; i < 64 && out.size() < size; ++i)
        out.push_back(static_cast<char>(byte(rng)));
    } else {
      out.append(chunk, 0, std::min(chunk.size(), size - out.size()));
    }
  }
  return out;
}

std::string inflate_ok(std::string_view stream, std::size_t max_out) {
  auto out = zlib::inflate(stream, max_out);
  BOOST_REQUIRE_MESSAGE(out, "inflate refused: " << (out ? "" : out.error().reason));
  return std::move(*out);
}

/// zlib's own one-shot decoder, as an independent check of deflate's output.
std::string uncompress_with_zlib(const std::string& stream, std::size_t size) {
  std::string out(size, '\0');
  uLongf len = static_cast<uLongf>(size);
  const int rc = ::uncompress(reinterpret_cast<Bytef*>(out.data()), &len,
                              reinterpret_cast<const Bytef*>(stream.data()),
                              static_cast<uLong>(stream.size()));
  BOOST_REQUIRE_EQUAL(rc, Z_OK);
  out.resize(len);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(zlib_codec)

BOOST_AUTO_TEST_CASE(small_messages_round_trip) {
  for (const std::string& text :
       {std::string{}, std::string{"x"}, std::string{R"({"op":4,"d":{}})"},
        std::string{"\0\xff\x00", 3}, std::string(100000, 'a')}) {
    const auto z = zlib::deflate(text);
    BOOST_TEST(inflate_ok(z, text.size()) == text);
    BOOST_TEST(uncompress_with_zlib(z, text.size()) == text);
  }
}

BOOST_AUTO_TEST_CASE(inflate_of_deflate_is_the_input_for_random_sizes_up_to_1_mib) {
  std::mt19937 rng{2024};
  std::uniform_int_distribution<std::size_t> size{0, mib};
  std::vector<std::size_t> sizes{0, 1, 2, 255, 256, 65535, 65536, 65537, mib - 1, mib};
  for (int i = 0; i < 24; ++i)
    sizes.push_back(size(rng));
  for (auto n : sizes) {
    BOOST_TEST_CONTEXT(n << " bytes") {
      const auto text = sample(n, rng);
      const auto z = zlib::deflate(text);
      BOOST_REQUIRE(inflate_ok(z, mib) == text);
      BOOST_REQUIRE(uncompress_with_zlib(z, n) == text);
    }
  }
}

BOOST_AUTO_TEST_CASE(each_message_is_one_stream_with_a_valid_header_and_adler32) {
  std::mt19937 rng{5};
  for (std::size_t n : {0u, 10u, 5000u}) {
    const auto text = sample(n, rng);
    const auto z = zlib::deflate(text);
    BOOST_REQUIRE(z.size() >= 6u);
    const auto cmf = static_cast<unsigned char>(z[0]);
    const auto flg = static_cast<unsigned char>(z[1]);
    BOOST_TEST((cmf & 0x0F) == 8);            // CM: deflate
    BOOST_TEST((cmf >> 4) <= 7);              // CINFO: window at most 32 KiB
    BOOST_TEST((cmf * 256 + flg) % 31 == 0);  // FCHECK
    BOOST_TEST((flg & 0x20) == 0);            // FDICT: no preset dictionary
    const auto expected = ::adler32(::adler32(0L, Z_NULL, 0),
                                    reinterpret_cast<const Bytef*>(text.data()),
                                    static_cast<uInt>(text.size()));
    const auto* tail = reinterpret_cast<const unsigned char*>(z.data() + z.size() - 4);
    const unsigned long stored = (static_cast<unsigned long>(tail[0]) << 24) |
                                 (static_cast<unsigned long>(tail[1]) << 16) |
                                 (static_cast<unsigned long>(tail[2]) << 8) | tail[3];
    BOOST_TEST(stored == expected);
  }
}

BOOST_AUTO_TEST_CASE(deflate_is_repeatable_and_smaller_for_json) {
  const std::string text(4096, '{');
  const auto a = zlib::deflate(text);
  (void)zlib::deflate("something else entirely");
  BOOST_TEST(zlib::deflate(text) == a); // the reused stream starts fresh every time
  BOOST_TEST(a.size() < text.size() / 10);
}

BOOST_AUTO_TEST_CASE(threads_each_use_their_own_stream) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t, &ok] {
      std::mt19937 rng{static_cast<unsigned>(t)};
      int good = 0;
      for (int i = 0; i < 50; ++i) {
        const auto text = sample(1000 + static_cast<std::size_t>(i) * 97, rng);
        auto back = zlib::inflate(zlib::deflate(text), mib);
        good += back && *back == text ? 1 : 0;
      }
      ok[static_cast<std::size_t>(t)] = good;
    });
  for (auto& th : threads)
    th.join();
  for (int good : ok)
    BOOST_TEST(good == 50);
}

BOOST_AUTO_TEST_CASE(inflate_never_writes_past_max_out) {
  const std::string text(10000, 'z');
  const auto z = zlib::deflate(text);
  BOOST_TEST(inflate_ok(z, text.size()).size() == text.size());
  BOOST_TEST(inflate_ok(z, text.size() + 1).size() == text.size());
  for (std::size_t limit : {std::size_t{0}, std::size_t{1}, std::size_t{255}, std::size_t{256},
                            text.size() - 1}) {
    auto out = zlib::inflate(z, limit);
    BOOST_REQUIRE(!out);
    BOOST_TEST(out.error().reason == "inflated size exceeds limit");
  }
  BOOST_TEST(inflate_ok(zlib::deflate(""), 0).empty());

  // A bomb: 64 MiB of zeros in ~300 KiB (level 1), bounded at 1 MiB.
  const auto bomb = zlib::deflate(std::string(64 * mib, '\0'));
  BOOST_TEST(bomb.size() < mib / 2);
  auto out = zlib::inflate(bomb, mib);
  BOOST_REQUIRE(!out);
  BOOST_TEST(proto::close_code(out.error().code) == 4005);
}

BOOST_AUTO_TEST_CASE(corrupt_truncated_or_foreign_streams_are_errors) {
  std::mt19937 rng{9};
  const auto text = sample(3000, rng);
  const auto z = zlib::deflate(text);
  const auto refused = [](std::string_view s) { return !zlib::inflate(s, mib); };

  BOOST_TEST(refused(""));
  for (std::size_t n = 0; n < z.size(); ++n)
    BOOST_REQUIRE_MESSAGE(refused(std::string_view{z}.substr(0, n)), "prefix of " << n);
  BOOST_TEST(refused(z + "x"));
  BOOST_TEST(refused(z + z));

  auto bad_header = z;
  bad_header[1] = static_cast<char>(bad_header[1] ^ 1); // FCHECK fails
  BOOST_TEST(refused(bad_header));
  auto bad_adler = z;
  bad_adler.back() = static_cast<char>(bad_adler.back() ^ 0x40);
  BOOST_TEST(zlib::inflate(bad_adler, mib).error().reason == "corrupt zlib stream");
  BOOST_TEST(refused(z.substr(2))); // raw deflate, no zlib header

  // gzip framing of the same data is not a zlib stream.
  BOOST_TEST(refused(std::string{"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10} + z.substr(2)));

  // A preset dictionary is refused.
  z_stream s{};
  BOOST_REQUIRE(deflateInit(&s, 1) == Z_OK);
  const char dict[] = "dictionary";
  deflateSetDictionary(&s, reinterpret_cast<const Bytef*>(dict), sizeof dict - 1);
  std::string with_dict(256, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  s.avail_in = 100;
  s.next_out = reinterpret_cast<Bytef*>(with_dict.data());
  s.avail_out = static_cast<uInt>(with_dict.size());
  BOOST_REQUIRE(::deflate(&s, Z_FINISH) == Z_STREAM_END);
  with_dict.resize(with_dict.size() - s.avail_out);
  deflateEnd(&s);
  BOOST_TEST(zlib::inflate(with_dict, mib).error().reason ==
             "zlib stream needs a preset dictionary");

  // Random flips and random bytes: an error or the right text, never a crash or a wrong text
  // (adler32 catches changed data).
  std::uniform_int_distribution<std::size_t> pos{0, z.size() - 1};
  std::uniform_int_distribution<int> byte{0, 255};
  for (int i = 0; i < 3000; ++i) {
    auto m = z;
    m[pos(rng)] = static_cast<char>(byte(rng));
    auto out = zlib::inflate(m, mib);
    if (out)
      BOOST_REQUIRE(*out == text);
  }
  for (int i = 0; i < 1000; ++i) {
    std::string junk(static_cast<std::size_t>(byte(rng)), '\0');
    for (auto& c : junk)
      c = static_cast<char>(byte(rng));
    (void)zlib::inflate(junk, 4096);
  }
}

BOOST_AUTO_TEST_SUITE_END()
