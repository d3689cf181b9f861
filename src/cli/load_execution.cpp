#include "load_execution.hpp"

#include <sstream>

#include "acsbatch/engine/load_schedule.hpp"

namespace acsbatch::cli {
namespace {

std::string per_second(double rate) {
  std::ostringstream out;
  out << rate << "/s";
  return out.str();
}

std::string seconds(std::chrono::milliseconds d) {
  std::ostringstream out;
  out << static_cast<double>(d.count()) / 1000.0 << "s";
  return out.str();
}

}  // namespace

std::string load_plan(const job::job& job) {
  const auto& load = *job.load;
  std::ostringstream out;
  out << "load " << job::to_string(load.executor) << ' ';
  switch (load.executor) {
    case job::load_spec::executor_kind::constant_arrival_rate:
      out << per_second(load.rate) << " for " << seconds(load.duration);
      break;
    case job::load_spec::executor_kind::ramping_arrival_rate:
      out << per_second(load.start_rate);
      for (const auto& stage : load.stages) out << " → " << per_second(stage.target) << " in " << seconds(stage.duration);
      break;
    case job::load_spec::executor_kind::constant_concurrency:
      out << load.concurrency << " loop(s) for " << seconds(load.duration);
      break;
  }
  if (load.open_model())
    out << " (" << engine::arrival_schedule(load).total() << " iteration(s), at most " << load.max_in_flight
        << " in flight, " << (load.max_start_delay.count() == 0 ? std::string("none waits for a slot")
                                                                 : "waiting up to " + seconds(load.max_start_delay) +
                                                                       " for a slot")
        << ")";
  out << ", scenario";
  for (std::size_t i = 0; i < job.steps.size(); ++i) out << (i == 0 ? " " : " → ") << job::to_string(job.steps[i].op);
  return out.str();
}

}  // namespace acsbatch::cli
