#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "ops/format.h"

using namespace vmt;
using namespace vmt::ops;

namespace {
std::string num(double v) { Bytes b; append_export_number(b, v); return b; }
std::string js(ByteView s) { Bytes b; append_json_string(b, s); return b; }
}  // namespace

TEST_SUITE("ops/format") {
  // Forms seen in ../shared/fixtures/vm-cluster-1.93/tiny/export/tenant-0-0.jsonl.
  TEST_CASE("export numbers print like quicktemplate's {%f= %}") {
    CHECK(num(42) == "42");
    CHECK(num(-0.0) == "0");
    CHECK(num(0.00001) == "0.00001");
    CHECK(num(0.000000001) == "0.000000001");
    CHECK(num(2.718281828459) == "2.718281828459");
    CHECK(num(1e19) == "10000000000000000000");
    CHECK(num(12345678901234567000.0) == "12345678901234567000");
    CHECK(num(1e300).size() == 301);
    CHECK(num(9007199254740992.0) == "9007199254740992");
    CHECK(num(std::numeric_limits<double>::infinity()) == "\"Infinity\"");
    CHECK(num(-std::numeric_limits<double>::infinity()) == "\"-Infinity\"");
    // A stale marker (the only NaN storage keeps): null, as the server's convertValueToSpecialJSON
    // prints it (checked: v1.148.0's export of remote-written stale markers, tests/fixtures/prom-2.42).
    CHECK(num(std::nan("")) == "null");
  }

  TEST_CASE("JSON strings escape like quicktemplate's {%qz= %}") {
    CHECK(js("line1\nline2") == "\"line1\\nline2\"");
    CHECK(js("C:\\Program Files\\vm") == "\"C:\\\\Program Files\\\\vm\"");
    CHECK(js("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(js("a<b>c'd&") == "\"a\\u003cb>c\\u0027d&\"");
    CHECK(js(ByteView("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
    CHECK(js("Zürich 🚀") == "\"Zürich 🚀\"");
  }

  TEST_CASE("exposition label values and numbers") {
    Bytes b;
    append_prom_label_value(b, "a\"b\\c\nd");
    CHECK(b == "\"a\\\"b\\\\c\\nd\"");
    b.clear();
    append_prom_number(b, -std::numeric_limits<double>::infinity());
    CHECK(b == "-Inf");
  }
}
