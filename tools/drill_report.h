// How the drill tells what happened: each step's lines for people as soon as
// the step ends, or, with --json, one document with every step's figures at
// the end; then the verdict.
//
// Thread-safety: a StepReport or DrillReport needs external synchronisation.
#ifndef TENANTLOG_TOOLS_DRILL_REPORT_H_
#define TENANTLOG_TOOLS_DRILL_REPORT_H_

#include <fmt/format.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tenantlog::tool {

// What one step of the drill did, for people (lines) and for scripts
// (figures), and the expectations it found broken (problems).
struct StepReport {
  std::string name;
  double seconds = 0;
  std::vector<std::string> lines;
  nlohmann::ordered_json figures = nlohmann::ordered_json::object();
  std::vector<std::string> problems;

  template <typename... Args>
  void Say(fmt::format_string<Args...> format, Args&&... args) {
    lines.push_back(fmt::format(format, std::forward<Args>(args)...));
  }
  // Records a broken expectation; the drill goes on and fails at the end.
  void Expect(bool condition, std::string problem) {
    if (!condition) problems.push_back(std::move(problem));
  }
};

class DrillReport {
 public:
  // `as_json`: one JSON document at the end instead of text as steps end.
  // `steps`: how many steps the drill has. `title` opens the text output;
  // `settings` opens the JSON document.
  DrillReport(bool as_json, size_t steps, std::string title, nlohmann::ordered_json settings);

  // Prints the title (text output).
  void Start() const;

  // Prints the finished step (text output) and keeps it for the verdict.
  void AddStep(StepReport step);

  // Prints the verdict, or the whole JSON document. Returns true when every
  // step ran and no step found a problem.
  bool Finish() const;

 private:
  const bool json_;
  const size_t steps_;
  const std::string title_;
  const nlohmann::ordered_json settings_;
  std::vector<StepReport> reports_;
};

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_DRILL_REPORT_H_
