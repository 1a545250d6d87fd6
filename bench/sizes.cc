#include "sizes.h"

namespace tenantlog::bench {

std::optional<Sizes> SizesFor(std::string_view scale) {
  Sizes s;
  if (scale == "full") return s;
  if (scale == "small") {
    s.scale = "small";
    s.repetitions = 1;
    s.scale_tenants = {10, 1000, 10000};
    s.scale_seed_events = 5;
    s.concurrent_seed_events = 200;
    s.replay_events = 10000;
    s.rewind_events = 2000;
    s.undo_tenants = 500;
    s.undo_victims = 100;
    s.undo_events = 20;
    s.restore_tenants = 500;
    s.restore_victims = 100;
    s.restore_victim_events = 1000;
    s.restore_other_events = 100;
    s.verify_tenants = 100;
    s.verify_events = 1000;
    return s;
  }
  if (scale == "tiny") {
    s.scale = "tiny";
    s.repetitions = 1;
    s.keys_per_tenant = 50;
    s.append_batch = 50;
    s.scale_tenants = {10, 100};
    s.scale_seed_events = 1;
    s.concurrent_seed_events = 2;
    s.replay_events = 500;
    s.rewind_events = 200;
    s.undo_tenants = 40;
    s.undo_victims = 10;
    s.undo_events = 5;
    s.restore_tenants = 20;
    s.restore_victims = 5;
    s.restore_victim_events = 100;
    s.restore_other_events = 10;
    s.verify_tenants = 20;
    s.verify_events = 100;
    return s;
  }
  return std::nullopt;
}

}  // namespace tenantlog::bench
