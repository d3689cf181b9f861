#include "acsbatch/report/latency_timeline.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/json.hpp>

#include "json_text.hpp"

namespace acsbatch::report {
namespace {

using detail::append_json_string;
using detail::json_fixed3;

std::invalid_argument invalid(const std::string& what) { return std::invalid_argument("latency_timeline: " + what); }

std::uint64_t as_unsigned(const boost::json::value& value, const std::string& what) {
  if (const auto* u = value.if_uint64()) return *u;
  if (const auto* i = value.if_int64(); i && *i >= 0) return static_cast<std::uint64_t>(*i);
  throw invalid(what + " is not a non-negative integer");
}

const boost::json::value& member(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (!value) throw invalid("missing \"" + std::string(key) + "\"");
  return *value;
}

std::string ms_text(std::uint64_t us) { return json_fixed3(static_cast<double>(us) / 1000.0); }

}  // namespace

std::uint16_t latency_timeline::bucket_index(std::uint64_t value_us) {
  if (value_us == 0) return 0;
  const unsigned magnitude = static_cast<unsigned>(std::bit_width(value_us)) - 1;
  if (magnitude >= magnitudes) return static_cast<std::uint16_t>(bucket_count - 1);
  const std::uint64_t offset = value_us - (std::uint64_t{1} << magnitude);
  const std::uint64_t sub = magnitude >= sub_bucket_bits ? offset >> (magnitude - sub_bucket_bits)
                                                         : offset << (sub_bucket_bits - magnitude);
  return static_cast<std::uint16_t>(magnitude * sub_buckets + sub);
}

std::uint64_t latency_timeline::bucket_upper_bound_us(std::size_t index) {
  index = std::min(index, bucket_count - 1);
  const unsigned magnitude = static_cast<unsigned>(index / sub_buckets);
  const std::uint64_t sub = index % sub_buckets;
  const std::uint64_t base = std::uint64_t{1} << magnitude;
  if (magnitude >= sub_bucket_bits) return base + ((sub + 1) << (magnitude - sub_bucket_bits)) - 1;
  return base + (sub >> (sub_bucket_bits - magnitude));
}

void latency_timeline::slot::add(std::uint16_t index, std::uint64_t n) {
  if (n == 0) return;
  count += n;
  const auto it = std::lower_bound(buckets.begin(), buckets.end(), index,
                                   [](const auto& b, std::uint16_t i) { return b.first < i; });
  constexpr std::uint64_t cap = std::numeric_limits<std::uint32_t>::max();
  if (it != buckets.end() && it->first == index)
    it->second = static_cast<std::uint32_t>(std::min<std::uint64_t>(cap, it->second + n));
  else
    buckets.insert(it, {index, static_cast<std::uint32_t>(std::min(cap, n))});
}

std::uint64_t latency_timeline::slot::percentile_us(double q) const {
  if (count == 0) return 0;
  if (!(q > 0.0)) q = 0.0;
  q = std::min(q, 1.0);
  std::uint64_t total = 0;
  for (const auto& [index, n] : buckets) total += n;  // below `count` only after saturation
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total))));
  std::uint64_t seen = 0;
  for (const auto& [index, n] : buckets) {
    seen += n;
    if (seen < rank) continue;
    if (index + 1u == bucket_count) return max_us;
    return std::min(bucket_upper_bound_us(index), max_us);
  }
  return max_us;
}

void latency_timeline::make_room(std::uint64_t second) {
  while (second / resolution_s_ >= max_slots) {
    resolution_s_ *= 2;
    for (auto& [op, slots] : operations_) {
      std::vector<slot> wider((slots.size() + 1) / 2);
      for (std::size_t i = 0; i < slots.size(); ++i) {
        auto& into = wider[i / 2];
        for (const auto& [index, n] : slots[i].buckets) into.add(index, n);
        into.max_us = std::max(into.max_us, slots[i].max_us);
      }
      slots = std::move(wider);
    }
  }
}

latency_timeline::slot& latency_timeline::slot_at(const std::string& op, std::uint64_t second) {
  second = std::min(second, max_second);
  make_room(second);
  auto& slots = operations_[op];
  const std::size_t i = static_cast<std::size_t>(second / resolution_s_);
  if (slots.size() <= i) slots.resize(i + 1);
  return slots[i];
}

void latency_timeline::record(const std::string& op, std::uint64_t second, std::uint64_t latency_us) {
  auto& s = slot_at(op, second);
  s.add(bucket_index(latency_us), 1);
  s.max_us = std::max(s.max_us, latency_us);
}

void latency_timeline::merge(const latency_timeline& other, std::uint64_t offset_s) {
  // Widen first, so that other's slots each land in exactly one of ours.
  while (resolution_s_ < other.resolution_s_) make_room(max_slots * resolution_s_);
  for (const auto& [op, slots] : other.operations_) {
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].count == 0) continue;
      auto& into = slot_at(op, offset_s + i * other.resolution_s_);
      for (const auto& [index, n] : slots[i].buckets) into.add(index, n);
      into.max_us = std::max(into.max_us, slots[i].max_us);
    }
  }
}

