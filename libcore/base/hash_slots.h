// HashSlots: the open-addressing index the ingest hash tables share (linear probing, at most half
// full, doubled when it would be more). A slot holds the low 32 bits of an entry's 64-bit hash and
// its ref, the entry's index + 1 in the owner's own storage (0 = empty); the owner compares keys,
// so entries live once, in the owner's arena. Used by the series registry (raw and canonical
// names), the series text cache and the index stream's tag table. No per-entry allocation.
// 8 bytes a slot: the slot a key starts at is its hash's low bits, which the stored 32 bits hold
// for any table up to 2^32 slots (refs are 32-bit), so growing needs no more of the hash. Two
// keys are told apart by the owner's compare; the 32 bits only spare it most compares: a key
// with another home slot differs in them, one with the same home (under half the keys) agrees
// in the rest only by chance. Half the 16 bytes of a 64-bit hash: at a million series the
// registry's slots take 16 MiB instead of 32, and a parser's text cache probes stay in cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace vmt {

class HashSlots {
 public:
  explicit HashSlots(size_t initial = 1024) : slots_(initial) {}  // initial: a power of two

  // The ref of the entry with this hash for which same(ref) holds, or 0; then *pos (when given) is
  // where insert_at puts that key (valid until the next insert).
  template <class Same>
  uint32_t find(uint64_t hash, Same&& same, size_t* pos = nullptr) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.ref == 0) {
        if (pos) *pos = i;
        return 0;
      }
      if (s.tag == uint32_t(hash) && same(s.ref)) return s.ref;
    }
  }
  // Stores (hash, ref) at a position find gave for this hash; doubles the slots past half full.
  void insert_at(size_t pos, uint64_t hash, uint32_t ref) {
    slots_[pos] = Slot{uint32_t(hash), ref};
    if (++used_ * 2 > slots_.size()) grow();
  }
  // Stores (hash, ref) for a key known to be absent.
  void insert(uint64_t hash, uint32_t ref) {
    size_t pos = 0;
    find(hash, [](uint32_t) { return false; }, &pos);
    insert_at(pos, hash, ref);
  }
  void reset(size_t initial) {
    slots_.assign(initial, Slot{});
    used_ = 0;
  }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    uint32_t tag = 0;  // the hash's low 32 bits
    uint32_t ref = 0;
  };
  void grow() {
    // Past 2^32 slots the stored bits would no longer name the home slot (refs stop at 2^32 - 1
    // entries, at most half of the slots, long before).
    if (slots_.size() * 2 > (size_t(1) << 32)) throw std::length_error("HashSlots: more than 2^31 entries");
    std::vector<Slot> bigger(slots_.size() * 2);
    const size_t mask = bigger.size() - 1;
    for (const Slot& s : slots_) {
      if (s.ref == 0) continue;
      size_t i = size_t(s.tag) & mask;
      while (bigger[i].ref != 0) i = (i + 1) & mask;
      bigger[i] = s;
    }
    slots_.swap(bigger);
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

}  // namespace vmt
