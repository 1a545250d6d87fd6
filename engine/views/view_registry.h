// The store's views: the built-in one and the application's reducers, each
// with the id its persisted copies are stored under. Ids of reducers are
// assigned on first sight and kept in the `meta` database (key "view:" ‖
// name → id, 4 bytes), so that a name always maps to the same rows.
#ifndef TENANTLOG_ENGINE_VIEWS_VIEW_REGISTRY_H_
#define TENANTLOG_ENGINE_VIEWS_VIEW_REGISTRY_H_

#include <memory>
#include <string_view>
#include <vector>

#include "lmdb/lmdb_env.h"
#include "tenantlog/reducer.h"
#include "views/view.h"

namespace tenantlog::views {

// Thread-safety: immutable once built.
class ViewRegistry {
 public:
  // InvalidArgument when a reducer is null, or its name is bad or repeated.
  static Status Check(const std::vector<std::shared_ptr<const Reducer>>& reducers);

  // Checks the reducers' names and looks up (or, in a writable store,
  // assigns) their ids. Errors: InvalidArgument (a bad or repeated name, a
  // null reducer), IOError.
  static Status Build(lmdb::LmdbEnv& env, const std::vector<std::shared_ptr<const Reducer>>& reducers,
                      std::unique_ptr<ViewRegistry>* out);

  // The view called `name` ("" for the built-in one). InvalidArgument when
  // there is none.
  Result<const ViewDef*> Find(std::string_view name) const;

 private:
  std::vector<ViewDef> views_;
};

}  // namespace tenantlog::views

#endif  // TENANTLOG_ENGINE_VIEWS_VIEW_REGISTRY_H_
