// Label orders applied before hashing: vminsert's -sortLabels and Prometheus remote write's order.
//
// Spec: routing.md §1 step 3 (-sortLabels: sort by name, byte order, NOT stable: Go sort.Sort).
// Go: app/vminsert/netstorage/sort_labels.go (sortedLabels.Less compares names only), and Go's
// sort.Sort (pdqsort since Go 1.19: sort.go, zsortinterface.go), ported here step by step so that
// labels with EQUAL names (duplicates) end up in the same order as in vminsert. Up to 12 labels
// pdqsort is an insertion sort, i.e. stable; beyond that equal names may be reordered.
//
// sort_by_name_stable is the order Prometheus sends in remote write (labels.Labels are sorted by
// name, "__name__" included at its byte position; names are unique there, so stability only
// matters for our text input with duplicate names).
#pragma once

#include <vector>

#include "metric/metric_name.h"

namespace vmt::route {

// sort.Sort(&sortedLabels) of vminsert: Go's pdqsort with Less = name < name.
void go_sort_labels(std::vector<metric::Label>& labels);

// A stable sort by name (byte order). No allocation up to 64 labels.
void sort_by_name_stable(std::vector<metric::Label>& labels);

}  // namespace vmt::route
