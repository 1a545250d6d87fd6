#include "drill.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <span>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "commands.h"
#include "drill_proof.h"
#include "drill_report.h"
#include "drill_traffic.h"
#include "output.h"
#include "progress.h"
#include "tenantlog/store.h"

namespace tenantlog::tool {
namespace {

using json = nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

// One non-victim tenant in this many keeps writing during the backup and
// during the incident.
constexpr size_t kConcurrentWriterEvery = 8;
// Events in each batch those tenants write, one batch during the backup and
// one during the incident.
constexpr size_t kConcurrentBatchEvents = 20;
constexpr size_t kConcurrentRounds = 2;
// One victim in this many is purged by mistake after the bulk restore, then
// brought back from the backup.
constexpr size_t kPurgedVictimEvery = 4;
// Purged victims whose payload bytes are looked for in the store files.
constexpr size_t kPurgeByteChecks = 4;
// The tombstone blast-radius limit a cleanup script meets by default.
constexpr size_t kBlastRadius = 10;
// Bounds of the drill stores' initial map, about 1 KiB per event; the map
// grows by itself past the upper bound.
constexpr uint64_t kMinMapBytes = uint64_t{64} << 20;
constexpr uint64_t kMaxInitialMapBytes = uint64_t{16} << 30;
// Threads comparing tenants in the proof.
constexpr size_t kProofThreads = 2;

// An engine call failed where the drill cannot go on.
class DrillError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void Must(const Status& status, std::string_view what) {
  if (!status.ok()) throw DrillError(fmt::format("{}: {}", what, status.ToString()));
}

template <typename T>
T Must(Result<T> result, std::string_view what) {
  Must(result.status(), what);
  return std::move(result).value();
}

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double PerSecond(double count, double seconds) { return seconds > 0 ? count / seconds : 0; }

// "12,345": a rate for people.
std::string Rate(double count, double seconds) {
  return HumanCount(static_cast<uint64_t>(PerSecond(count, seconds) + 0.5));
}

// Temporary directories of the drill, removed at the end unless kept.
class ScratchDir {
 public:
  explicit ScratchDir(bool keep) : keep_(keep) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        fmt::format("{}/tenantlog-drill-XXXXXX", base != nullptr && *base != '\0' ? base : "/tmp");
    if (mkdtemp(pattern.data()) == nullptr) {
      throw CommandError(kExitFailure,
                         fmt::format("cannot create a temporary directory {}", pattern));
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!keep_) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  bool keep_;
  std::string path_;
};

void RequireEmptyOrMissing(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::exists(dir, error)) return;
  if (!std::filesystem::is_directory(dir, error) || !std::filesystem::is_empty(dir, error)) {
    throw CommandError(kExitRefused,
                       fmt::format("drill --db {}: not empty; the drill builds a fresh store and "
                                   "needs an empty or missing directory",
                                   dir));
  }
}

enum class Mode {
  kFast,      // writable, no fsync per commit (Options::sync = false)
  kDurable,   // writable, every commit flushed (Options::sync = true)
  kReadOnly,  // reads fold views in memory and write nothing
};

// Opens a drill store; a writable one is created when missing.

std::unique_ptr<Store> OpenDrillStore(const std::string& dir, Mode mode, uint64_t map_bytes) {
  Options options;
  options.sync = mode == Mode::kDurable;
  options.read_only = mode == Mode::kReadOnly;
  options.create_if_missing = mode != Mode::kReadOnly;
  options.initial_map_bytes = map_bytes;
  std::unique_ptr<Store> store;
  Must(Store::Open(options, dir, &store), fmt::format("opening the drill store {}", dir));
  return store;
}

// The other tenants' traffic during the incident: one batch of
// `batch_events` for each of `tenants`, appended in order on its own thread
// from construction until done or the first failure. Joins on destruction.
class BackgroundWriter {
 public:
  BackgroundWriter(Store& store, TrafficGenerator& traffic, const std::vector<std::string>& names,
                   const std::vector<size_t>& tenants, size_t batch_events)
      : thread_([&store, &traffic, &names, &tenants, batch_events, this] {
          for (size_t tenant : tenants) {
            const auto appended =
                store.Append(names[tenant], traffic.NextBatch(tenant, batch_events));
            if (!appended.ok()) {
              error_ = fmt::format("{}: {}", names[tenant], appended.status().ToString());
              break;
            }
            ++committed_;
          }
          done_ = true;
        }) {}

  // Returns once a batch is committed, or the writer is done.
  void WaitForFirstCommit() const {
    while (committed_ == 0 && !done_) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }

  // Batches committed so far.
  size_t committed() const { return committed_; }

  // Waits for the writer to finish; returns its failure, or empty.
  std::string Join() {
    thread_.join();
    return error_;
  }

 private:
  std::atomic<size_t> committed_{0};
  std::atomic<bool> done_{false};
  std::string error_;    // written by the thread, read after Join
  std::jthread thread_;  // last: it starts at construction and uses the members above
};

class Drill {
 public:
  Drill(CliContext& context, const DrillOptions& options);
  int Run();

 private:
  using StepFn = void (Drill::*)(StepReport&);
  struct Step {
    const char* name;
    StepFn run;
  };
  // The drill, in order. A step may rely on everything the steps before it
  // did; a new step is a method and a row here.
  static std::span<const Step> Steps();

  void Traffic(StepReport& report);
  void Reference(StepReport& report);
  void HotBackup(StepReport& report);
  void Incident(StepReport& report);
  // Saves each victim's view and head before the incident, without writing.
  void SnapshotVictims();
  void BulkRestore(StepReport& report);
  void Purge(StepReport& report);
  void RestoreFromBackup(StepReport& report);
  void BadUpdate(StepReport& report);
  void VerifyChains(StepReport& report);
  void Proof(StepReport& report);

