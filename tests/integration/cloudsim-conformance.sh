#!/bin/bash
#
# IPP conformance of upa-cloudsim with the system ipptool (cups-ipp-utils):
#   - the PWG test files get-jobs-fetchable.test and pwg5100.18.test from
#     Debian's ippsample-data (not installable with its dependencies, so it is
#     unpacked: apt-get download + dpkg -x; set IPPSAMPLE_DATA=DIR to use an
#     unpacked copy), exit 77 when they cannot be had;
#   - our own tests/integration/ipptool/*.test for the INFRA status codes;
#   - every operation in operations-supported is really implemented.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#
# ipptool 2.4 cannot send a bearer token, so the emulator runs with
# --ipptool-listen: a second TLS port where an unauthenticated request to
# /printers/<device-id> acts as that registered device.  The normal port is
# unchanged.  CUPS 2.4's ipptool does not verify the server certificate (its
# GnuTLS client accepts the emulator's private CA without any trust store
# setup), so no CUPS_SERVERROOT/ssl configuration is needed.
#

here=$(cd "$(dirname "$0")" && pwd)
. "$here/cloudsim-lib.sh"

if ! command -v ipptool >/dev/null 2>&1; then
	echo "SKIP: ipptool (cups-ipp-utils) not found"
	exit 77
fi

# Find or fetch the PWG test files.
pwgdir=""
for d in "${IPPSAMPLE_DATA:-}" /tmp/ippsample-data /usr/share/cups/ipptool; do
	[ -n "$d" ] || continue
	for sub in "" usr/share/cups/ipptool usr/share/ipptool; do
		if [ -f "$d/$sub/pwg5100.18.test" ] && [ -f "$d/$sub/get-jobs-fetchable.test" ]; then
			pwgdir="$d/$sub"
			break 2
		fi
	done
done
if [ -z "$pwgdir" ]; then
	if (cd "$tmp" && apt-get download ippsample-data >/dev/null 2>&1 && dpkg -x ippsample-data_*.deb "$tmp/ippsample-data") && [ -f "$tmp/ippsample-data/usr/share/cups/ipptool/pwg5100.18.test" ]; then
		pwgdir="$tmp/ippsample-data/usr/share/cups/ipptool"
	else
		echo "SKIP: ippsample-data test files unavailable (apt-get download ippsample-data failed; set IPPSAMPLE_DATA)"
		exit 77
	fi
fi
echo "# PWG test files from $pwgdir"

cport=$(free_port)
cs_start --ipptool-listen "127.0.0.1:$cport"

register d1 || { echo "Bail out! registration failed"; exit 1; }
d1="$dev_id"
register d2 || { echo "Bail out! registration failed"; exit 1; }
d2="$dev_id"
tok2=$(device_token d2)
[ -n "$tok2" ] || { echo "Bail out! no device token"; exit 1; }
curi="ipps://127.0.0.1:$cport/printers/$d1"

# ---------------------------------------------------------------------------
# PWG files.
# ---------------------------------------------------------------------------

ipptool -t "$curi" "$pwgdir/get-jobs-fetchable.test" >"$tmp/gjf" 2>&1
check "PWG get-jobs-fetchable.test passes" grep -q 'Summary: 2 tests, 2 passed, 0 failed' "$tmp/gjf"
[ "$failed" = 0 ] || sed 's/^/#   /' "$tmp/gjf"

