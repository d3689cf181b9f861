#pragma once
/// A JSON DOM that lives only while one request is built or one response read: a buffer on the
/// stack holds it (the identity API's bodies are small: ~30 bytes sent, ~150 bytes to ~1 KiB
/// received), so building or parsing allocates nothing; a larger DOM spills over to the heap.
/// Values made with its storage must not outlive it.

#include <cstddef>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>

namespace acsbatch::identity::detail {

template <std::size_t Bytes>
class json_arena {
 public:
  json_arena() = default;
  json_arena(const json_arena&) = delete;
  json_arena& operator=(const json_arena&) = delete;

  boost::json::storage_ptr storage() { return boost::json::storage_ptr(&resource_); }

 private:
  unsigned char buffer_[Bytes];
  boost::json::monotonic_resource resource_{buffer_, sizeof buffer_};
};

}  // namespace acsbatch::identity::detail
