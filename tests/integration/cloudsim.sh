#!/bin/bash
#
# Conformance test for upa-cloudsim: TLS with its own CA, registration,
# device token flow, IPP INFRA operations and the /sim control API.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#
# Uses only openssl, curl and coreutils, plus the cloudsim/testipp helper
# (built by "make check") for the IPP checks.  Builds nothing.
# Exit status: 0 pass, 1 fail, 77 skip.
#

top_builddir="${top_builddir:-.}"
sim="$top_builddir/cloudsim/upa-cloudsim"
testipp="$top_builddir/cloudsim/testipp"

for tool in openssl curl basenc cmp; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not found"
		exit 77
	fi
done

if [ ! -x "$sim" ]; then
	echo "SKIP: $sim not built"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cloudsim-test.XXXXXX") || exit 1
pid=""

cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
n=0

ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

notok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
}

# check DESCRIPTION COMMAND...: pass when COMMAND succeeds.
check() {
	local desc="$1"
	shift
	if "$@"; then
		ok "$desc"
	else
		notok "$desc" "command: $*"
	fi
}

# json_str FILE KEY: value of a top-level JSON string member (our server
# writes compact JSON without escaped slashes).
json_str() {
	sed -n 's/.*"'"$2"'":"\([^"]*\)".*/\1/p' "$1"
}

json_num() {
	sed -n 's/.*"'"$2"'":\([0-9-]*\).*/\1/p' "$1"
}

quiet() {
	"$@" >/dev/null 2>&1
}

b64url() {
	basenc --base64url -w0 | tr -d '='
}

# ---------------------------------------------------------------------------
# Start the emulator on a free loopback port.
# ---------------------------------------------------------------------------

admin="test-admin-$$"
started=no
for attempt in 1 2 3 4 5 6 7 8; do
	port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
	# Skip ports that already answer.
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		continue
	fi
	"$sim" --listen "127.0.0.1:$port" --state-dir "$tmp/state" --ca-dir "$tmp/ca" \
		--admin-token "$admin" --register-polls 1 --pid-file "$tmp/pid" -v \
		2>>"$tmp/cloudsim.log" &
	pid=$!
	for i in $(seq 1 100); do
		if curl -s -o /dev/null --cacert "$tmp/ca/ca.pem" "https://127.0.0.1:$port/sim/health" 2>/dev/null; then
			started=yes
			break
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	[ "$started" = yes ] && break
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
done

if [ "$started" != yes ]; then
	echo "Bail out! upa-cloudsim did not start"
	cat "$tmp/cloudsim.log"
	exit 1
fi

base="https://127.0.0.1:$port"
ca="$tmp/ca/ca.pem"
ipp_uri="ipps://127.0.0.1:$port"

# http METHOD URL OUTFILE [curl args...] -> prints the HTTP status.
http() {
	local method="$1" url="$2" out="$3"
	shift 3
	curl -s -o "$out" -w '%{http_code}' --cacert "$ca" -X "$method" "$@" "$url"
}

# ---------------------------------------------------------------------------
# CA and TLS.
# ---------------------------------------------------------------------------

check "ca.pem is a CA certificate" sh -c "openssl x509 -in '$ca' -noout -text | grep -q 'CA:TRUE'"
check "server.pem verifies against ca.pem" quiet openssl verify -CAfile "$ca" "$tmp/ca/server.pem"
check "keys are mode 0600" test "$(stat -c %a "$tmp/ca/ca.key")$(stat -c %a "$tmp/ca/server.key")" = 600600
check "pid file names the emulator" test "$(cat "$tmp/pid")" = "$pid"
check "TLS verifies with --cacert (127.0.0.1)" curl -sf -o /dev/null --cacert "$ca" "$base/sim/health"
check "TLS verifies with --cacert (localhost)" curl -sf -o /dev/null --cacert "$ca" "https://localhost:$port/sim/health"
check "TLS fails without the emulator CA" sh -c "! curl -s -o /dev/null '$base/sim/health'"

