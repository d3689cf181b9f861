#include "document.hpp"

#include <sstream>

#include <yaml-cpp/eventhandler.h>

namespace acsbatch::job::detail {
namespace {

/// Notes where documents start and ignores everything else.
class document_starts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;

  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

constexpr std::string_view empty_message =
    "the job file is empty (it needs version, name, connection, users and steps)";

}  // namespace

std::optional<YAML::Node> load_single_document(std::string_view text, problems& out) {
  try {
    // yaml-cpp 0.7's LoadAll never returns on some inputs (a stray ',' at the top yields empty
    // documents forever, without consuming it), so documents are counted here, two at most.
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    document_starts starts;
    while (starts.marks.size() < 2 && parser.HandleNextDocument(starts)) {
    }
    if (starts.marks.empty()) {
      out.error({1, 1}, std::string(empty_message));
      return std::nullopt;
    }
    if (starts.marks.size() == 2 && starts.marks[1].pos == starts.marks[0].pos) {
      const auto at = static_cast<std::size_t>(std::max(0, starts.marks[0].pos));
      const char c = at < text.size() ? text[at] : '?';
      const bool printable = c > 0x20 && c < 0x7f;
      out.error(position_of(starts.marks[0]), "invalid YAML: unexpected " +
                                                  (printable ? "'" + std::string(1, c) + "'" : std::string("character")) +
                                                  " where a value should start");
      return std::nullopt;
    }
    if (starts.marks.size() == 2)
      out.error(position_of(starts.marks[1]), "a job file holds one YAML document; this is a second one");

    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) {
      out.error({1, 1}, std::string(empty_message));
      return std::nullopt;
    }
    return root;
  } catch (const YAML::Exception& error) {
    out.error(position_of(error.mark), "invalid YAML: " + error.msg);
    return std::nullopt;
  }
}

}  // namespace acsbatch::job::detail
