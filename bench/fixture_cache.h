// Fixtures (stores filled with a workload's data) built once and shared by
// every run of a benchmark family, so that setup stays out of the measurements
// and is not repeated when Google Benchmark calls a benchmark again.
//
// Only the current family's fixtures are kept: the first benchmark of another
// family frees the others, so that their stores leave the disk.
//
// Thread-safety: Get may be called from several threads at once (the threads
// of one multi-threaded benchmark); the first caller builds, the others wait.
#ifndef TENANTLOG_BENCH_FIXTURE_CACHE_H_
#define TENANTLOG_BENCH_FIXTURE_CACHE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace tenantlog::bench {

namespace internal {
std::shared_ptr<void> GetFixture(std::string_view family, const std::string& key,
                                 const std::function<std::shared_ptr<void>()>& make);
}  // namespace internal

// The fixture `key` of `family`, made by `make` on first use. The reference
// stays valid until a benchmark of another family asks for a fixture, or
// ClearFixtures.
template <typename T, typename Make>
T& GetFixture(std::string_view family, const std::string& key, Make make) {
  std::shared_ptr<void> fixture = internal::GetFixture(
      family, key, [&]() -> std::shared_ptr<void> { return std::shared_ptr<T>(make()); });
  return *static_cast<T*>(fixture.get());
}

// Frees every fixture.
void ClearFixtures();

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_FIXTURE_CACHE_H_
