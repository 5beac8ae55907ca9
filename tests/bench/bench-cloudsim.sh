#!/bin/bash
#
# Benchmark of upa-cloudsim: Fetch-Document throughput and memory for a large
# document, and request rates with many parallel connections.  Prints figures;
# fails only if the emulator breaks (wrong bytes, errors) or its resident
# memory grows with the document size (documents must stream from disk).
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#
# Usage: top_builddir=BUILD tests/bench/bench-cloudsim.sh [DOC-MB] [PARALLEL]
#

here=$(cd "$(dirname "$0")/../integration" && pwd)
. "$here/cloudsim-lib.sh"

mb="${1:-256}"
par="${2:-60}"

cs_start --limit-jobs 0 --limit-concurrent 0 --limit-per-user 0
register bench || { echo "Bail out! registration failed"; exit 1; }
dev="$dev_id"
tok=$(device_token bench)

rss() {
	awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"
}

echo "# document: $mb MiB, parallel connections: $par"
head -c $((mb * 1024 * 1024)) /dev/urandom >"$tmp/big.pdf"
t0=$(date +%s.%N)
adm POST "/sim/jobs?user=bench@example.com&name=big&format=application/pdf" "$tmp/big.out" --data-binary "@$tmp/big.pdf" >/dev/null
t1=$(date +%s.%N)
job=$(json_num "$tmp/big.out" id)
echo "upload (/sim/jobs, curl):      $(awk "BEGIN {printf \"%.1f\", $mb / ($t1 - $t0)}") MiB/s"

rss0=$(rss)
t0=$(date +%s.%N)
"$testipp" --cacert "$ca" --token "$tok" --out "$tmp/big.got" "$base/printers" Fetch-Document \
	"op.uri.requesting-user-uri=mailto:bench@example.com" "op.uri.printer-uri=$ipp_uri/printers/$dev" \
	"op.uri.output-device-uuid=urn:uuid:$dev" "op.integer.job-id=$job" op.integer.document-number=1 >"$tmp/fd.out" 2>&1 &
fpid=$!
peak=$rss0
while kill -0 "$fpid" 2>/dev/null; do
	r=$(rss)
	[ "${r:-0}" -gt "$peak" ] && peak=$r
	sleep 0.05
done
wait "$fpid"
t1=$(date +%s.%N)
echo "Fetch-Document (testipp):      $(awk "BEGIN {printf \"%.1f\", $mb / ($t1 - $t0)}") MiB/s"
echo "emulator RSS before/peak:      $rss0 KiB / $peak KiB"
check "Fetch-Document returned the document byte for byte" cmp -s "$tmp/big.pdf" "$tmp/big.got"
check "emulator memory did not grow with the document (< 32 MiB more)" test $((peak - rss0)) -lt 32768

# Parallel Get-Jobs over fresh TLS connections.
n_req=$((par * 5))
t0=$(date +%s.%N)
pids=""
for i in $(seq 1 "$par"); do
	(for j in 1 2 3 4 5; do
		"$testipp" --cacert "$ca" --token "$tok" "$base/printers" Get-Jobs \
			"op.uri.printer-uri=$ipp_uri/printers/$dev" "op.uri.output-device-uuid=urn:uuid:$dev" \
			op.keyword.which-jobs=fetchable | grep -x 'status=successful-ok'
	done) >>"$tmp/par.out" 2>&1 &
	pids="$pids $!"
done
wait $pids
t1=$(date +%s.%N)
okc=$(grep -c 'status=successful-ok' "$tmp/par.out")
echo "Get-Jobs, $par parallel:       $(awk "BEGIN {printf \"%.0f\", $n_req / ($t1 - $t0)}") requests/s ($okc/$n_req ok)"
check_eq "all parallel Get-Jobs succeeded" "$okc" "$n_req"

# Submissions (each one saves state.json).
t0=$(date +%s.%N)
for i in $(seq 1 200); do
	submit bench@example.com "s$i" >/dev/null
done
t1=$(date +%s.%N)
echo "/sim/jobs submissions:         $(awk "BEGIN {printf \"%.0f\", 200 / ($t1 - $t0)}") jobs/s (sequential, state saved each time)"

cs_stop TERM
cs_finish
