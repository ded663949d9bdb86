#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "route/label_sort.h"

using namespace vmt;
using namespace vmt::route;
using vmt::metric::Label;

namespace {
std::vector<std::string> names(const std::vector<Label>& v) {
  std::vector<std::string> out;
  for (const auto& l : v) out.emplace_back(l.name);
  return out;
}
std::vector<std::string> values(const std::vector<Label>& v) {
  std::vector<std::string> out;
  for (const auto& l : v) out.emplace_back(l.value);
  return out;
}
bool sorted_by_name(const std::vector<Label>& v) {
  return std::is_sorted(v.begin(), v.end(), [](const Label& a, const Label& b) { return a.name < b.name; });
}
}  // namespace

TEST_SUITE("route/label_sort") {
  TEST_CASE("go_sort_labels sorts by name in byte order; the empty metric name comes first") {
    std::vector<Label> v = {{"", "up"}, {"job", "node"}, {"instance", "h:1"}, {"Zone", "z"}, {"__x", "1"}};
    go_sort_labels(v);
    CHECK(names(v) == std::vector<std::string>{"", "Zone", "__x", "instance", "job"});
  }

  TEST_CASE("up to 12 labels pdqsort is an insertion sort: duplicates keep their order") {
    std::vector<Label> v = {{"b", "1"}, {"a", "1"}, {"b", "2"}, {"a", "2"}, {"c", "1"}, {"b", "3"},
                            {"a", "3"}, {"c", "2"}, {"a", "4"}, {"b", "4"}, {"c", "3"}, {"a", "5"}};
    go_sort_labels(v);
    CHECK(values(v) == std::vector<std::string>{"1", "2", "3", "4", "5", "1", "2", "3", "4", "1", "2", "3"});
    CHECK(sorted_by_name(v));
  }

  TEST_CASE("more than 12 labels: sorted, a permutation, deterministic") {
    std::vector<std::string> keep;  // owns the bytes
    for (int i = 0; i < 200; ++i) keep.push_back("k" + std::to_string((i * 7919) % 37));
    std::vector<Label> v, w;
    for (size_t i = 0; i < keep.size(); ++i) v.push_back({keep[i], keep[(i + 1) % keep.size()]});
    w = v;
    go_sort_labels(v);
    go_sort_labels(w);
    CHECK(sorted_by_name(v));
    CHECK(values(v) == values(w));
    auto a = names(v), b = keep;
    std::sort(b.begin(), b.end());
    CHECK(a == b);
  }

  TEST_CASE("go_sort_labels: reversed, sorted and equal inputs (heap sort and pattern-breaking paths)") {
    for (int n : {13, 49, 50, 51, 64, 100, 1000}) {
      std::vector<std::string> keep;
      for (int i = 0; i < n; ++i) {
        char b[16];
        std::snprintf(b, sizeof b, "%06d", n - i);
        keep.push_back(b);
      }
      for (int variant = 0; variant < 3; ++variant) {
        std::vector<Label> v;
        for (int i = 0; i < n; ++i) v.push_back({variant == 2 ? keep[0] : keep[variant == 1 ? n - 1 - i : i], keep[i]});
        go_sort_labels(v);
        CHECK(sorted_by_name(v));
      }
    }
  }

  TEST_CASE("sort_by_name_stable keeps duplicates in input order, small and large") {
    for (int n : {5, 64, 65, 500}) {
      std::vector<std::string> keep;
      for (int i = 0; i < n; ++i) keep.push_back(std::to_string(i));
      std::vector<Label> v;
      for (int i = 0; i < n; ++i) v.push_back({i % 2 ? "a" : "b", keep[i]});
      sort_by_name_stable(v);
      CHECK(sorted_by_name(v));
      for (size_t i = 1; i < v.size(); ++i) {
        if (v[i].name == v[i - 1].name) CHECK(std::stoi(std::string(v[i].value)) > std::stoi(std::string(v[i - 1].value)));
      }
    }
  }
}
