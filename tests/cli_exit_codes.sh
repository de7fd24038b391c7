#!/usr/bin/env bash
# The replsim command's exit codes and files, as a user sees them.
set -u
out=${1:?usage: cli_exit_codes.sh OUT_DIR}
bin=${REPLSIM:?set REPLSIM to the replsim binary}
rm -rf "$out"
failures=0

expect() {  # expect CODE DESCRIPTION -- COMMAND...
  local want=$1 what=$2
  shift 3
  "$@" >"$out.stdout" 2>"$out.stderr"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$out.stdout" "$out.stderr"; failures=$((failures + 1))
  else
    echo "ok: $what (exit $got)"
  fi
}

mkdir -p "$(dirname "$out")"
expect 0 "demo passes" -- "$bin" demo --seed 1 --out "$out/pass" --trace
[[ -s "$out/pass/run.json" && -s "$out/pass/trace.jsonl" ]] || { echo "FAIL: run.json or trace.jsonl missing"; failures=$((failures + 1)); }
grep -q '"verdict": "pass"' "$out/pass/run.json" || { echo "FAIL: run.json has no pass verdict"; failures=$((failures + 1)); }
expect 1 "a deliberate bug is a violation" -- "$bin" demo --seed 1 --out "$out/bug" --mutation-primary-skips-fsync
grep -q 'acked_write_durable' "$out.stdout" || { echo "FAIL: the violation is not named"; failures=$((failures + 1)); }
expect 2 "an unknown option is bad usage" -- "$bin" demo --sede 3
expect 2 "a non-numeric seed is bad usage" -- "$bin" demo --seed abc
expect 2 "no subcommand is bad usage" -- "$bin"
expect 2 "an output folder that cannot be made is bad input" -- "$bin" demo --out /proc/replsim-cannot-exist
grep -q -- '--out' "$out.stderr" || { echo "FAIL: the error does not name --out"; failures=$((failures + 1)); }

[[ -s "$out/pass/history.edn" ]] || { echo "FAIL: history.edn missing"; failures=$((failures + 1)); }
expect 0 "the demo's own history checks as linearizable" -- "$bin" check "$out/pass/history.edn" --model register

# replsim check: 0 linearizable, 1 not, 2 bad input, 3 undecided.
cat > "$out/stale.edn" <<'EDN'
{:process 0, :type :invoke, :f :write, :value 1}
{:process 0, :type :ok, :f :write, :value 1}
{:process 1, :type :invoke, :f :write, :value 2}
{:process 1, :type :ok, :f :write, :value 2}
{:process 2, :type :invoke, :f :read, :value nil}
{:process 2, :type :ok, :f :read, :value 1}
EDN
expect 1 "a stale read is not linearizable" -- "$bin" check "$out/stale.edn" --model register
grep -q "returned 1 while the register held 2" "$out.stdout" || { echo "FAIL: no explanation"; cat "$out.stdout"; failures=$((failures + 1)); }
expect 1 "--json says so too" -- "$bin" check "$out/stale.edn" --model register --json --no-fast-path
grep -q '"verdict": "not linearizable"' "$out.stdout" || { echo "FAIL: JSON verdict"; failures=$((failures + 1)); }
grep -q '"longest_linearizable_prefix"' "$out.stdout" || { echo "FAIL: JSON prefix"; failures=$((failures + 1)); }
printf '{:process 0, :type :ok, :f :read, :value 1}\n' > "$out/orphan.edn"
expect 2 "a completion without an invocation is bad input" -- "$bin" check "$out/orphan.edn" --model register
grep -q "orphan.edn:1" "$out.stderr" || { echo "FAIL: the error does not name file:line"; failures=$((failures + 1)); }
expect 2 "an unknown model is bad input" -- "$bin" check "$out/stale.edn" --model regsiter
grep -q 'did you mean "register"' "$out.stderr" || { echo "FAIL: no hint"; failures=$((failures + 1)); }
expect 2 "a missing file is bad input" -- "$bin" check "$out/none.edn"
expect 3 "a search out of budget is undecided" -- "$bin" check "$out/stale.edn" --model cas-register --no-fast-path --steps-max 1

