#pragma once
/// A latency histogram as the report writes it (`summary.operations.<op>.histogram`), and back:
///
///   {"unit":"us","sub_buckets":128,"sum":S,"min":m,"max":M,"buckets":[[upper_bound_us,count],...]}
///
/// `buckets` lists the non-empty buckets in ascending order; `sum`, `min` and `max` are exact (µs),
/// so a histogram read back merges exactly: `report merge` needs nothing else.

#include <string>

#include <boost/json/value.hpp>

#include "acsbatch/report/latency_histogram.hpp"

namespace acsbatch::report {

/// The JSON object above, on one line, without a newline.
std::string histogram_json(const latency_histogram& histogram);

/// Reads histogram_json's object back. Throws std::invalid_argument naming the problem when a
/// member is missing or mistyped, the unit is not "us", sub_buckets differs from
/// latency_histogram::sub_buckets, or the buckets are inconsistent (see from_buckets).
latency_histogram histogram_from_json(const boost::json::value& value);

}  // namespace acsbatch::report
