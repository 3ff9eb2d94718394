#pragma once
// Containers for records held by the million (the gateway cache): one pointer each, one heap
// block when not empty.

#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace coord::proto {

/// A nullable immutable string in one pointer (the cache holds millions of records): null, or
/// one heap block holding a 32-bit length and the bytes. An empty string is not null.
class compact_string {
public:
  /// The null string.
  compact_string() noexcept = default;
  /// A copy of s (never null).
  explicit compact_string(std::string_view s);
  compact_string(const compact_string& other);
  compact_string(compact_string&& other) noexcept : p_{std::exchange(other.p_, nullptr)} {}
  compact_string& operator=(compact_string other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~compact_string() { delete[] p_; }

  /// True for the null string.
  bool is_null() const noexcept { return p_ == nullptr; }
  /// The bytes; empty for the null string.
  std::string_view view() const noexcept {
    if (!p_)
      return {};
    std::uint32_t n = 0;
    std::memcpy(&n, p_, sizeof n);
    return {p_ + sizeof n, n};
  }

  friend bool operator==(const compact_string& a, const compact_string& b) noexcept {
    return a.is_null() == b.is_null() && a.view() == b.view();
  }
  friend bool operator!=(const compact_string& a, const compact_string& b) noexcept {
    return !(a == b);
  }

private:
  char* p_ = nullptr;
};

namespace detail {
/// The block every null compact_array points at: a count of 0, never freed.
inline constexpr std::uint64_t null_array_block[1] = {0};
} // namespace detail

/// A fixed-size array of trivially copyable T in one pointer: empty (no allocation), null (an
/// empty array that also says "unknown", no allocation either), or one heap block holding the
/// count and the elements.
template <class T>
class compact_array {
  static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= alignof(std::uint64_t));

public:
  compact_array() noexcept = default;
  /// The null array: no elements, and is_null() is true (an unknown list, not an empty one).
  static compact_array null() noexcept {
    compact_array a;
    a.p_ = const_cast<std::uint64_t*>(detail::null_array_block);
    return a;
  }
  /// n value-initialised elements, to be filled through data().
  explicit compact_array(std::size_t n) {
    if (n == 0)
      return;
    p_ = static_cast<std::uint64_t*>(::operator new(sizeof(std::uint64_t) + n * sizeof(T)));
    p_[0] = n;
    T* first = data();
    for (std::size_t i = 0; i < n; ++i)
      new (first + i) T{};
  }
  /// A copy of a vector.
  explicit compact_array(const std::vector<T>& v) : compact_array(v.size()) {
    if (!v.empty())
      std::memcpy(data(), v.data(), v.size() * sizeof(T));
  }
  compact_array(const compact_array& other) : compact_array(other.size()) {
    if (other.is_null())
      p_ = other.p_;
    else if (other.p_)
      std::memcpy(data(), other.data(), other.size() * sizeof(T));
  }
  compact_array(compact_array&& other) noexcept : p_{std::exchange(other.p_, nullptr)} {}
  compact_array& operator=(compact_array other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~compact_array() {
    if (!is_null())
      ::operator delete(p_);
  }

  /// True for the null array (see null()); a null array is also empty.
  bool is_null() const noexcept { return p_ == detail::null_array_block; }
  std::size_t size() const noexcept { return p_ ? static_cast<std::size_t>(p_[0]) : 0; }
  bool empty() const noexcept { return size() == 0; }
  T* data() noexcept { return p_ && !is_null() ? reinterpret_cast<T*>(p_ + 1) : nullptr; }
  const T* data() const noexcept {
    return p_ && !is_null() ? reinterpret_cast<const T*>(p_ + 1) : nullptr;
  }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size(); }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }

  friend bool operator==(const compact_array& a, const compact_array& b) noexcept {
    if (a.is_null() != b.is_null() || a.size() != b.size())
      return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!(a[i] == b[i]))
        return false;
    return true;
  }

private:
  std::uint64_t* p_ = nullptr; // [count][elements...]
};

} // namespace coord::proto
