#!/bin/bash
#
# Helpers shared by the upa-cloudsim test scripts (sourced, not run):
# TAP-style checks, starting/stopping the emulator, registering a device and
# getting its access token with openssl + curl only.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

top_builddir="${top_builddir:-.}"
sim="$top_builddir/cloudsim/upa-cloudsim"
testipp="$top_builddir/cloudsim/testipp"

for tool in openssl curl basenc; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not found"
		exit 77
	fi
done

if [ ! -x "$sim" ] || [ ! -x "$testipp" ]; then
	echo "SKIP: $sim or $testipp not built (make check builds them)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cloudsim-test.XXXXXX") || exit 1
pid=""
passed=0
failed=0
n=0
admin="test-admin-$$"

cs_cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cs_cleanup EXIT

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

# check_has DESCRIPTION FILE LINE: exact line in a file (testipp output).
check_has() {
	if grep -qxF -- "$3" "$2"; then
		ok "$1"
	else
		notok "$1" "expected line: $3" "got:" "$(head -c 2000 "$2")"
	fi
}

# check_eq DESCRIPTION GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1" "expected: $3" "got: $2"
	fi
}

json_str() {
	sed -n 's/.*"'"$2"'":"\([^"]*\)".*/\1/p' "$1" | head -1
}

json_num() {
	sed -n 's/.*"'"$2"'":\([0-9-]*\).*/\1/p' "$1" | head -1
}

b64url() {
	basenc --base64url -w0 | tr -d '='
}

# free_port -> prints a loopback port nobody answers on
free_port() {
	local p
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# cs_start [EXTRA OPTIONS...]: start the emulator on $port (picked once) with
# state in $tmp/state; sets pid, base, ca, ipp_uri.  Restarts reuse the port.
cs_start() {
	local i
	port="${port:-$(free_port)}"
	"$sim" --listen "127.0.0.1:$port" --state-dir "$tmp/state" --ca-dir "$tmp/ca" \
		--admin-token "$admin" --register-polls 0 --pid-file "$tmp/pid" -v "$@" \
		2>>"$tmp/cloudsim.log" &
	pid=$!
	# CLOUDSIM_START_TRIES: 0.1 s tries (raise it for valgrind runs).
	for i in $(seq 1 "${CLOUDSIM_START_TRIES:-100}"); do
		if curl -s -o /dev/null --cacert "$tmp/ca/ca.pem" "https://127.0.0.1:$port/sim/health" 2>/dev/null; then
			base="https://127.0.0.1:$port"
			ca="$tmp/ca/ca.pem"
			ipp_uri="ipps://127.0.0.1:$port"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "Bail out! upa-cloudsim did not start"
	cat "$tmp/cloudsim.log"
	exit 1
}

# cs_stop [SIGNAL]: stop the emulator (SIGTERM by default, KILL to crash it).
cs_stop() {
	kill "-${1:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=""
}

# http METHOD URL OUTFILE [curl args...] -> prints the HTTP status.
http() {
	local method="$1" url="$2" out="$3"
	shift 3
	curl -s -o "$out" -w '%{http_code}' --cacert "$ca" -X "$method" "$@" "$url"
}

# adm METHOD PATH OUTFILE [curl args...]: admin request -> HTTP status
adm() {
	local method="$1" path="$2" out="$3"
	shift 3
	http "$method" "$base$path" "$out" -H "Authorization: Bearer $admin" "$@"
}

# register NAME: registers a device; sets dev_id, token_url; key in $tmp/NAME.key
register() {
	local status rid csr tkey
	openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/$1.key" -subj "/CN=$1" \
		-outform DER -out "$tmp/$1.csr" 2>/dev/null || return 1
	csr=$(basenc --base64 -w0 "$tmp/$1.csr")
	tkey=$(openssl pkey -in "$tmp/$1.key" -pubout -outform DER 2>/dev/null | basenc --base64 -w0)
	printf '{"name":"%s","manufacturer":"cups-upa","model":"Test","device_id":"%s","device_type":"printer","certificate_request":{"type":"pkcs10","data":"%s","transport_key":"%s"}}' \
		"$1" "$(cat /proc/sys/kernel/random/uuid)" "$csr" "$tkey" >"$tmp/$1.json"
	status=$(adm POST /api/v1.0/register "$tmp/$1.reg" -H 'Content-Type: application/json' --data-binary "@$tmp/$1.json")
	[ "$status" = 202 ] || return 1
	rid=$(json_str "$tmp/$1.reg" registration_id)
	echo "$rid" >"$tmp/$1.rid"
	status=$(adm GET "/api/v1.0/register?registration_id=$rid" "$tmp/$1.done")
	[ "$status" = 200 ] || return 1
	dev_id=$(json_str "$tmp/$1.done" cloud_device_id)
	token_url=$(json_str "$tmp/$1.done" device_token_url)
	printf '%b' "$(json_str "$tmp/$1.done" certificate)" >"$tmp/$1.pem"
	echo "$dev_id" >"$tmp/$1.id"
}

# device_token NAME -> prints a fresh access token for a registered device
device_token() {
	local nonce der header payload sig jwt
	http POST "$token_url" "$tmp/nonce.out" --data 'grant_type=srv_challenge' >/dev/null
	nonce=$(json_str "$tmp/nonce.out" Nonce)
	der=$(openssl x509 -in "$tmp/$1.pem" -outform DER | basenc --base64 -w0)
	header=$(printf '{"alg":"RS256","typ":"JWT","x5c":["%s"]}' "$der" | b64url)
	payload=$(printf '{"request_nonce":"%s","grant_type":"device_token","resource":"%s","client_id":"%s","redirect_uri":"%s","iss":"%s"}' \
		"$nonce" "$(json_str "$tmp/$1.done" mcp_svc_resource_id)" "$(json_str "$tmp/$1.done" printer_client_id)" \
		"$(json_str "$tmp/$1.done" printer_redirect_uri)" "$(cat "$tmp/$1.id")" | b64url)
	sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$tmp/$1.key" | b64url)
	jwt="$header.$payload.$sig"
	http POST "$token_url" "$tmp/token.out" --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer' \
		--data-urlencode "request=$jwt" >/dev/null
	json_str "$tmp/token.out" access_token
}

# ipp TOKEN OUT OPERATION ATTRS...: testipp against /printers
ipp() {
	local tok="$1" out="$2"
	shift 2
	"$testipp" --cacert "$ca" --token "$tok" "$base/printers" "$@" >"$out" 2>&1
}

# submit USER NAME [QUERY]: held job on the pull printer -> prints the job id
submit() {
	printf '%%PDF-1.4 test %s\n' "$2" >"$tmp/doc.pdf"
	adm POST "/sim/jobs?user=$1&name=$2&format=application/pdf${3:+&$3}" "$tmp/submit.out" --data-binary "@$tmp/doc.pdf" >/dev/null
	json_num "$tmp/submit.out" id
}

# cs_finish: summary and exit status
cs_finish() {
	echo "$passed passed, $failed failed"
	if [ "$failed" -gt 0 ]; then
		echo "# emulator log (last 60 lines):"
		tail -60 "$tmp/cloudsim.log" | sed 's/^/#   /'
		exit 1
	fi
	exit 0
}
