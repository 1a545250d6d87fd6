// Runs a program (the admin tool) as a child process, without a shell, and
// captures what it prints and how it exits.
#ifndef TENANTLOG_TESTS_UTIL_PROCESS_H_
#define TENANTLOG_TESTS_UTIL_PROCESS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tenantlog::test {

struct ProcessResult {
  // The exit status; -1 when the process was killed by a signal.
  int exit_code = -1;
  int term_signal = 0;  // the signal that ended it, 0 when it exited
  bool timed_out = false;
  std::string out;
  std::string err;
  // "exit N" or "signal N", then stdout and stderr: for assertion messages.
  std::string Describe() const;
};

struct ProcessOptions {
  // Environment changes over the current environment: a value sets the
  // variable, nullopt removes it.
  std::map<std::string, std::optional<std::string>> env;
  // Written to the child's stdin, which is then closed.
  std::string stdin_data;
  // The child is killed with SIGKILL after this long.
  int timeout_ms = 60000;
};

// Runs `argv[0]` (a path, not searched in PATH) with `argv`.
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         const ProcessOptions& options = ProcessOptions());

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_PROCESS_H_
