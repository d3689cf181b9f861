// The keep-alive pool's bookkeeping, without sockets: LIFO per endpoint, a cap, thread safety.

#include "acsbatch/http/detail/idle_pool.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace acsbatch::http::detail {
namespace {

struct fake_connection {
  int id = 0;
};

std::unique_ptr<fake_connection> make(int id) { return std::make_unique<fake_connection>(fake_connection{id}); }

TEST(http_idle_pool, most_recently_returned_connection_is_reused_first) {
  idle_pool<fake_connection> pool(8);
  EXPECT_EQ(pool.take("http://a:80"), nullptr);
  EXPECT_EQ(pool.put("http://a:80", make(1)), nullptr);
  EXPECT_EQ(pool.put("http://a:80", make(2)), nullptr);
  EXPECT_EQ(pool.take("http://a:80")->id, 2);
  EXPECT_EQ(pool.take("http://a:80")->id, 1);
  EXPECT_EQ(pool.take("http://a:80"), nullptr);
}

TEST(http_idle_pool, endpoints_do_not_share_connections) {
  idle_pool<fake_connection> pool(8);
  pool.put("http://a:80", make(1));
  EXPECT_EQ(pool.take("https://a:443"), nullptr);
  EXPECT_EQ(pool.take("http://a:8080"), nullptr);
  EXPECT_EQ(pool.idle_count("http://a:80"), 1u);
}

TEST(http_idle_pool, cap_hands_the_surplus_back_for_closing) {
  idle_pool<fake_connection> pool(2);
  EXPECT_EQ(pool.put("k", make(1)), nullptr);
  EXPECT_EQ(pool.put("k", make(2)), nullptr);
  const auto rejected = pool.put("k", make(3));
  ASSERT_NE(rejected, nullptr);
  EXPECT_EQ(rejected->id, 3);
  EXPECT_EQ(pool.idle_count("k"), 2u);
  idle_pool<fake_connection> none(0);
  EXPECT_NE(none.put("k", make(4)), nullptr);
}

TEST(http_idle_pool, clear_drops_everything) {
  idle_pool<fake_connection> pool(4);
  pool.put("a", make(1));
  pool.put("b", make(2));
  pool.clear();
  EXPECT_EQ(pool.take("a"), nullptr);
  EXPECT_EQ(pool.take("b"), nullptr);
}

TEST(http_idle_pool, concurrent_take_and_put_lose_nothing) {
  idle_pool<fake_connection> pool(1000);
  for (int i = 0; i < 100; ++i) pool.put("k", make(i));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i)
        if (auto c = pool.take("k")) pool.put("k", std::move(c));
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(pool.idle_count("k"), 100u);
}

}  // namespace
}  // namespace acsbatch::http::detail
