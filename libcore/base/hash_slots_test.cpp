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
    CHECK(idx.memory_bytes() >= 2 * keys.size() * 8);  // at most half full, 8 bytes a slot
    idx.reset(8);
    CHECK(idx.find(hash(keys[0]), [&](uint32_t r) { return keys[r - 1] == keys[0]; }) == 0);
  }

  TEST_CASE("hashes equal in their low 32 bits (the stored ones) are told apart by same()") {
    // Every key has the same home slot and the same stored bits; only the owner's compare and
    // the high bits (not stored) differ. Growth must keep every key findable.
    HashSlots idx(2);
    const uint32_t n = 3000;
    for (uint32_t r = 1; r <= n; ++r) idx.insert((uint64_t(r) << 32) | 0x2a, r);
    for (uint32_t r = 1; r <= n; ++r) CHECK(idx.find((uint64_t(r) << 32) | 0x2a, [&](uint32_t got) { return got == r; }) == r);
    CHECK(idx.find((uint64_t(n + 1) << 32) | 0x2a, [&](uint32_t got) { return got == n + 1; }) == 0);
    // A hash that differs only in its high bits from stored ones is not found without same().
    CHECK(idx.find(0x2a, [](uint32_t) { return false; }) == 0);
  }

  TEST_CASE("insert() for keys known absent") {
    HashSlots idx(2);
    for (uint32_t r = 1; r <= 100; ++r) idx.insert(uint64_t(r) * 31, r);
    for (uint32_t r = 1; r <= 100; ++r) CHECK(idx.find(uint64_t(r) * 31, [&](uint32_t got) { return got == r; }) == r);
  }
}