  // Builds the incident-free reference run: the same fill and the same
  // concurrent traffic. Runs on its own thread during Traffic.
  double BuildReference();
  std::vector<std::string> CheckVictim(size_t victim);
  std::vector<std::string> CheckPurgedVictim(size_t victim);
  // A long payload of each of the first purged victims, to look for in the
  // store files.
  std::vector<std::string> PurgedPayloadSamples() const;
  std::vector<std::string> CheckRewound();

  AdminContext Admin(std::string actor, std::string command, std::string reason) const;

  CliContext& context_;
  const DrillOptions options_;
  const uint64_t map_bytes_;
  ScratchDir scratch_;
  std::string store_dir_;
  std::string reference_dir_;
  std::string backup_dir_;
  std::string purge_plan_file_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Store> reference_;
  std::unique_ptr<Store> backup_;  // open read-only during the proof only
  std::future<double> reference_run_;

  std::vector<std::string> names_;  // every tenant, by index
  std::vector<size_t> victims_;     // indices of the cleanup script's wrong list
  std::vector<std::string> victim_names_;
  std::vector<bool> is_victim_;
  std::vector<bool> victim_purged_;            // by victim position
  std::vector<std::string> purged_names_;      // victims purged by mistake
  std::vector<size_t> writers_;                // non-victims writing during the incident
  size_t rewound_ = 0;                         // the non-victim given a bad update
  std::unique_ptr<TrafficGenerator> traffic_;  // the drill store's traffic

  uint64_t fill_events_ = 0;
  std::vector<std::vector<KeyValue>> victim_views_;  // by victim position, before the incident
  std::vector<uint64_t> victim_heads_;
  std::vector<uint64_t> backup_chain_heads_;  // by victim position, as the backup holds them
  uint64_t rewind_point_ = 0;
  size_t damaged_keys_ = 0;
};

std::span<const Drill::Step> Drill::Steps() {
  static constexpr Step kSteps[] = {
      {"traffic", &Drill::Traffic},
      {"reference", &Drill::Reference},
      {"backup", &Drill::HotBackup},
      {"incident", &Drill::Incident},
      {"bulk-restore", &Drill::BulkRestore},
      {"purge", &Drill::Purge},
      {"restore-from-backup", &Drill::RestoreFromBackup},
      {"bad-update", &Drill::BadUpdate},
      {"verify", &Drill::VerifyChains},
      {"proof", &Drill::Proof},
  };
  return kSteps;
}

Drill::Drill(CliContext& context, const DrillOptions& options)
    : context_(context),
      options_(options),
      map_bytes_(std::bit_ceil(std::clamp<uint64_t>(options.tenants * options.events * 1024,
                                                    kMinMapBytes, kMaxInitialMapBytes))),
      scratch_(options.keep) {
  store_dir_ = options.dir.empty() ? scratch_.path() + "/store" : options.dir;
  reference_dir_ = scratch_.path() + "/reference";
  backup_dir_ = scratch_.path() + "/backup-before-incident";
  purge_plan_file_ = scratch_.path() + "/purge.plan";
  for (size_t i = 0; i < options.tenants; ++i) names_.push_back(TrafficGenerator::TenantName(i));

  // The wrong ID list: a deterministic scatter over all tenants.
  std::vector<size_t> order(options.tenants);
  std::iota(order.begin(), order.end(), 0);
  uint64_t random = options.seed;
  for (size_t i = order.size(); i > 1; --i) {
    random = random * 6364136223846793005ull + 1442695040888963407ull;
    std::swap(order[i - 1], order[(random >> 17) % i]);
  }
  victims_.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(options.victims));
  std::sort(victims_.begin(), victims_.end());
  is_victim_.assign(options.tenants, false);
  for (size_t v : victims_) {
    is_victim_[v] = true;
    victim_names_.push_back(names_[v]);
  }
  victim_purged_.assign(victims_.size(), false);
  for (size_t v = 0; v < victims_.size(); v += kPurgedVictimEvery) {
    victim_purged_[v] = true;
    purged_names_.push_back(victim_names_[v]);
  }
  size_t non_victims = 0;
  for (size_t i = 0; i < options.tenants; ++i) {
    if (is_victim_[i]) continue;
    if (non_victims == 0) rewound_ = i;
    if (non_victims % kConcurrentWriterEvery == 0) writers_.push_back(i);
    ++non_victims;
  }
}

AdminContext Drill::Admin(std::string actor, std::string command, std::string reason) const {
  AdminContext admin;
  admin.actor = std::move(actor);
  admin.command = std::move(command);
  admin.reason = std::move(reason);
  admin.arguments = context_.arguments();
  return admin;
}

// ---- 1. traffic ----

void Drill::Traffic(StepReport& report) {
  store_ = OpenDrillStore(store_dir_, Mode::kFast, map_bytes_);
  reference_ = OpenDrillStore(reference_dir_, Mode::kFast, map_bytes_);
  reference_run_ = std::async(std::launch::async, [this] { return BuildReference(); });

  const auto start = SteadyClock::now();
  traffic_ = std::make_unique<TrafficGenerator>(options_.seed, options_.tenants);
  Progress progress("traffic", options_.tenants * options_.events);
  uint64_t batches = 0;
  uint64_t payload_bytes = 0;
  GenerateFill(*traffic_, options_.events, [&](size_t tenant, const AppendBatch& batch) {
    Must(store_->Append(names_[tenant], batch), fmt::format("appending to {}", names_[tenant]));
    ++batches;
    fill_events_ += batch.size();
    for (const DataEvent& event : batch.events()) payload_bytes += event.payload.size();
    progress.Update(fill_events_);
  });
  progress.Finish();
  const double seconds = SecondsSince(start);

  // The incident runs on a durable store, as in production.
  store_.reset();
  store_ = OpenDrillStore(store_dir_, Mode::kDurable, map_bytes_);

  report.Say("{} into {} in {} batches ({} of payload): {} events/s", Plural(fill_events_, "event"),
             Plural(options_.tenants, "tenant"), HumanCount(batches), HumanBytes(payload_bytes),
             Rate(fill_events_, seconds));
  report.Say(
      "filled without fsync (Options.sync=false) for speed; reopened with sync=true for "
      "the incident");
  report.figures = {{"events", fill_events_},
                    {"batches", batches},
                    {"payload_bytes", payload_bytes},
                    {"events_per_second", PerSecond(fill_events_, seconds)},
                    {"fill_sync", false}};
}