# ---------------------------------------------------------------------------
# Registration.
# ---------------------------------------------------------------------------

# make_device NAME: key + CSR + registration body in $tmp/NAME.*
make_device() {
	openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/$1.key" -subj "/CN=cloudsim test $1" \
		-outform DER -out "$tmp/$1.csr" 2>/dev/null || return 1
	local csr tkey
	csr=$(basenc --base64 -w0 "$tmp/$1.csr")
	tkey=$(openssl pkey -in "$tmp/$1.key" -pubout -outform DER 2>/dev/null | basenc --base64 -w0)
	printf '{"name":"%s","manufacturer":"cups-upa","model":"Test","device_id":"%s","device_type":"printer","certificate_request":{"type":"pkcs10","data":"%s","transport_key":"%s"}}' \
		"$1" "$(cat /proc/sys/kernel/random/uuid)" "$csr" "$tkey" >"$tmp/$1.json"
}

# register NAME: full registration; sets dev_id, token_url, client_id, redirect_uri, resource
register() {
	local status rid
	status=$(http POST "$base/api/v1.0/register" "$tmp/$1.reg" -H "Authorization: Bearer $admin" \
		-H 'Content-Type: application/json' --data-binary "@$tmp/$1.json")
	[ "$status" = 202 ] || return 1
	rid=$(json_str "$tmp/$1.reg" registration_id)
	[ -n "$rid" ] || return 1
	status=$(http GET "$base/api/v1.0/register?registration_id=$rid" "$tmp/$1.poll1" -H "Authorization: Bearer $admin")
	[ "$status" = 202 ] || return 1
	status=$(http GET "$base/api/v1.0/register?registration_id=$rid" "$tmp/$1.done" -H "Authorization: Bearer $admin")
	[ "$status" = 200 ] || return 1
	dev_id=$(json_str "$tmp/$1.done" cloud_device_id)
	token_url=$(json_str "$tmp/$1.done" device_token_url)
	client_id=$(json_str "$tmp/$1.done" printer_client_id)
	redirect_uri=$(json_str "$tmp/$1.done" printer_redirect_uri)
	resource=$(json_str "$tmp/$1.done" mcp_svc_resource_id)
	printf '%b' "$(json_str "$tmp/$1.done" certificate)" >"$tmp/$1.pem"
}

make_device dev1 || { echo "Bail out! openssl cannot make a CSR"; exit 1; }

status=$(http POST "$base/api/v1.0/register" "$tmp/noauth" -H 'Content-Type: application/json' --data-binary "@$tmp/dev1.json")
check "register without admin token -> 401" test "$status" = 401
status=$(http POST "$base/api/v1.0/register" "$tmp/badauth" -H "Authorization: Bearer wrong" -H 'Content-Type: application/json' --data-binary "@$tmp/dev1.json")
check "register with a wrong admin token -> 401" test "$status" = 401

sed 's/"data":"[^"]*"/"data":"AAAAAAAA"/' "$tmp/dev1.json" >"$tmp/badcsr.json"
status=$(http POST "$base/api/v1.0/register" "$tmp/badcsr" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data-binary "@$tmp/badcsr.json")
check "bad CSR -> 400" test "$status" = 400
check "bad CSR error names certificate_request.data" grep -q '"field":"certificate_request.data"' "$tmp/badcsr"

sed 's/"device_type":"printer"/"device_type":"scanner"/' "$tmp/dev1.json" >"$tmp/badtype.json"
status=$(http POST "$base/api/v1.0/register" "$tmp/badtype" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data-binary "@$tmp/badtype.json")
check "device_type other than printer -> 400 naming device_type" sh -c "test '$status' = 400 && grep -q '\"field\":\"device_type\"' '$tmp/badtype'"