# replsim validate: every scenario file in the tree is valid; a bad one is exit 2 with its path.
mapfile -t scenario_files < <(find "${SCENARIOS:?set SCENARIOS to the scenarios folder}" -name '*.json' ! -name schema.json | sort)
expect 0 "every scenario file validates" -- "$bin" validate "${scenario_files[@]}"
printf '{"version": 1, "name": "x", "duration": "1s", "protocol": {"name": "fastcfs"}, "faults": [{"at": "1s", "type": "crash", "node": "s9"}]}' > "$out/bad-scenario.json"
expect 2 "an invalid scenario is bad input" -- "$bin" validate "$out/bad-scenario.json"
grep -q 'bad-scenario.json:/faults/0/node' "$out.stderr" || { echo "FAIL: no JSON path"; cat "$out.stderr"; failures=$((failures + 1)); }

# replsim run: the same file and seed give byte-identical reports.
runnable="$SCENARIOS/example-register/backup-crash-and-partition.json"
expect 0 "a scenario runs as expected" -- "$bin" run "$runnable" --out "$out/run1" --trace
expect 0 "and runs again" -- "$bin" run "$runnable" --out "$out/run2" --trace
cmp -s "$out/run1/run.json" "$out/run2/run.json" && cmp -s "$out/run1/trace.jsonl" "$out/run2/trace.jsonl" \
  || { echo "FAIL: two runs of one scenario and seed differ"; failures=$((failures + 1)); }
expect 0 "another seed" -- "$bin" run "$runnable" --seed 99 --out "$out/run3"
cmp -s "$out/run1/run.json" "$out/run3/run.json" && { echo "FAIL: --seed changed nothing"; failures=$((failures + 1)); }
expect 0 "the format page's FastCFS example runs as it expects" -- "$bin" run "$SCENARIOS/examples/format-example.json" --out "$out/fastcfs"
printf '{"version": 1, "name": "x", "duration": "1s", "protocol": {"name": "fastcfs"}, "cluster": {"servers": 3, "replicas": 2}}' > "$out/replicas.json"
expect 2 "fastcfs runs one server group: replicas must equal servers" -- "$bin" run "$out/replicas.json" --out "$out/replicas"
grep -q '/cluster/replicas' "$out.stderr" || { echo "FAIL: the JSON path is not given"; failures=$((failures + 1)); }
sed 's/"expect": { "verdict": "pass" }/"expect": { "verdict": "fail" }/' "$runnable" > "$out/wrong-expectation.json"
expect 1 "a verdict other than the expected one exits 1" -- "$bin" run "$out/wrong-expectation.json" --out "$out/run4"

# Undecided is its own verdict: a linearizability search out of budget is exit 3, never a pass.
python3 - "$runnable" "$out/undecided.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["checks"][0] = {"linearizable": {"steps_max": 1, "fast_path": False}}
json.dump(d, open(sys.argv[2], "w"))
PY
expect 3 "run: a search out of budget is undecided" -- "$bin" run "$out/undecided.json" --out "$out/undecided"
grep -q 'verdict    undecided' "$out.stdout" || { echo "FAIL: run does not print the undecided verdict"; failures=$((failures + 1)); }
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['verdict']=='undecided' and r['checks'][0]['verdict']=='undecided', r['verdict']" \
  "$out/undecided/run.json" || { echo "FAIL: run.json does not say undecided"; failures=$((failures + 1)); }
grep -q 'class="badge undecided">UNDECIDED<' "$out/undecided/report.html" || { echo "FAIL: the page does not say UNDECIDED"; failures=$((failures + 1)); }
expect 2 "shrink: an undecided run is not a failure to shrink" -- "$bin" shrink "$out/undecided.json" --out "$out/undecided.shrunk.json"

