#!/bin/bash
# bench/lib/report.sh - turn the per-run TSV of bench/run.sh into the Markdown
# report (newest run first in RESULTS, older runs kept below) and print the
# migsh/mbsync ratios last.
#
# usage: report.sh TSV STARTED RESULTS_MD [CONFIG_LOG]
# TSV columns (lib/scenario.sh): label tool run wall cpu user sys maxrss_kb
#   msgs bytes verified src_cpu tgt_cpu rc
# Medians are over the verified runs only; a run that failed verification
# never counts, and the failures are listed with their reasons.
set -u
tsv=$1 started=$2 results=$3
[ -s "$tsv" ] || { echo "report.sh: no results in $tsv" >&2; exit 1; }

ver() { "$@" 2>/dev/null | head -1; }
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem_total=$(free -h | awk '/^Mem:/ { print $2 }')
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
migsh_ver=$(cd "$BENCH_DIR/.." && git rev-parse --short HEAD 2>/dev/null)
[ -n "$(cd "$BENCH_DIR/.." && git status --porcelain 2>/dev/null | head -1)" ] && migsh_ver="$migsh_ver + uncommitted work"
corpus_note=""
for c in small medium big; do
	f=$BENCH_WORK/corpus/$c
	[ -s "$f/.stats" ] || continue
	corpus_note="$corpus_note
| $c | $(awk '{ split($2, a, "="); split($3, b, "="); m += a[2]; s += b[2]; u++ } END { printf "%d | %d | %.1f", u, m, s / 1e6 }' "$f/.stats") | $(cat "$f/.complete") |"
done

