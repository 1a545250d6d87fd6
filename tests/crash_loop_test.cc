// Processes killed (SIGKILL) at random points while they append atomic
// batches, rewind, tombstone and restore, restore tenants from a backup (with
// the purges and compactions that cycle needs) and import an export file.
// After every kill: each batch and each admin action is wholly there or not
// at all, nothing a process was told had committed is lost, the store
// verifies clean, and it opens and accepts writes.
//
// Each kill runs one forked child on the store, with the default Options
// (every commit synced); the child reports through a pipe each operation it
// begins and each one that returned OK, and the parent kills it after a random
// delay scaled to how long its operations take, so that most kills land
// inside an operation, and mostly inside its commit.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "util/forked_child.h"
#include "util/store_helpers.h"
#include "util/temp_dir.h"
#include "util/timeline_model.h"

namespace tenantlog::test {
namespace {

enum class Op { kAppend, kRewind, kTombstone, kRestoreFromBackup, kImport };
constexpr int kOps = 5;
const char* const kOpNames[kOps] = {"append", "rewind", "tombstone", "restore-from-backup", "import"};

// One round of kills: appends are the bulk of a store's writes.
constexpr Op kRound[] = {Op::kAppend, Op::kRewind,  Op::kAppend, Op::kTombstone, Op::kAppend,
                         Op::kRestoreFromBackup, Op::kAppend, Op::kImport, Op::kAppend};
constexpr int kRounds = 24;  // 216 kills

constexpr char kBatches[] = "batches";    // atomic batches, appended
constexpr char kRewound[] = "rewound";    // rewound to random seqs
constexpr char kToggled[] = "toggled";    // tombstoned and restored in turn
constexpr char kExported[] = "exported";  // the source of the export file
constexpr char kImportedPrefix[] = "imported-";
constexpr char kProbe[] = "probe";        // the parent's write after each kill
// Restored from the backup: group A only ever tombstoned (restored by undoing
// the tombstone), group B tombstoned then purged (restored by re-inserting
// its log from the backup).
const std::vector<std::string> kBackedA = {"backed-a0", "backed-a1"};
const std::vector<std::string> kBackedB = {"backed-b0", "backed-b1"};

std::vector<std::string> Backed() {
  std::vector<std::string> all = kBackedA;
  all.insert(all.end(), kBackedB.begin(), kBackedB.end());
  return all;
}

bool InGroupB(const std::string& tenant) {
  return std::find(kBackedB.begin(), kBackedB.end(), tenant) != kBackedB.end();
}

// The state a backed tenant moves to at the next step of its cycle.
TenantState NextState(const std::string& tenant, TenantState state) {
  switch (state) {
    case TenantState::kActive: return TenantState::kTombstoned;
    case TenantState::kTombstoned: return InGroupB(tenant) ? TenantState::kPurged : TenantState::kActive;
    case TenantState::kPurged: return TenantState::kActive;
  }
  return state;
}

char StateLetter(TenantState state) {
  return state == TenantState::kActive ? 'A' : state == TenantState::kTombstoned ? 'T' : 'P';
}

// The record each name denotes: the live one, or the purge record when the
// tenant is purged (a purge frees the name, so only Tenants() finds it).
Status Records(Store& store, std::map<std::string, TenantInfo>* out) {
  auto tenants = store.Tenants();
  if (!tenants.ok()) return tenants.status();
  out->clear();
  for (const TenantInfo& info : *tenants) {
    auto it = out->find(info.name);
    if (it == out->end() || it->second.state == TenantState::kPurged) (*out)[info.name] = info;
  }
  return Status::OK();
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
      .count();
}

std::vector<std::string> Fields(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  return fields;
}

// What the backup holds of a backed tenant.
struct BackedReference {
  uint64_t head = 0;
  uint64_t chain = 0;
  std::map<std::string, std::string> view;
};

struct OpStats {
  int kills = 0;
  int inside = 0;      // the kill landed between "begin" and "done"
  int in_open = 0;     // the kill landed before the child had opened the store
  std::map<std::string, int> inside_steps;  // kills inside each step of a cycle
  uint64_t done = 0;   // operations reported done
  double mean_us = 4000;  // running mean duration of one operation
};

class CrashLoop {
 public:
  explicit CrashLoop(const TempDir& dir)
      : store_dir_(dir.Sub("store")),
        backup_dir_(dir.Sub("backup")),
        export_file_(dir.Sub("exported.tlx")),
        plan_prefix_(dir.Sub("plan-")),
        rng_(std::random_device{}()) {}

