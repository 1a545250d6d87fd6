// A forked child process that reports to its parent line by line through a
// pipe, for tests that kill a process at an arbitrary point (SIGKILL) and
// then check what it left behind.
//
// The child runs in a copy of the test process: it must open what it uses
// itself (its own Store or LMDB environment: LMDB handles do not survive
// fork()) and never return into the test framework.
#ifndef TENANTLOG_TESTS_UTIL_FORKED_CHILD_H_
#define TENANTLOG_TESTS_UTIL_FORKED_CHILD_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenantlog::test {

// The child's end of the pipe.
class ChildReporter {
 public:
  explicit ChildReporter(int fd) : fd_(fd) {}
  // Sends one line (without its '\n') in one write(), so that a line is
  // either wholly in the pipe or not at all when the child is killed.
  // REQUIRES: line.size() < 4000 (PIPE_BUF).
  void Report(std::string_view line);

 private:
  int fd_;
};

class ForkedChild {
 public:
  // Forks. The child runs `body` and ends with _exit(its return value);
  // 99 when it throws. Throws std::runtime_error when fork fails.
  explicit ForkedChild(const std::function<int(ChildReporter&)>& body);
  // Kills (SIGKILL) and reaps a child that is still there.
  ~ForkedChild();
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;

  pid_t pid() const { return pid_; }

  // The next line the child reported, waiting up to `timeout`; nullopt when
  // the child closed the pipe (it ended) or the time ran out.
  std::optional<std::string> NextLine(std::chrono::microseconds timeout);
  // Every line reported within the next `duration` (the child is not waited
  // for: reading only keeps the pipe from filling up).
  std::vector<std::string> LinesFor(std::chrono::microseconds duration);
  // Kills the child with SIGKILL and reaps it. Returns every line it
  // reported and that was not read yet: all it reported before it died.
  std::vector<std::string> KillAndCollect();
  // Waits for the child to end and returns every line not read yet.
  std::vector<std::string> WaitAndCollect();

  // After KillAndCollect or WaitAndCollect: how the child ended.
  bool killed_by_sigkill() const;
  int exit_code() const;  // -1 when it did not exit by itself

 private:
  // Reads what the pipe holds into buffer_, waiting up to `timeout` for
  // something to come. Returns false at end of file.
  bool Fill(std::chrono::microseconds timeout);
  std::optional<std::string> TakeLine();
  std::vector<std::string> CollectToEnd();
  void Reap();

  pid_t pid_ = -1;
  int read_fd_ = -1;
  bool eof_ = false;
  bool reaped_ = false;
  int wait_status_ = 0;
  std::string buffer_;
};

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_FORKED_CHILD_H_