ipptool -t "$curi" "$pwgdir/pwg5100.18.test" >"$tmp/pwg" 2>&1
# pwg5100.18.test requires, via "EXPECT ?operations-supported ... WITH-VALUE",
# seven optional operations: Deactivate-Printer (0x27), Activate-Printer
# (0x28), Suspend-Current-Job (0x2E), Resume-Job (0x2F), Promote-Job (0x30),
# Schedule-Job-After (0x31) and Resubmit-Job (0x3A).  The PWG's own server
# fails the same seven.  A cloud printer has no use for them (it neither
# schedules nor suspends jobs on the device), so the emulator does not
# implement them and, never advertising what it does not implement, fails
# exactly these expectations and nothing else.
got=$(sed -n 's/^ *EXPECTED: \(.*\)$/\1/p' "$tmp/pwg" | sort | tr '\n' ';')
want=$(printf '%s\n' 0x0027 0x0028 0x002E 0x002F 0x0030 0x0031 0x003A | sed 's/.*/operations-supported WITH-VALUE "&"/' | sort | tr '\n' ';')
check_eq "PWG pwg5100.18.test fails exactly the seven optional operations" "$got" "$want"
check "pwg5100.18.test got a successful Get-Printer-Attributes" grep -q 'status-code = successful-ok' "$tmp/pwg"

# ---------------------------------------------------------------------------
# Advertised operations are implemented.
# ---------------------------------------------------------------------------

tok1=$(device_token d1)
ipp "$tok1" "$tmp/gpa" Get-Printer-Attributes "op.uri.printer-uri=$ipp_uri/printers/$d1" op.keyword.requested-attributes=operations-supported
ops=$(sed -n 's/^operations-supported=//p' "$tmp/gpa" | tr ',' ' ')
missing=""
count=0
for op in $ops; do
	count=$((count + 1))
	ipp "$tok1" "$tmp/op-dev" "$op" "op.uri.printer-uri=$ipp_uri/printers/$d1" "op.uri.output-device-uuid=urn:uuid:$d1"
	ipp "$admin" "$tmp/op-adm" "$op" "op.uri.printer-uri=$ipp_uri/printers/$d1"
	if grep -qx 'status=server-error-operation-not-supported' "$tmp/op-dev" && grep -qx 'status=server-error-operation-not-supported' "$tmp/op-adm"; then
		missing="$missing $op"
	fi
done
check "operations-supported lists at least the 17 INFRA operations ($count)" test "$count" -ge 17
check_eq "every advertised operation is implemented" "$missing" ""
for op in Activate-Printer Deactivate-Printer Promote-Job Resubmit-Job Resume-Job Schedule-Job-After Suspend-Current-Job Purge-Jobs Delete-Document Reprocess-Job Restart-Job; do
	if echo " $ops " | grep -q " $op "; then
		notok "$op is not advertised"
	else
		ok "$op is not advertised"
	fi
done

# ---------------------------------------------------------------------------
# Our own ipptool files (status codes).
# ---------------------------------------------------------------------------

held=$(submit alice@example.com held)
other=$(submit alice@example.com other)
ipp "$tok2" "$tmp/ack2" Acknowledge-Job "op.uri.requesting-user-uri=mailto:alice@example.com" "op.uri.printer-uri=$ipp_uri/printers/$d2" "op.uri.output-device-uuid=urn:uuid:$d2" "op.integer.job-id=$other"
check_has "another device acknowledges job $other" "$tmp/ack2" "status=successful-ok"

ipptool -t -d "HELD=$held" -d "OTHER=$other" -d "DEVUUID=urn:uuid:$d1" -d "OTHERPRINTER=ipps://127.0.0.1:$cport/printers/$d2" \
	"$curi" "$here/ipptool/infra-status.test" >"$tmp/own" 2>&1
if grep -q 'failed, 0 failed\|, 0 failed' "$tmp/own" && ! grep -q '\[FAIL\]' "$tmp/own"; then
	ok "ipptool/infra-status.test: $(grep Summary "$tmp/own")"
else
	notok "ipptool/infra-status.test" "$(cat "$tmp/own")"
fi

status=$(adm POST /sim/faults "$tmp/fault" --data 'ipp-busy,op=Get-Jobs,count=1')
check_eq "arm ipp-busy fault -> 201" "$status" 201
ipptool -t -d "DEVUUID=urn:uuid:$d1" "$curi" "$here/ipptool/infra-busy.test" >"$tmp/busy" 2>&1
if grep -q ', 0 failed' "$tmp/busy"; then
	ok "ipptool/infra-busy.test: $(grep Summary "$tmp/busy")"
