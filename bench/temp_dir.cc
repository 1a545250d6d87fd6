#include "temp_dir.h"

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <vector>

namespace tenantlog::bench {

namespace {

std::mutex& LiveMutex() {
  static std::mutex mutex;
  return mutex;
}

std::set<std::string>& Live() {
  static std::set<std::string> live;
  return live;
}

void Remove(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                        "/tenantlog-bench-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    std::perror(("tenantlog_bench: mkdtemp " + pattern).c_str());
    std::abort();
  }
  path_ = buffer.data();
  std::lock_guard lock(LiveMutex());
  Live().insert(path_);
}

TempDir::~TempDir() {
  Remove(path_);
  std::lock_guard lock(LiveMutex());
  Live().erase(path_);
}

void TempDir::RemoveAll() {
  std::lock_guard lock(LiveMutex());
  for (const std::string& path : Live()) Remove(path);
  Live().clear();
}

}  // namespace tenantlog::bench