  void Seed();
  void KillOnce(Op op);
  void PrintAndCheckSummary();

 private:
  // ---- In the child ----
  int RunChild(Op op, uint64_t seed, ChildReporter& out);
  Status AppendStep(Store& store, uint64_t batch_id, std::mt19937_64& rng, std::string* done);
  Status RewindStep(Store& store, std::mt19937_64& rng, std::string* done);
  Status ToggleStep(Store& store, std::string* done);
  Status BackupCycleStep(Store& store, ChildReporter& out, std::string* done);
  Status ImportStep(Store& store, uint64_t k, std::string* done);

  // ---- In the parent ----
  void Learn(Op op, const std::vector<std::string>& lines);
  void CheckStore();
  void CheckBatches(Store& store);
  void CheckRewound(Store& store);
  void CheckToggled(Store& store);
  void CheckBacked(Store& store, const std::map<std::string, TenantInfo>& records);
  void CheckImported(Store& store, const std::map<std::string, TenantInfo>& records);
  // The view must be the fold of the log: the control event, the view
  // change and the audit entry of an admin action commit together.
  void CheckViewMatchesLog(Store& store, const std::string& tenant, const std::vector<Event>& log);
  uint64_t CountAudited(const std::vector<AuditEntry>& audit, const std::string& command,
                        const std::string& tenant, const std::string& outcome_prefix) const;
  void Torn(const std::string& what) { torn_.push_back(what); }
  void Lost(const std::string& what) { lost_.push_back(what); }

  const std::string store_dir_, backup_dir_, export_file_, plan_prefix_;
  std::mt19937_64 rng_;
  OpStats stats_[kOps];
  double mean_open_us_ = 5000;
  std::vector<std::string> torn_, lost_, unclean_;

  // What the children reported done, that must survive.
  std::set<uint64_t> reported_batches_;
  uint64_t next_batch_ = 1;
  std::map<uint64_t, uint64_t> reported_rewinds_;      // marker seq -> target
  std::map<uint64_t, EventKind> reported_toggles_;     // control event seq -> kind
  std::map<std::string, TenantState> backed_expected_;  // last reported state
  std::set<uint64_t> reported_imports_;
  uint64_t next_import_ = 1;
  uint64_t probes_ = 0;