double Drill::BuildReference() {
  const auto start = SteadyClock::now();
  TrafficGenerator traffic(options_.seed, options_.tenants);
  GenerateFill(traffic, options_.events, [&](size_t tenant, const AppendBatch& batch) {
    Must(reference_->Append(names_[tenant], batch),
         fmt::format("appending to {} in the reference store", names_[tenant]));
  });
  for (size_t round = 0; round < kConcurrentRounds; ++round) {
    for (size_t writer : writers_) {
      Must(reference_->Append(names_[writer], traffic.NextBatch(writer, kConcurrentBatchEvents)),
           fmt::format("appending to {} in the reference store", names_[writer]));
    }
  }
  return SecondsSince(start);
}

// ---- 2. reference ----

void Drill::Reference(StepReport& report) {
  const double seconds = reference_run_.get();
  const uint64_t concurrent_events = writers_.size() * kConcurrentBatchEvents * kConcurrentRounds;
  report.Say(
      "incident-free run of the same traffic in a second store, built alongside step 1 in {}",
      HumanSeconds(seconds));
  report.Say("{} plus the {} the other tenants write during the backup and the incident",
             Plural(fill_events_, "event"), Plural(concurrent_events, "event"));
  report.figures = {{"events", fill_events_ + concurrent_events}, {"build_seconds", seconds}};
}

// ---- 3. backup ----

void Drill::HotBackup(StepReport& report) {
  BackgroundWriter writer(*store_, *traffic_, names_, writers_, kConcurrentBatchEvents);
  writer.WaitForFirstCommit();
  const size_t committed_before = writer.committed();
  const auto start = SteadyClock::now();
  const BackupReport backup =
      Must(store_->Backup(backup_dir_, Admin(context_.Actor(), "backup", "nightly backup")),
           fmt::format("backing up to {}", backup_dir_));
  const double seconds = SecondsSince(start);
  const size_t committed_during = writer.committed() - committed_before;
  const std::string writer_error = writer.Join();
  report.Say("hot backup to {}: {} in {} ({}/s), compacted", backup.dir, HumanBytes(backup.bytes),
             HumanSeconds(seconds),
             HumanBytes(static_cast<uint64_t>(PerSecond(backup.bytes, seconds))));
  report.Say(
      "meanwhile {} other tenants kept writing: {} batches of {} events, {} committed during "
      "the copy",
      writers_.size(), writer.committed(), kConcurrentBatchEvents, committed_during);
  report.Expect(writer_error.empty(), "a concurrent writer failed: " + writer_error);
  report.Expect(
      writer.committed() == writers_.size(),
      fmt::format("{} of {} concurrent batches committed", writer.committed(), writers_.size()));

  // The copy is a store of its own: the victims' chains in it must verify.
  const auto verify_start = SteadyClock::now();
  std::unique_ptr<Store> copy = OpenDrillStore(backup_dir_, Mode::kReadOnly, map_bytes_);
  const VerifyReport verified = Must(copy->Verify(victim_names_), "verifying the backup");
  for (const std::string& victim : victim_names_) {
    backup_chain_heads_.push_back(
        Must(copy->Describe(victim), fmt::format("describing {} in the backup", victim))
            .chain_head);
  }
  copy.reset();
  const double verify_seconds = SecondsSince(verify_start);
  for (const Damage& damage : verified.damaged) {
    report.Expect(false,
                  fmt::format("backup: {} seq {}: {}", damage.tenant, damage.seq, damage.problem));
  }
  report.Say("the copy opens as a store; the {} tenants of the coming incident verify in it: {}",
             HumanCount(verified.tenants), Plural(verified.events, "event"));
  report.figures = {{"dir", backup.dir},
                    {"bytes", backup.bytes},
                    {"backup_seconds", seconds},
                    {"bytes_per_second", PerSecond(backup.bytes, seconds)},
                    {"concurrent_batches", writer.committed()},
                    {"batches_during_backup", committed_during},
                    {"verified_tenants", verified.tenants},
                    {"verified_events", verified.events},
                    {"verify_ok", verified.ok},
                    {"verify_seconds", verify_seconds}};
}

// ---- 4. incident ----

void Drill::SnapshotVictims() {
  for (const std::string& victim : victim_names_) {
    const uint64_t head =
        Must(store_->Describe(victim), fmt::format("describing {}", victim)).head_seq;
    ReadOptions at_head;
    at_head.as_of = Point::AtSeq(head);
    victim_views_.push_back(Must(store_->List(victim, at_head), fmt::format("reading {}", victim)));
    victim_heads_.push_back(head);
  }
}

