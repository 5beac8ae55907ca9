#!/bin/bash
#
# upa-cloudsim's faults for "exactly once" (issue 14), seen on the wire:
# commit-then-break and break-without-commit answers of IPP-INFRA operations,
# short, cut and stalling Fetch-Document bodies, trickling answers, repeated
# Get-Jobs job groups, fault counts, and a kill -9 and restart on the same
# port.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#
# The answers are read by cloudsim-wire.py (a raw TLS client that reports
# the bytes that came: status line, framing, body length, IPP end tag), the
# state afterwards by testipp (Fetch-Job, as a client would ask).
# Exit status: 0 pass, 1 fail, 77 skip.
#

here=$(cd "$(dirname "$0")" && pwd)
. "$here/cloudsim-lib.sh"

# Debian's python3 (scripts/deps.sh) unless PYTHON says otherwise: a version
# manager's shim in PATH can cost a second or more per start, and the test
# starts the client about a hundred times.
python="${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}"
if [ -z "$python" ]; then
	echo "SKIP: python3 not found"
	exit 77
fi

# No service limits: the test submits more jobs for alice than Universal
# Print's four active jobs per user.
limits="--limit-per-user 0 --limit-concurrent 0 --limit-jobs 0"
# shellcheck disable=SC2086
cs_start $limits

register d1 || { echo "Bail out! registration failed"; exit 1; }
d1="$dev_id"
tok1=$(device_token d1)
[ -n "$tok1" ] || { echo "Bail out! no device token"; exit 1; }

p1="op.uri.printer-uri=$ipp_uri/printers/$d1"
u1="op.uri.output-device-uuid=urn:uuid:$d1"
alice="op.uri.requesting-user-uri=mailto:alice@example.com"

# wire OUT [--timeout S] [--out FILE] OPERATION ATTRS...: raw answer report
wire() {
	local out="$1"
	shift
	"$python" "$here/cloudsim-wire.py" --cacert "$ca" --token "$tok1" "$base/printers" "$@" >"$out" 2>&1
}

# val FILE KEY -> value of a KEY=value line of a wire report
val() {
	sed -n "s/^$2=//p" "$1" | head -1
}

# fault SPEC: arm a fault (POST /sim/faults)
fault() {
	local status
	status=$(adm POST /sim/faults "$tmp/fault.out" --data "$1")
	[ "$status" = 201 ] || { echo "# arming '$1' answered $status: $(cat "$tmp/fault.out")"; return 1; }
}

# fetch_job JOB OUT: Fetch-Job as the device would ask after a broken answer
fetch_job() {
	ipp "$tok1" "$2" Fetch-Job "$alice" "$p1" "$u1" "op.integer.job-id=$1"
}

# bound JOB: Fetch-Job shows the job assigned to d1 and no longer fetchable
bound() {
	fetch_job "$1" "$tmp/fj.$1"
	grep -qx "output-device-assigned=$d1" "$tmp/fj.$1" && ! grep -q '^job-state-reasons=.*job-fetchable' "$tmp/fj.$1"
}

# fetchable JOB: Fetch-Job shows the job unassigned and still fetchable
fetchable() {
	fetch_job "$1" "$tmp/fj.$1"
	! grep -q '^output-device-assigned=' "$tmp/fj.$1" && grep -q '^job-state-reasons=.*job-fetchable' "$tmp/fj.$1"
}

# wire_is DESCRIPTION FILE KEY=VALUE...: every listed line is in the report
wire_is() {
	local desc="$1" file="$2" kv
	shift 2
	for kv in "$@"; do
		if ! grep -qxF -- "$kv" "$file"; then
			notok "$desc" "expected: $kv" "report:" "$(tr '\n' ' ' <"$file")"
			return
		fi
	done
	ok "$desc"
}

# ---------------------------------------------------------------------------
# Bad fault specs are refused.
# ---------------------------------------------------------------------------

for bad in 'commit,op=Acknowledge-Job' 'commit,answer=bogus' 'nocommit,answer=status,status=404' \
	'commit,answer=slow' 'trickle' 'doc-short,op=Get-Jobs' 'dup-groups,repeat=0' 'doc-cut,framing=wavy' 'doc-stall'; do
	status=$(adm POST /sim/faults "$tmp/bad.out" --data "$bad")
	check_eq "refused: $bad" "$status" 400
done

# ---------------------------------------------------------------------------
# commit: Acknowledge-Job is carried out, then its answer is damaged.  Each
# time Fetch-Job shows the job bound to d1 and not fetchable.
# ---------------------------------------------------------------------------

