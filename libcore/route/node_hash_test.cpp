#include <doctest/doctest.h>

#include "metric/tsid_gen.h"
#include "route/node_hash.h"

using namespace vmt;
using namespace vmt::route;

TEST_SUITE("route/node_hash") {
  // routing.md §3.4, primitive values (verified).
  TEST_CASE("xxhash64 primitives of the spec") {
    CHECK(metric::xxhash64("") == 0xef46db3751d8e999ULL);
    CHECK(metric::xxhash64("a") == 0xd24ec4f1a98c6e5bULL);
    CHECK(metric::xxhash64("abc") == 0x44bc2cf5ad770999ULL);
  }

  TEST_CASE("node hashes of the spec's three nodes") {
    CHECK(node_hash("vmstorage-1:8400") == 0x5b832df5ba69084fULL);
    CHECK(node_hash("vmstorage-2:8400") == 0xdd4a03ad9fe6cedaULL);
    CHECK(node_hash("vmstorage-3:8400") == 0xcba1bf12db1a7ac0ULL);
  }

  TEST_CASE("the address is hashed exactly as given: no default port") {
    CHECK(node_hash("vmstorage-1") != node_hash("vmstorage-1:8400"));
    CHECK(node_hash(" vmstorage-1:8400") != node_hash("vmstorage-1:8400"));
  }

  TEST_CASE("seed: 0, or 0xABCDEF0123456789 for a second-level vminsert") {
    CHECK(hash_seed(false) == 0);
    CHECK(hash_seed(true) == 0xABCDEF0123456789ULL);
  }

  TEST_CASE("split_array_flag splits on commas like flagutil.Array") {
    CHECK(split_array_flag("a:1,b:2,c:3") == std::vector<std::string>{"a:1", "b:2", "c:3"});
    CHECK(split_array_flag("a") == std::vector<std::string>{"a"});
    CHECK(split_array_flag("").empty());
    CHECK(split_array_flag("a,,b") == std::vector<std::string>{"a", "", "b"});
    CHECK(split_array_flag("a,") == std::vector<std::string>{"a", ""});
  }

  TEST_CASE("split_array_flag: a quoted item may hold a comma and is unquoted") {
    CHECK(split_array_flag(R"(a,"b, c",d)") == std::vector<std::string>{"a", "b, c", "d"});
    CHECK(split_array_flag(R"("x\"y")") == std::vector<std::string>{"x\"y"});
    CHECK(split_array_flag(R"("open)") == std::vector<std::string>{"\"open"});  // no closing quote: kept
  }

  TEST_CASE("parse_storage_nodes concatenates repeated flags and keeps the order") {
    auto r = parse_storage_nodes({"n1:8400,n2:8400", "n0:8400"});
    REQUIRE(r.is_ok());
    CHECK(*r == std::vector<std::string>{"n1:8400", "n2:8400", "n0:8400"});
  }

  TEST_CASE("parse_storage_nodes rejects empty and duplicate addresses") {
    CHECK(parse_storage_nodes({}).status().code() == Code::invalid_argument);
    CHECK(parse_storage_nodes({"a,,b"}).status().code() == Code::invalid_argument);
    auto dup = parse_storage_nodes({"a,b", "a"});
    CHECK(dup.status().code() == Code::invalid_argument);
    CHECK(dup.status().message().find("duplicate address \"a\"") != std::string::npos);
  }
}