void Drill::Incident(StepReport& report) {
  const auto snapshot_start = SteadyClock::now();
  SnapshotVictims();
  const double snapshot_seconds = SecondsSince(snapshot_start);

  BackgroundWriter writer(*store_, *traffic_, names_, writers_, kConcurrentBatchEvents);
  writer.WaitForFirstCommit();

  AdminContext script = Admin("cleanup-script", "tombstone", "remove stale trial accounts");
  script.max_tenants = kBlastRadius;
  const auto refused = store_->Tombstone(victim_names_, script);
  report.Say("cleanup script tombstones {} from a wrong ID list",
             Plural(victims_.size(), "tenant"));
  report.Expect(refused.status().IsRefused(),
                fmt::format("the blast-radius guard (max {} tenants) did not refuse {} tenants: {}",
                            kBlastRadius, victims_.size(), refused.status().ToString()));
  report.Say("blast-radius guard (--max-tenants {}): refused, nothing written: {}", kBlastRadius,
             refused.status().message());
  for (const std::string& victim : victim_names_) {
    const TenantInfo info = Must(store_->Describe(victim), fmt::format("describing {}", victim));
    report.Expect(info.state == TenantState::kActive,
                  fmt::format("{} changed state although the tombstone was refused", victim));
  }

  script.max_tenants = victims_.size();
  const size_t committed_before = writer.committed();
  const auto start = SteadyClock::now();
  const BulkReport tombstoned =
      Must(store_->Tombstone(victim_names_, script), "tombstoning the victims");
  const double seconds = SecondsSince(start);
  const size_t committed_during = writer.committed() - committed_before;
  const std::string writer_error = writer.Join();
  const size_t committed_after = writer.committed() - committed_before - committed_during;

  report.Say("the script overrides it (--max-tenants {}): {} tombstoned in {} ({} tenants/s)",
             victims_.size(), Plural(tombstoned.changed.size(), "tenant"), HumanSeconds(seconds),
             Rate(tombstoned.changed.size(), seconds));
  report.Expect(
      tombstoned.changed.size() == victims_.size(),
      fmt::format("{} of {} victims tombstoned", tombstoned.changed.size(), victims_.size()));
  report.Say(
      "meanwhile {} other tenants kept writing on another thread: {} batches of {} events, {} "
      "committed before the tombstone, {} during it, {} after it",
      writers_.size(), writer.committed(), kConcurrentBatchEvents, committed_before,
      committed_during, committed_after);
  report.Expect(writer_error.empty(), "a concurrent writer failed: " + writer_error);
  report.Expect(
      writer.committed() == writers_.size(),
      fmt::format("{} of {} concurrent batches committed", writer.committed(), writers_.size()));

  const auto read = store_->List(victim_names_.front());
  report.Expect(read.status().IsTenantDeleted(),
                fmt::format("reading tombstoned {} gave {}", victim_names_.front(),
                            read.status().ToString()));
  report.Say("victims are down: reads now fail with \"{}\"", read.status().message());
  report.figures = {{"victims", victims_.size()},
                    {"guard_refused", refused.status().IsRefused()},
                    {"tombstone_seconds", seconds},
                    {"tombstoned", tombstoned.changed.size()},
                    {"concurrent_writers", writers_.size()},
                    {"concurrent_batches", writer.committed()},
                    {"batches_before_tombstone", committed_before},
                    {"batches_during_tombstone", committed_during},
                    {"batches_after_tombstone", committed_after},
                    {"victim_snapshot_seconds", snapshot_seconds}};
}

// ---- 5. bulk restore ----

void Drill::BulkRestore(StepReport& report) {
  AdminContext oncall = Admin(context_.Actor(), "restore", "undo the wrong cleanup");
  oncall.max_tenants = victims_.size();
  const auto start = SteadyClock::now();
  const BulkReport restored = Must(store_->Restore(victim_names_, oncall), "restoring the victims");
  const double seconds = SecondsSince(start);
  report.Say("{} restored in one call in {}: {} tenants/s",
             Plural(restored.changed.size(), "tenant"), HumanSeconds(seconds),
             Rate(restored.changed.size(), seconds));
  report.Expect(restored.changed.size() == victims_.size(),
                fmt::format("{} of {} victims restored", restored.changed.size(), victims_.size()));
  report.figures = {{"restored", restored.changed.size()},
                    {"seconds", seconds},
                    {"tenants_per_second", PerSecond(restored.changed.size(), seconds)}};
}

// ---- 6. purge ----

std::vector<std::string> Drill::PurgedPayloadSamples() const {
  std::vector<std::string> samples;
  for (size_t v = 0; v < victims_.size() && samples.size() < kPurgeByteChecks; ++v) {
    if (!victim_purged_[v] || victim_views_[v].empty()) continue;
    const auto longest = std::max_element(
        victim_views_[v].begin(), victim_views_[v].end(),
        [](const KeyValue& a, const KeyValue& b) { return a.payload.size() < b.payload.size(); });
    if (!longest->payload.empty()) samples.push_back(longest->payload);
  }
  return samples;
}

