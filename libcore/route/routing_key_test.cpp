#include <doctest/doctest.h>

#include "base/hex.h"
#include "metric/tsid_gen.h"
#include "prom/parser.h"
#include "route/routing_key.h"

using namespace vmt;
using namespace vmt::route;
using vmt::metric::Label;

namespace {

const char* kVectorAKey =
    "000000000000000000000002757000036a6f6200046e6f64650008696e7374616e63650009686f73743a39313030";
const char* kVectorCKey =
    "00000000000000000000000275700008696e7374616e63650009686f73743a3931303000036a6f6200046e6f6465";

KeyBuilder from_line(const std::string& line, KeyOptions opt = {}) {
  static prom::Row row;  // views into row/scratch must outlive the builder's labels
  static prom::ParseScratch scratch;
  static std::string keep;
  keep = line;
  REQUIRE(prom::parse_line(keep, row, scratch).is_ok());
  KeyBuilder kb(std::move(opt));
  kb.build(row);
  return kb;
}

}  // namespace

TEST_SUITE("route/routing_key") {
  // routing.md §3.4 vector A (verified).
  TEST_CASE("vector A: key bytes and hash; __name__ and \"\" hash identically") {
    KeyBuilder kb({});
    kb.build_from_labels({{"__name__", "up"}, {"job", "node"}, {"instance", "host:9100"}});
    CHECK(to_hex(kb.key()) == kVectorAKey);
    CHECK(kb.key_hash() == 0x653478f29d9c6846ULL);
    CHECK(kb.raw() == kb.key());  // the shortcut: key == MetricNameRaw
    KeyBuilder kb2({});
    kb2.build_from_labels({{"", "up"}, {"job", "node"}, {"instance", "host:9100"}});
    CHECK(kb2.key_hash() == 0x653478f29d9c6846ULL);
  }

  TEST_CASE("vector A from a text line") {
    KeyBuilder kb = from_line("up{job=\"node\",instance=\"host:9100\"} 1");
    CHECK(to_hex(kb.key()) == kVectorAKey);
    CHECK(kb.key_hash() == 0x653478f29d9c6846ULL);
  }

  TEST_CASE("vector B: tenant 42:7") {
    KeyOptions o;
    o.account_id = 42;
    o.project_id = 7;
    KeyBuilder kb = from_line("up{job=\"node\",instance=\"host:9100\"} 1", o);
    CHECK(to_hex(kb.key()).substr(0, 16) == "0000002a00000007");
    CHECK(kb.key_hash() == 0x75b70bf172e07bcbULL);
  }

  TEST_CASE("vector C: reordered labels change the hash") {
    KeyBuilder kb = from_line("up{instance=\"host:9100\",job=\"node\"} 1");
    CHECK(to_hex(kb.key()) == kVectorCKey);
    CHECK(kb.key_hash() == 0x97c95b3ac44b0539ULL);
  }

  TEST_CASE("--sort-labels turns vector C into vector A") {
    KeyOptions o;
    o.sort_labels = true;
    KeyBuilder kb = from_line("up{job=\"node\",instance=\"host:9100\"} 1", o);
    // Sorted by name with the metric as "": "", instance, job = vector C's order.
    CHECK(kb.key_hash() == 0x97c95b3ac44b0539ULL);
  }

  TEST_CASE("label order sorted: the metric sorts as __name__ (Prometheus remote write)") {
    KeyOptions o;
    o.order = LabelOrder::sorted;
    KeyBuilder kb = from_line("up{job=\"node\",Zone=\"z\",instance=\"host:9100\"} 1", o);
    std::vector<std::string> names;
    for (const auto& l : kb.labels()) names.emplace_back(l.name);
    // Zone < __name__ < instance < job; __name__ renamed "" in place by MarshalMetricNameRaw.
    CHECK(names == std::vector<std::string>{"Zone", "", "instance", "job"});
    KeyBuilder same({});
    same.build_from_labels({{"Zone", "z"}, {"__name__", "up"}, {"instance", "host:9100"}, {"job", "node"}});
    CHECK(kb.key_hash() == same.key_hash());
  }

  TEST_CASE("empty values never enter the list; extra labels come last") {
    KeyOptions o;
    o.extra_labels = {{"dc", "eu"}, {"skip", ""}};
    KeyBuilder kb = from_line("up{job=\"node\",unused=\"\"} 1", o);
    KeyBuilder want({});
    want.build_from_labels({{"", "up"}, {"job", "node"}, {"dc", "eu"}});
    CHECK(kb.raw() == want.raw());
    CHECK(kb.key_hash() == want.key_hash());
    CHECK(kb.labels().size() == 3);
  }

  TEST_CASE("duplicate labels are all hashed") {
    KeyBuilder a = from_line("foo{a=\"1\",a=\"2\"} 1");
    KeyBuilder b = from_line("foo{a=\"2\"} 1");
    CHECK(a.key_hash() != b.key_hash());
  }

  TEST_CASE("labels past the count limit are hashed in full and unmodified, but not in the raw name") {
    KeyOptions o;
    o.limits.max_labels = 2;
    KeyBuilder kb = from_line("foo{a=\"1\",b=\"2\",__name__=\"x\"} 1", o);
    CHECK(kb.kept_labels() == 2);
    CHECK(to_hex(kb.raw()) == "0000000000000000" "0000" "0003" "666f6f" "0001" "61" "0001" "31");
    CHECK(kb.key() != kb.raw());
    // The dropped label keeps its name __name__ (no rename past the limit).
    CHECK(to_hex(kb.key()) == to_hex(kb.raw()) + "0001" "62" "0001" "32" "0008" "5f5f6e616d655f5f" "0001" "78");
    CHECK(kb.key_hash() == metric::xxhash64(kb.key()));
    CHECK(kb.raw_stats().metrics_with_dropped_labels == 1);
  }

  TEST_CASE("truncated names and values are hashed truncated") {
    KeyOptions o;
    o.limits.max_value_len = 3;
    KeyBuilder kb = from_line("foo{a=\"123456\"} 1", o);
    CHECK(kb.key() == kb.raw());
    KeyBuilder want({});
    want.build_from_labels({{"", "foo"}, {"a", "123"}});
    CHECK(kb.key_hash() == want.key_hash());
    CHECK(kb.raw_stats().too_long_label_values == 1);
  }

  TEST_CASE("a value cut to nothing is hashed as empty but left out of the raw name") {
    KeyOptions o;
    o.limits.max_value_len = 0;
    KeyBuilder kb = from_line("foo{a=\"1\"} 1", o);
    CHECK(to_hex(kb.raw()) == "0000000000000000");
    CHECK(to_hex(kb.key()) == "0000000000000000" "0000" "0000" "0001" "61" "0000");
  }

  TEST_CASE("parse_extra_label (metric/extra_label.h) splits at the first '='") {
    auto kv = metric::parse_extra_label("a=b=c");
    REQUIRE(kv.is_ok());
    CHECK(kv->name == "a");
    CHECK(kv->value == "b=c");
    CHECK(metric::parse_extra_label("a=").is_ok());
    CHECK(metric::parse_extra_label("abc").status().code() == Code::invalid_argument);
    // An empty name names the metric, as vminsert's extra_label does (one parser for both tools).
    auto metric_name = metric::parse_extra_label("=v");
    REQUIRE(metric_name.is_ok());
    CHECK(metric_name->name.empty());
  }

  TEST_CASE("build does not allocate once warmed up (buffers are reused)") {
    KeyBuilder kb({});
    prom::Row row;
    prom::ParseScratch scratch;
    std::string line = "m{a=\"1\",b=\"2\",c=\"3\"} 1";
    REQUIRE(prom::parse_line(line, row, scratch).is_ok());
    kb.build(row);
    const char* raw_before = kb.raw().data();
    const void* labels_before = kb.labels().data();
    for (int i = 0; i < 100; ++i) kb.build(row);
    CHECK(kb.raw().data() == raw_before);
    CHECK(static_cast<const void*>(kb.labels().data()) == labels_before);
  }

  TEST_CASE("v1.136+ limits drop the whole series instead of cutting labels") {
    KeyOptions o;
    o.drop_over_limits = true;
    o.limits.max_labels = 3;
    o.limits.max_value_len = 4;
    CHECK(!from_line("foo{a=\"1\",b=\"2\"} 1", o).over_limits());                 // 3 labels with the name
    CHECK(from_line("foo{a=\"1\",b=\"2\",c=\"3\"} 1", o).over_limits());         // 4
    CHECK(!from_line("foo{a=\"1234\"} 1", o).over_limits());
    CHECK(from_line("foo{a=\"12345\"} 1", o).over_limits());
    CHECK(from_line("foo{" + std::string(257, 'n') + "=\"1\"} 1", o).over_limits());
    o.drop_over_limits = false;  // v1.93.7: kept, labels cut
    CHECK(!from_line("foo{a=\"1\",b=\"2\",c=\"3\"} 1", o).over_limits());
  }
}