  std::map<std::string, BackedReference> backed_reference_;
  TenantInfo exported_;  // the tenant the export file holds
};

// ---- Setup ----

void CrashLoop::Seed() {
  auto store = OpenOrDie(store_dir_, Options());
  ASSERT_NE(store, nullptr);
  auto fill = [&](const std::string& tenant, int events, int keys, size_t bytes) {
    for (int first = 0; first < events; first += 50) {
      AppendBatch batch;
      for (int i = first; i < std::min(events, first + 50); ++i) {
        batch.Put("seed.put", "k" + std::to_string(i % keys),
                  std::string(bytes, static_cast<char>('a' + i % 26)));
      }
      ASSERT_OK(store->Append(tenant, batch));
    }
  };
  fill(kRewound, 30, 8, 40);
  fill(kToggled, 10, 4, 40);
  fill(kExported, 200, 50, 300);
  for (const std::string& tenant : Backed()) fill(tenant, 300, 60, 300);
  ASSERT_OK(store->Backup(backup_dir_, Admin("crash loop")));
  for (const std::string& tenant : Backed()) {
    BackedReference& ref = backed_reference_[tenant];
    ASSERT_OK_AND_ASSIGN(TenantInfo info, store->Describe(tenant));
    ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> view, store->List(tenant));
    ref.head = info.head_seq;
    ref.chain = info.chain_head;
    ref.view = Payloads(view);
    backed_expected_[tenant] = TenantState::kActive;
  }
  ASSERT_OK(store->Export(kExported, export_file_));
  ASSERT_OK_AND_ASSIGN(exported_, store->Describe(kExported));
}

// ---- The child ----

int CrashLoop::RunChild(Op op, uint64_t seed, ChildReporter& out) {
  const auto opening = std::chrono::steady_clock::now();
  std::unique_ptr<Store> store;
  Status s = Store::Open(Options(), store_dir_, &store);
  if (!s.ok()) {
    out.Report("error open: " + s.ToString());
    return 1;
  }
  out.Report("ready " + std::to_string(MicrosSince(opening)));
  std::mt19937_64 rng(seed);
  uint64_t batch = next_batch_;
  uint64_t import = next_import_;
  for (int n = 0; n < 100000; ++n) {
    out.Report("begin");
    const auto started = std::chrono::steady_clock::now();
    std::string done;
    switch (op) {
      case Op::kAppend: s = AppendStep(*store, batch++, rng, &done); break;
      case Op::kRewind: s = RewindStep(*store, rng, &done); break;
      case Op::kTombstone: s = ToggleStep(*store, &done); break;
      case Op::kRestoreFromBackup: s = BackupCycleStep(*store, out, &done); break;
      case Op::kImport: s = ImportStep(*store, import++, &done); break;
    }
    if (!s.ok()) {
      out.Report("error " + s.ToString().substr(0, 2000));
      return 1;
    }
    out.Report("done " + std::to_string(MicrosSince(started)) + " " + done);
  }
  return 0;
}

// A batch of 1-12 events whose payloads say which batch they belong to, at
// which position, and how many events it has: a torn batch shows.
Status CrashLoop::AppendStep(Store& store, uint64_t batch_id, std::mt19937_64& rng, std::string* done) {
  const int count = 1 + static_cast<int>(rng() % 12);
  AppendBatch batch;
  for (int i = 0; i < count; ++i) {
    std::string payload = std::to_string(batch_id) + " " + std::to_string(i) + " " + std::to_string(count) + " ";
    payload.append(rng() % 3000, static_cast<char>('a' + batch_id % 26));
    batch.Put("crash.batch", "b" + std::to_string(batch_id) + "/" + std::to_string(i), payload);
  }
  auto r = store.Append(kBatches, batch);
  if (!r.ok()) return r.status();
  *done = std::to_string(batch_id);
  return Status::OK();
}

Status CrashLoop::RewindStep(Store& store, std::mt19937_64& rng, std::string* done) {
  auto info = store.Describe(kRewound);
  if (!info.ok()) return info.status();
  const uint64_t target = rng() % (info->head_seq + 1);
  auto r = store.Rewind(kRewound, Point::AtSeq(target), Admin("crash loop"));
  if (!r.ok()) return r.status();
  *done = std::to_string(r->marker_seq) + " " + std::to_string(r->target_seq);
  return Status::OK();
}

Status CrashLoop::ToggleStep(Store& store, std::string* done) {
  auto info = store.Describe(kToggled);
  if (!info.ok()) return info.status();
  const bool tombstone = info->state == TenantState::kActive;
  auto r = tombstone ? store.Tombstone({kToggled}, Admin("crash loop"))
                     : store.Restore({kToggled}, Admin("crash loop"));
  if (!r.ok()) return r.status();
  auto after = store.Describe(kToggled);
  if (!after.ok()) return after.status();
  *done = std::to_string(after->head_seq) + " " + (tombstone ? "tombstone" : "restore");
  return Status::OK();
}

// One step of the backed tenants' cycle, chosen from their states so that an
// interrupted cycle resumes: tombstone them all, purge group B, restore them
// all from the backup.
Status CrashLoop::BackupCycleStep(Store& store, ChildReporter& out, std::string* done) {
  std::map<std::string, TenantInfo> records;
  Status s = Records(store, &records);
  if (!s.ok()) return s;
  bool all_active = true;
  std::vector<std::string> b_tombstoned;
  for (const std::string& tenant : Backed()) {
    const TenantState state = records[tenant].state;
    all_active = all_active && state == TenantState::kActive;
    if (InGroupB(tenant) && state == TenantState::kTombstoned) b_tombstoned.push_back(tenant);
  }
  if (all_active) {
    out.Report("step tombstone");
    s = StatusOf(store.Tombstone(Backed(), Admin("crash loop")));
  } else if (!b_tombstoned.empty()) {
    out.Report("step purge");
    const std::string plan_file = plan_prefix_ + std::to_string(::getpid());
    auto plan = store.PlanPurge(b_tombstoned, 0, plan_file, Admin("crash loop"));
    if (!plan.ok()) return plan.status();
    s = StatusOf(store.RunPurge(plan_file, plan->token, Admin("crash loop")));
  } else {
    out.Report("step restore");
    auto r = store.RestoreFromBackup(backup_dir_, Backed(), Admin("crash loop"));
    if (r.ok() && !r->conflicts.empty()) {
      return Status::Corruption("restore conflict: " + r->conflicts[0].tenant + ": " + r->conflicts[0].reason);
    }
    s = r.status();
  }
  if (!s.ok()) return s;
  if (!(s = Records(store, &records)).ok()) return s;
  for (const std::string& tenant : Backed()) done->push_back(StateLetter(records[tenant].state));
  return Status::OK();
}

Status CrashLoop::ImportStep(Store& store, uint64_t k, std::string* done) {
  auto r = store.Import(export_file_, kImportedPrefix + std::to_string(k), Admin("crash loop"));
  if (!r.ok()) return r.status();
  *done = std::to_string(k);
  return Status::OK();
}

// ---- The parent ----

void CrashLoop::KillOnce(Op op) {
  OpStats& stats = stats_[static_cast<int>(op)];
  const uint64_t seed = rng_();
  // Mostly a random point among the child's first few operations; now and
  // then a point while it is still opening the store.
  const bool during_open = rng_() % 8 == 0;
  const double span_us = during_open ? mean_open_us_ : 3 * stats.mean_us;
  const auto delay = std::chrono::microseconds(static_cast<int64_t>(span_us * (rng_() % 1000) / 1000.0));

  ForkedChild child([&](ChildReporter& out) { return RunChild(op, seed, out); });
  std::vector<std::string> lines;
  if (!during_open) {
    // The delay runs from the first operation's start, so that a child the
    // scheduler is slow to run is not killed before it does anything.
    auto ready = child.NextLine(std::chrono::seconds(60));
    ASSERT_TRUE(ready.has_value()) << kOpNames[static_cast<int>(op)] << " child never opened the store";
    lines.push_back(*ready);
    auto begun = child.NextLine(std::chrono::seconds(60));
    ASSERT_TRUE(begun.has_value()) << kOpNames[static_cast<int>(op)] << " child never began an operation";
    lines.push_back(*begun);
  }
  for (std::string& line : child.LinesFor(delay)) lines.push_back(std::move(line));
  for (std::string& line : child.KillAndCollect()) lines.push_back(std::move(line));
  for (const std::string& line : lines) {
    ASSERT_NE(line.rfind("error", 0), 0u) << kOpNames[static_cast<int>(op)] << " child: " << line;
  }
  ASSERT_TRUE(child.killed_by_sigkill()) << "the child ended by itself: exit " << child.exit_code();

  stats.kills += 1;
  if (lines.empty()) stats.in_open += 1;
  // Inside an operation when the last line but a step's name is "begin".
  std::string step;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it->rfind("step ", 0) == 0) {
      step = it->substr(5);
      continue;
    }
    if (*it == "begin") {
      stats.inside += 1;
      if (!step.empty()) stats.inside_steps[step] += 1;
    }
    break;
  }
  Learn(op, lines);
  CheckStore();
}