void Drill::Purge(StepReport& report) {
  const size_t count = purged_names_.size();
  const std::vector<std::string> samples = PurgedPayloadSamples();
  const std::vector<bool> present_before =
      Must(FindInFiles(store_dir_, samples), "searching the store files");
  const size_t samples_before =
      static_cast<size_t>(std::count(present_before.begin(), present_before.end(), true));

  // The script runs again, this time in its "permanently delete" mode.
  const auto start = SteadyClock::now();
  AdminContext script =
      Admin("cleanup-script", "tombstone", "permanently delete stale trial accounts");
  script.max_tenants = count;
  const BulkReport tombstoned =
      Must(store_->Tombstone(purged_names_, script), "tombstoning the victims to purge");
  report.Expect(tombstoned.changed.size() == count,
                fmt::format("{} of {} tombstoned again", tombstoned.changed.size(), count));

  script.command = "purge plan";
  const PurgePlan plan =
      Must(store_->PlanPurge(purged_names_, 0, purge_plan_file_, script), "planning the purge");
  report.Expect(plan.tenants.size() == count,
                fmt::format("the purge plan holds {} of {} tenants", plan.tenants.size(), count));

  script.command = "purge run";
  const auto wrong = store_->RunPurge(purge_plan_file_, plan.token + "0", script);
  report.Expect(
      wrong.status().IsRefused(),
      fmt::format("purge run with a wrong token was not refused: {}", wrong.status().ToString()));
  const PurgeReport purged =
      Must(store_->RunPurge(purge_plan_file_, plan.token, script), "running the purge");
  const double seconds = SecondsSince(start);
  report.Expect(purged.purged.size() == count,
                fmt::format("{} of {} victims purged", purged.purged.size(), count));
  report.Expect(
      purged.events_removed == plan.events,
      fmt::format("{} events purged, the plan named {}", purged.events_removed, plan.events));

  report.Say(
      "the script runs again in its \"permanently delete\" mode on {} of the victims: "
      "tombstone, purge plan (--older-than 0s) and purge run with its token, in {}",
      HumanCount(count), HumanSeconds(seconds));
  report.Say("purge run with a wrong token: refused, nothing purged: {}", wrong.status().message());
  report.Say("{} and {} removed for good; data file {} → {}",
             Plural(purged.purged.size(), "tenant"), Plural(purged.events_removed, "event"),
             HumanBytes(purged.store_bytes_before), HumanBytes(purged.store_bytes_after));

  // A purged tenant's name is free: only the list of records still shows it.
  std::vector<std::string> purge_records;
  for (const TenantInfo& info : Must(store_->Tenants(), "listing the tenants")) {
    if (info.state == TenantState::kPurged && info.event_count == 0) {
      purge_records.push_back(info.name);
    }
  }
  std::sort(purge_records.begin(), purge_records.end());
  size_t gone = 0;
  for (const std::string& victim : purged_names_) {
    const bool recorded = std::binary_search(purge_records.begin(), purge_records.end(), victim);
    const auto view = store_->List(victim);
    const auto log = store_->ReadLog(victim, 1, 1);
    const bool unreadable = view.status().IsNotFound() && log.status().IsNotFound();
    report.Expect(recorded, fmt::format("{}: no purge record after the purge", victim));
    report.Expect(unreadable,
                  fmt::format("{}: still readable after the purge: view {}, log {}", victim,
                              view.status().ToString(), log.status().ToString()));
    if (recorded && unreadable) ++gone;
  }
  const std::vector<bool> present_after =
      Must(FindInFiles(store_dir_, samples), "searching the store files");
  const size_t samples_after =
      static_cast<size_t>(std::count(present_after.begin(), present_after.end(), true));
  report.Expect(samples_before == samples.size(),
                fmt::format("only {} of {} sampled payloads were in the store files before "
                            "the purge",
                            samples_before, samples.size()));
  report.Expect(samples_after == 0, fmt::format("{} of {} sampled payloads of purged tenants are "
                                                "still in the store files",
                                                samples_after, samples.size()));
  report.Say(
      "{} gone: purge records kept, reads fail with \"{}\"; {} sampled payloads found in the "
      "store files before, {} after",
      Plural(gone, "tenant"), store_->List(purged_names_.front()).status().message(),
      samples_before, samples_after);
  report.figures = {{"purged", purged.purged.size()},
                    {"events_removed", purged.events_removed},
                    {"seconds", seconds},
                    {"wrong_token_refused", wrong.status().IsRefused()},
                    {"gone", gone},
                    {"store_bytes_before", purged.store_bytes_before},
                    {"store_bytes_after", purged.store_bytes_after},
                    {"payload_samples", samples.size()},
                    {"payload_samples_before", samples_before},
                    {"payload_samples_after", samples_after}};
}

// ---- 7. restore from backup ----

void Drill::RestoreFromBackup(StepReport& report) {
  const size_t count = purged_names_.size();
  AdminContext oncall =
      Admin(context_.Actor(), "restore-from-backup", "bring back the purged tenants");
  oncall.max_tenants = count;
  const auto start = SteadyClock::now();
  const RestoreReport restored = Must(store_->RestoreFromBackup(backup_dir_, purged_names_, oncall),
                                      "restoring the purged victims from the backup");
  const double seconds = SecondsSince(start);

  uint64_t expected_events = 0;
  for (size_t v = 0; v < victims_.size(); ++v) {
    if (victim_purged_[v]) expected_events += victim_heads_[v];
  }
  for (const RestoreConflict& conflict : restored.conflicts) {
    report.Expect(false, fmt::format("{}: conflict: {}", conflict.tenant, conflict.reason));
  }
  report.Expect(restored.restored.size() == count,
                fmt::format("{} of {} purged victims restored from the backup",
                            restored.restored.size(), count));
  report.Expect(restored.events_copied == expected_events,
                fmt::format("{} events copied from the backup, the victims had {}",
                            restored.events_copied, expected_events));
  report.Say("{} and {} brought back from the backup in {}: {} tenants/s, {} events/s",
             Plural(restored.restored.size(), "tenant"), Plural(restored.events_copied, "event"),
             HumanSeconds(seconds), Rate(restored.restored.size(), seconds),
             Rate(restored.events_copied, seconds));

  const auto verify_start = SteadyClock::now();
  const VerifyReport verified = Must(store_->Verify(purged_names_), "verifying the restored");
  for (const Damage& damage : verified.damaged) {
    report.Expect(false,
                  fmt::format("verify: {} seq {}: {}", damage.tenant, damage.seq, damage.problem));
  }
  size_t matching = 0;
  for (size_t v = 0; v < victims_.size(); ++v) {
    if (!victim_purged_[v]) continue;
    const std::string& victim = victim_names_[v];
    const TenantInfo info = Must(store_->Describe(victim), fmt::format("describing {}", victim));
    const bool record = info.state == TenantState::kActive && info.head_seq == victim_heads_[v] &&
                        info.chain_head == backup_chain_heads_[v];
    report.Expect(record, fmt::format("{}: {} head {} chain {}; the backup holds it active, head "
                                      "{} chain {}",
                                      victim, TenantStateName(info.state), info.head_seq,
                                      FormatChain(info.chain_head), victim_heads_[v],
                                      FormatChain(backup_chain_heads_[v])));
    const std::vector<KeyValue> view =
        Must(store_->List(victim), fmt::format("reading {}", victim));
    const std::vector<std::string> problems = CompareViews(victim, view, victim_views_[v]);
    for (const std::string& problem : problems) report.Expect(false, problem);
    if (record && problems.empty()) ++matching;
  }
  const double verify_seconds = SecondsSince(verify_start);
  report.Say(
      "verified in {}: {} chains intact; {} with the backup's chain head and the view of "
      "before the incident",
      HumanSeconds(verify_seconds), HumanCount(verified.tenants), Plural(matching, "tenant"));

  AdminContext again = oncall;
  again.dry_run = true;
  const RestoreReport rerun = Must(store_->RestoreFromBackup(backup_dir_, purged_names_, again),
                                   "dry run of the restore again");
  report.Expect(
      rerun.unchanged.size() == count && rerun.restored.empty() && rerun.conflicts.empty(),
      fmt::format("running the restore again would restore {}, leave {} unchanged, "
                  "find {} conflicts",
                  rerun.restored.size(), rerun.unchanged.size(), rerun.conflicts.size()));
  report.Say("running it again is safe: a dry run reports {} unchanged",
             HumanCount(rerun.unchanged.size()));
  report.figures = {{"restored", restored.restored.size()},
                    {"conflicts", restored.conflicts.size()},
                    {"events_copied", restored.events_copied},
                    {"seconds", seconds},
                    {"tenants_per_second", PerSecond(restored.restored.size(), seconds)},
                    {"events_per_second", PerSecond(restored.events_copied, seconds)},
                    {"verified_ok", verified.ok},
                    {"matching_backup", matching},
                    {"verify_seconds", verify_seconds},
                    {"rerun_unchanged", rerun.unchanged.size()}};
}