for answer in cut truncate badlength garbage html noend status slow internal-error; do
	j=$(submit alice@example.com "commit-$answer")
	extra=""
	case "$answer" in
		status) extra=",status=504" ;;
		slow) extra=",seconds=3" ;;
	esac
	fault "commit,op=Acknowledge-Job,answer=$answer$extra" || notok "arm commit $answer"
	wire "$tmp/ack-$answer" --timeout 1.5 Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j"
	w="$tmp/ack-$answer"
	case "$answer" in
		cut)
			wire_is "commit cut: connection closed without an answer" "$w" http=none closed=yes ;;
		truncate)
			wire_is "commit truncate: 200, half the IPP answer, then closed" "$w" http=200 framing=length body-complete=no ipp=short closed=yes
			check "commit truncate: fewer bytes than Content-Length" test "$(val "$w" body-bytes)" -lt "$(val "$w" content-length)" ;;
		badlength)
			wire_is "commit badlength: whole IPP answer, Content-Length larger, closed" "$w" http=200 body-complete=no end-tag=yes status=0x0000 closed=yes
			check "commit badlength: Content-Length larger than the body" test "$(val "$w" body-bytes)" -lt "$(val "$w" content-length)" ;;
		garbage)
			wire_is "commit garbage: 200 application/ipp that is not IPP" "$w" http=200 content-type=application/ipp body-complete=yes end-tag=no ;;
		html)
			wire_is "commit html: 502 text/html error page" "$w" http=502 "content-type=text/html; charset=utf-8" body-complete=yes ;;
		noend)
			wire_is "commit noend: complete body, IPP without end-of-attributes" "$w" http=200 body-complete=yes status=0x0000 end-tag=no ;;
		status)
			wire_is "commit status=504: HTTP 504" "$w" http=504 body-complete=yes ;;
		slow)
			wire_is "commit slow: no answer within the client's 1.5 s" "$w" http=none closed=no ;;
		internal-error)
			wire_is "commit internal-error: 200 with IPP server-error-internal-error" "$w" http=200 status=0x0500 end-tag=yes ;;
	esac
	check "commit $answer: the job is bound to d1 anyway (Fetch-Job)" bound "$j"
done

# The retried Acknowledge-Job of a committed one: not-fetchable (ours).
ipp "$tok1" "$tmp/reack" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j"
check_has "commit: a retried Acknowledge-Job answers client-error-not-fetchable" "$tmp/reack" "status=client-error-not-fetchable"

# commit on Fetch-Job (not a state change) and on Get-Jobs: the answer only.
fault "commit,op=Fetch-Job,answer=truncate"
wire "$tmp/fj-trunc" Fetch-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j"
wire_is "commit truncate on Fetch-Job" "$tmp/fj-trunc" http=200 body-complete=no ipp=short closed=yes

# Only answers of operations that happened count: a refused one passes.
jx=$(submit alice@example.com refused-ack)
fault "commit,op=Acknowledge-Job,answer=cut"
wire "$tmp/ack-noid" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=999999"
wire_is "commit: an error answer is not damaged" "$tmp/ack-noid" http=200 end-tag=yes
wire "$tmp/ack-x" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$jx"
wire_is "... and the fault fires on the next successful Acknowledge-Job" "$tmp/ack-x" http=none closed=yes
check "... which bound its job" bound "$jx"

# ---------------------------------------------------------------------------
# nocommit: the same answers, nothing carried out.
# ---------------------------------------------------------------------------

for answer in cut truncate noend status internal-error; do
	j=$(submit alice@example.com "nocommit-$answer")
	fault "nocommit,op=Acknowledge-Job,answer=$answer" || notok "arm nocommit $answer"
	wire "$tmp/nack-$answer" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j"
	check "nocommit $answer: the job is still fetchable and unassigned" fetchable "$j"
done
wire_is "nocommit cut: no answer" "$tmp/nack-cut" http=none closed=yes
wire_is "nocommit status: HTTP 500 by default" "$tmp/nack-status" http=500
wire_is "nocommit internal-error: IPP 0x0500" "$tmp/nack-internal-error" http=200 status=0x0500 end-tag=yes
j=$(submit alice@example.com nocommit-slow)
fault "nocommit,op=Acknowledge-Job,answer=slow,seconds=1"
wire "$tmp/nack-slow" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j"
wire_is "nocommit slow: the connection closes after the wait, no answer" "$tmp/nack-slow" http=none closed=yes
check "nocommit slow: ... after at least one second" awk -v s="$(val "$tmp/nack-slow" seconds)" 'BEGIN { exit !(s >= 1) }'
check "nocommit slow: the job is still fetchable and unassigned" fetchable "$j"

