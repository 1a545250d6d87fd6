#include "util/forked_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace tenantlog::test {

void ChildReporter::Report(std::string_view line) {
  std::string text(line);
  text += '\n';
  while (::write(fd_, text.data(), text.size()) < 0 && errno == EINTR) {
  }
}

ForkedChild::ForkedChild(const std::function<int(ChildReporter&)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    ::close(fds[0]);
    ChildReporter reporter(fds[1]);
    int code = 99;
    try {
      code = body(reporter);
    } catch (...) {
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  read_fd_ = fds[0];
}

ForkedChild::~ForkedChild() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    Reap();
  }
  if (read_fd_ >= 0) ::close(read_fd_);
}

bool ForkedChild::Fill(std::chrono::microseconds timeout) {
  if (eof_) return false;
  pollfd p{read_fd_, POLLIN, 0};
  // To the microsecond: a timeout rounded up to whole milliseconds would
  // end at the child's next line instead, and tie a kill to what it wrote.
  const timespec wait{static_cast<time_t>(timeout.count() / 1000000),
                      static_cast<long>(timeout.count() % 1000000 * 1000)};
  int ready = ::ppoll(&p, 1, &wait, nullptr);
  if (ready < 0 && errno == EINTR) return true;
  if (ready <= 0) return true;
  char chunk[4096];
  const ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) {
    eof_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> ForkedChild::TakeLine() {
  const size_t end = buffer_.find('\n');
  if (end == std::string::npos) return std::nullopt;
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  return line;
}

std::optional<std::string> ForkedChild::NextLine(std::chrono::microseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto line = TakeLine()) return line;
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !Fill(left)) return std::nullopt;
  }
}

std::vector<std::string> ForkedChild::LinesFor(std::chrono::microseconds duration) {
  std::vector<std::string> lines;
  const auto deadline = std::chrono::steady_clock::now() + duration;
  for (;;) {
    while (auto line = TakeLine()) lines.push_back(std::move(*line));
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return lines;
    if (!Fill(left)) {
      // The child ended early: wait out the rest so callers keep their timing.
      ::usleep(static_cast<useconds_t>(left.count()));
      return lines;
    }
  }
}

std::vector<std::string> ForkedChild::CollectToEnd() {
  // Every write end is closed once the child is gone, so this ends.
  while (Fill(std::chrono::seconds(10))) {
  }
  std::vector<std::string> lines;
  while (auto line = TakeLine()) lines.push_back(std::move(*line));
  return lines;
}

void ForkedChild::Reap() {
  while (::waitpid(pid_, &wait_status_, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

std::vector<std::string> ForkedChild::KillAndCollect() {
  ::kill(pid_, SIGKILL);
  Reap();
  return CollectToEnd();
}

std::vector<std::string> ForkedChild::WaitAndCollect() {
  std::vector<std::string> lines = CollectToEnd();
  Reap();
  return lines;
}

bool ForkedChild::killed_by_sigkill() const {
  return reaped_ && WIFSIGNALED(wait_status_) && WTERMSIG(wait_status_) == SIGKILL;
}

int ForkedChild::exit_code() const {
  return reaped_ && WIFEXITED(wait_status_) ? WEXITSTATUS(wait_status_) : -1;
}

}  // namespace tenantlog::test