// Takes in what the child reported before it died.
void CrashLoop::Learn(Op op, const std::vector<std::string>& lines) {
  OpStats& stats = stats_[static_cast<int>(op)];
  // A child killed before it finished one operation says its operations take
  // longer than thought: the next delay is drawn from a longer span.
  if (!lines.empty() && std::none_of(lines.begin(), lines.end(), [](const std::string& l) {
        return l.rfind("done", 0) == 0;
      })) {
    stats.mean_us = std::min(stats.mean_us * 1.5, 2e6);
  }
  for (const std::string& line : lines) {
    const std::vector<std::string> f = Fields(line);
    if (f[0] == "ready") {
      mean_open_us_ = 0.8 * mean_open_us_ + 0.2 * std::stod(f[1]);
      continue;
    }
    if (f[0] != "done") continue;
    stats.done += 1;
    stats.mean_us = 0.8 * stats.mean_us + 0.2 * std::stod(f[1]);
    switch (op) {
      case Op::kAppend:
        reported_batches_.insert(std::stoull(f[2]));
        break;
      case Op::kRewind:
        if (std::stoull(f[2]) != 0) reported_rewinds_[std::stoull(f[2])] = std::stoull(f[3]);
        break;
      case Op::kTombstone:
        reported_toggles_[std::stoull(f[2])] = f[3] == "tombstone" ? EventKind::kTombstone : EventKind::kRestore;
        break;
      case Op::kRestoreFromBackup: {
        const std::vector<std::string> backed = Backed();
        for (size_t i = 0; i < backed.size(); ++i) {
          backed_expected_[backed[i]] = f[2][i] == 'A'   ? TenantState::kActive
                                        : f[2][i] == 'T' ? TenantState::kTombstoned
                                                         : TenantState::kPurged;
        }
        break;
      }
      case Op::kImport:
        reported_imports_.insert(std::stoull(f[2]));
        break;
    }
  }
}

