// What a refused or failed call may leave behind, checked byte for byte.
#ifndef TENANTLOG_TESTS_UTIL_UNCHANGED_FILES_H_
#define TENANTLOG_TESTS_UTIL_UNCHANGED_FILES_H_

#include <map>
#include <string>

#include "util/raw_lmdb.h"

namespace tenantlog::test {

// What a bad call may leave behind.
enum class Writes {
  kNothing,       // every byte as it was
  kRefusalAudit,  // one audit entry "refused: …", nothing else
};

// Every file under `root`, and for kRefusalAudit every table of the store in
// `store_dir` (under `root`), as they are when the object is made. The store
// must be closed then and at ExpectUnchanged.
class UnchangedFiles {
 public:
  UnchangedFiles(const std::string& root, const std::string& store_dir, Writes writes);

  // A test failure naming what changed: any file, or with kRefusalAudit any
  // table but `audit`, which must hold exactly one more row. (Which row is
  // the caller's to check, through the API or the admin tool.)
  void ExpectUnchanged() const;

 private:
  std::string root_;
  std::string store_dir_;
  Writes writes_;
  std::map<std::string, std::string> tree_;
  std::map<std::string, RawTable> tables_;
};

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_UNCHANGED_FILES_H_
