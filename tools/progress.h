// A progress line on stderr for long work, drawn only when stderr is a
// terminal and redrawn at most a few times a second.
//
// Thread-safety: Update() may be called from any thread; the other methods
// need external synchronisation.
#ifndef TENANTLOG_TOOLS_PROGRESS_H_
#define TENANTLOG_TOOLS_PROGRESS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace tenantlog::tool {

class Progress {
 public:
  // `label` names the work; `total` is the amount expected (0: unknown).
  Progress(std::string label, uint64_t total);
  // Erases the line.
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Reports `done` units finished so far.
  void Update(uint64_t done);

  // Erases the line, so that what follows on stderr starts clean.
  void Finish();

 private:
  void Draw(uint64_t done);

  const std::string label_;
  const uint64_t total_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace tenantlog::tool

#endif  // TENANTLOG_TOOLS_PROGRESS_H_