# Per scenario/tool summary and the ratios, computed in one awk pass.
summary=$(awk -F'\t' '
function median(s,   a, n, i, j, t) {
	n = split(s, a, " ");
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	if (n == 0) return "";
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2;
}
{
	k = $1 SUBSEP $2;
	if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	total[k]++;
	msgs[k] = $9; bytes[k] = $10;
	if ($11 == "ok") {
		ok[k]++;
		wall[k] = wall[k] " " $4; cpu[k] = cpu[k] " " $5; src[k] = src[k] " " $12; tgt[k] = tgt[k] " " $13;
		if ($8 + 0 > rss[k] + 0) rss[k] = $8;
		w[$1, $2, $3] = $4; c[$1, $2, $3] = $5;
		if (!($1 in runs) || $3 + 0 > runs[$1] + 0) runs[$1] = $3;
	} else {
		fails = fails sprintf("- %s, %s, run %s: %s\n", $1, $2, $3, $11);
	}
}
END {
	print "| scenario | tool | runs ok | wall s | CPU s | peak RSS MB | msgs/s | MB/s | CPU s/GB | source Dovecot CPU s | target Dovecot CPU s |";
	print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, p, SUBSEP);
		if (!ok[k]) { printf "| %s | %s | 0/%d | failed | | | | | | | |\n", p[1], p[2], total[k]; continue }
		mw = median(wall[k]); mc = median(cpu[k]);
		printf "| %s | %s | %d/%d | %.2f | %.2f | %.1f | %.0f | %.1f | %.1f | %.2f | %s |\n", p[1], p[2], ok[k], total[k],
			mw, mc, rss[k] / 1024, msgs[k] / mw, bytes[k] / 1e6 / mw, mc / (bytes[k] / 1e9),
			median(src[k]), (p[2] ~ /_imap$/) ? sprintf("%.2f", median(tgt[k])) : "";
		mwall[k] = mw; mcpu[k] = mc;
	}
	print "";
	# ratios: migsh-family tool vs the mbsync tool of the same destination, per run, then the median
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, p, SUBSEP);
		if (p[2] ~ /^mbsync/) continue;
		ref = (p[2] ~ /_imap$/) ? "mbsync_imap" : "mbsync";
		rw = ""; rc = "";
		for (r = 1; r <= runs[p[1]]; r++)
			if (((p[1], p[2], r) in w) && ((p[1], ref, r) in w) && w[p[1], ref, r] > 0) {
				rw = rw " " w[p[1], p[2], r] / w[p[1], ref, r];
				if (c[p[1], ref, r] > 0) rc = rc " " c[p[1], p[2], r] / c[p[1], ref, r];
			}
		if (rw != "")
			ratios = ratios sprintf("- %s: %s/%s wall time ratio %.2f, CPU ratio %s (median of %d same-run pairs)\n",
				p[1], p[2], ref, median(rw), rc == "" ? "n/a" : sprintf("%.2f", median(rc)), split(rw, tmp, " "));
	}
	# latency: throughput retained at 20 ms RTT
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, p, SUBSEP);
		if (p[1] != "latency-20ms") continue;
		k0 = "latency-0ms" SUBSEP p[2];
		if ((k0 in mwall) && (k in mwall))
			ratios = ratios sprintf("- %s keeps %.0f%% of its zero-latency throughput at 20 ms RTT (%.2f s -> %.2f s)\n",
				p[2], 100 * mwall[k0] / mwall[k], mwall[k0], mwall[k]);
	}
	# the targets of issue 8, judged on the medians of this run
	for (i = 1; i <= nk; i++) {
		k = order[i]; split(k, p, SUBSEP);
		if (p[2] ~ /^mbsync/ || !(k in mwall)) continue;
		ref = p[1] SUBSEP ((p[2] ~ /_imap$/) ? "mbsync_imap" : "mbsync");
		if (p[1] ~ /^(small|medium)-plain$/ && p[2] !~ /_imap$/ && (ref in mwall))
			targets = targets sprintf("- %s: wall at most half of mbsync: %s (%.2f s vs %.2f s); CPU per MB no more than mbsync: %s (%.2f s vs %.2f s)%s\n",
				p[1], (mwall[k] <= mwall[ref] / 2) ? "PASS" : "FAIL", mwall[k], mwall[ref],
				(mcpu[k] <= mcpu[ref]) ? "PASS" : "FAIL", mcpu[k], mcpu[ref],
				(p[1] ~ /^small/) ? " (the target is stated for medium)" : "");
		if (p[1] == "latency-20ms" && (("latency-0ms" SUBSEP p[2]) in mwall))
			targets = targets sprintf("- latency: %s keeps at least 70%% of its zero-latency throughput at 20 ms RTT: %s (%.0f%%)\n",
				p[2], (mwall["latency-0ms" SUBSEP p[2]] / mwall[k] >= 0.7) ? "PASS" : "FAIL", 100 * mwall["latency-0ms" SUBSEP p[2]] / mwall[k]);
		if (p[1] == "memory" || p[1] ~ /^medium/)
			targets = targets sprintf("- %s: %s peak RSS under 100 MB: %s (%.1f MB)\n", p[1], p[2],
				(rss[k] / 1024 < 100) ? "PASS" : "FAIL", rss[k] / 1024);
	}
	printf "%s", "@@FAILS@@\n" fails "@@RATIOS@@\n" ratios "@@TARGETS@@\n" targets;
}' "$tsv")
table=${summary%%@@FAILS@@*}
rest=${summary#*@@FAILS@@}
fails=${rest%%@@RATIOS@@*}
ratios=${rest#*@@RATIOS@@}
targets=${ratios#*@@TARGETS@@}
ratios=${ratios%%@@TARGETS@@*}
targets=$(printf '%s' "$targets" | sed '/^$/d')
fails=$(printf '%s' "$fails" | sed '/^$/d')
ratios=$(printf '%s' "$ratios" | sed '/^$/d')

section=$(cat <<EOF
## Run of $started

Machine: $(nproc) CPUs ($cpu_model), $mem_total RAM, $os, kernel $(uname -r).
Versions: migsh $migsh_ver; $(ver mbsync --version); Dovecot $(ver dovecot --version); $(ver openssl version).
Tools: mbsync = \`mbsync -a\`, one Channel per user (one after another); migsh = the migsh shell
(New-MigrationBatch -AutoStart, status polled every 0.05 s from the batch record, Synced confirmed by Get-MigrationBatch, service stopped),
default concurrency; *_imap = into a fresh target Dovecot instead of a local Maildir; service = the
same service and engine driven by tests/integration/engine_driver (used only when the shell could not).
Load average (1, 5, 15 min) at the start: ${BENCH_LOAD_START:-?}; at the end: $(cut -d" " -f1-3 /proc/loadavg) (2 cores shared with other work).
Runs alternate the tools (odd runs in the listed order, even runs reversed); medians over verified runs.
CPU = user+sys of the tool's whole process tree (service included); peak RSS = the largest single process.
Source/target Dovecot CPU = what the servers spent serving the run (master + reaped children).
Latency runs go through bench/delayproxy (the kernel here has no netem): 0 ms and 10 ms each way.

| corpus | users | messages | MB | generator |
|---|---:|---:|---:|---|$corpus_note

$table

Failures:
${fails:-- none}

Ratios (migsh / mbsync; below 1.0 is faster or cheaper):
${ratios:-- none measured}

Targets of issue 8 (judged on the medians of this run):
${targets:-- none measured in this run}
EOF
)

{
	printf '# migsh benchmark results\n\nWritten by bench/run.sh (see bench/README.md); newest run first.\n\n'
	printf '%s\n\n' "$section"
	if [ -f "$results" ]; then
		# keep the older runs
		awk '/^## Run of /{ n++ } n >= 1' "$results" >"$results.old"
		cat "$results.old"
		rm -f "$results.old"
	fi
} >"$results.new"
mv "$results.new" "$results"

printf '%s\n\n' "$section" | sed -n '/^| scenario/,$p'
echo "Results written to $results"
echo
echo "TARGETS (issue 8):"
echo "${targets:-- none measured in this run}"
echo
echo "RATIOS (migsh / mbsync):"
echo "${ratios:-- none measured}"
