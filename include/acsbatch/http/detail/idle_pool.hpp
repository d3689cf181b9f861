#pragma once
/// Idle keep-alive connections per endpoint, most recently used first (a warm connection is the
/// one least likely to have been dropped by the server). Sans-I/O and thread-safe: the client
/// may be driven by several threads, and connections are handed out under a mutex.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace acsbatch::http::detail {

template <class Connection>
class idle_pool {
 public:
  explicit idle_pool(std::size_t max_idle_per_key) : max_idle_per_key_(max_idle_per_key) {}

  /// The most recently returned idle connection for `key`, or null. The caller owns it now.
  std::unique_ptr<Connection> take(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    auto connection = std::move(it->second.back());
    it->second.pop_back();
    return connection;
  }

  /// Keeps `connection` for reuse. When `key` already has `max_idle_per_key` idle connections
  /// the connection is handed back instead, for the caller to close outside the lock.
  std::unique_ptr<Connection> put(const std::string& key, std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    auto& list = idle_[key];
    if (list.size() >= max_idle_per_key_) return connection;
    list.push_back(std::move(connection));
    return nullptr;
  }

  /// Removes every idle connection; they are destroyed (closed) after the lock is released.
  void clear() {
    std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> doomed;
    {
      std::lock_guard lock(mutex_);
      doomed.swap(idle_);
    }
  }

  std::size_t idle_count(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    return it == idle_.end() ? 0 : it->second.size();
  }

 private:
  std::size_t max_idle_per_key_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
};

}  // namespace acsbatch::http::detail