std::string latency_timeline::to_json() const {
  std::string out = "{\"resolution_s\":" + std::to_string(resolution_s_) +
                    ",\"sub_buckets\":" + std::to_string(sub_buckets) + ",\"operations\":{";
  bool first_op = true;
  for (const auto& [op, slots] : operations_) {
    out += first_op ? "\n" : ",\n";
    first_op = false;
    append_json_string(out, op);
    out += ":[";
    bool first_slot = true;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const auto& s = slots[i];
      if (s.count == 0) continue;
      out += first_slot ? "\n" : ",\n";
      first_slot = false;
      out += "{\"t\":" + std::to_string(i * resolution_s_) + ",\"count\":" + std::to_string(s.count) +
             ",\"p50\":" + ms_text(s.percentile_us(0.50)) + ",\"p90\":" + ms_text(s.percentile_us(0.90)) +
             ",\"p99\":" + ms_text(s.percentile_us(0.99)) + ",\"max\":" + ms_text(s.max_us) + ",\"buckets\":[";
      bool first_bucket = true;
      for (const auto& [index, n] : s.buckets) {
        if (!first_bucket) out += ',';
        first_bucket = false;
        out += '[' + std::to_string(bucket_upper_bound_us(index)) + ',' + std::to_string(n) + ']';
      }
      out += "]}";
    }
    out += "]";
  }
  out += "}}";
  return out;
}

latency_timeline latency_timeline::from_json(const boost::json::value& value) {
  const auto* object = value.if_object();
  if (!object) throw invalid("not an object");
  latency_timeline out;
  const auto resolution = as_unsigned(member(*object, "resolution_s"), "\"resolution_s\"");
  if (resolution == 0 || !std::has_single_bit(resolution) || resolution > max_second)
    throw invalid("\"resolution_s\" must be a power of two");
  if (as_unsigned(member(*object, "sub_buckets"), "\"sub_buckets\"") != sub_buckets)
    throw invalid("\"sub_buckets\" must be " + std::to_string(sub_buckets));
  out.resolution_s_ = resolution;
  const auto* operations = member(*object, "operations").if_object();
  if (!operations) throw invalid("\"operations\" must be an object");
  for (const auto& [op, slots_value] : *operations) {
    const auto* slots = slots_value.if_array();
    if (!slots) throw invalid("the slots of an operation must be an array");
    auto& into = out.operations_[std::string(op)];
    for (const auto& slot_value : *slots) {
      const auto* slot_object = slot_value.if_object();
      if (!slot_object) throw invalid("a slot must be an object");
      const auto t = as_unsigned(member(*slot_object, "t"), "\"t\"");
      if (t % resolution != 0 || t > max_second) throw invalid("\"t\" " + std::to_string(t) + " is not a slot's start");
      if (t / resolution >= max_slots) throw invalid("more than " + std::to_string(max_slots) + " slots");
      const std::size_t i = static_cast<std::size_t>(t / resolution);
      if (into.size() > i) throw invalid("slots are not in ascending order of \"t\"");
      into.resize(i + 1);
      auto& s = into[i];
      const auto* buckets = member(*slot_object, "buckets").if_array();
      if (!buckets) throw invalid("\"buckets\" must be an array");
      std::optional<std::uint16_t> previous;
      for (const auto& entry : *buckets) {
        const auto* pair = entry.if_array();
        if (!pair || pair->size() != 2) throw invalid("a bucket is not an [upper_bound_us, count] pair");
        const auto upper = as_unsigned((*pair)[0], "a bucket's upper bound");
        const auto n = as_unsigned((*pair)[1], "a bucket's count");
        const auto index = bucket_index(upper);
        if (bucket_upper_bound_us(index) != upper)
          throw invalid(std::to_string(upper) + " us is not a bucket's upper bound");
        if (previous && index <= *previous) throw invalid("bucket bounds do not ascend");
        if (n > std::numeric_limits<std::uint32_t>::max()) throw invalid("a bucket's count is too large");
        previous = index;
        s.add(index, n);
      }
      const auto count = as_unsigned(member(*slot_object, "count"), "\"count\"");
      if (count != s.count) throw invalid("a slot's \"count\" is not the sum of its buckets");
      const auto max_ms = member(*slot_object, "max");
      double max_value = 0;
      if (const auto* d = max_ms.if_double()) max_value = *d;
      else max_value = static_cast<double>(as_unsigned(max_ms, "\"max\""));
      if (!(max_value >= 0) || max_value > 1e13) throw invalid("\"max\" is out of range");
      s.max_us = static_cast<std::uint64_t>(std::llround(max_value * 1000.0));
      if (s.count > 0 && bucket_index(s.max_us) != s.buckets.back().first)
        throw invalid("\"max\" does not fall in the last non-empty bucket");
    }
  }
  return out;
}

}  // namespace acsbatch::report