# Same bytes as a committed answer: the client cannot tell them apart.
ja=$(submit alice@example.com noend-a)
jb=$(submit alice@example.com noend-b)
fault "commit,op=Acknowledge-Job,answer=noend"
wire "$tmp/noend-c" --out "$tmp/noend-c.body" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$ja"
fault "nocommit,op=Acknowledge-Job,answer=noend"
wire "$tmp/noend-n" --out "$tmp/noend-n.body" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$jb"
check "commit and nocommit noend answers are byte for byte the same" cmp -s "$tmp/noend-c.body" "$tmp/noend-n.body"
bound_and_fetchable() {
	bound "$1" && fetchable "$2"
}
check "... but only the commit bound its job" bound_and_fetchable "$ja" "$jb"

# A transient internal error to Update-Job-Status: status not recorded.
ju=$(submit alice@example.com ujs)
ipp "$tok1" "$tmp/ujs-ack" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$ju"
fault "nocommit,op=Update-Job-Status,answer=internal-error"
ipp "$tok1" "$tmp/ujs1" Update-Job-Status "$p1" "$u1" "op.integer.job-id=$ju" job.enum.output-device-job-state=9
check_has "nocommit internal-error on Update-Job-Status: server-error-internal-error" "$tmp/ujs1" "status=server-error-internal-error"
fetch_job "$ju" "$tmp/ujs-fj1"
check "... and the job is not completed" sh -c "! grep -qx 'job-state=completed' '$tmp/ujs-fj1'"
ipp "$tok1" "$tmp/ujs2" Update-Job-Status "$p1" "$u1" "op.integer.job-id=$ju" job.enum.output-device-job-state=9
fetch_job "$ju" "$tmp/ujs-fj2"
check_has "... the retry is accepted and completes it" "$tmp/ujs-fj2" "job-state=completed"

# A 503 to Update-Job-Status without commit, and a committed one whose
# answer is lost (the retry then meets the terminal state).
jv=$(submit alice@example.com ujs-commit)
ipp "$tok1" "$tmp/ujsc-ack" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$jv"
fault "nocommit,op=Update-Job-Status,answer=status,status=503,retry-after=4"
wire "$tmp/ujs503" Update-Job-Status "$p1" "$u1" "op.integer.job-id=$jv" job.enum.output-device-job-state=9
wire_is "nocommit status=503 on Update-Job-Status: HTTP 503 with Retry-After" "$tmp/ujs503" http=503 retry-after=4 body-complete=yes
fetch_job "$jv" "$tmp/ujsc-fj0"
check "... and the job is not completed" sh -c "! grep -qx 'job-state=completed' '$tmp/ujsc-fj0'"
fault "commit,op=Update-Job-Status,answer=cut"
wire "$tmp/ujscut" Update-Job-Status "$p1" "$u1" "op.integer.job-id=$jv" job.enum.output-device-job-state=9
wire_is "commit cut on Update-Job-Status: no answer" "$tmp/ujscut" http=none closed=yes
fetch_job "$jv" "$tmp/ujsc-fj1"
check_has "... but the job is completed in the cloud" "$tmp/ujsc-fj1" "job-state=completed"
ipp "$tok1" "$tmp/ujsc-retry" Update-Job-Status "$p1" "$u1" "op.integer.job-id=$jv" job.enum.output-device-job-state=9
check_has "... and a retry meets the terminal state (server-error-internal-error)" "$tmp/ujsc-retry" "status=server-error-internal-error"

# ---------------------------------------------------------------------------
# Fetch-Document: short and cut bodies after a correct IPP part.
# ---------------------------------------------------------------------------

head -c 200031 /dev/urandom >"$tmp/big.bin"
adm POST "/sim/jobs?user=alice@example.com&name=big&format=application/octet-stream" "$tmp/big.out" --data-binary "@$tmp/big.bin" >/dev/null
jd=$(json_num "$tmp/big.out" id)
ipp "$tok1" "$tmp/big-ack" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$jd"
fetch_job "$jd" "$tmp/big-fj"
kb=$(sed -n 's/^job-k-octets=//p' "$tmp/big-fj")
check_eq "big job: job-k-octets" "$kb" 196
fd=("$alice" "$p1" "$u1" "op.integer.job-id=$jd" op.integer.document-number=1)