else
	notok "ipptool/infra-busy.test" "$(cat "$tmp/busy")"
fi

# The conformance port serves nothing but IPP, and only for real devices.
status=$(http GET "https://127.0.0.1:$cport/sim/jobs" "$tmp/cp1" -H "Authorization: Bearer $admin")
check_eq "conformance port: /sim -> 404" "$status" 404
printf '\x02\x00\x00\x0b\x00\x00\x00\x01\x01\x47\x00\x12attributes-charset\x00\x05utf-8\x48\x00\x1battributes-natural-language\x00\x02en\x03' >"$tmp/gpa.bin"
status=$(http POST "https://127.0.0.1:$cport/printers/00000000-0000-4000-8000-000000000000" "$tmp/cp2" -H 'Content-Type: application/ipp' --data-binary "@$tmp/gpa.bin")
check_eq "conformance port: unknown device -> 404" "$status" 404
status=$(http POST "$base/printers/$d1" "$tmp/cp3" -H 'Content-Type: application/ipp' --data-binary "@$tmp/gpa.bin")
check_eq "normal port still needs a token -> 401" "$status" 401

# ---------------------------------------------------------------------------
# --profile pwg: the same state served as a PWG 5100.18 Infrastructure
# Printer (no --basic-auth, so ipptool needs no credentials).
# ---------------------------------------------------------------------------

cs_stop
cs_start --profile pwg
puri="$ipp_uri/printers/infra"

ipptool -t "$puri" "$pwgdir/pwg5100.18.test" >"$tmp/pwg-p" 2>&1
got=$(sed -n 's/^ *EXPECTED: \(.*\)$/\1/p' "$tmp/pwg-p" | sort | tr '\n' ';')
check_eq "profile pwg: PWG pwg5100.18.test fails exactly the seven optional operations" "$got" "$want"
check "profile pwg: pwg5100.18.test got a successful Get-Printer-Attributes" grep -q 'status-code = successful-ok' "$tmp/pwg-p"

pheld=$(submit alice@example.com pwg-held)
pdev="urn:uuid:$(cat /proc/sys/kernel/random/uuid)"
ipptool -t -d "HELD=$pheld" -d "DEVUUID=$pdev" -d "OTHERPRINTER=$ipp_uri/printers/$d1" \
	"$puri" "$here/ipptool/pwg-profile.test" >"$tmp/pwg-own" 2>&1
if grep -q ', 0 failed' "$tmp/pwg-own" && ! grep -q '\[FAIL\]' "$tmp/pwg-own"; then
	ok "ipptool/pwg-profile.test: $(grep Summary "$tmp/pwg-own")"
else
	notok "ipptool/pwg-profile.test" "$(cat "$tmp/pwg-own")"
fi

# A device bearer token means nothing to the Infrastructure Printer: the
# universal-print order it comes with is refused for what it is.
ipp "$tok1" "$tmp/up-order" Get-Jobs "op.uri.requesting-user-uri=mailto:alice@example.com" "op.uri.printer-uri=$puri" "op.uri.output-device-uuid=$pdev"
check_has "profile pwg: universal-print order with a device token -> bad-request" "$tmp/up-order" "status=client-error-bad-request"

cs_stop
cs_start --profile pwg --basic-auth "infra:pw-$$"
status=$(http POST "$base/printers/infra" "$tmp/pb1" -H 'Content-Type: application/ipp' --data-binary "@$tmp/gpa.bin")
check_eq "profile pwg --basic-auth: no credentials -> 401" "$status" 401
status=$(http POST "$base/printers/infra" "$tmp/pb2" -u "infra:wrong" -H 'Content-Type: application/ipp' --data-binary "@$tmp/gpa.bin")
check_eq "profile pwg --basic-auth: wrong password -> 401" "$status" 401
status=$(http POST "$base/printers/infra" "$tmp/pb3" -u "infra:pw-$$" -H 'Content-Type: application/ipp' --data-binary "@$tmp/gpa.bin")
check_eq "profile pwg --basic-auth: right password -> 200" "$status" 200

cs_finish