# replsim fuzz, shards and merge (few seeds: these tests run in Debug and ASan).
fuzzfile="$SCENARIOS/example-register/fuzz-every-family.json"
expect 0 "fuzz: the unmutated example passes" -- "$bin" fuzz "$fuzzfile" --seeds 1..6 --jobs 2 --out "$out/fuzz-all"
[[ -s "$out/fuzz-all/junit.xml" && -s "$out/fuzz-all/campaign.json" ]] || { echo "FAIL: junit.xml or campaign.json missing"; failures=$((failures + 1)); }
expect 0 "fuzz: shard 1/2" -- "$bin" fuzz "$fuzzfile" --seeds 1..6 --shard 1/2 --out "$out/fuzz-s1"
expect 0 "fuzz: shard 2/2" -- "$bin" fuzz "$fuzzfile" --seeds 1..6 --shard 2/2 --out "$out/fuzz-s2"
expect 0 "merge joins the shards" -- "$bin" merge "$out/fuzz-s1" "$out/fuzz-s2" --out "$out/fuzz-merged"
[[ -s "$out/fuzz-merged/report.html" ]] || { echo "FAIL: merge wrote no report.html"; failures=$((failures + 1)); }
# Shards partition the seeds, and the merge is the unsharded campaign seed
# by seed: the same seeds with the same trace hashes.
python3 - "$out" <<'PY' || { echo "FAIL: shards or merge"; failures=$((failures + 1)); }
import json, sys
out = sys.argv[1]
def results(name):
    rows = [json.loads(line) for line in open(f"{out}/{name}/results.jsonl")]
    seeds = [r["seed"] for r in rows]
    assert len(seeds) == len(set(seeds)), f"{name}: a seed twice: {seeds}"
    return {r["seed"]: r["trace_hash"] for r in rows}
s1, s2, whole, merged = (results(n) for n in ("fuzz-s1", "fuzz-s2", "fuzz-all", "fuzz-merged"))
assert set(whole) == set(range(1, 7)), f"unsharded seeds {sorted(whole)}"
assert s1 and s2 and not set(s1) & set(s2), f"shards overlap: {sorted(s1)} {sorted(s2)}"
assert set(s1) | set(s2) == set(whole), f"shards miss seeds: {sorted(s1)} {sorted(s2)}"
assert merged == whole, f"merged {merged} != unsharded {whole}"
PY
# Resume: keep three results, marked so a rerun of them would show, and
# resume; exactly the other three seeds run, and they run as before.
python3 - "$out/fuzz-all/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
json.dump({str(r["seed"]): r["trace_hash"] for r in rows}, open(sys.argv[1] + ".before", "w"))
kept = sorted(rows, key=lambda r: r["seed"])[:3]
with open(sys.argv[1], "w") as f:
    for r in kept:
        r["steps"] = 987654321  # a mark no real run leaves
        f.write(json.dumps(r) + "\n")