openssl req -new -newkey rsa:1024 -nodes -keyout "$tmp/weak.key" -subj "/CN=weak" -outform DER -out "$tmp/weak.csr" 2>/dev/null
sed "s|\"data\":\"[^\"]*\"|\"data\":\"$(basenc --base64 -w0 "$tmp/weak.csr")\"|" "$tmp/dev1.json" >"$tmp/weak.json"
status=$(http POST "$base/api/v1.0/register" "$tmp/weak" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data-binary "@$tmp/weak.json")
check "RSA-1024 CSR -> 400" test "$status" = 400

status=$(http GET "$base/api/v1.0/register?registration_id=nope" "$tmp/unknown" -H "Authorization: Bearer $admin")
check "unknown registration_id -> 404" test "$status" = 404

if register dev1; then
	ok "registration: 202, one 202 poll, then 200"
else
	notok "registration: 202, one 202 poll, then 200" "$(cat "$tmp/dev1.reg" "$tmp/dev1.poll1" "$tmp/dev1.done" 2>/dev/null)"
fi
dev1_id="$dev_id"

check "poll 202 carries interval" grep -q '"interval":1' "$tmp/dev1.poll1"
check "cloud_device_id is a UUID" sh -c "echo '$dev_id' | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'"
check "device_token_url points at the emulator" sh -c "echo '$token_url' | grep -q '^$base/.*/oauth2/token$'"
check "printer_client_id, printer_redirect_uri present" test -n "$client_id" -a -n "$redirect_uri"
check "mcp_svc_resource_id is https://print.print.microsoft.com" test "$resource" = "https://print.print.microsoft.com"
check "certificate verifies against ca.pem" quiet openssl verify -CAfile "$ca" "$tmp/dev1.pem"
check "certificate subject CN is the device id" sh -c "openssl x509 -in '$tmp/dev1.pem' -noout -subject | grep -q 'CN *= *$dev_id'"
check "certificate is for the CSR key" test "$(openssl x509 -in "$tmp/dev1.pem" -noout -pubkey)" = "$(openssl pkey -in "$tmp/dev1.key" -pubout)"

# ---------------------------------------------------------------------------
# Device token.
# ---------------------------------------------------------------------------

# nonce -> prints a fresh nonce
nonce() {
	local status
	status=$(http POST "$token_url" "$tmp/nonce.out" --data 'grant_type=srv_challenge&windows_api_version=2.0')
	[ "$status" = 200 ] && json_str "$tmp/nonce.out" Nonce
}

# jwt DEVICE NONCE ISS [x5c-form] [signing key] -> prints a signed JWT
jwt() {
	local der header payload sig key="${5:-$tmp/$1.key}"
	der=$(openssl x509 -in "$tmp/$1.pem" -outform DER | basenc --base64 -w0)
	if [ "${4:-array}" = string ]; then
		header=$(printf '{"alg":"RS256","typ":"JWT","x5c":"%s"}' "$der" | b64url)
	else
		header=$(printf '{"alg":"RS256","typ":"JWT","x5c":["%s"]}' "$der" | b64url)
	fi
	payload=$(printf '{"request_nonce":"%s","grant_type":"device_token","resource":"%s","client_id":"%s","redirect_uri":"%s","iss":"%s"}' \
		"$2" "$resource" "$client_id" "$redirect_uri" "$3" | b64url)
	sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" | b64url)
	printf '%s.%s.%s' "$header" "$payload" "$sig"
}

# token JWT OUT -> prints HTTP status
token() {
	http POST "$token_url" "$2" --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer' --data-urlencode "request=$1"
}

n1=$(nonce)
check "srv_challenge -> 200 with Nonce" test -n "$n1"
check "srv_challenge answer is JSON" grep -q '^{"Nonce":"' "$tmp/nonce.out"

