#include "util/files.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

namespace tenantlog::test {

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFileBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::map<std::string, std::string> ReadDirectoryFiles(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files[entry.path().filename().string()] = ReadFileBytes(entry.path().string());
    }
  }
  return files;
}

std::vector<size_t> FindAll(std::string_view haystack, std::string_view needle) {
  std::vector<size_t> found;
  if (needle.empty()) return found;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    found.push_back(at);
  }
  return found;
}

bool PathExists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

std::map<std::string, std::string> ReadTree(const std::string& root) {
  std::map<std::string, std::string> tree;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name == "lock.mdb" || name == "tenantlog.lock") continue;
    const std::string relative = std::filesystem::relative(entry.path(), root).string();
    tree[relative] = entry.is_directory() ? "<dir>" : ReadFileBytes(entry.path().string());
  }
  return tree;
}

std::string DescribeTreeChange(const std::map<std::string, std::string>& before,
                               const std::map<std::string, std::string>& after) {
  std::string text;
  for (const auto& [path, bytes] : before) {
    const auto it = after.find(path);
    if (it == after.end()) {
      text += path + " disappeared\n";
    } else if (it->second != bytes) {
      text += path + " changed\n";
    }
  }
  for (const auto& [path, bytes] : after) {
    if (before.count(path) == 0) text += path + " appeared\n";
  }
  return text;
}

}  // namespace tenantlog::test
