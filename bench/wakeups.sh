#!/usr/bin/env bash
# Which threads of a running process wake up, and what they cost: over a window, per thread, the
# wake-ups (voluntary context switches) and CPU (utime + stime) from /proc/PID/task/*/.
# An idle JVM's CPU on a virtual machine is mostly the number of its wake-ups
# (docs/benchmarks/README.md, "What a wake-up costs here").
#
#   bench/wakeups.sh PID [SECONDS]     # default 30 s; threads that woke, busiest first
set -euo pipefail
pid="${1:?usage: bench/wakeups.sh PID [SECONDS]}"
secs="${2:-30}"
[ -d "/proc/$pid" ] || { echo "no process $pid" >&2; exit 1; }
hz="$(getconf CLK_TCK)"

snapshot() {
  for t in /proc/"$pid"/task/*; do
    [ -r "$t/stat" ] || continue
    # comm may hold spaces: the fields after the last ')' are fixed (utime is 14th, stime 15th)
    local stat comm rest cs
    stat="$(cat "$t/stat" 2>/dev/null)" || continue
    comm="$(cat "$t/comm" 2>/dev/null | tr ' ' '_')" || continue
    rest="${stat##*) }"
    cs="$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status" 2>/dev/null)" || continue
    # shellcheck disable=SC2086
    set -- $rest
    echo "${t##*/} $comm $(( ${12} + ${13} )) ${cs:-0}"
  done
}

before="$(snapshot)"
echo "watching $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-80)…) for ${secs}s" >&2
sleep "$secs"
after="$(snapshot)"

rows="$(awk -v secs="$secs" -v hz="$hz" '
  NR == FNR { cpu[$1] = $3; cs[$1] = $4; next }
  {
    dc = $3 - (($1 in cpu) ? cpu[$1] : 0); dw = $4 - (($1 in cs) ? cs[$1] : 0)
    if (dw > 0 || dc > 0) printf "%10.2f %12.2f  %s (%s)\n", dw / secs, 100 * dc / hz / secs, $2, $1
  }' <(echo "$before") <(echo "$after") | sort -rn -k1,1)"
printf "%10s %12s  %s\n" "wakeups/s" "% of a core" "thread (tid)"
[ -n "$rows" ] && echo "$rows"
echo "$rows" | awk '{ w += $1; c += $2 } END { printf "%10.2f %12.2f  all threads\n", w, c }'