jwt1=$(jwt dev1 "$n1" "$dev1_id")
status=$(token "$jwt1" "$tmp/token1")
tok1=$(json_str "$tmp/token1" access_token)
check "jwt-bearer (x5c array) -> 200 access_token" test "$status" = 200 -a -n "$tok1"
check "token_type Bearer, expires_in 3600" sh -c "grep -q '\"token_type\":\"Bearer\"' '$tmp/token1' && grep -q '\"expires_in\":3600' '$tmp/token1'"

status=$(token "$jwt1" "$tmp/replay")
check "replayed nonce -> 400 invalid_grant" sh -c "test '$status' = 400 && grep -q invalid_grant '$tmp/replay'"

status=$(token "$(jwt dev1 "$(nonce)" "$dev1_id" string)" "$tmp/token2")
check "jwt-bearer (x5c string) -> 200" test "$status" = 200

status=$(token "$(jwt dev1 "$(nonce)" "00000000-0000-4000-8000-000000000000")" "$tmp/badiss")
check "wrong iss -> 400" test "$status" = 400

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/other.key" 2>/dev/null
status=$(token "$(jwt dev1 "$(nonce)" "$dev1_id" array "$tmp/other.key")" "$tmp/badsig")
check "signature by another key -> 400" test "$status" = 400

status=$(token "$(jwt dev1 "made-up-nonce" "$dev1_id")" "$tmp/badnonce")
check "unknown nonce -> 400" test "$status" = 400

status=$(http POST "$token_url" "$tmp/badform" --data 'grant_type=srv_challenge%2')
check "malformed form body -> 400" test "$status" = 400

# ---------------------------------------------------------------------------
# IPP endpoint: HTTP-level checks.
# ---------------------------------------------------------------------------

status=$(http POST "$base/printers" "$tmp/ipp-noauth" -H 'Content-Type: application/ipp' --data-binary 'x')
check "IPP without a token -> HTTP 401" test "$status" = 401
status=$(http POST "$base/printers" "$tmp/ipp-badauth" -H 'Content-Type: application/ipp' -H 'Authorization: Bearer nope' --data-binary 'x')
check "IPP with an unknown token -> HTTP 401" test "$status" = 401
status=$(http POST "$base/printers" "$tmp/ipp-garbage" -H 'Content-Type: application/ipp' -H "Authorization: Bearer $tok1" --data-binary 'garbage')
check "malformed IPP -> HTTP 400" test "$status" = 400
status=$(http POST "$base/printers" "$tmp/ipp-ctype" -H 'Content-Type: text/plain' -H "Authorization: Bearer $tok1" --data-binary 'x')
check "IPP with the wrong Content-Type -> HTTP 400" test "$status" = 400

# ---------------------------------------------------------------------------
# /sim control API.
# ---------------------------------------------------------------------------

