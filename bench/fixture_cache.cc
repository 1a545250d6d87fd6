#include "fixture_cache.h"

#include <unistd.h>

#include <map>
#include <mutex>

namespace tenantlog::bench {

namespace {

struct Cache {
  std::mutex mutex;
  std::string family;
  std::map<std::string, std::shared_ptr<void>> fixtures;
};

Cache& TheCache() {
  static Cache cache;
  return cache;
}

}  // namespace

namespace internal {

std::shared_ptr<void> GetFixture(std::string_view family, const std::string& key,
                                 const std::function<std::shared_ptr<void>()>& make) {
  Cache& cache = TheCache();
  std::lock_guard lock(cache.mutex);
  if (cache.family != family) {
    cache.fixtures.clear();
    cache.family = std::string(family);
  }
  std::shared_ptr<void>& slot = cache.fixtures[key];
  if (slot == nullptr) {
    slot = make();
    // Setup writes without syncing; flush them now so that no measured
    // durable commit pays for their write-back.
    ::sync();
  }
  return slot;
}

}  // namespace internal

void ClearFixtures() {
  Cache& cache = TheCache();
  std::lock_guard lock(cache.mutex);
  cache.fixtures.clear();
  cache.family.clear();
}

}  // namespace tenantlog::bench
