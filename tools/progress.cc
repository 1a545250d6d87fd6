#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "output.h"

namespace tenantlog::tool {

namespace {
constexpr std::chrono::milliseconds kRedrawInterval{250};
}  // namespace

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      enabled_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - kRedrawInterval) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t done) {
  if (!enabled_) return;
  const std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(done);
}

void Progress::Draw(uint64_t done) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = fmt::format("{}: {}", label_, HumanCount(done));
  if (total_ > 0) {
    line += fmt::format(" / {} ({:.0f}%)", HumanCount(total_),
                        100.0 * static_cast<double>(done) / static_cast<double>(total_));
  }
  line += fmt::format("  {:.1f} s", seconds);
  fmt::print(stderr, "\r\033[K{}", line);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (!enabled_) return;
  const std::lock_guard<std::mutex> lock(mu_);
  if (!drawn_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace tenantlog::tool
