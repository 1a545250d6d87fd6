#include "drill_report.h"

#include <cstdio>

#include "output.h"

namespace tenantlog::tool {
namespace {

using json = nlohmann::ordered_json;

// Problems listed under the verdict; the count says how many there were.
constexpr size_t kProblemsShown = 20;

}  // namespace

DrillReport::DrillReport(bool as_json, size_t steps, std::string title, json settings)
    : json_(as_json), steps_(steps), title_(std::move(title)), settings_(std::move(settings)) {}

void DrillReport::Start() const {
  if (json_) return;
  fmt::print("{}\n", title_);
  std::fflush(stdout);
}

void DrillReport::AddStep(StepReport step) {
  if (!json_) {
    fmt::print("\n[{}/{}] {:<19} {}\n", reports_.size() + 1, steps_, step.name,
               HumanSeconds(step.seconds));
    for (const std::string& line : step.lines) fmt::print("      {}\n", line);
    for (const std::string& problem : step.problems) fmt::print("      PROBLEM: {}\n", problem);
    std::fflush(stdout);
  }
  reports_.push_back(std::move(step));
}

bool DrillReport::Finish() const {
  std::vector<std::string> problems;
  double total = 0;
  for (const StepReport& report : reports_) {
    problems.insert(problems.end(), report.problems.begin(), report.problems.end());
    total += report.seconds;
  }
  const bool ok = problems.empty() && reports_.size() == steps_;
  const std::string verdict =
      ok ? fmt::format(
               "PASS: victims restored, purged victims restored from the backup, bad "
               "update rewound, every chain intact, every other tenant byte-identical to a run "
               "without the incident ({} total)",
               HumanSeconds(total))
         : fmt::format("FAIL: {}{}", Plural(problems.size(), "problem"),
                       reports_.size() == steps_ ? "" : ", drill stopped early");
  if (json_) {
    json steps = json::array();
    for (const StepReport& report : reports_) {
      json step = {
          {"step", report.name}, {"seconds", report.seconds}, {"ok", report.problems.empty()}};
      step.update(report.figures);
      steps.push_back(std::move(step));
    }
    json document = {{"ok", ok}};
    document.update(settings_);
    document["seconds"] = total;
    document["steps"] = std::move(steps);
    document["problems"] = problems;
    document["verdict"] = verdict;
    PrintJson(document);
    return ok;
  }
  fmt::print("\n{}\n", verdict);
  for (size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
    fmt::print("  {}\n", problems[i]);
  }
  if (problems.size() > kProblemsShown) {
    fmt::print("  … and {} more\n", problems.size() - kProblemsShown);
  }
  return ok;
}

}  // namespace tenantlog::tool
