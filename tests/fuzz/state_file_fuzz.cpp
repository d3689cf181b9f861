// Bytes → emulator::read_store_state, the reader of the emulator's state file (`--state`), which
// a user may hand-edit or which a crash may have cut short. Properties: only config_error
// escapes, its message names the file ("emulator state file NAME:LINE…"), and never shows the
// header's tokenSecret; a state that reads back is one identity_store accepts, and writing it
// is a fixed point (write → read → write gives the same bytes).

#include <sstream>
#include <string>

#include "acsbatch/core/error.hpp"
#include "acsbatch/emulator/identity_store.hpp"
#include "acsbatch/emulator/state_file.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace acsbatch;

constexpr const char* file_name = "fuzz-state.json";

/// The value of "tokenSecret" on the first line, as written (between its quotes); empty if none.
std::string token_secret_text(std::string_view text) {
  const auto [header, rest] = fuzz::first_line(text);
  constexpr std::string_view key = "\"tokenSecret\":\"";
  const auto at = header.find(key);
  if (at == std::string_view::npos) return {};
  const auto begin = at + key.size();
  const auto end = header.find('"', begin);
  if (end == std::string_view::npos) return {};
  return std::string(header.substr(begin, end - begin));
}

bool is_base64_text(std::string_view text) {
  return text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
         std::string_view::npos;
}

std::string written(const emulator::store_state& state) {
  std::ostringstream out;
  emulator::write_store_state(state, out);
  return out.str();
}

emulator::store_state read(std::string_view text) {
  std::istringstream in{std::string(text)};
  return emulator::read_store_state(in, file_name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::text_of(data, size);
  emulator::store_state state;
  try {
    state = read(text);
  } catch (const config_error& e) {
    const std::string message = e.what();
    fuzz::check(message.starts_with(std::string("emulator state file ") + file_name),
                "a state file error does not name the file", message);
    // Only a base64 secret that appears once in the input can be leaked by the message: shorter
    // or other texts may be words of the message itself (the file name, a key).
    const std::string secret = token_secret_text(text);
    if (secret.size() >= 16 && is_base64_text(secret) && text.find(secret) == text.rfind(secret))
      fuzz::check(message.find(secret) == std::string::npos, "a state file error shows the tokenSecret",
                  message);
    return 0;
  }

  // What the reader accepted, the store must take: load_store_state promises consistency.
  try {
    emulator::identity_store store{state};
    (void)store.counters();
  } catch (const std::exception& e) {
    fuzz::fail("identity_store refused a state the reader accepted", e.what());
  }

  const std::string first = written(state);
  emulator::store_state again;
  try {
    again = read(first);
  } catch (const config_error& e) {
    fuzz::fail("the reader refuses what the writer wrote", std::string(e.what()) + "\n--- written:\n" + first);
  }
  const std::string second = written(again);
  fuzz::check(first == second, "write -> read -> write is not a fixed point", first + "\n--- then:\n" + second);
  return 0;
}
