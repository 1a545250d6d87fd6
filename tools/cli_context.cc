#include "cli_context.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <unordered_set>

#include "output.h"
#include "tenantlog/options.h"

namespace tenantlog::tool {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kInvalidArgument:
      return kExitUsage;
    case Status::Code::kRefused:
    case Status::Code::kConflict:
      return kExitRefused;
    case Status::Code::kNotFound:
    case Status::Code::kTenantDeleted:
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
      return kExitFailure;
  }
  return kExitFailure;
}

void UsageError(const std::string& message) { throw CommandError(kExitUsage, message); }

void Check(const Status& status) {
  if (status.ok()) return;
  std::string message = status.message().empty() ? status.ToString() : status.message();
  throw CommandError(ExitCodeFor(status), message);
}

std::string CliContext::StoreDir() const {
  if (!flags_.db.empty()) return flags_.db;
  const char* env = std::getenv("TENANTLOG_DB");
  if (env != nullptr && *env != '\0') return env;
  UsageError("no store given: pass --db DIR or set TENANTLOG_DB");
}

Result<Store*> CliContext::TryOpenStore(Access access) {
  if (store_) return store_.get();
  const std::string dir = StoreDir();
  Options options;
  options.create_if_missing = access == Access::kWrite;
  options.read_only = access == Access::kRead;
  Status status = Store::Open(options, dir, &store_);
  if (status.IsNotFound()) throw CommandError(kExitFailure, fmt::format("no store at {}", dir));
  if (!status.ok()) return status;
  return store_.get();
}

Store& CliContext::OpenStore(Access access) {
  Result<Store*> store = TryOpenStore(access);
  if (!store.ok()) throw CommandError(ExitCodeFor(store.status()), store.status().message());
  return **store;
}

std::string CliContext::Actor() const {
  if (!flags_.actor.empty()) return flags_.actor;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  const char* user = std::getenv("USER");
  if (user != nullptr && *user != '\0') return user;
  return fmt::format("uid-{}", geteuid());
}

AdminContext CliContext::MakeAdminContext(std::string_view command) const {
  AdminContext context;
  context.actor = Actor();
  context.command = std::string(command);
  context.arguments = arguments_;
  return context;
}

std::string ReadInputFile(std::string_view flag, const std::string& file) {
  if (file == "-") {
    std::string content{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (std::cin.bad()) UsageError(fmt::format("{} -: cannot read stdin", flag));
    return content;
  }
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) UsageError(fmt::format("{} {}: cannot open: {}", flag, file, std::strerror(errno)));
  std::string content;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      content.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int error = errno;
      ::close(fd);
      UsageError(fmt::format("{} {}: cannot read: {}", flag, file, std::strerror(error)));
    }
  }
  ::close(fd);
  return content;
}

void RequireOutputFile(std::string_view flag, const std::string& file) {
  if (file != "-") return;
  UsageError(fmt::format("{} -: this writes a file, not stdout; give a file name (./- for a file named -)", flag));
}

void RequireValidTenantName(std::string_view name) {
  if (IsValidTenantName(name)) return;
  UsageError(fmt::format("bad tenant name '{}': use 1 to {} characters of A-Z a-z 0-9 . _ -",
                         DisplayText(name), kMaxTenantNameLength));
}

namespace {

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

// Appends the names listed in `content` to `names`; `file` names the source in errors.
void ReadTenantLines(std::string_view content, const std::string& file,
                     std::vector<std::string>* names) {
  for (size_t number = 1; !content.empty(); ++number) {
    const size_t end = content.find('\n');
    std::string_view name = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (const auto hash = name.find('#'); hash != std::string_view::npos) {
      name = name.substr(0, hash);
    }
    name = Trim(name);
    if (name.empty()) continue;
    if (!IsValidTenantName(name)) {
      UsageError(fmt::format("{}:{}: bad tenant name '{}'", file, number, DisplayText(name)));
    }
    names->emplace_back(name);
  }
}

}  // namespace

std::vector<std::string> ReadTenantList(const std::vector<std::string>& names,
                                        const std::string& tenants_file) {
  std::vector<std::string> all;
  for (const std::string& name : names) {
    RequireValidTenantName(name);
    all.push_back(name);
  }
  if (!tenants_file.empty()) {
    ReadTenantLines(ReadInputFile("--tenants-file", tenants_file),
                    tenants_file == "-" ? "<stdin>" : tenants_file, &all);
  }
  std::vector<std::string> unique;
  std::unordered_set<std::string> seen;
  for (std::string& name : all) {
    if (seen.insert(name).second) unique.push_back(std::move(name));
  }
  return unique;
}

}  // namespace tenantlog::tool
