#!/usr/bin/env bash
# fuzz/run.sh TARGET [DURATION] — coverage-guided fuzzing of one ftpgate fuzz target with Jazzer.
#   TARGET   lineScanner | dataAddresses | replyAssembler | session
#   DURATION how long, as for timeout(1): 10m (default), 1h, 630s ... (one unit only)
# New coverage goes to .cifuzz-corpus/ (not committed); a finding is written as a crash file into
# src/test/resources/.../<Class>Inputs/<target>/ and from then on replays in every `mvn verify`.
# The normal build runs only the committed seeds (regression mode), quickly.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target=${1:?usage: fuzz/run.sh lineScanner|dataAddresses|replyAssembler|session [DURATION]}
duration=${2:-10m}
case $target in
  lineScanner|dataAddresses|replyAssembler) class=io.ftpgate.protocol.ProtocolFuzzTest ;;
  session) class=io.ftpgate.control.SessionFuzzTest ;;
  *) echo "fuzz/run.sh: unknown target '$target'" >&2; exit 2 ;;
esac
cd "$root"
log=$(mktemp /tmp/ftpgate-fuzz-$target.XXXX.log)
echo "fuzzing $class#$target for $duration (log: $log)"
start=$(date +%s)
# Jazzer fuzzes when JAZZER_FUZZ is set; the fuzz tests have no internal time limit, timeout(1) is the limit.
# Jazzer's SSRF detector is switched off: its allow-list is per thread, so it would flag the gateway's own
# (event-loop) connects to its peers. The session target has its own oracle for exactly this property: every
# data connection target is checked against the two control peers (ListenerContext.dataConnectObserver).
export JAZZER_DISABLED_HOOKS=com.code_intelligence.jazzer.sanitizers.ServerSideRequestForgery
set +e
JAZZER_FUZZ=1 timeout --signal=INT "$duration" mvn -B -o -q test -Dtest="$class#$target" \
    -Dsurefire.failIfNoSpecifiedTests=false -DtrimStackTrace=false >"$log" 2>&1
rc=$?
set -e
end=$(date +%s)
execs=$( (grep -aoE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#')
cov=$( (grep -aoE 'cov: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}')
finding=$(grep -acE 'FuzzTestFinding|== Java Exception|DEDUP_TOKEN' "$log" || true)
echo "target=$target seconds=$((end - start)) executions=${execs:-?} coverage=${cov:-?} findings=$finding exit=$rc"
if [ -z "$execs" ]; then
    echo "fuzz/run.sh: the fuzzer never ran (build or test failure?); see $log" >&2
    exit 1
fi
[ "$finding" = "0" ]
