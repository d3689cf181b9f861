#include "acsbatch/report/histogram_json.hpp"

#include <stdexcept>
#include <vector>

#include <boost/json.hpp>

namespace acsbatch::report {
namespace {

std::invalid_argument invalid(const std::string& what) { return std::invalid_argument("histogram: " + what); }

std::uint64_t as_unsigned(const boost::json::value& value, const std::string& what) {
  if (const auto* u = value.if_uint64()) return *u;
  if (const auto* i = value.if_int64(); i && *i >= 0) return static_cast<std::uint64_t>(*i);
  throw invalid(what + " is not a non-negative integer");
}

std::uint64_t unsigned_member(const boost::json::object& object, std::string_view key) {
  const std::string name = "\"" + std::string(key) + "\"";
  const auto* value = object.if_contains(key);
  if (!value) throw invalid("missing " + name);
  return as_unsigned(*value, name);
}

}  // namespace

std::string histogram_json(const latency_histogram& histogram) {
  std::string out = "{\"unit\":\"us\",\"sub_buckets\":" + std::to_string(latency_histogram::sub_buckets) +
                    ",\"sum\":" + std::to_string(histogram.sum_us()) + ",\"min\":" +
                    std::to_string(histogram.min_us()) + ",\"max\":" + std::to_string(histogram.max_us()) +
                    ",\"buckets\":[";
  bool first = true;
  for (const auto& [upper_us, count] : histogram.buckets()) {
    if (!first) out += ',';
    first = false;
    out += '[' + std::to_string(upper_us) + ',' + std::to_string(count) + ']';
  }
  out += "]}";
  return out;
}

latency_histogram histogram_from_json(const boost::json::value& value) {
  const auto* object = value.if_object();
  if (!object) throw invalid("not an object");
  const auto* unit = object->if_contains("unit");
  if (!unit || !unit->is_string() || unit->get_string() != "us") throw invalid("\"unit\" must be \"us\"");
  if (unsigned_member(*object, "sub_buckets") != latency_histogram::sub_buckets)
    throw invalid("\"sub_buckets\" must be " + std::to_string(latency_histogram::sub_buckets));
  const auto* buckets = object->if_contains("buckets");
  if (!buckets || !buckets->is_array()) throw invalid("\"buckets\" must be an array");

  std::vector<latency_histogram::bucket> pairs;
  pairs.reserve(buckets->get_array().size());
  for (const auto& entry : buckets->get_array()) {
    const auto* pair = entry.if_array();
    if (!pair || pair->size() != 2) throw invalid("a bucket is not an [upper_bound_us, count] pair");
    pairs.emplace_back(as_unsigned((*pair)[0], "a bucket's upper bound"), as_unsigned((*pair)[1], "a bucket's count"));
  }
  return latency_histogram::from_buckets(pairs, unsigned_member(*object, "sum"), unsigned_member(*object, "min"),
                                         unsigned_member(*object, "max"));
}

}  // namespace acsbatch::report