// ---- 8. bad update ----

void Drill::BadUpdate(StepReport& report) {
  const std::string& tenant = names_[rewound_];
  const std::vector<KeyValue> before =
      Must(store_->List(tenant), fmt::format("reading {}", tenant));
  const TenantInfo info = Must(store_->Describe(tenant), fmt::format("describing {}", tenant));

  std::vector<std::string> keys;
  for (const KeyValue& entry : before) keys.push_back(entry.key);
  const int64_t deploy_us = info.updated_us + 60'000'000;
  const AppendBatch damage = DamagingBatch(keys, deploy_us, options_.seed);
  const AppendResult bad = Must(store_->Append(tenant, damage), fmt::format("damaging {}", tenant));
  damaged_keys_ = damage.size();
  report.Say("{}: a bad migration at {} overwrote {} with garbage (seqs {}..{})", tenant,
             FormatTime(deploy_us), Plural(keys.size(), "key"), bad.first_seq, bad.last_seq);

  const auto start = SteadyClock::now();
  const ViewDiff diff = Must(store_->Diff(tenant, Point::AtTime(deploy_us - 1), std::nullopt),
                             fmt::format("diffing {}", tenant));
  uint64_t earliest = bad.last_seq;
  for (const auto* changes : {&diff.added, &diff.changed, &diff.removed}) {
    for (const KeyChange& change : *changes) earliest = std::min(earliest, change.seq);
  }
  rewind_point_ = earliest - 1;
  const size_t diff_keys = diff.added.size() + diff.changed.size() + diff.removed.size();
  report.Say(
      "diff since just before the deploy: {} changed, {} removed; earliest at seq {} → "
      "rewind point seq {}",
      diff.changed.size(), diff.removed.size(), earliest, rewind_point_);
  report.Expect(rewind_point_ == info.head_seq,
                fmt::format("{}: diff points at seq {}, the last good seq is {}", tenant,
                            rewind_point_, info.head_seq));

  AdminContext oncall = Admin(context_.Actor(), "rewind", "undo the bad migration");
  oncall.dry_run = true;
  const RewindReport plan = Must(store_->Rewind(tenant, Point::AtSeq(rewind_point_), oncall),
                                 fmt::format("dry-run rewind of {}", tenant));
  const size_t plan_keys =
      plan.diff.added.size() + plan.diff.changed.size() + plan.diff.removed.size();
  report.Say("dry run: {} would change back, nothing written", Plural(plan_keys, "key"));
  report.Expect(plan_keys == diff_keys, fmt::format("{}: the dry run lists {} keys, the diff {}",
                                                    tenant, plan_keys, diff_keys));
  report.Expect(Must(store_->Describe(tenant), "describing").head_seq == bad.last_seq,
                fmt::format("{}: the dry run wrote to the log", tenant));

  oncall.dry_run = false;
  const RewindReport rewound = Must(store_->Rewind(tenant, Point::AtSeq(rewind_point_), oncall),
                                    fmt::format("rewinding {}", tenant));
  const double seconds = SecondsSince(start);
  const std::vector<KeyValue> after = Must(store_->List(tenant), fmt::format("reading {}", tenant));
  const std::vector<std::string> view_problems = CompareViews(tenant, after, before);
  for (const std::string& problem : view_problems) report.Expect(false, problem);
  report.Say(
      "rewound to seq {} (rewind event at seq {}) in {}; the view {} the one before the "
      "bad update ({})",
      rewound.target_seq, rewound.marker_seq, HumanSeconds(seconds),
      view_problems.empty() ? "equals" : "DIFFERS from", Plural(after.size(), "key"));
  report.figures = {{"tenant", tenant},
                    {"damaged_keys", keys.size()},
                    {"rewind_point", rewind_point_},
                    {"marker_seq", rewound.marker_seq},
                    {"seconds", seconds},
                    {"view_restored", view_problems.empty()}};
}

// ---- 9. verify ----

