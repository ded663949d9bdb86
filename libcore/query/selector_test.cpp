#include "query/selector.h"

#include <doctest/doctest.h>

namespace vmt::query {
namespace {

metric::MetricName mn(std::string name, std::vector<std::pair<std::string, std::string>> tags) {
  metric::MetricName m;
  m.metric_group = std::move(name);
  for (auto& [k, v] : tags) m.tags.push_back({k, v});
  return m;
}

bool sel(const std::string& text, const metric::MetricName& m) {
  auto s = parse_selector(text);
  REQUIRE_MESSAGE(s.is_ok(), text << ": " << s.status().message());
  return s->matches(m);
}

std::string parse_error(const std::string& text) {
  auto s = parse_selector(text);
  REQUIRE_FALSE(s.is_ok());
  return s.status().message();
}

}  // namespace

TEST_CASE("selector: a bare name and braces become __name__ filters of every or-branch") {
  auto s = parse_selector("up{job=\"a\" or job=\"b\",x!~'y'}");
  REQUIRE(s.is_ok());
  REQUIRE(s->branches.size() == 2);
  CHECK(s->branches[0].matchers.size() == 2);
  CHECK(s->branches[1].matchers.size() == 3);
  for (const auto& b : s->branches) CHECK(b.matchers[0].to_string() == "__name__=\"up\"");
  CHECK(s->branches[1].matchers[2].to_string() == "x!~\"y\"");
  auto bare = parse_selector("  node_cpu_seconds_total  # comment");
  REQUIRE(bare.is_ok());
  REQUIRE(bare->branches.size() == 1);
  CHECK(bare->branches[0].matchers.size() == 1);
  auto empty_braces = parse_selector("tiny_no_labels{}");
  REQUIRE(empty_braces.is_ok());
  CHECK(empty_braces->branches[0].matchers.size() == 1);
  CHECK(parse_selector("{a=\"b\",}").is_ok());  // trailing comma
}

TEST_CASE("selector: what the server refuses is refused, with the offset") {
  CHECK(parse_error("{}").find("offset 2") != std::string::npos);
  CHECK(parse_error("up{").find("missing '}'") != std::string::npos);
  CHECK(parse_error("").find("offset 0") != std::string::npos);
  CHECK(parse_error("rate(up[5m])").find("offset 4") != std::string::npos);
  CHECK(parse_error("up[5m]").find("offset 2") != std::string::npos);
  CHECK(parse_error("up offset 5m").find("offset 3") != std::string::npos);
  CHECK(parse_error("{job=\"tiny\"} or up").find("offset 13") != std::string::npos);
  CHECK(parse_error("{\"up\"}").find("label name") != std::string::npos);
  CHECK(parse_error("{job=~\"(\"}").find("offset 1: invalid regexp") != std::string::npos);
  CHECK(parse_error("{job=tiny}").find("quoted string") != std::string::npos);
  CHECK(parse_error("{job==\"x\"}").find("quoted string") != std::string::npos);
  CHECK(parse_error("{a=\"b\" or}").find("empty `or` branch") != std::string::npos);
  CHECK(parse_error("{a=\"b\\q\"}").find("invalid escape") != std::string::npos);
}

TEST_CASE("selector: Go's string escapes") {
  auto one = [](const std::string& quoted) {
    size_t pos = 0;
    auto r = unquote_go(quoted, &pos);
    REQUIRE_MESSAGE(r.is_ok(), quoted);
    CHECK(pos == quoted.size());
    return *r;
  };
  CHECK(one(R"("C:\\Program Files\\vm")") == "C:\\Program Files\\vm");
  CHECK(one(R"("say \"hi\"")") == "say \"hi\"");
  CHECK(one(R"("line1\nline2")") == "line1\nline2");
  CHECK(one(R"("\x41\u00fc\U0001F680\101")") == "A\xC3\xBC\xF0\x9F\x9A\x80" "A");
  CHECK(one(R"('it\'s "x"')") == "it's \"x\"");
  CHECK(one("`raw\\n`") == "raw\\n");
  size_t pos = 0;
  CHECK_FALSE(unquote_go("\"a\nb\"", &pos).is_ok());
  pos = 0;
  CHECK_FALSE(unquote_go("\"\\'\"", &pos).is_ok());  // \' only in single quotes
  pos = 0;
  CHECK_FALSE(unquote_go("\"\\uD800\"", &pos).is_ok());
}

TEST_CASE("selector: a missing label has the value \"\"") {
  auto gpu = mn("tiny_temperature_celsius", {{"job", "tiny"}, {"sensor", "gpu"}});
  auto bare = mn("tiny_no_labels", {});
  CHECK(sel("{job=\"\"}", bare));
  CHECK_FALSE(sel("{job=\"\"}", gpu));
  CHECK(sel("{job!=\"\"}", gpu));
  CHECK(sel("tiny_temperature_celsius{unused=\"\"}", gpu));
  CHECK_FALSE(sel("tiny_temperature_celsius{unused!=\"\"}", gpu));
  CHECK(sel("{code=~\"200|\"}", bare));
  CHECK(sel("{sensor!~\"c.*\"}", bare));
  CHECK(sel("{sensor!~\"c.*\"}", gpu));
  CHECK_FALSE(sel("{__name__=\"\"}", gpu));
  // l!~".*" is l!~".+" at the server: the series without l.
  CHECK(sel("{__name__=~\"tiny_no.*\",job!~\".*\"}", bare));
  CHECK_FALSE(sel("{__name__=~\"tiny_.*\",job!~\".*\"}", gpu));
  CHECK(sel("{job!~\"\"}", gpu));
  CHECK_FALSE(sel("{job!~\"\"}", bare));
}

TEST_CASE("selector: regexps are anchored RE2, with the server's newline rules") {
  auto req = mn("tiny_requests_total", {{"code", "200"}, {"instance", "host-a:9100"}});
  CHECK(sel("{code=~\"2..\"}", req));
  CHECK_FALSE(sel("{code=~\"2\"}", req));
  CHECK_FALSE(sel("{code=~\"20\"}", req));
  CHECK(sel("{instance=~\"host-a\\\\:9100\"}", req));
  CHECK_FALSE(sel("{__name__=~\"TINY_.*\"}", req));
  CHECK(sel("{__name__=~\"(?i)TINY_.*\"}", req));
  auto ml = mn("tiny_escaped_labels", {{"multiline", "line1\nline2"}});
  CHECK(sel("{multiline=~\"line1.*\"}", ml));       // prefix fast path: bytes
  CHECK(sel("{multiline=~\".*line2\"}", ml));       // suffix fast path
  CHECK(sel("{multiline=~\".+ne1.+\"}", ml));       // middle fast path
  CHECK_FALSE(sel("{multiline=~\"line1.line2\"}", ml));  // Go's '.': no newline
  CHECK_FALSE(sel("{multiline=~\"(line1.*)\"}", ml));    // no fast form here: RE2
  auto emoji = mn("tiny_unicode_labels", {{"emoji", "\xF0\x9F\x9A\x80"}});
  CHECK(sel("{emoji=~\".\"}", emoji));  // one code point
}

TEST_CASE("selector: or-branches and several selectors") {
  auto a = mn("x", {{"a", "1"}});
  auto b = mn("x", {{"b", "2"}});
  CHECK(sel("x{a=\"1\" or b=\"2\"}", a));
  CHECK(sel("x{a=\"1\" or b=\"2\"}", b));
  CHECK_FALSE(sel("y{a=\"1\" or b=\"2\"}", b));
  std::vector<Selector> two;
  two.push_back(*parse_selector("{a=\"1\"}"));
  two.push_back(*parse_selector("{b=\"3\"}"));
  CHECK(matches_any(two, a));
  CHECK_FALSE(matches_any(two, b));
  CHECK(matches_any({}, b));
}

}  // namespace vmt::query
