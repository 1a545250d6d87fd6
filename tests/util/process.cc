#include "util/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace tenantlog::test {
namespace {

std::vector<std::string> BuildEnvironment(
    const std::map<std::string, std::optional<std::string>>& changes) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string::npos) continue;
    vars[text.substr(0, eq)] = text.substr(eq + 1);
  }
  for (const auto& [name, value] : changes) {
    if (value.has_value()) {
      vars[name] = *value;
    } else {
      vars.erase(name);
    }
  }
  std::vector<std::string> env;
  env.reserve(vars.size());
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() {
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
};

int MillisLeft(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
  return left > 0 ? static_cast<int>(left) : 0;
}

void DecodeWaitStatus(int status, ProcessResult* result) {
  if (WIFEXITED(status)) {
    result->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result->term_signal = WTERMSIG(status);
  }
}

}  // namespace

std::string ProcessResult::Describe() const {
  std::string text = timed_out ? "timed out, " : "";
  text += term_signal != 0 ? "signal " + std::to_string(term_signal)
                           : "exit " + std::to_string(exit_code);
  text += "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  return text;
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty()) throw std::invalid_argument("RunProcess: empty argv");
  std::vector<std::string> args = argv;
  std::vector<char*> c_args = CStrings(args);
  std::vector<std::string> env = BuildEnvironment(options.env);
  std::vector<char*> c_env = CStrings(env);

  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fds[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], STDERR_FILENO);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_args[0], &actions, nullptr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(rc));
  }
  in.CloseRead();
  out.CloseWrite();
  err.CloseWrite();

  // The child may not read stdin at all: writing must never block or raise SIGPIPE.
  fcntl(in.fds[1], F_SETFL, O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);

  ProcessResult result;
  size_t written = 0;
  if (options.stdin_data.empty()) in.CloseWrite();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  while (out.fds[0] >= 0 || err.fds[0] >= 0) {
    std::vector<pollfd> polled;
    if (out.fds[0] >= 0) polled.push_back({out.fds[0], POLLIN, 0});
    if (err.fds[0] >= 0) polled.push_back({err.fds[0], POLLIN, 0});
    if (in.fds[1] >= 0) polled.push_back({in.fds[1], POLLOUT, 0});
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    int ready = poll(polled.data(), polled.size(), static_cast<int>(left));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("poll failed");
    }
    for (const pollfd& p : polled) {
      if (p.revents == 0) continue;
      if (p.fd == in.fds[1]) {
        ssize_t n = write(p.fd, options.stdin_data.data() + written,
                          options.stdin_data.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) written = options.stdin_data.size();
        if (written == options.stdin_data.size()) in.CloseWrite();
        continue;
      }
      char buffer[65536];
      ssize_t n = read(p.fd, buffer, sizeof buffer);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      std::string& sink = p.fd == out.fds[0] ? result.out : result.err;
      if (n <= 0) {
        if (p.fd == out.fds[0]) {
          out.CloseRead();
        } else {
          err.CloseRead();
        }
        continue;
      }
      sink.append(buffer, static_cast<size_t>(n));
    }
  }
  in.CloseWrite();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  DecodeWaitStatus(status, &result);
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  if (argv.empty()) throw std::invalid_argument("BackgroundProcess: empty argv");
  std::vector<std::string> args = argv;
  std::vector<char*> c_args = CStrings(args);
  Pipe out;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // Only async-signal-safe calls until exec. The child dies with the test
    // process even when that crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out.fds[1], STDOUT_FILENO) < 0) {
      _exit(127);
    }
    execv(c_args[0], c_args.data());
    const char message[] = "BackgroundProcess: exec failed\n";
    (void)!write(STDERR_FILENO, message, sizeof message - 1);
    _exit(127);
  }
  pid_ = pid;
  out.CloseWrite();
  out_fd_ = out.fds[0];
  out.fds[0] = -1;
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (out_fd_ >= 0) close(out_fd_);
}

std::optional<std::string> BackgroundProcess::ReadLine(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    const int left = MillisLeft(deadline);
    if (out_fd_ < 0 || left == 0) return std::nullopt;
    pollfd polled{out_fd_, POLLIN, 0};
    const int ready = poll(&polled, 1, left);
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(out_fd_, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      close(out_fd_);
      out_fd_ = -1;
      continue;
    }
    pending_.append(buffer, static_cast<size_t>(n));
  }
}

ProcessResult BackgroundProcess::Stop(int signal, int timeout_ms) {
  if (pid_ <= 0) throw std::logic_error("BackgroundProcess::Stop: already stopped");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  kill(pid_, signal);
  ProcessResult result;
  result.out = std::move(pending_);
  pending_.clear();
  while (out_fd_ >= 0 && MillisLeft(deadline) > 0) {
    pollfd polled{out_fd_, POLLIN, 0};
    const int ready = poll(&polled, 1, MillisLeft(deadline));
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(out_fd_, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      close(out_fd_);
      out_fd_ = -1;
      continue;
    }
    result.out.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (true) {
    const pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) break;
    if (reaped < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (MillisLeft(deadline) == 0) {
      kill(pid_, SIGKILL);
      result.timed_out = true;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    const timespec tick{0, 10'000'000};  // 10 ms
    nanosleep(&tick, nullptr);
  }
  pid_ = -1;
  DecodeWaitStatus(status, &result);
  return result;
}

}  // namespace tenantlog::test