fault "doc-short"
wire "$tmp/short" --out "$tmp/short.body" Fetch-Document "${fd[@]}"
wire_is "doc-short: correct IPP part, well-formed chunked body" "$tmp/short" http=200 framing=chunked body-complete=yes end-tag=yes status=0x0000
check_eq "doc-short: half the document (100015 bytes)" "$(val "$tmp/short" document-bytes)" 100015
check "doc-short: fewer bytes than job-k-octets*1024" test "$(val "$tmp/short" document-bytes)" -lt $((kb * 1024))

fault "doc-short,bytes=1000,framing=length"
wire "$tmp/short-len" Fetch-Document "${fd[@]}"
wire_is "doc-short framing=length: Content-Length matches what is sent" "$tmp/short-len" http=200 framing=length body-complete=yes end-tag=yes document-bytes=1000 closed=no

fault "doc-cut"
wire "$tmp/cut" Fetch-Document "${fd[@]}"
wire_is "doc-cut: chunked body without its last chunk, connection closed" "$tmp/cut" http=200 framing=chunked body-complete=no end-tag=yes closed=yes
check_eq "doc-cut: half the document arrived" "$(val "$tmp/cut" document-bytes)" 100015

fault "doc-cut,bytes=4096,framing=length"
wire "$tmp/cut-len" Fetch-Document "${fd[@]}"
wire_is "doc-cut framing=length: full size announced, 4096 document bytes, closed" "$tmp/cut-len" http=200 framing=length body-complete=no end-tag=yes document-bytes=4096 closed=yes
check "doc-cut framing=length: Content-Length covers the whole document" test "$(val "$tmp/cut-len" content-length)" -gt 200031

fault "doc-stall,bytes=1000,seconds=3"
wire "$tmp/stall1" --timeout 1.5 Fetch-Document "${fd[@]}"
wire_is "doc-stall: 1000 document bytes, then nothing (client gives up after 1.5 s)" "$tmp/stall1" http=200 body-complete=no end-tag=yes document-bytes=1000 closed=no
fault "doc-stall,bytes=1000,seconds=2"
wire "$tmp/stall2" Fetch-Document "${fd[@]}"
wire_is "doc-stall: then the rest of the document" "$tmp/stall2" http=200 body-complete=yes document-bytes=200031
check "doc-stall: ... after the pause (>= 2 s, took $(val "$tmp/stall2" seconds) s)" awk -v s="$(val "$tmp/stall2" seconds)" 'BEGIN { exit !(s >= 2) }'

wire "$tmp/full" --out "$tmp/full.body" Fetch-Document "${fd[@]}"
wire_is "without a fault the whole document comes" "$tmp/full" http=200 body-complete=yes document-bytes=200031
check "... byte for byte" sh -c "tail -c 200031 '$tmp/full.body' | cmp -s - '$tmp/big.bin'"

# ---------------------------------------------------------------------------
# trickle: the answer at N bytes per second.
# ---------------------------------------------------------------------------

head -c 300 /dev/urandom >"$tmp/small.bin"
adm POST "/sim/jobs?user=alice@example.com&name=small&format=application/octet-stream" "$tmp/small.out" --data-binary "@$tmp/small.bin" >/dev/null
jt=$(json_num "$tmp/small.out" id)
ipp "$tok1" "$tmp/small-ack" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$jt"
fault "trickle,bytes-per-second=100"
wire "$tmp/trickle" --out "$tmp/trickle.body" Fetch-Document "$alice" "$p1" "$u1" "op.integer.job-id=$jt" op.integer.document-number=1
wire_is "trickle: the whole answer arrives" "$tmp/trickle" http=200 body-complete=yes document-bytes=300
# At 100 bytes/s the body cannot arrive faster than (bytes - one piece)/100 s.
check "trickle: $(val "$tmp/trickle" body-bytes) bytes took $(val "$tmp/trickle" seconds) s, at least bytes/100 - 0.1" \
	awk -v b="$(val "$tmp/trickle" body-bytes)" -v s="$(val "$tmp/trickle" seconds)" 'BEGIN { exit !(s >= b / 100 - 0.1 && b > 300) }'