void CrashLoop::CheckStore() {
  auto store = OpenOrDie(store_dir_, Options());
  ASSERT_NE(store, nullptr) << "the store does not open after a kill";
  ASSERT_OK_AND_ASSIGN(VerifyReport verify, store->Verify({}));
  if (!verify.ok) {
    unclean_.push_back(verify.damaged.front().tenant + " seq " + std::to_string(verify.damaged.front().seq) +
                       ": " + verify.damaged.front().problem);
  }
  std::map<std::string, TenantInfo> records;
  ASSERT_OK(Records(*store, &records));
  CheckBatches(*store);
  CheckRewound(*store);
  CheckToggled(*store);
  CheckBacked(*store, records);
  CheckImported(*store, records);
  ASSERT_OK(store->Append(kProbe, PutBatch("k", std::to_string(++probes_))));
  ASSERT_OK_AND_ASSIGN(std::string probe, store->Get(kProbe, "k"));
  EXPECT_EQ(probe, std::to_string(probes_));
}

void CrashLoop::CheckBatches(Store& store) {
  auto log = store.ReadLog(kBatches, 1, std::numeric_limits<size_t>::max());
  if (log.status().IsNotFound()) log = std::vector<Event>();
  ASSERT_OK(log);
  std::set<uint64_t> present;
  for (size_t at = 0; at < log->size();) {
    uint64_t id = 0, index = 0, count = 0;
    std::istringstream(log->at(at).payload) >> id >> index >> count;
    bool whole = index == 0 && count > 0 && at + count <= log->size();
    for (uint64_t i = 0; whole && i < count; ++i) {
      uint64_t id_i = 0, index_i = 0, count_i = 0;
      std::istringstream(log->at(at + i).payload) >> id_i >> index_i >> count_i;
      whole = id_i == id && index_i == i && count_i == count;
    }
    if (!whole) {
      Torn("batch at seq " + std::to_string(at + 1) + " of " + kBatches + " is not whole");
      return;
    }
    present.insert(id);
    next_batch_ = std::max(next_batch_, id + 1);
    at += count;
  }
  for (uint64_t id : reported_batches_) {
    if (present.count(id) == 0) Lost("batch " + std::to_string(id));
  }
  if (!reported_batches_.empty()) next_batch_ = std::max(next_batch_, *reported_batches_.rbegin() + 1);
  reported_batches_ = present;  // checked again after every later kill
}

void CrashLoop::CheckViewMatchesLog(Store& store, const std::string& tenant, const std::vector<Event>& log) {
  TimelineModel model;
  for (const Event& e : log) {
    switch (e.kind) {
      case EventKind::kData: model.AppendData(e.time_us, e.key, e.op, e.payload); break;
      case EventKind::kTombstone: model.AppendTombstone(e.time_us); break;
      case EventKind::kRestore: model.AppendRestore(e.time_us); break;
      case EventKind::kRewind: model.AppendRewind(e.time_us, e.rewind_target); break;
    }
  }
  ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> view, store.List(tenant));
  if (Payloads(view) != Payloads(model.Current())) Torn("the view of " + tenant + " is not the fold of its log");
}

