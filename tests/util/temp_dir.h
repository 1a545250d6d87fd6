// A temporary directory, removed with everything in it when the object dies.
#ifndef TENANTLOG_TESTS_UTIL_TEMP_DIR_H_
#define TENANTLOG_TESTS_UTIL_TEMP_DIR_H_

#include <string>

namespace tenantlog::test {

class TempDir {
 public:
  // Creates a fresh directory under $TMPDIR (or /tmp).
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // `path()/name`; nothing is created.
  std::string Sub(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_TEMP_DIR_H_
