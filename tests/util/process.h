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

// A program running in the background while a test talks to it (a server):
// started without a shell, its stdout read line by line, stopped by a signal.
// Its stderr is the test's. If it still runs when the object dies, it is
// killed with SIGKILL and reaped, and it gets SIGKILL if the test process
// dies first, so a failing or crashing test leaves no process behind.
class BackgroundProcess {
 public:
  // Starts `argv[0]` (a path, not searched in PATH) with `argv`.
  // Throws std::runtime_error when it cannot be started.
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  // The next line of its stdout, without the newline; nullopt when its
  // stdout ends or no full line comes within `timeout_ms`.
  std::optional<std::string> ReadLine(int timeout_ms);

  // Sends `signal` and waits up to `timeout_ms` for the process to end
  // (then SIGKILL, and timed_out is set). `out` holds the stdout not read
  // by ReadLine; `err` is empty. Once stopped, it cannot be stopped again.
  ProcessResult Stop(int signal, int timeout_ms = 10000);

  bool running() const { return pid_ > 0; }

 private:
  int pid_ = -1;
  int out_fd_ = -1;
  std::string pending_;  // stdout read but not yet returned by ReadLine
};

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_PROCESS_H_