uint64_t CrashLoop::CountAudited(const std::vector<AuditEntry>& audit, const std::string& command,
                                 const std::string& tenant, const std::string& outcome_prefix) const {
  uint64_t n = 0;
  for (const AuditEntry& e : audit) {
    if (e.command == command && e.tenants == std::vector<std::string>{tenant} &&
        e.outcome.rfind(outcome_prefix, 0) == 0) {
      ++n;
    }
  }
  return n;
}

void CrashLoop::CheckRewound(Store& store) {
  ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store.ReadLog(kRewound, 1, std::numeric_limits<size_t>::max()));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> audit, store.Audit());
  const uint64_t markers =
      std::count_if(log.begin(), log.end(), [](const Event& e) { return e.kind == EventKind::kRewind; });
  if (markers != CountAudited(audit, "rewind", kRewound, "ok: rewound")) {
    Torn("rewind markers of " + std::string(kRewound) + " and their audit entries differ");
  }
  for (const auto& [marker, target] : reported_rewinds_) {
    if (marker > log.size() || log[marker - 1].kind != EventKind::kRewind ||
        log[marker - 1].rewind_target != target) {
      Lost("rewind at seq " + std::to_string(marker));
    }
  }
  CheckViewMatchesLog(store, kRewound, log);
}

void CrashLoop::CheckToggled(Store& store) {
  ASSERT_OK_AND_ASSIGN(TenantInfo info, store.Describe(kToggled));
  ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store.ReadLog(kToggled, 1, std::numeric_limits<size_t>::max()));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> audit, store.Audit());
  uint64_t tombstones = 0, restores = 0;
  bool tombstoned = false;
  for (const Event& e : log) {
    if (e.kind == EventKind::kTombstone) ++tombstones, tombstoned = true;
    if (e.kind == EventKind::kRestore) ++restores, tombstoned = false;
  }
  if (tombstoned != (info.state == TenantState::kTombstoned)) {
    Torn(std::string(kToggled) + "'s state is not its last control event's");
  }
  if (tombstones != CountAudited(audit, "tombstone", kToggled, "ok: 1 changed") ||
      restores != CountAudited(audit, "restore", kToggled, "ok: 1 changed")) {
    Torn("tombstones and restores of " + std::string(kToggled) + " and their audit entries differ");
  }
  for (const auto& [seq, kind] : reported_toggles_) {
    if (seq > log.size() || log[seq - 1].kind != kind) {
      Lost(std::string(EventKindName(kind)) + " at seq " + std::to_string(seq));
    }
  }
  if (!tombstoned) CheckViewMatchesLog(store, kToggled, log);
}

void CrashLoop::CheckBacked(Store& store, const std::map<std::string, TenantInfo>& records) {
  for (const std::string& tenant : Backed()) {
    const BackedReference& ref = backed_reference_.at(tenant);
    auto it = records.find(tenant);
    ASSERT_NE(it, records.end()) << tenant;
    const TenantInfo& info = it->second;
    const TenantState expected = backed_expected_.at(tenant);
    if (info.state != expected && info.state != NextState(tenant, expected)) {
      Lost(tenant + " went from " + std::string(TenantStateName(expected)) + " to " +
           std::string(TenantStateName(info.state)));
    }
    backed_expected_[tenant] = info.state;
    if (info.state == TenantState::kPurged) {
      if (info.event_count != 0) Torn(tenant + " is purged but keeps events");
      continue;
    }
    // Live: the backup's log, then only tombstones and restores.
    ASSERT_OK_AND_ASSIGN(std::vector<Event> log, store.ReadLog(tenant, 1, std::numeric_limits<size_t>::max()));
    if (log.size() != info.head_seq || log.size() < ref.head || log[ref.head - 1].chain != ref.chain) {
      Torn(tenant + " does not hold the backup's log");
      continue;
    }
    EventKind last = EventKind::kRestore;
    for (size_t i = ref.head; i < log.size(); ++i) {
      if (log[i].kind != EventKind::kTombstone && log[i].kind != EventKind::kRestore) {
        Torn(tenant + " has an unexpected event at seq " + std::to_string(i + 1));
      }
      last = log[i].kind;
    }
    if ((last == EventKind::kTombstone) != (info.state == TenantState::kTombstoned)) {
      Torn(tenant + "'s state is not its last control event's");
    }
    if (info.state == TenantState::kActive) {
      ASSERT_OK_AND_ASSIGN(std::vector<KeyValue> view, store.List(tenant));
      if (Payloads(view) != ref.view) Torn(tenant + "'s view is not the backup's");
    }
  }
}

