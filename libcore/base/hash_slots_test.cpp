#include "base/hash_slots.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using vmt::HashSlots;

TEST_SUITE("base/hash_slots") {
  TEST_CASE("every key inserted is found through growth, colliding hashes apart; absent keys are not") {
    HashSlots idx(4);
    std::vector<std::string> keys;
    // A weak hash on purpose: many keys share a hash, so same() must tell them apart.
    auto hash = [](const std::string& k) { return uint64_t(k.size() % 7) * 0x9E3779B97F4A7C15ull; };
    for (int i = 0; i < 5000; ++i) {
      const std::string k = "key-" + std::to_string(i);
      size_t pos = 0;
      REQUIRE(idx.find(hash(k), [&](uint32_t r) { return keys[r - 1] == k; }, &pos) == 0);
      keys.push_back(k);
      idx.insert_at(pos, hash(k), uint32_t(keys.size()));
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string& k = keys[i];
      REQUIRE(idx.find(hash(k), [&](uint32_t r) { return keys[r - 1] == k; }) == i + 1);
    }
    const std::string absent = "key-x";
    CHECK(idx.find(hash(absent), [&](uint32_t r) { return keys[r - 1] == absent; }) == 0);
    CHECK(idx.memory_bytes() >= 2 * keys.size() * 12);  // at most half full
    idx.reset(8);
    CHECK(idx.find(hash(keys[0]), [&](uint32_t r) { return keys[r - 1] == keys[0]; }) == 0);
  }

  TEST_CASE("insert() for keys known absent") {
    HashSlots idx(2);
    for (uint32_t r = 1; r <= 100; ++r) idx.insert(uint64_t(r) * 31, r);
    for (uint32_t r = 1; r <= 100; ++r) CHECK(idx.find(uint64_t(r) * 31, [&](uint32_t got) { return got == r; }) == r);
  }
}