void Drill::VerifyChains(StepReport& report) {
  const auto start = SteadyClock::now();
  const VerifyReport verified = Must(store_->Verify({}), "verifying the store");
  const double seconds = SecondsSince(start);
  for (const Damage& damage : verified.damaged) {
    report.Expect(false,
                  fmt::format("verify: {} seq {}: {}", damage.tenant, damage.seq, damage.problem));
  }
  report.Expect(verified.ok, "verify reported the store damaged");
  report.Say("{} and {} checked, {}: {} events/s", Plural(verified.tenants, "tenant"),
             Plural(verified.events, "event"), verified.ok ? "every chain intact" : "DAMAGE FOUND",
             Rate(verified.events, seconds));
  report.figures = {{"ok", verified.ok},
                    {"tenants", verified.tenants},
                    {"events", verified.events},
                    {"events_per_second", PerSecond(verified.events, seconds)}};
}

// ---- 10. proof ----

std::vector<std::string> Drill::CheckVictim(size_t victim) {
  const std::string& tenant = victim_names_[victim];
  auto view = store_->List(tenant);
  if (!view.ok())
    return {fmt::format("{}: reading the view: {}", tenant, view.status().ToString())};
  std::vector<std::string> problems = CompareViews(tenant, *view, victim_views_[victim]);

  const auto log = ReadWholeLog(*store_, tenant);
  const auto expected = ReadWholeLog(*reference_, tenant);
  if (!log.ok() || !expected.ok()) {
    problems.push_back(fmt::format("{}: reading the log: {} / reference: {}", tenant,
                                   log.status().ToString(), expected.status().ToString()));
    return problems;
  }
  const size_t n = expected->size();
  const bool shape = log->size() == n + 2 && (*log)[n].kind == EventKind::kTombstone &&
                     (*log)[n + 1].kind == EventKind::kRestore && victim_heads_[victim] == n;
  if (!shape) {
    problems.push_back(
        fmt::format("{}: log is not the reference's {} events + tombstone + restore", tenant, n));
  }
  const std::span<const Event> prefix(log->data(), std::min(n, log->size()));
  for (std::string& problem : CompareEvents(tenant, prefix, *expected))
    problems.push_back(std::move(problem));
  return problems;
}

std::vector<std::string> Drill::CheckPurgedVictim(size_t victim) {
  const std::string& tenant = victim_names_[victim];
  auto view = store_->List(tenant);
  if (!view.ok())
    return {fmt::format("{}: reading the view: {}", tenant, view.status().ToString())};
  std::vector<std::string> problems = CompareViews(tenant, *view, victim_views_[victim]);

  const auto info = store_->Describe(tenant);
  const auto backup_info = backup_->Describe(tenant);
  if (!info.ok() || !backup_info.ok()) {
    problems.push_back(fmt::format("{}: describe failed: {} / backup: {}", tenant,
                                   info.status().ToString(), backup_info.status().ToString()));
    return problems;
  }
  if (info->state != backup_info->state || info->head_seq != backup_info->head_seq ||
      info->event_count != backup_info->event_count ||
      info->chain_head != backup_info->chain_head) {
    problems.push_back(fmt::format(
        "{}: record {} head {} events {} chain {}; the backup's {} head {} events {} chain {}",
        tenant, TenantStateName(info->state), info->head_seq, info->event_count,
        FormatChain(info->chain_head), TenantStateName(backup_info->state), backup_info->head_seq,
        backup_info->event_count, FormatChain(backup_info->chain_head)));
  }
  const auto log = ReadWholeLog(*store_, tenant);
  const auto in_backup = ReadWholeLog(*backup_, tenant);
  const auto expected = ReadWholeLog(*reference_, tenant);
  if (!log.ok() || !in_backup.ok() || !expected.ok()) {
    problems.push_back(fmt::format("{}: reading the log: {} / backup: {} / reference: {}", tenant,
                                   log.status().ToString(), in_backup.status().ToString(),
                                   expected.status().ToString()));
    return problems;
  }
  for (std::string& problem : CompareEvents(tenant, *log, *in_backup))
    problems.push_back(fmt::format("against the backup: {}", problem));
  for (std::string& problem : CompareEvents(tenant, *log, *expected))
    problems.push_back(fmt::format("against the reference: {}", problem));
  return problems;
}

std::vector<std::string> Drill::CheckRewound() {
  const std::string& tenant = names_[rewound_];
  const auto view = store_->List(tenant);
  const auto expected_view = reference_->List(tenant);
  const auto log = ReadWholeLog(*store_, tenant);
  const auto expected = ReadWholeLog(*reference_, tenant);
  if (!view.ok() || !expected_view.ok() || !log.ok() || !expected.ok()) {
    return {fmt::format("{}: reading failed: {} {} {} {}", tenant, view.status().ToString(),
                        expected_view.status().ToString(), log.status().ToString(),
                        expected.status().ToString())};
  }
  std::vector<std::string> problems = CompareViews(tenant, *view, *expected_view);
  const size_t n = expected->size();
  const bool shape = n == rewind_point_ && log->size() == n + damaged_keys_ + 1 &&
                     log->back().kind == EventKind::kRewind && log->back().rewind_target == n;
  if (!shape) {
    problems.push_back(
        fmt::format("{}: log is not the reference's {} events + the bad batch + a rewind to seq {}",
                    tenant, n, n));
  }
  const std::span<const Event> prefix(log->data(), std::min(n, log->size()));
  for (std::string& problem : CompareEvents(tenant, prefix, *expected))
    problems.push_back(std::move(problem));
  return problems;
}

