#include "util/process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
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
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.term_signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace tenantlog::test
