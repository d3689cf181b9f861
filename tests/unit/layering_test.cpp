// The layers only look down: every `#include "acsbatch/<layer>/…"` line of src/ and include/ is
// read and held to the layer rules of the architecture (README, "Architecture"). Violations that
// exist today are listed by file and target layer; the list may only shrink: a listed violation
// that no longer exists fails too, so whoever removes one also removes its entry.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

fs::path source_root() { return fs::path{ACSBATCH_SOURCE_DIR}; }

/// Which layers a layer must never include (issue 19's table). Any layer not named in a file's
/// path (src/<layer>/ or include/acsbatch/<layer>/) is unknown and fails the test.
const std::map<std::string, std::set<std::string>>& forbidden_targets() {
  static const std::map<std::string, std::set<std::string>> rules = {
      {"core", {"auth", "http", "identity", "engine", "job", "report", "state", "cli", "emulator"}},
      {"auth", {"http", "identity", "engine", "job", "report", "state", "cli", "emulator"}},
      {"http", {"auth", "identity", "engine", "job", "report", "state", "cli", "emulator"}},
      {"identity", {"engine", "job", "report", "state", "cli", "emulator"}},
      {"engine", {"job", "report", "state", "cli", "emulator"}},
      {"report", {"job", "state", "cli", "emulator"}},
      {"job", {"state", "cli", "emulator"}},
      {"state", {"cli", "emulator"}},
      {"emulator", {"engine", "job", "report", "state", "cli"}},
      {"cli", {}},
  };
  return rules;
}

/// Today's violations, "relative/path -> layer". Remove an entry when its include goes.
const std::set<std::string>& known_violations() {
  static const std::set<std::string> known = {
      "include/acsbatch/auth/entra_credential.hpp -> http",
      "include/acsbatch/engine/item_source.hpp -> job",
      "include/acsbatch/engine/item_stream.hpp -> report",
      "include/acsbatch/engine/load_schedule.hpp -> job",
      "include/acsbatch/engine/rate_limiter.hpp -> job",
      "include/acsbatch/engine/run_journal.hpp -> job",
      "include/acsbatch/engine/run_journal.hpp -> report",
      "include/acsbatch/engine/runner.hpp -> job",
      "include/acsbatch/engine/runner.hpp -> report",
      "include/acsbatch/engine/shard.hpp -> job",
  };
  return known;
}

struct include_edge {
  std::string file;  // relative to the source root
  std::string from;  // layer of the file
  std::string to;    // layer it includes
};

std::string layer_of(const fs::path& relative) {
  auto it = relative.begin();
  if (it == relative.end()) return {};
  const std::string top = it->string();
  ++it;
  if (top == "src" && it != relative.end()) return it->string();
  if (top == "include" && it != relative.end() && it->string() == "acsbatch") {
    ++it;
    if (it != relative.end()) return it->string();
  }
  return {};
}

std::vector<include_edge> read_include_edges() {
  static const std::regex include_line{R"(^\s*#\s*include\s*"acsbatch/([a-z_]+)/)"};
  std::vector<include_edge> edges;
  for (const char* top : {"src", "include"}) {
    for (const auto& entry : fs::recursive_directory_iterator(source_root() / top)) {
      if (!entry.is_regular_file()) continue;
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const fs::path relative = fs::relative(entry.path(), source_root());
      std::ifstream in{entry.path()};
      std::string line;
      while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, include_line))
          edges.push_back({relative.generic_string(), layer_of(relative), m[1].str()});
      }
    }
  }
  return edges;
}

TEST(Layering, EveryFileBelongsToAKnownLayer) {
  const auto edges = read_include_edges();
  ASSERT_GT(edges.size(), 100u) << "the scan found too few includes: is ACSBATCH_SOURCE_DIR right?";
  for (const auto& e : edges) {
    EXPECT_TRUE(forbidden_targets().contains(e.from)) << e.file << ": layer '" << e.from << "' is not in the rules";
    EXPECT_TRUE(forbidden_targets().contains(e.to)) << e.file << " includes unknown layer '" << e.to << "'";
  }
}

TEST(Layering, NoIncludeLooksUpExceptTheListedOnes) {
  std::set<std::string> found;
  for (const auto& e : read_include_edges()) {
    const auto rule = forbidden_targets().find(e.from);
    if (rule == forbidden_targets().end() || !rule->second.contains(e.to)) continue;
    const std::string violation = e.file + " -> " + e.to;
    found.insert(violation);
    EXPECT_TRUE(known_violations().contains(violation))
        << violation << ": the " << e.from << " layer must not include " << e.to;
  }
  for (const auto& listed : known_violations())
    EXPECT_TRUE(found.contains(listed)) << listed << " is gone: remove it from known_violations()";
}

TEST(Layering, TheLayerGraphHasNoCycle) {
  // The listed violations are upward edges by definition; the rest must form no cycle.
  std::map<std::string, std::set<std::string>> graph;
  for (const auto& e : read_include_edges())
    if (e.from != e.to && !known_violations().contains(e.file + " -> " + e.to)) graph[e.from].insert(e.to);
  std::map<std::string, int> state;  // 0 unvisited, 1 on the path, 2 done
  std::vector<std::string> path;
  std::function<bool(const std::string&)> visit = [&](const std::string& n) {
    path.push_back(n);
    if (state[n] == 1) return true;
    if (state[n] == 2) {
      path.pop_back();
      return false;
    }
    state[n] = 1;
    for (const auto& m : graph[n])
      if (visit(m)) return true;
    state[n] = 2;
    path.pop_back();
    return false;
  };
  for (const auto& [n, targets] : graph) {
    if (visit(n)) {
      std::string cycle;
      for (const auto& p : path) cycle += (cycle.empty() ? "" : " -> ") + p;
      FAIL() << "layer cycle: " << cycle;
    }
  }
}

TEST(Layering, NoSourceFileIsOverFourHundredLines) {
  for (const char* top : {"src", "include"}) {
    for (const auto& entry : fs::recursive_directory_iterator(source_root() / top)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in{entry.path()};
      const auto lines = std::count(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}, '\n');
      EXPECT_LE(lines, 400) << fs::relative(entry.path(), source_root()).generic_string()
                            << " has " << lines << " lines: split it by concept";
    }
  }
}

}  // namespace
