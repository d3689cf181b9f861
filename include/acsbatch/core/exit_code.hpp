#pragma once
/// Process exit codes (sysexits-style, for cron). Public API: the README lists them.

namespace acsbatch {

enum class exit_code : int {
  ok = 0,
  items_failed = 1,
  threshold_failed = 2,
  usage = 64,
  invalid_job = 65,
  no_input = 66,
  unavailable = 69,
  software = 70,
  cannot_write = 73,
  locked = 75,
  interrupted = 130,
};

}  // namespace acsbatch
