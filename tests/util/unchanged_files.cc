#include "util/unchanged_files.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "util/files.h"

namespace tenantlog::test {

UnchangedFiles::UnchangedFiles(const std::string& root, const std::string& store_dir, Writes writes)
    : root_(root), store_dir_(store_dir), writes_(writes), tree_(ReadTree(root)) {
  if (writes_ == Writes::kRefusalAudit) tables_ = ReadAllTables(store_dir_);
}

void UnchangedFiles::ExpectUnchanged() const {
  auto tree_after = ReadTree(root_);
  if (writes_ == Writes::kRefusalAudit) {
    // Only the store's data file may differ, by one audit row.
    const std::string data_file =
        std::filesystem::relative(std::filesystem::path(store_dir_) / "data.mdb", root_).string();
    tree_after[data_file] = tree_.at(data_file);
    auto tables_after = ReadAllTables(store_dir_);
    EXPECT_EQ(tables_after["audit"].size(), tables_.at("audit").size() + 1);
    tables_after["audit"] = tables_.at("audit");
    for (const auto& [name, rows] : tables_) {
      EXPECT_TRUE(tables_after[name] == rows) << "database " << name << " changed";
    }
    EXPECT_EQ(tables_after.size(), tables_.size()) << "a database was added";
  }
  EXPECT_TRUE(tree_after == tree_) << DescribeTreeChange(tree_, tree_after);
}

}  // namespace tenantlog::test
