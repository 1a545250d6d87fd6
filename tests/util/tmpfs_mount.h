// A small tmpfs mounted for the life of the object, for tests that fill a
// file system. Mounting needs CAP_SYS_ADMIN (root in CI); where it is
// refused the object says so and tests fall back to something else.
#ifndef TENANTLOG_TESTS_UTIL_TMPFS_MOUNT_H_
#define TENANTLOG_TESTS_UTIL_TMPFS_MOUNT_H_

#include <cstdint>
#include <string>

namespace tenantlog::test {

class TmpfsMount {
 public:
  // Mounts a tmpfs of `bytes` at `dir` (created if missing).
  TmpfsMount(const std::string& dir, uint64_t bytes);
  // Unmounts (lazily if something still holds it open).
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  // Why mounting failed; empty when mounted.
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// Bytes free for an unprivileged writer on the file system holding `path`.
uint64_t FreeBytes(const std::string& path);

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_TMPFS_MOUNT_H_
