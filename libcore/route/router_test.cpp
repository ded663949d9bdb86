#include <doctest/doctest.h>

#include <zlib.h>

#include "../tests/test_support.h"
#include "route/route_stats.h"
#include "route/router.h"
#include "route/wire_reader.h"

using namespace vmt;
using namespace vmt::route;

namespace {

RouteOptions options(const std::string& out_dir) {
  RouteOptions o;
  o.placement.nodes = {"127.0.0.1:8400", "127.0.0.1:8410", "127.0.0.1:8420"};
  o.out_dir = out_dir;
  o.threads = 1;
  return o;
}

void write(const std::string& path, const std::string& text) { REQUIRE(fs::write_file_sync(path, text).is_ok()); }

std::string read(const std::string& path) {
  auto r = fs::read_file(path, 1 << 26);
  REQUIRE(r.is_ok());
  return *r;
}

const char* kInput =
    "# HELP up x\n"
    "up{job=\"node\",instance=\"host:9100\"} 1 1700000000000\n"
    "\n"
    "up{instance=\"host:9100\",job=\"node\"} 2 1700000000000\n"
    "bad line here\n"
    "m{a=\"1\"} 3\n"
    "tenant_only 4 1700000000\n";

}  // namespace

TEST_SUITE("route/router") {
  TEST_CASE("node_file_name is index and sanitised address") {
    CHECK(node_file_name(0, "127.0.0.1:8400", OutputFormat::prom) == "node-0_127.0.0.1_8400.prom");
    CHECK(node_file_name(12, "vm/../x y:1", OutputFormat::wire) == "node-12_vm_.._x_y_1.wire");
    CHECK(node_file_name(1, std::string(300, 'a'), OutputFormat::prom).size() == 7 + 100 + 5);
  }

  TEST_CASE("prom and wire outputs hold the same rows; bad lines are counted and reported") {
    test::TempDir tmp;
    write(tmp.sub("in.prom"), kInput);
    std::vector<std::string> warnings;
    RouteHooks hooks;
    hooks.warn = [&](const std::string& m) { warnings.push_back(m); };
    for (unsigned threads : {1u, 3u}) {
      RouteOptions o = options(tmp.sub("prom"));
      o.threads = threads;
      o.clear_out_dir = true;  // the second pass writes where the first did (--force)
      warnings.clear();
      auto rep = route_inputs(o, {tmp.sub("in.prom")}, hooks);
      REQUIRE(rep.is_ok());
      CHECK(rep->rows == 4);
      CHECK(rep->bad_lines == 1);
      REQUIRE(warnings.size() == 1);
      CHECK(warnings[0].find(tmp.sub("in.prom") + ":5: cannot unmarshal Prometheus line") == 0);
      CHECK(warnings[0].find("\"bad line here\"") != std::string::npos);
      uint64_t total = 0;
      std::string all;
      for (const auto& n : rep->nodes) {
        total += n.rows;
        all += read(n.file);
        CHECK_FALSE(fs::exists(n.file + ".tmp"));
      }
      CHECK(total == 4);
      CHECK(all.find("up{job=\"node\",instance=\"host:9100\"} 1 1700000000000\n") != std::string::npos);
      CHECK(all.find("m{a=\"1\"} 3\n") != std::string::npos);  // no timestamp: left to the importer
    }

    RouteOptions w = options(tmp.sub("wire"));
    w.format = OutputFormat::wire;
    w.default_timestamp_ms = 1234;
    auto rep = route_inputs(w, {tmp.sub("in.prom")}, {});
    REQUIRE(rep.is_ok());
    uint64_t rows = 0;
    for (const auto& n : rep->nodes) {
      std::string s = read(n.file);
      WireReader r(s);
      REQUIRE(r.read_handshake().is_ok());
      ByteView payload;
      uint64_t node_rows = 0;
      for (;;) {
        auto more = r.next_packet(&payload);
        REQUIRE(more.is_ok());
        if (!*more) break;
        ByteReader in(payload);
        while (!in.empty()) {
          auto row = next_metric_row(in);
          REQUIRE(row.is_ok());
          CHECK((row->timestamp == 1700000000000 || row->timestamp == 1234));
          ++node_rows;
        }
      }
      CHECK(node_rows == n.rows);
      rows += node_rows;
    }
    CHECK(rows == 4);
  }

  TEST_CASE("--strict stops at the first bad line and leaves no file behind") {
    test::TempDir tmp;
    write(tmp.sub("in.prom"), kInput);
    RouteOptions o = options(tmp.sub("out"));
    o.strict = true;
    auto rep = route_inputs(o, {tmp.sub("in.prom")}, {});
    REQUIRE_FALSE(rep.is_ok());
    CHECK(rep.status().code() == Code::corruption);
    CHECK(rep.status().message().find("in.prom:5: ") != std::string::npos);
    auto entries = fs::list_dir(tmp.sub("out"));
    REQUIRE(entries.is_ok());
    CHECK(entries->empty());
  }

  TEST_CASE("gzip input and several inputs; line numbers restart per input") {
    test::TempDir tmp;
    std::string text = std::string(kInput);
    gzFile gz = gzopen(tmp.sub("in.prom.gz").c_str(), "wb");
    REQUIRE(gz != nullptr);
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    write(tmp.sub("plain.prom"), "x 1\nbroken\n");
    RouteOptions o = options("");
    o.count_series = true;
    std::vector<std::string> warnings;
    RouteHooks hooks;
    hooks.warn = [&](const std::string& m) { warnings.push_back(m); };
    auto rep = route_inputs(o, {tmp.sub("in.prom.gz"), tmp.sub("plain.prom")}, hooks);
    REQUIRE(rep.is_ok());
    CHECK(rep->rows == 5);
    CHECK(rep->bad_lines == 2);
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[1].find("plain.prom:2: ") != std::string::npos);
    CHECK(rep->series_counted);
    CHECK(rep->series == 5);  // the two "up" rows differ in label order: two keys
  }

  TEST_CASE("replication and an unavailable node") {
    test::TempDir tmp;
    std::string text;
    for (int i = 0; i < 3000; ++i) text += "m{i=\"" + std::to_string(i) + "\"} 1 1700000000000\n";
    write(tmp.sub("in.prom"), text);
    RouteOptions o = options("");
    o.count_series = true;
    o.placement.replication_factor = 2;
    auto rep = route_inputs(o, {tmp.sub("in.prom")}, {});
    REQUIRE(rep.is_ok());
    CHECK(rep->rows == 3000);
    uint64_t copies = 0;
    for (const auto& n : rep->nodes) copies += n.rows;
    CHECK(copies == 6000);

    RouteOptions d = options("");
    d.placement.unavailable = {"127.0.0.1:8410"};
    auto down = route_inputs(d, {tmp.sub("in.prom")}, {});
    REQUIRE(down.is_ok());
    CHECK(down->nodes[1].rows == 0);
    CHECK(down->nodes[0].rows + down->nodes[2].rows == 3000);
    CHECK(down->rerouted_rows > 500);
    CHECK(down->nodes[0].rerouted_in + down->nodes[2].rerouted_in == down->rerouted_rows);
  }

  TEST_CASE("usage errors: missing input, unknown --unavailable, unwritable extra label") {
    test::TempDir tmp;
    RouteOptions o = options(tmp.sub("out"));
    CHECK(route_inputs(o, {tmp.sub("nope.prom")}, {}).status().code() == Code::invalid_argument);
    CHECK_FALSE(fs::exists(tmp.sub("out")));
    o.placement.unavailable = {"x"};
    CHECK(route_inputs(o, {}, {}).status().code() == Code::invalid_argument);
    RouteOptions e = options(tmp.sub("out"));
    e.key.extra_labels = {{" a", "b"}};
    CHECK(route_inputs(e, {}, {}).status().code() == Code::invalid_argument);
  }

  TEST_CASE("a too-long line is a data error, not a usage one") {
    test::TempDir tmp;
    write(tmp.sub("long.prom"), "m 1\nm{a=\"" + std::string(300000, 'x') + "\"} 1\n");
    auto rep = route_inputs(options(""), {tmp.sub("long.prom")}, {});
    REQUIRE_FALSE(rep.is_ok());
    CHECK(rep.status().code() == Code::corruption);
    CHECK(rep.status().message().find("too long line") != std::string::npos);
  }

  TEST_CASE("stats renderers") {
    RouteReport r;
    r.nodes.resize(3);
    r.nodes[0] = {"a", true, "", 10, 0, 2, 0};
    r.nodes[1] = {"b", true, "", 20, 0, 4, 0};
    r.nodes[2] = {"c", false, "", 0, 0, 0, 0};
    r.rows = 30;
    r.series = 6;
    r.series_counted = true;
    CHECK(skew(r, false) == doctest::Approx(20.0 / 15.0));
    CHECK(skew(r, true) == doctest::Approx(4.0 / 3.0));
    Bytes json;
    render_stats_json(r, json);
    CHECK(json.find("{\"index\":2,\"addr\":\"c\",\"available\":false,\"rows\":0,\"series\":0,\"rerouted_in\":0}") !=
          std::string::npos);
    CHECK(json.find("\"skew\":{\"rows\":1.333333,\"series\":1.333333}") != std::string::npos);
    Bytes text;
    render_stats_text(r, text);
    CHECK(text.find("c (unavailable)") != std::string::npos);
  }

  TEST_CASE("a non-empty --out-dir is refused; clear_out_dir removes only our node-* files") {
    test::TempDir tmp;
    write(tmp.sub("in.prom"), kInput);
    RouteOptions o = options(tmp.sub("out"));
    REQUIRE(route_inputs(o, {tmp.sub("in.prom")}, {}).is_ok());
    auto again = route_inputs(o, {tmp.sub("in.prom")}, {});
    REQUIRE(!again.is_ok());
    CHECK(again.status().code() == Code::invalid_argument);
    write(tmp.sub("out/keep.txt"), "mine");
    o.clear_out_dir = true;
    REQUIRE(route_inputs(o, {tmp.sub("in.prom")}, {}).is_ok());
    CHECK(fs::exists(tmp.sub("out/keep.txt")));
  }
}