head -c 100000 /dev/urandom >"$tmp/doc1.pdf"
status=$(http POST "$base/sim/jobs?user=alice@example.com&name=Report+Q1&format=application/pdf&copies=2&sides=two-sided-long-edge" \
	"$tmp/job1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/octet-stream' --data-binary "@$tmp/doc1.pdf")
job1=$(json_num "$tmp/job1" id)
check "POST /sim/jobs -> 201 with id" test "$status" = 201 -a -n "$job1"
check "first job id is 100000" test "$job1" = 100000

status=$(http GET "$base/sim/jobs/$job1" "$tmp/job1.json" -H "Authorization: Bearer $admin")
check "GET /sim/jobs/ID -> 200" test "$status" = 200
check "job is alice's, pending, fetchable, unacquired" sh -c "grep -q '\"user\":\"alice@example.com\"' '$tmp/job1.json' && grep -q '\"name\":\"Report Q1\"' '$tmp/job1.json' && grep -q '\"state\":\"pending\"' '$tmp/job1.json' && grep -q '\"stateCode\":3' '$tmp/job1.json' && grep -q '\"isFetchable\":true' '$tmp/job1.json' && grep -q '\"acquiredBy\":null' '$tmp/job1.json'"
status=$(http GET "$base/sim/jobs/$job1" "$tmp/job1.noauth")
check "GET /sim/jobs/ID without admin token -> 401" test "$status" = 401
status=$(http GET "$base/sim/jobs/999" "$tmp/job999" -H "Authorization: Bearer $admin")
check "GET /sim/jobs/unknown -> 404" test "$status" = 404
status=$(http POST "$base/sim/jobs?name=x" "$tmp/nouser" -H "Authorization: Bearer $admin" --data-binary "@$tmp/doc1.pdf")
check "POST /sim/jobs without user -> 400" test "$status" = 400

status=$(http GET "$base/sim/devices/$dev1_id" "$tmp/dev1.sim" -H "Authorization: Bearer $admin")
check "GET /sim/devices/ID counts 2 token issues" sh -c "test '$status' = 200 && grep -q '\"tokenRequests\":2' '$tmp/dev1.sim'"

# ---------------------------------------------------------------------------
# IPP INFRA operations (needs cloudsim/testipp from "make check").
# ---------------------------------------------------------------------------

if [ ! -x "$testipp" ]; then
	echo "# $testipp not built: IPP operation checks skipped"
else
	# ipp TOKEN OUT OPERATION ATTRS... (printer-uri/output-device-uuid are the caller's)
	ipp() {
		local tok="$1" out="$2"
		shift 2
		"$testipp" --cacert "$ca" --token "$tok" "$base/printers" "$@" >"$out" 2>&1
	}
	# check_has DESCRIPTION FILE LINE: exact line in testipp output
	check_has() {
		if grep -qxF -- "$3" "$2"; then
			ok "$1"
		else
			notok "$1" "expected line: $3" "got:" "$(cat "$2")"
		fi
	}

	p1="op.uri.printer-uri=$ipp_uri/printers/$dev1_id"
	u1="op.uri.output-device-uuid=urn:uuid:$dev1_id"
	alice="op.uri.requesting-user-uri=mailto:alice@example.com"
	bob="op.uri.requesting-user-uri=mailto:bob@example.com"

	ipp "$tok1" "$tmp/gj1" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable op.keyword.requested-attributes=all
	check "Get-Jobs without user -> successful-ok, held job hidden" sh -c "grep -qx 'status=successful-ok' '$tmp/gj1' && ! grep -q '^job-id=' '$tmp/gj1'"

	ipp "$tok1" "$tmp/gj2" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable op.keyword.requested-attributes=all
	check "Get-Jobs for alice (my-jobs) -> her held job" sh -c "grep -qx 'job-id=$job1' '$tmp/gj2' && grep -qx 'job-uri=$ipp_uri/printers/pull/jobs/$job1' '$tmp/gj2'"

	ipp "$tok1" "$tmp/gj3" Get-Jobs "$bob" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
	check "Get-Jobs for bob -> no jobs" sh -c "grep -qx 'status=successful-ok' '$tmp/gj3' && ! grep -q '^job-id=' '$tmp/gj3'"

	ipp "$tok1" "$tmp/gj4" Get-Jobs op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
	check_has "Get-Jobs my-jobs without user -> client-error-bad-request" "$tmp/gj4" "status=client-error-bad-request"

	ipp "$tok1" "$tmp/gj5" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" op.keyword.which-jobs=fetchable
	check_has "Get-Jobs without output-device-uuid -> client-error-bad-request" "$tmp/gj5" "status=client-error-bad-request"

	ipp "$tok1" "$tmp/gj6" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" "op.charset.output-device-uuid=urn:uuid:$dev1_id" op.keyword.which-jobs=fetchable
	check_has "output-device-uuid as charset is accepted" "$tmp/gj6" "job-id=$job1"

	ipp "$tok1" "$tmp/fj1" Fetch-Job "$p1" "$u1" op.integer.job-id="$job1"
	check_has "Fetch-Job of a held job without user -> client-error-not-authorized" "$tmp/fj1" "status=client-error-not-authorized"

	ipp "$tok1" "$tmp/fj2" Fetch-Job "$alice" "$p1" "$u1" op.integer.job-id="$job1"
	check "Fetch-Job with owner -> ticket" sh -c "grep -qx 'status=successful-ok' '$tmp/fj2' && grep -qx 'job-state=pending' '$tmp/fj2' && grep -qx 'job-state-reasons=job-fetchable' '$tmp/fj2' && grep -qx 'copies=2' '$tmp/fj2' && grep -qx 'sides=two-sided-long-edge' '$tmp/fj2' && grep -qx 'job-originating-user-uri=mailto:alice@example.com' '$tmp/fj2' && grep -qx 'document-format=application/pdf' '$tmp/fj2' && grep -qx 'job-name=Report Q1' '$tmp/fj2'"

	ipp "$tok1" "$tmp/fj3" Fetch-Job "$alice" "op.uri.printer-uri=$ipp_uri/printers/00000000-0000-4000-8000-000000000000" "$u1" op.integer.job-id="$job1"
	check_has "printer-uri of another printer -> client-error-not-authorized" "$tmp/fj3" "status=client-error-not-authorized"

	"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/doc1.preview" "$base/printers" Fetch-Document "$alice" "$p1" "$u1" op.integer.job-id="$job1" op.integer.document-number=1 >"$tmp/fd1" 2>&1
	check "Fetch-Document before Acknowledge-Job (preview) -> document" sh -c "grep -qx 'status=successful-ok' '$tmp/fd1' && grep -qx 'compression=none' '$tmp/fd1' && cmp -s '$tmp/doc1.pdf' '$tmp/doc1.preview'"

	ipp "$tok1" "$tmp/ack1" Acknowledge-Job "$alice" "$p1" "$u1" op.integer.job-id="$job1"
	check_has "Acknowledge-Job -> successful-ok" "$tmp/ack1" "status=successful-ok"
	http GET "$base/sim/jobs/$job1" "$tmp/job1.ack" -H "Authorization: Bearer $admin" >/dev/null
	check "job acquired by device, not fetchable, still pending" sh -c "grep -q '\"acquiredBy\":\"$dev1_id\"' '$tmp/job1.ack' && grep -q '\"isFetchable\":false' '$tmp/job1.ack' && grep -q '\"stateCode\":3' '$tmp/job1.ack' && ! grep -q '\"acknowledgedDateTime\":null' '$tmp/job1.ack'"

	ipp "$tok1" "$tmp/ack2" Acknowledge-Job "$alice" "$p1" "$u1" op.integer.job-id="$job1"
	check_has "second Acknowledge-Job -> client-error-not-fetchable" "$tmp/ack2" "status=client-error-not-fetchable"

	ipp "$tok1" "$tmp/ack3" Acknowledge-Job "$alice" "$p1" "$u1" op.integer.job-id=424242
	check_has "Acknowledge-Job of an unknown job -> client-error-not-found" "$tmp/ack3" "status=client-error-not-found"

	# A second device sees the job as taken.
	make_device dev2
	register dev2
	dev2_id="$dev_id"
	tok2=$(token "$(jwt dev2 "$(nonce)" "$dev2_id")" "$tmp/token-dev2" >/dev/null; json_str "$tmp/token-dev2" access_token)
	check "second device registered and got a token" test -n "$dev2_id" -a -n "$tok2" -a "$dev2_id" != "$dev1_id"
	p2="op.uri.printer-uri=$ipp_uri/printers/$dev2_id"
	u2="op.uri.output-device-uuid=urn:uuid:$dev2_id"

	ipp "$tok2" "$tmp/d2ack" Acknowledge-Job "$alice" "$p2" "$u2" op.integer.job-id="$job1"
	check_has "Acknowledge-Job of a job bound elsewhere -> client-error-not-fetchable" "$tmp/d2ack" "status=client-error-not-fetchable"
	ipp "$tok2" "$tmp/d2fd" Fetch-Document "$alice" "$p2" "$u2" op.integer.job-id="$job1" op.integer.document-number=1
	check_has "Fetch-Document of a job bound elsewhere -> client-error-not-possible" "$tmp/d2fd" "status=client-error-not-possible"
	ipp "$tok2" "$tmp/d2ujs" Update-Job-Status "$p2" "$u2" op.integer.job-id="$job1" job.enum.output-device-job-state=9
	check_has "Update-Job-Status from another device -> client-error-not-possible" "$tmp/d2ujs" "status=client-error-not-possible"
	ipp "$tok2" "$tmp/d2uri" Get-Jobs "$p1" "$u2" op.keyword.which-jobs=fetchable
	check_has "printer-uri of another device -> client-error-not-authorized" "$tmp/d2uri" "status=client-error-not-authorized"

	"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/doc1.fetched" "$base/printers" Fetch-Document "$p1" "$u1" op.integer.job-id="$job1" op.integer.document-number=1 >"$tmp/fd2" 2>&1
	check "Fetch-Document by the bound device -> same bytes" sh -c "grep -qx 'status=successful-ok' '$tmp/fd2' && cmp -s '$tmp/doc1.pdf' '$tmp/doc1.fetched'"

	ipp "$tok1" "$tmp/ujs1" Update-Job-Status "$p1" "$u1" op.integer.job-id="$job1" job.enum.output-device-job-state=5 job.keyword.output-device-job-state-reasons=job-printing job.integer.job-impressions-completed=1
	http GET "$base/sim/jobs/$job1" "$tmp/job1.proc" -H "Authorization: Bearer $admin" >/dev/null
	check "Update-Job-Status processing -> job processing with impressions" sh -c "grep -qx 'status=successful-ok' '$tmp/ujs1' && grep -q '\"state\":\"processing\"' '$tmp/job1.proc' && grep -q '\"impressionsCompleted\":1' '$tmp/job1.proc' && grep -q '\"reasons\":\[\"job-printing\"\]' '$tmp/job1.proc'"

	ipp "$tok1" "$tmp/ujs2" Update-Job-Status "$p1" "$u1" op.integer.job-id="$job1" job.enum.output-device-job-state=9 job.integer.job-impressions-completed=4
	http GET "$base/sim/jobs/$job1" "$tmp/job1.done" -H "Authorization: Bearer $admin" >/dev/null
	check "Update-Job-Status completed -> job completed" sh -c "grep -qx 'status=successful-ok' '$tmp/ujs2' && grep -q '\"state\":\"completed\"' '$tmp/job1.done' && grep -q '\"stateCode\":9' '$tmp/job1.done'"

	ipp "$tok1" "$tmp/ujs3" Update-Job-Status "$p1" "$u1" op.integer.job-id="$job1" job.enum.output-device-job-state=8
	check_has "Update-Job-Status after a terminal state -> server-error-internal-error" "$tmp/ujs3" "status=server-error-internal-error"

	check "job history records every update" sh -c "test \$(grep -o '\"event\":\"status\"' '$tmp/job1.done' | wc -l) = 2"

	ipp "$tok1" "$tmp/uoda" Update-Output-Device-Attributes "$p1" "$u1" printer.keyword.job-release-action-supported=owner-authorized-badge printer.text.printer-make-and-model=Test
	http GET "$base/sim/devices/$dev1_id" "$tmp/dev1.attrs" -H "Authorization: Bearer $admin" >/dev/null
	check "Update-Output-Device-Attributes -> stored on the device" sh -c "grep -qx 'status=successful-ok' '$tmp/uoda' && grep -q '\"job-release-action-supported\":\"owner-authorized-badge\"' '$tmp/dev1.attrs'"

	ipp "$tok1" "$tmp/gpa" Get-Printer-Attributes "$p1"
	check "Get-Printer-Attributes -> INFRA operations-supported" sh -c "grep -qx 'status=successful-ok' '$tmp/gpa' && grep -q '^operations-supported=.*Fetch-Document' '$tmp/gpa' && grep -q '^which-jobs-supported=fetchable' '$tmp/gpa'"

	ipp "$tok1" "$tmp/purge" Purge-Jobs "$p1" "$u1"
	check_has "unsupported operation -> server-error-operation-not-supported" "$tmp/purge" "status=server-error-operation-not-supported"
	ipp "$tok1" "$tmp/cancel" Cancel-Job "$p1" "$u1" op.integer.job-id="$job1"
	check_has "Cancel-Job with a device token -> client-error-forbidden" "$tmp/cancel" "status=client-error-forbidden"

	# A direct job on dev2 is visible to dev2 without a user, never to dev1.
	status=$(http POST "$base/sim/jobs?user=bob@example.com&name=direct&format=application/pdf&printer=$dev2_id" "$tmp/job2" -H "Authorization: Bearer $admin" --data-binary "@$tmp/doc1.pdf")
	job2=$(json_num "$tmp/job2" id)
	ipp "$tok2" "$tmp/gj7" Get-Jobs "$p2" "$u2" op.keyword.which-jobs=fetchable
	ipp "$tok1" "$tmp/gj8" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable
	check "direct job: visible to its device without a user, not to others" sh -c "test '$status' = 201 && grep -qx 'job-id=$job2' '$tmp/gj7' && ! grep -q '^job-id=' '$tmp/gj8'"

	# Print-Job with the admin token on the pull printer (document streamed).
	"$testipp" --cacert "$ca" --token "$admin" --doc "$tmp/doc1.pdf" "$base/printers" Print-Job "op.uri.printer-uri=$ipp_uri/printers/pull" "op.uri.requesting-user-uri=mailto:carol@example.com" op.name.job-name=viaipp op.mimetype.document-format=application/pdf >"$tmp/pj" 2>&1
	job3=$(sed -n 's/^job-id=//p' "$tmp/pj")
	ipp "$tok2" "$tmp/gj9" Get-Jobs "op.uri.requesting-user-uri=mailto:carol@example.com" op.boolean.my-jobs=true "$p2" "$u2" op.keyword.which-jobs=fetchable
	"$testipp" --cacert "$ca" --token "$tok2" --out "$tmp/doc3" "$base/printers" Fetch-Document "op.uri.requesting-user-uri=mailto:carol@example.com" "$p2" "$u2" op.integer.job-id="$job3" op.integer.document-number=1 >/dev/null 2>&1
	check "admin Print-Job on the pull printer -> held job for carol" sh -c "test -n '$job3' && grep -qx 'job-id=$job3' '$tmp/gj9' && cmp -s '$tmp/doc1.pdf' '$tmp/doc3'"

	ipp "$tok1" "$tmp/pjdev" Print-Job "op.uri.printer-uri=$ipp_uri/printers/$dev1_id" "$alice"
	check_has "Print-Job with a device token -> client-error-forbidden" "$tmp/pjdev" "status=client-error-forbidden"
fi

# ---------------------------------------------------------------------------
# Shutdown.
# ---------------------------------------------------------------------------

kill -TERM "$pid"
for i in $(seq 1 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
	notok "SIGTERM stops the emulator"
else
	wait "$pid"
	check "SIGTERM stops the emulator cleanly (exit 0, pid file removed)" test "$?" = 0 -a ! -e "$tmp/pid"
	pid=""
fi

echo "$passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
	echo "# emulator log:"
	sed 's/^/#   /' "$tmp/cloudsim.log"
	exit 1
fi
exit 0
