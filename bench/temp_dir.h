// Temporary directories for the stores of the benchmarks, under $TMPDIR (or
// /tmp), removed with everything in them when the TempDir is destroyed.
//
// Thread-safety: distinct TempDirs may be used from any thread; RemoveAll may
// be called from any thread.
#ifndef TENANTLOG_BENCH_TEMP_DIR_H_
#define TENANTLOG_BENCH_TEMP_DIR_H_

#include <string>

namespace tenantlog::bench {

class TempDir {
 public:
  // Creates a fresh directory named tenantlog-bench-XXXXXX. Fatal on failure.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name; nothing is created.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

  // Removes every TempDir still alive, for an abnormal end of the run.
  static void RemoveAll();

 private:
  std::string path_;
};

}  // namespace tenantlog::bench

#endif  // TENANTLOG_BENCH_TEMP_DIR_H_
