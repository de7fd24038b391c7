// Slave recovery: the fetch rounds, restore/rollback on divergence, the
// ONLINE round with until_version and ACTIVE_CONFIRM
// (fastcfs-protocol.md §2.4, §2.5, §4; review C23-C28, C37-C42).
#include <algorithm>
#include <optional>

#include "model/fastcfs/server.h"
#include "base/assert.h"

namespace replsim::fastcfs {
namespace {

constexpr uint32_t kTimerRecovery = 4;
constexpr uint32_t kTimerRecoveryDeadline = 5;
constexpr size_t kFetchRecordsMax = 256;         // one response's worth of binlog lines
constexpr uint32_t kFetchAgainTriesMax = 10;
constexpr uint32_t kUntilEmptyRepliesMax = 5;   // master binlog behind until_version
constexpr Duration kCatchUpRoundMax = Duration::ms(1000);

TimerKey recovery_key(uint32_t dg) { return TimerKey{kTimerRecovery, dg}; }
TimerKey deadline_key(uint32_t dg) { return TimerKey{kTimerRecoveryDeadline, dg}; }

struct RestoreStart {
  size_t index = 0;  // rows matched before it
  uint64_t dv = 0;   // my record's
};

// find_restore_start_dv -> replica_binlog_slave_check_consistency: my
// binlog from the window's first DV, walked in step with the master's
// window (check_records_consistency, the master's comparison the other way
// round). The first of my records that differs, or the first left over
// once the window ends, is where the restore starts; none when my records
// run out first.
std::optional<RestoreStart> restore_start(const std::vector<BinlogRecord>& mine,
                                          const std::vector<FetchedRecord>& window) {
  auto it = mine.begin();
  if (!window.empty()) {
    it = std::lower_bound(mine.begin(), mine.end(), window.front().dv,
                          [](const BinlogRecord& r, uint64_t dv) { return r.dv < dv; });
  }
  size_t index = 0;
  for (; index < window.size() && it != mine.end(); ++index, ++it) {
    const FetchedRecord& w = window[index];
    if (it->dv != w.dv || it->op != w.op || it->key != w.key) return RestoreStart{index, it->dv};
  }
  if (it == mine.end()) return std::nullopt;
  REPLSIM_ASSERT(index == window.size(), "a row left over once the window ended");
  return RestoreStart{index, it->dv};
}

}  // namespace

void FastcfsServer::queue_recovery(Context& ctx, uint32_t g, Duration after) {
  const Recovery& r = my_group(g).recovery;
  if (r.in_progress || r.step != RecoveryStep::kIdle) return;
  ctx.set_timer(recovery_key(g), after);
}

void FastcfsServer::recovery_timer(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  switch (r.step) {
    case RecoveryStep::kBackoff:
      r.step = RecoveryStep::kIdle;
      [[fallthrough]];
    case RecoveryStep::kIdle: {
      // recovery_thread_push_to_queue + recovery_thread_run_task (T2/T3).
      const bool startable = (group.status == DsStatus::kInit || group.status == DsStatus::kOffline) && leader_ &&
                             master_of(g) && *master_of(g) != me_ && group.old_master != me_ &&
                             group.startup_rollback_done && !r.in_progress &&
                             !group.in_flight;  // an old master's last write resolves first
      if (!startable) return;
      r.in_progress = true;
      r.previous = group.status;
      r.online_round = false;
      const bool rebuild = group.status == DsStatus::kInit;
      set_my_status(ctx, g, rebuild ? DsStatus::kRebuilding : DsStatus::kRecovering,
                    rebuild ? Transition::kT2 : Transition::kT3, true);
      return start_round(ctx, g);
    }
    case RecoveryStep::kWaitChannel: {
      // check_online_me: wait <= 3 x 1 s for my own channels to the master.
      if (!master_of(g) || *master_of(g) == me_) return recovery_failed(ctx, g, "no master to recover from");
      if (group.status != DsStatus::kRebuilding && group.status != DsStatus::kRecovering) {
        return recovery_failed(ctx, g, "status changed during recovery");  // check_online_me's precondition
      }
      bool ready = true;
      for (const Channel& c : channels_to(*master_of(g))) ready &= c.stage == ChannelStage::kSyncing;
      if (!ready && ++r.tries <= 3) return ctx.set_timer(recovery_key(g), Duration::s(1));
      r.until_version = 0;
      if (!has("M5")) set_my_status(ctx, g, DsStatus::kOnline, Transition::kT4, true);  // T4 before asking
      r.step = RecoveryStep::kFetching;
      r.tries = 0;
      return send_fetch(ctx, g, true);
    }
    case RecoveryStep::kFetching:
      return send_fetch(ctx, g, r.fetch_after == group.current_dv && r.fetched.empty());
    case RecoveryStep::kConfirming: return;
  }
}

void FastcfsServer::start_round(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  r.round_start = ctx.local_now();
  r.fetched.clear();
  r.fetch_after = group.current_dv;
  r.tries = 0;
  if (r.online_round) {
    r.step = RecoveryStep::kWaitChannel;
    return recovery_timer(ctx, g);
  }
  r.step = RecoveryStep::kFetching;
  send_fetch(ctx, g, true);
}

void FastcfsServer::send_fetch(Context& ctx, uint32_t g, bool first) {
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  if (!master_of(g) || *master_of(g) == me_) return recovery_failed(ctx, g, "no master to fetch from");
  FetchBinlogReq req;
  req.seq = r.seq = next_seq();
  req.dg = g;
  req.first = first;
  req.last_dv = first ? group.current_dv : r.fetch_after;
  req.catch_up = first && r.online_round;
  if (first && !has("M26")) {
    const size_t rows = std::min<size_t>(config_.options.slave_binlog_check_last_rows, group.binlog.size());
    req.last_rows.assign(group.binlog.end() - static_cast<std::ptrdiff_t>(rows), group.binlog.end());
  }
  call(ctx, *master_of(g), make_message(std::move(req)));
  ctx.set_timer(deadline_key(g), config_.options.network_timeout);
}

// ---- the master's side of FETCH_BINLOG_FIRST / NEXT (§4.3, C37-C40) ----------------------

void FastcfsServer::on_fetch(Context& ctx, const Inbound& in, const FetchBinlogReq& m) {
  const uint32_t s = in.from.index;
  FetchBinlogResp resp;
  resp.seq = m.seq;
  resp.dg = m.dg;
  const auto answer = [&](Err err) {
    resp.err = err;
    ctx.send(in.connection, make_message(std::move(resp)));
  };
  if (!holds_dg(m.dg) || s == me_) return answer(Err::kInvalid);
  const uint32_t g = m.dg;
  const Group& group = my_group(g);  // the master only reads its group to answer
  const DsStatus slave_status = view(g, s).status;
  if (m.first) {
    if (slave_status == DsStatus::kActive || (slave_status == DsStatus::kOnline && !m.catch_up)) {
      return answer(Err::kAgain);
    }
    if (!acts_as_master(g)) return answer(Err::kInvalid);
    if (m.last_dv > group.current_dv) {
      // The slave has more than I do: ask for a new master election.
      if (is_leader()) trigger_reselect(ctx, g);
      else if (leader_) call(ctx, *leader_, make_message(ReselectMasterReq{g, me_}));
      return answer(Err::kBinlogInconsistent);
    }
    if (!m.last_rows.empty()) {
      // Positional comparison of the slave's last rows with mine (C38).
      const uint64_t from_dv = m.last_rows.front().dv;
      auto mine = std::lower_bound(group.binlog.begin(), group.binlog.end(), from_dv,
                                   [](const BinlogRecord& r, uint64_t dv) { return r.dv < dv; });
      bool consistent = true;
      for (const BinlogRecord& theirs : m.last_rows) {
        if (mine == group.binlog.end() || !mine->same_entry(theirs)) {
          consistent = false;
          break;
        }
        ++mine;
      }
      if (!consistent) {
        resp.is_restore = true;
        resp.is_last = true;
        std::vector<FetchedRecord> window;
        for (const BinlogRecord& r : group.binlog) {
          if (r.dv <= m.last_dv) window.push_back(FetchedRecord{r.dv, r.op, r.key, false, 0});
        }
        if (window.size() > kFetchRecordsMax) window.erase(window.begin(), window.end() - kFetchRecordsMax);
        resp.records = std::move(window);
        resp.master_data.assign(group.data.begin(), group.data.end());
        return answer(Err::kOk);
      }
    }
    const uint64_t binlog_end = group.binlog.empty() ? 0 : group.binlog.back().dv;
    if (m.last_dv > binlog_end) return answer(Err::kOverflow);  // my binlog lags my DV
    if (m.catch_up) {
      const Channel& c = channel_for(s, g);
      resp.repl_version = c.version;  // read before the readiness check (review T5)
      if (c.stage != ChannelStage::kSyncing) return answer(Err::kBusy);
      if (slave_status != DsStatus::kRebuilding && slave_status != DsStatus::kRecovering &&
          slave_status != DsStatus::kOnline) {
        return answer(Err::kAgain);
      }
      if (slave_status != DsStatus::kOnline) {
        view_to_change(g, s).status = DsStatus::kOnline;  // T5, the master's view, not reported
        count(ctx, Transition::kT5, g);
      }
      resp.is_online = true;
      resp.until_version = group.current_dv;  // read after marking ONLINE
    }
  } else if (!acts_as_master(g)) {
    return answer(Err::kInvalid);
  }
  auto it = std::upper_bound(group.binlog.begin(), group.binlog.end(), m.last_dv,
                             [](uint64_t dv, const BinlogRecord& r) { return dv < r.dv; });
  for (; it != group.binlog.end() && resp.records.size() < kFetchRecordsMax; ++it) {
    const auto value = group.data.find(it->key);
    const bool has_value = value != group.data.end();
    resp.records.push_back(FetchedRecord{it->dv, it->op, it->key, has_value, has_value ? value->second : 0});
  }
  resp.is_last = it == group.binlog.end();
  answer(Err::kOk);
}

// ---- the slave's side ----------------------------------------------------------------

void FastcfsServer::on_fetch_resp(Context& ctx, const Inbound& in, const FetchBinlogResp& m) {
  if (!holds_dg(m.dg)) return;
  const uint32_t g = m.dg;
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  // The answer of the server asked, whoever is master now: faststore's
  // round fetches synchronously over one connection to the master it chose
  // when the round began (data_recovery_start, do_fetch_binlog), so an
  // answer, an error included, ends the wait at once.
  if (r.step != RecoveryStep::kFetching || m.seq != r.seq) return;
  REPLSIM_ASSERT(in.from.index != me_, "a slave fetches from another server");
  ctx.cancel_timer(deadline_key(g));
  r.seq = 0;
  if (m.err == Err::kAgain || m.err == Err::kOverflow) {
    if (++r.tries > kFetchAgainTriesMax) return recovery_failed(ctx, g, "fetch: EAGAIN too often");
    report_my_status(ctx, g);
    const int64_t backoff_ms = std::min<int64_t>(1000, 100LL << std::min<uint32_t>(r.tries - 1, 4));
    return ctx.set_timer(recovery_key(g), Duration::ms(backoff_ms));
  }
  if (m.err != Err::kOk) return recovery_failed(ctx, g, to_string(m.err));
  const size_t check_rows = config_.options.slave_binlog_check_last_rows;
  if (m.is_restore) {
    // A restore answer is never online: fetch_binlog_to_local fails the
    // catch-up round on is_online before it looks at is_restore.
    if (r.online_round) return recovery_failed(ctx, g, "catch-up not granted");
    // find_restore_start_dv (§4.4, C42): none found, faststore only logs
    // "some mistake happen?" and goes on to the next round.
    const std::optional<RestoreStart> start = restore_start(group.binlog, m.records);
    std::map<uint64_t, uint64_t> master_data(m.master_data.begin(), m.master_data.end());
    if (start && start->index < check_rows) {
      ctx.note("restore_wipe", {{"dg", g + 1}, {"dv", group.current_dv}});
      wipe_binlog(ctx, g);
    } else if (start) {
      ctx.note("restore", {{"dg", g + 1}, {"start_dv", start->dv}, {"dv", group.current_dv}});
      rollback_to(ctx, g, start->dv - 1, &master_data);
    }
    if (halted_) return;
    // do_data_recovery's end, after any round: one under a second is the
    // last batch, and the next round is the catch-up round.
    if (ctx.local_now() - r.round_start < kCatchUpRoundMax) r.online_round = true;
    return start_round(ctx, g);  // cleanup, next round
  }
  const bool first = r.fetched.empty() && r.fetch_after == group.current_dv && r.until_version == 0;
  if (r.online_round && first) {
    if (!m.is_online) return recovery_failed(ctx, g, "catch-up not granted");
    if (has("M5")) set_my_status(ctx, g, DsStatus::kOnline, Transition::kT4, true);  // after the reply
    r.until_version = m.until_version;
    r.repl_version = m.repl_version;
  }
  bool progressed = false;
  for (const FetchedRecord& rec : m.records) {
    if (rec.dv <= r.fetch_after) continue;
    if (r.online_round && rec.dv > r.until_version) break;  // cut at until_version
    r.fetched.push_back(rec);
    r.fetch_after = rec.dv;
    progressed = true;
  }
  if (r.fetched.size() > 1'000'000) return recovery_failed(ctx, g, "fetched binlog too large");
  if (!r.online_round) {
    if (m.is_last) return finish_fetch(ctx, g);
    return send_fetch(ctx, g, false);
  }
  if (r.fetch_after >= r.until_version) return finish_fetch(ctx, g);
  if (progressed) {
    r.tries = 0;
    return send_fetch(ctx, g, false);
  }
  if (++r.tries >= kUntilEmptyRepliesMax) return recovery_failed(ctx, g, "master binlog behind until_version");
  ctx.set_timer(recovery_key(g), Duration::ms(500));
}

// find_restore_start_dv's early mismatch: replica_binlog_remove_all_files
// and replica_binlog_set_data_version(0). Only the binlog goes: the slice
// data stays as it is (Q9), so a key only this slave wrote keeps its bytes
// until a write or the replay of a master's record of it replaces them.
void FastcfsServer::wipe_binlog(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  REPLSIM_ASSERT(holds_dg(g) && !acts_as_master(g), "a slave's restore");
  truncate_binlog_after(ctx, g, 0);
  ++group.rollbacks;
  group.current_dv = group.confirmed_dv = group.rpc_last_version = 0;
  REPLSIM_ASSERT(group.binlog.empty(), "no binlog record survives the wipe");
}

// Dedup, replay and log (§4.2 D/R/L): each fetched record gets the
// master's current bytes of its key and a binlog line of source 'r'.
void FastcfsServer::finish_fetch(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  uint64_t last = group.current_dv;
  for (const FetchedRecord& rec : r.fetched) {
    if (rec.dv <= last) continue;
    if (rec.op == 'w' && rec.has_value) write_data(ctx, g, rec.key, rec.current_value);
    last = rec.dv;
    if (!has("M22")) append_binlog(ctx, g, BinlogRecord{rec.dv, rec.op, 'r', rec.key, rec.has_value ? rec.current_value : 0});
  }
  if (has("M22") && last > group.current_dv) append_binlog(ctx, g, BinlogRecord{last, 'N', 'r', 0, 0});
  group.current_dv = group.confirmed_dv = last;
  r.fetched.clear();
  if (r.online_round) {
    // The confirm goes to the round's master; one that is master no longer
    // refuses it (on_active_confirm), which failing here stands for.
    if (!master_of(g) || *master_of(g) == me_) return recovery_failed(ctx, g, "no master to confirm with");
    r.step = RecoveryStep::kConfirming;
    r.seq = next_seq();
    call(ctx, *master_of(g), make_message(ActiveConfirmReq{r.seq, g, r.repl_version}));
    ctx.set_timer(deadline_key(g), config_.options.network_timeout);
    return;
  }
  if (ctx.local_now() - r.round_start < kCatchUpRoundMax) r.online_round = true;  // LAST_BATCH
  start_round(ctx, g);
}

void FastcfsServer::on_active_confirm(Context& ctx, const Inbound& in, const ActiveConfirmReq& m) {
  const uint32_t s = in.from.index;
  Err err = Err::kOk;
  if (!holds_dg(m.dg) || !acts_as_master(m.dg) || s == me_) err = Err::kInvalid;
  else if (view(m.dg, s).status != DsStatus::kOnline) err = Err::kInvalid;
  else {
    const Channel& c = channel_for(s, m.dg);
    if (c.stage != ChannelStage::kSyncing) err = Err::kBusy;
    else if (c.version != m.repl_version && !has("M1")) err = Err::kBusy;  // M1: no repl_version check
  }
  ctx.send(in.connection, make_message(ActiveConfirmResp{m.seq, err}));
}

void FastcfsServer::on_active_confirm_resp(Context& ctx, const ActiveConfirmResp& m) {
  for (uint32_t g : my_dgs()) {
    const Recovery& seen = my_group(g).recovery;
    if (seen.step != RecoveryStep::kConfirming || seen.seq != m.seq) continue;
    ctx.cancel_timer(deadline_key(g));
    my_group_to_change(g).recovery.seq = 0;
    if (m.err != Err::kOk) return recovery_failed(ctx, g, "ACTIVE_CONFIRM refused");
    return recovery_succeeded(ctx, g);
  }
}

void FastcfsServer::recovery_succeeded(Context& ctx, uint32_t g) {
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  if (group.status != DsStatus::kOnline) return recovery_failed(ctx, g, "left ONLINE before ACTIVE_CONFIRM returned");
  // FastCFS sets rpc_last_version after the ACTIVE swap (review C25); the
  // model does both in one step, so it cannot show that narrow window.
  group.rpc_last_version = r.until_version;
  r.in_progress = false;
  r.step = RecoveryStep::kIdle;
  r.online_round = false;
  r.consecutive_failures = 0;
  set_my_status(ctx, g, DsStatus::kActive, Transition::kT6, true);
  r.until_version = 0;
}

// The DS became master while a round ran: the round is dropped without a
// status change (T15 sets ACTIVE right after).
void FastcfsServer::abandon_recovery(Context& ctx, uint32_t g) {
  if (const Recovery& seen = my_group(g).recovery; !seen.in_progress && seen.step == RecoveryStep::kIdle) return;
  Recovery& r = my_group_to_change(g).recovery;
  ctx.cancel_timer(deadline_key(g));
  ctx.cancel_timer(recovery_key(g));
  ctx.note("recovery_abandoned", {{"dg", g + 1}});
  r = Recovery{};
}

void FastcfsServer::recovery_failed(Context& ctx, uint32_t g, const char* why) {
  Group& group = my_group_to_change(g);
  Recovery& r = group.recovery;
  if (!r.in_progress) return;
  ctx.cancel_timer(deadline_key(g));
  r.seq = 0;
  r.in_progress = false;
  r.fetched.clear();
  r.online_round = false;
  ctx.note("recovery_failed", {{"dg", g + 1}, {"why", why}, {"status", to_string(group.status)}});
  const DsStatus s = group.status;
  if (s == DsStatus::kRebuilding || s == DsStatus::kRecovering || s == DsStatus::kOnline) {
    set_my_status(ctx, g, r.previous, Transition::kT7, true);
  }
  r.until_version = 0;
  ++r.consecutive_failures;
  r.step = RecoveryStep::kBackoff;
  ctx.set_timer(recovery_key(g), r.consecutive_failures > 1 ? Duration::s(2) : Duration::s(1));
}

}  // namespace replsim::fastcfs