void Drill::Proof(StepReport& report) {
  // Read-only handles: the proof folds views in memory and cannot change
  // what it checks.
  store_.reset();
  reference_.reset();
  store_ = OpenDrillStore(store_dir_, Mode::kReadOnly, map_bytes_);
  reference_ = OpenDrillStore(reference_dir_, Mode::kReadOnly, map_bytes_);
  backup_ = OpenDrillStore(backup_dir_, Mode::kReadOnly, map_bytes_);

  std::vector<size_t> victim_position(options_.tenants, 0);
  for (size_t v = 0; v < victims_.size(); ++v) victim_position[victims_[v]] = v;

  std::mutex mu;
  std::vector<std::string> problems;
  std::atomic<uint64_t> compared_events{0};
  Progress progress("proof", options_.tenants);
  std::atomic<size_t> done{0};
  ParallelFor(options_.tenants, kProofThreads, [&](size_t tenant) {
    std::vector<std::string> found;
    if (tenant == rewound_) {
      found = CheckRewound();
    } else if (is_victim_[tenant] && victim_purged_[victim_position[tenant]]) {
      found = CheckPurgedVictim(victim_position[tenant]);
    } else if (is_victim_[tenant]) {
      found = CheckVictim(victim_position[tenant]);
    } else {
      found = CompareWithReference(*store_, *reference_, names_[tenant]);
    }
    progress.Update(++done);
    if (found.empty()) return;
    const std::lock_guard<std::mutex> lock(mu);
    for (std::string& problem : found) problems.push_back(std::move(problem));
  });
  progress.Finish();
  std::sort(problems.begin(), problems.end());
  for (std::string& problem : problems) report.Expect(false, std::move(problem));

  const size_t untouched = options_.tenants - victims_.size() - 1;
  report.Say(
      "{} untouched tenants byte-identical to the reference run: records, chain heads, "
      "every event with its chain, views",
      HumanCount(untouched));
  const size_t purged = purged_names_.size();
  report.Say(
      "{} victims restored in bulk: views equal their views before the incident; logs are the "
      "reference run's plus tombstone and restore",
      HumanCount(victims_.size() - purged));
  report.Say(
      "{} victims purged and restored from the backup: records, chain heads and every event "
      "equal the backup's and the reference run's; views equal their views before the incident",
      HumanCount(purged));
  report.Say(
      "{}: view equals the reference run's; log is the reference run's plus the bad batch "
      "and one rewind",
      names_[rewound_]);
  report.figures = {{"untouched_tenants", untouched},
                    {"victims", victims_.size()},
                    {"victims_restored_in_bulk", victims_.size() - purged},
                    {"victims_restored_from_backup", purged},
                    {"rewound_tenant", names_[rewound_]},
                    {"problems", report.problems.size()}};
}

// ---- running ----

int Drill::Run() {
  std::string title = fmt::format("tenantlog drill: {} × {} events, {} victims; store {}",
                                  Plural(options_.tenants, "tenant"), HumanCount(options_.events),
                                  HumanCount(options_.victims), store_dir_);
  if (options_.keep) title += fmt::format("\nkept after the drill: {}", scratch_.path());
  DrillReport drill_report(
      context_.json(), Steps().size(), std::move(title),
      {{"tenants", options_.tenants},
       {"events_per_tenant", options_.events},
       {"victims", options_.victims},
       {"seed", options_.seed},
       {"purged_victims", purged_names_.size()},
       {"store", store_dir_},
       {"reference_store", options_.keep ? json(reference_dir_) : json(nullptr)},
       {"backup", options_.keep ? json(backup_dir_) : json(nullptr)}});
  drill_report.Start();
  for (const Step& step : Steps()) {
    StepReport report;
    report.name = step.name;
    const auto start = SteadyClock::now();
    bool stopped = false;
    try {
      (this->*step.run)(report);
    } catch (const DrillError& error) {
      report.problems.push_back(error.what());
      stopped = true;
    }
    report.seconds = SecondsSince(start);
    drill_report.AddStep(std::move(report));
    if (stopped) break;
  }
  if (reference_run_.valid()) reference_run_.wait();
  return drill_report.Finish() ? kExitOk : kExitFailure;
}

void ValidateOptions(const DrillOptions& options) {
  if (options.tenants < 2) UsageError("drill --tenants: at least 2");
  if (options.events < 10) UsageError("drill --events: at least 10");
  if (options.victims <= kBlastRadius) {
    UsageError(fmt::format("drill --victims: more than {}, the blast radius the script must hit",
                           kBlastRadius));
  }
  if (options.victims >= options.tenants) {
    UsageError(
        fmt::format("drill --victims {}: must leave at least one of the {} tenants untouched",
                    options.victims, options.tenants));
  }
}

}  // namespace

int RunDrill(CliContext& context, const DrillOptions& options) {
  ValidateOptions(options);
  if (!options.dir.empty()) RequireEmptyOrMissing(options.dir);
  Drill drill(context, options);
  return drill.Run();
}

void AddDrillCommand(CLI::App& app, CliContext& context, CommandTable& table) {
  auto options = std::make_shared<DrillOptions>();
  CLI::App* cmd = app.add_subcommand(
      "drill", "Replay the April 2022 incident on a fresh store and prove the repair");
  cmd->add_option("--tenants", options->tenants, "Tenants to fill (default 2000)")
      ->check(WholeNumber());
  cmd->add_option("--events", options->events, "Events per tenant (default 500)")
      ->check(WholeNumber());
  cmd->add_option("--victims", options->victims,
                  "Tenants the cleanup script tombstones (default 400)")
      ->check(WholeNumber());
  cmd->add_option("--seed", options->seed, "Seed of the synthetic traffic")->check(WholeNumber());
  cmd->add_flag("--keep", options->keep,
                "Keep the temporary directories (reference store, backup, purge plan)");
  cmd->footer(
      "The drill store is a new temporary directory, or --db DIR when given on the command line "
      "(it must be empty or missing; TENANTLOG_DB is not used).");
  table.Add(cmd, [&context, options] {
    options->dir = context.flags().db;
    return RunDrill(context, *options);
  });
}

}  // namespace tenantlog::tool