void CrashLoop::CheckImported(Store& store, const std::map<std::string, TenantInfo>& records) {
  std::set<uint64_t> present;
  for (const auto& [name, info] : records) {
    if (name.rfind(kImportedPrefix, 0) != 0) continue;
    const uint64_t k = std::stoull(name.substr(std::string(kImportedPrefix).size()));
    present.insert(k);
    next_import_ = std::max(next_import_, k + 1);
    if (info.head_seq != exported_.head_seq || info.event_count != exported_.event_count ||
        info.chain_head != exported_.chain_head) {
      Torn(name + " holds part of the export");
    }
  }
  ASSERT_OK_AND_ASSIGN(std::vector<AuditEntry> audit, store.Audit());
  uint64_t audited = 0;
  for (const AuditEntry& e : audit) audited += e.command == "import" && e.outcome.rfind("ok:", 0) == 0;
  if (audited != present.size()) Torn("imported tenants and their audit entries differ");
  for (uint64_t k : reported_imports_) {
    if (present.count(k) == 0) Lost(kImportedPrefix + std::to_string(k));
  }
  reported_imports_ = present;  // checked again after every later kill
}

void CrashLoop::PrintAndCheckSummary() {
  int kills = 0, inside = 0, in_open = 0;
  uint64_t done = 0;
  std::string per_op;
  for (int i = 0; i < kOps; ++i) {
    kills += stats_[i].kills;
    inside += stats_[i].inside;
    in_open += stats_[i].in_open;
    done += stats_[i].done;
    per_op += std::string(i ? ", " : "") + kOpNames[i] + " " + std::to_string(stats_[i].kills);
  }
  std::printf("crash loop: %d kills (%s), %zu torn, %zu lost, verify %s\n", kills, per_op.c_str(), torn_.size(),
              lost_.size(), unclean_.empty() ? "clean" : "NOT clean");
  std::printf("crash loop: %d kills inside an operation, %d while opening the store; %llu operations "
              "reported done\n",
              inside, in_open, static_cast<unsigned long long>(done));
  for (int i = 0; i < kOps; ++i) {
    std::string steps;
    for (const auto& [step, n] : stats_[i].inside_steps) {
      steps += std::string(steps.empty() ? " (" : ", ") + step + " " + std::to_string(n);
    }
    if (!steps.empty()) steps += ")";
    std::printf("crash loop:   %-20s %3d kills, %3d inside an operation%s, %4llu done, ~%.1f ms per operation\n",
                kOpNames[i], stats_[i].kills, stats_[i].inside, steps.c_str(),
                static_cast<unsigned long long>(stats_[i].done), stats_[i].mean_us / 1000);
  }
  auto list = [](const std::vector<std::string>& items) {
    std::string text;
    for (size_t i = 0; i < items.size() && i < 10; ++i) text += "\n  " + items[i];
    return text;
  };
  EXPECT_GE(kills, 200);
  EXPECT_TRUE(torn_.empty()) << list(torn_);
  EXPECT_TRUE(lost_.empty()) << list(lost_);
  EXPECT_TRUE(unclean_.empty()) << list(unclean_);
  // Most kills must land inside an operation, or the loop tests little.
  EXPECT_GE(inside, kills / 2);
}

TEST(CrashLoopTest, KilledWritersLeaveWholeBatchesAndActionsAndLoseNothingCommitted) {
  TempDir dir;
  CrashLoop loop(dir);
  ASSERT_NO_FATAL_FAILURE(loop.Seed());
  for (int round = 0; round < kRounds; ++round) {
    for (Op op : kRound) {
      ASSERT_NO_FATAL_FAILURE(loop.KillOnce(op)) << "round " << round << ", " << kOpNames[static_cast<int>(op)];
    }
  }
  loop.PrintAndCheckSummary();
}

}  // namespace
}  // namespace tenantlog::test