PY
expect 0 "fuzz --resume runs only the missing seeds" -- "$bin" fuzz "$fuzzfile" --seeds 1..6 --out "$out/fuzz-all" --resume
python3 - "$out/fuzz-all/results.jsonl" <<'PY' || { echo "FAIL: resume"; failures=$((failures + 1)); }
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
before = json.load(open(sys.argv[1] + ".before"))
seeds = sorted(r["seed"] for r in rows)
assert seeds == [1, 2, 3, 4, 5, 6], f"seeds after resume: {seeds}"
marked = sorted(r["seed"] for r in rows if r["steps"] == 987654321)
assert marked == [1, 2, 3], f"resume ran kept seeds again (marked left: {marked})"
assert all(before[str(r["seed"])] == r["trace_hash"] for r in rows), "a resumed seed ran differently"
PY
expect 1 "fuzz: the canary's bug is found" -- "$bin" fuzz "$SCENARIOS/example-register/fuzz-canary-skips-fsync.json" --seeds 3..3 --out "$out/fuzz-canary"
ls "$out"/fuzz-canary/failures/*.shrunk.json > /dev/null 2>&1 || { echo "FAIL: no shrunk failure"; failures=$((failures + 1)); }
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert c['failures'] and all(f['failed_checks']==['linearizable'] for f in c['failures']), c['failures']" \
  "$out/fuzz-canary/campaign.json" || { echo "FAIL: the canary failed other than by its check, linearizable"; failures=$((failures + 1)); }
shrunk_file=$(ls "$out"/fuzz-canary/failures/*seed3.shrunk.json 2>/dev/null | head -n 1)
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['expect']={'verdict':'fail','check':'linearizable'}; json.dump(d, open(sys.argv[2],'w'))" \
  "$shrunk_file" "$out/shrunk-expected.json"
expect 0 "a shrunk failure replays as expected once marked" -- "$bin" run "$out/shrunk-expected.json" --out "$out/shrunk-run"
# --known: a seed that fails only in listed ways is reported, written and
# replayed, but neither shrunk nor counted as a failure; any other element
# of its signature keeps it a failure.
canaryfile="$SCENARIOS/example-register/fuzz-canary-skips-fsync.json"
expect 0 "fuzz --known: a known finding does not fail the campaign" -- "$bin" fuzz "$canaryfile" --seeds 3..3 --known linearizable --out "$out/fuzz-known"
grep -q 'KNOWN seed 3: \["linearizable"\]' "$out.stdout" || { echo "FAIL: the known seed is not printed"; failures=$((failures + 1)); }
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert not c['failures'] and not c['shrunk'] and [(k['seed'], k['signature'], k['replay_verified']) for k in c['known']]==[(3, ['linearizable'], True)], c" \
  "$out/fuzz-known/campaign.json" || { echo "FAIL: campaign.json does not list the known seed apart"; failures=$((failures + 1)); }
grep -q '<skipped message="a known finding: linearizable"' "$out/fuzz-known/junit.xml" || { echo "FAIL: junit.xml does not mark the known seed"; failures=$((failures + 1)); }
grep -q 'KNOWN FINDINGS' "$out/fuzz-known/report.html" || { echo "FAIL: the campaign page hides the known finding"; failures=$((failures + 1)); }
expect 1 "fuzz --known: another finding still fails" -- "$bin" fuzz "$canaryfile" --seeds 3..3 --known "invariants (S4)" --shrink-max 0 --out "$out/fuzz-unknown"
python3 - "$fuzzfile" "$out/undecided-fuzz.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["checks"] = [{"linearizable": {"steps_max": 1, "fast_path": False}}]
json.dump(d, open(sys.argv[2], "w"))
PY
expect 3 "fuzz: undecided seeds make the campaign undecided" -- "$bin" fuzz "$out/undecided-fuzz.json" --seeds 1..2 --out "$out/fuzz-undecided"
python3 -c "import json,sys; c=json.load(open(sys.argv[1])); assert not c['failures'] and [u['seed'] for u in c['undecided']]==[1,2], c['undecided']" \
  "$out/fuzz-undecided/campaign.json" || { echo "FAIL: campaign.json does not list the undecided seeds"; failures=$((failures + 1)); }
grep -q '<error message="undecided' "$out/fuzz-undecided/junit.xml" || { echo "FAIL: junit.xml counts undecided seeds as passed"; failures=$((failures + 1)); }
expect 2 "fuzz: a bad seed range" -- "$bin" fuzz "$fuzzfile" --seeds 9..1
expect 2 "fuzz: a bad shard" -- "$bin" fuzz "$fuzzfile" --shard 3/2
expect 2 "fuzz: a scenario without a generator" -- "$bin" fuzz "$runnable"
expect 2 "shrink: a scenario that does not fail" -- "$bin" shrink "$runnable" --out "$out/nothing.json"

# replsim report: pages from the files a run or campaign left; bad input is exit 2.
[[ -s "$out/shrunk-run/report.html" ]] || { echo "FAIL: replsim run wrote no report.html"; failures=$((failures + 1)); }
[[ -s "$out/fuzz-canary/report.html" ]] || { echo "FAIL: replsim fuzz wrote no report.html"; failures=$((failures + 1)); }
grep -q 'failures/[^"]*shrunk.json' "$out/fuzz-canary/report.html" || { echo "FAIL: the campaign page does not link the shrunk failure"; failures=$((failures + 1)); }
expect 0 "report: rebuild a run's page" -- "$bin" report "$out/shrunk-run"
expect 0 "report: a campaign as Markdown" -- "$bin" report "$out/fuzz-canary" --format md
grep -q '1 failures' "$out.stdout" || { echo "FAIL: the Markdown does not count the failure"; cat "$out.stdout"; failures=$((failures + 1)); }
expect 0 "report: two campaigns compared" -- "$bin" report "$out/fuzz-all" "$out/fuzz-canary" --out "$out/campaigns.html"
expect 2 "report: a folder with neither run.json nor campaign.json" -- "$bin" report "$out"
grep -q 'run.json' "$out.stderr" || { echo "FAIL: the error does not say what the folder needs"; failures=$((failures + 1)); }
expect 2 "report: a run compared with a campaign" -- "$bin" report "$out/shrunk-run" "$out/fuzz-canary"
expect 2 "report: an unknown format" -- "$bin" report "$out/shrunk-run" --format pdf
mkdir -p "$out/broken-run" && echo '{"scenario": "x"' > "$out/broken-run/run.json"
expect 2 "report: a run.json that is not JSON" -- "$bin" report "$out/broken-run"

# replsim explore: 0 complete, 1 violation, 2 bad input.
clean="$SCENARIOS/explore/register-clean.json"
expect 0 "explore: the clean register, its backups merged by symmetry, fixed kinds spaced" -- \
  "$bin" explore "$clean" --symmetry on --fixed-kinds " next_event , message_delay" --out "$out/explore-symmetry"
grep -q 'symmetry   .* orbits searched, a state each; interchangeable servers s2 s3' "$out.stdout" ||
  { echo "FAIL: explore does not report the symmetry"; failures=$((failures + 1)); }
grep -q 'fixed      next_event, message_delay' "$out.stdout" ||
  { echo "FAIL: explore does not name the fixed kinds"; failures=$((failures + 1)); }
expect 2 "explore: an unknown symmetry mode" -- "$bin" explore "$clean" --symmetry sometimes --out "$out/explore-bad"
grep -q -- '--symmetry' "$out.stderr" || { echo "FAIL: the error does not name --symmetry"; failures=$((failures + 1)); }
expect 2 "explore: symmetry for random walks" -- "$bin" explore "$clean" --symmetry on --strategy random-walk --out "$out/explore-bad"
expect 1 "explore: the canary against its clean baseline" -- \
  "$bin" explore "$SCENARIOS/explore/register-canary.json" --baseline "$clean" --out "$out/explore-baseline"
grep -q 'baseline   the same answers: pass, without linearizable' "$out.stdout" ||
  { echo "FAIL: explore does not say what the baseline did"; failures=$((failures + 1)); }
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['workload']['ops_max']=3; json.dump(d, open(sys.argv[2], 'w'))" \
  "$clean" "$out/baseline-other-workload.json"
expect 2 "explore: a baseline that differs in more than protocol options" -- \
  "$bin" explore "$SCENARIOS/explore/register-canary.json" --baseline "$out/baseline-other-workload.json" --out "$out/explore-bad"
grep -q 'baseline-other-workload.json:/workload/ops_max' "$out.stderr" ||
  { echo "FAIL: the error does not name the baseline's differing path"; failures=$((failures + 1)); }
expect 2 "explore: a baseline that is not there" -- \
  "$bin" explore "$clean" --baseline "$out/no-such-baseline.json" --out "$out/explore-bad"

echo "$failures failed"
[[ $failures -eq 0 ]]
