// Whole-file byte access for tests that inspect or damage store files.
#ifndef TENANTLOG_TESTS_UTIL_FILES_H_
#define TENANTLOG_TESTS_UTIL_FILES_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tenantlog::test {

// The file's bytes. Throws std::runtime_error when it cannot be read.
std::string ReadFileBytes(const std::string& path);
// Replaces the file's content. Throws std::runtime_error on failure.
void WriteFileBytes(const std::string& path, std::string_view bytes);
// Every regular file directly inside `dir`, by name, with its bytes.
std::map<std::string, std::string> ReadDirectoryFiles(const std::string& dir);
// Offsets of every occurrence of `needle` in `haystack`.
std::vector<size_t> FindAll(std::string_view haystack, std::string_view needle);
bool PathExists(const std::string& path);

// Every path under `root` (relative) with its bytes, "<dir>" for a
// directory; lock files left out (LMDB's lock.mdb holds only its reader
// table, a store's tenantlog.lock nothing): what a call that must write
// nothing is compared against.
std::map<std::string, std::string> ReadTree(const std::string& root);
// The paths that appeared, disappeared or changed between two trees, one a
// line; "" when they are equal.
std::string DescribeTreeChange(const std::map<std::string, std::string>& before,
                               const std::map<std::string, std::string>& after);

}  // namespace tenantlog::test

#endif  // TENANTLOG_TESTS_UTIL_FILES_H_
