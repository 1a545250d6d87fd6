#include "flag_checks.h"

#include <fmt/format.h>

#include <string>

#include "output.h"
#include "time_point.h"

namespace tenantlog::tool {

const CLI::Validator& NonEmpty() {
  static const CLI::Validator validator(
      [](const std::string& value) { return value.empty() ? std::string("must not be empty") : ""; },
      "NON-EMPTY");
  return validator;
}

const CLI::Validator& WholeNumber() {
  static const CLI::Validator validator(
      [](const std::string& value) {
        if (ParseSeq(value)) return std::string();
        return fmt::format("'{}' is not a whole number up to 18446744073709551615",
                           DisplayText(value));
      },
      "UINT");
  return validator;
}

}  // namespace tenantlog::tool