check "trickle: the document is intact" sh -c "tail -c 300 '$tmp/trickle.body' | cmp -s - '$tmp/small.bin'"
fault "trickle,bytes-per-second=20"
wire "$tmp/trickle-slow" --timeout 2 Fetch-Document "$alice" "$p1" "$u1" "op.integer.job-id=$jt" op.integer.document-number=1
check "trickle at 20 bytes/s: the IPP header alone is not complete after 2 s" sh -c "! grep -qx 'end-tag=yes' '$tmp/trickle-slow'"
fault "trickle,op=Fetch-Job,bytes-per-second=200"
wire "$tmp/trickle-fj" Fetch-Job "$alice" "$p1" "$u1" "op.integer.job-id=$jt"
check "trickle op=Fetch-Job: $(val "$tmp/trickle-fj" body-bytes) bytes took $(val "$tmp/trickle-fj" seconds) s" \
	awk -v b="$(val "$tmp/trickle-fj" body-bytes)" -v s="$(val "$tmp/trickle-fj" seconds)" 'BEGIN { exit !(b > 200 && s >= b / 200 - 0.1) }'

# ---------------------------------------------------------------------------
# dup-groups: Get-Jobs repeats job groups (and may leave job-id out).
# ---------------------------------------------------------------------------

adm DELETE /sim/faults "$tmp/del" >/dev/null
g1=$(submit bob@example.com dup-one)
g2=$(submit bob@example.com dup-two)
bob="op.uri.requesting-user-uri=mailto:bob@example.com"
gj=("$bob" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable)
wire "$tmp/gj0" Get-Jobs "${gj[@]}"
check_eq "Get-Jobs: bob has two job groups" "$(grep -c '^group-job$' "$tmp/gj0")" 2
fault "dup-groups,repeat=3"
wire "$tmp/gj3" Get-Jobs "${gj[@]}"
check_eq "dup-groups repeat=3: six job groups" "$(grep -c '^group-job$' "$tmp/gj3")" 6
check_eq "... job $g1 three times" "$(grep -cx "attr job-id=$g1" "$tmp/gj3")" 3
check_eq "... job $g2 three times" "$(grep -cx "attr job-id=$g2" "$tmp/gj3")" 3
fault "dup-groups,repeat=1,no-job-id=1"
wire "$tmp/gjn" Get-Jobs "${gj[@]}"
check_eq "dup-groups no-job-id=1: two job groups" "$(grep -c '^group-job$' "$tmp/gjn")" 2
check_eq "... with their job-uri" "$(grep -c "^attr job-uri=.*/jobs/\($g1\|$g2\)$" "$tmp/gjn")" 2
check "... and no job-id" sh -c "! grep -q '^attr job-id=' '$tmp/gjn'"
fault "dup-groups,repeat=10000"
wire "$tmp/gj10k" Get-Jobs "${gj[@]}"
check_eq "dup-groups repeat=10000: 20000 job groups" "$(grep -c '^group-job$' "$tmp/gj10k")" 20000

# Firings are counted: 13 commit faults fired above (9 + Fetch-Job + the
# one that waited for a successful Acknowledge-Job + noend + Update-Job-Status).
adm GET /sim/faults "$tmp/fired" >/dev/null
check "GET /sim/faults counts the firings per kind (commit: 13)" grep -q '"byKind":{[^}]*"commit":13[,}]' "$tmp/fired"

# ---------------------------------------------------------------------------
# kill -9 in the middle of an answer, restart on the same port.
# ---------------------------------------------------------------------------

fault "trickle,bytes-per-second=10,count=-1"
wire "$tmp/killed" --timeout 20 --progress "$tmp/killed.progress" Fetch-Document "$alice" "$p1" "$u1" "op.integer.job-id=$jt" op.integer.document-number=1 &
wpid=$!
# Wait until the answer is on its way (the client has its headers).
for _ in $(seq 1 100); do
	grep -qx headers "$tmp/killed.progress" 2>/dev/null && break
	sleep 0.1
done
cs_stop KILL
# shellcheck disable=SC2086
cs_start $limits
wait "$wpid"
wire_is "kill -9 mid-answer: the client sees the body end early" "$tmp/killed" http=200 body-complete=no closed=yes
check "restart on the same port with the state: job $jd still bound to d1" bound "$jd"
adm GET /sim/faults "$tmp/faults-after" >/dev/null
check "armed faults do not survive a restart" grep -q '"faults":\[\]' "$tmp/faults-after"
wire "$tmp/after" Fetch-Document "${fd[@]}"
wire_is "after the restart the document comes whole" "$tmp/after" http=200 body-complete=yes document-bytes=200031

cs_finish
