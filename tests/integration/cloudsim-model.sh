#!/bin/bash
#
# upa-cloudsim beyond the basics: state across restarts, fault injection,
# tenant model (access lists, member printers, direct jobs), badge lookup and
# administration, Graph printers/shares/jobs/uploads, notifications,
# job/printer operations, service limits, held-job expiry and 60 parallel
# connections.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

here=$(cd "$(dirname "$0")" && pwd)
. "$here/cloudsim-lib.sh"

cs_start

register d1 || { echo "Bail out! registration failed"; exit 1; }
d1="$dev_id"
register d2 || { echo "Bail out! registration failed"; exit 1; }
d2="$dev_id"
tok1=$(device_token d1)
tok2=$(device_token d2)
[ -n "$tok1" ] && [ -n "$tok2" ] || { echo "Bail out! no device tokens"; exit 1; }

p1="op.uri.printer-uri=$ipp_uri/printers/$d1"
u1="op.uri.output-device-uuid=urn:uuid:$d1"
p2="op.uri.printer-uri=$ipp_uri/printers/$d2"
u2="op.uri.output-device-uuid=urn:uuid:$d2"
alice="op.uri.requesting-user-uri=mailto:alice@example.com"
bob="op.uri.requesting-user-uri=mailto:bob@example.com"
carol="op.uri.requesting-user-uri=mailto:carol@example.com"

# ---------------------------------------------------------------------------
# State survives a restart (SIGKILL: no chance to save on the way out).
# ---------------------------------------------------------------------------

j1=$(submit alice@example.com persisted)
tenant1=$(json_str "$tmp/d1.done" device_token_url)
cs_stop KILL
check "state.json written atomically (no .tmp left)" test -s "$tmp/state/state.json" -a ! -e "$tmp/state/state.json.tmp"
cs_start
adm GET "/sim/jobs/$j1" "$tmp/j1" >/dev/null
check "held job survives a crash" grep -q "\"id\":$j1,.*\"isFetchable\":true" "$tmp/j1"
adm GET "/api/v1.0/register?registration_id=$(cat "$tmp/d1.rid")" "$tmp/reg-again" >/dev/null
check_eq "device and tenant survive (same device_token_url)" "$(json_str "$tmp/reg-again" device_token_url)" "$tenant1"
ipp "$tok1" "$tmp/gj-restart" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
check_has "access token and job survive: Get-Jobs finds job $j1" "$tmp/gj-restart" "job-id=$j1"
"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/j1.doc" "$base/printers" Fetch-Document "$alice" "$p1" "$u1" "op.integer.job-id=$j1" op.integer.document-number=1 >"$tmp/fd-restart" 2>&1
check "document survives: Fetch-Document returns it" grep -q 'persisted' "$tmp/j1.doc"
j2=$(submit alice@example.com after-restart)
check "job ids keep increasing after a restart" test "$j2" -gt "$j1"

# --save-interval (benchmarks): saved within the interval, and at exit.
cs_stop
cs_start --save-interval 1000
submit alice@example.com lazily-saved >/dev/null
for i in $(seq 1 50); do grep -q lazily-saved "$tmp/state/state.json" && break; sleep 0.1; done
check "--save-interval 1000: a change reaches state.json within the interval" grep -q lazily-saved "$tmp/state/state.json"
submit alice@example.com saved-at-exit >/dev/null
cs_stop
check "--save-interval: SIGTERM saves what is left" grep -q saved-at-exit "$tmp/state/state.json"
cs_start

# ---------------------------------------------------------------------------
# Fault injection.
# ---------------------------------------------------------------------------

adm POST /sim/faults "$tmp/f1" --data 'http,class=ipp,status=503,count=2,retry-after=7' >/dev/null
curl -s -D "$tmp/h503" -o /dev/null --cacert "$ca" -H "Authorization: Bearer $tok1" -H 'Content-Type: application/ipp' --data-binary x "$base/printers"
check "http fault: 503 with Retry-After: 7" sh -c "grep -q '^HTTP/[0-9.]* 503' '$tmp/h503' && grep -qi '^Retry-After: 7' '$tmp/h503'"
ipp "$tok1" "$tmp/f1b" Get-Jobs "$p1" "$u1"
check_has "http fault: second request also 503" "$tmp/f1b" "http=503"
ipp "$tok1" "$tmp/f1c" Get-Jobs "$p1" "$u1"
check_has "http fault: spent after count=2" "$tmp/f1c" "status=successful-ok"

for st in 401 429 500; do
	adm POST /sim/faults "$tmp/f$st" -H 'Content-Type: application/json' --data "{\"kind\":\"http\",\"class\":\"token\",\"status\":$st}" >/dev/null
	status=$(http POST "$token_url" "$tmp/tf$st" --data 'grant_type=srv_challenge')
	check_eq "http fault on the token endpoint -> $st" "$status" "$st"
done
adm POST /sim/faults "$tmp/fbad" --data 'http,status=418' >/dev/null
status=$(adm POST /sim/faults "$tmp/fbad" --data 'http,status=418')
check_eq "unsupported fault status -> 400" "$status" 400

adm POST /sim/faults "$tmp/fl" --data 'http,class=graph,status=500,count=-1' >/dev/null
adm GET /sim/faults "$tmp/flist" >/dev/null
check "GET /sim/faults lists armed faults" grep -q '"kind":"http","class":"graph"' "$tmp/flist"
status=$(adm DELETE /sim/faults "$tmp/fdel")
check_eq "DELETE /sim/faults -> 204" "$status" 204
status=$(adm GET "/v1.0/print/printers/$d1" "$tmp/fafter")
check_eq "faults cleared: Graph answers 200 again" "$status" 200

# Job released at another printer between Get-Jobs and Acknowledge-Job.
j3=$(submit alice@example.com stolen)
ipp "$tok1" "$tmp/gj3" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
check_has "steal: Get-Jobs lists job $j3" "$tmp/gj3" "job-id=$j3"
adm POST /sim/faults "$tmp/fs" --data 'steal' >/dev/null
ipp "$tok1" "$tmp/ack3" Acknowledge-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j3"
check_has "steal: Acknowledge-Job -> client-error-not-fetchable" "$tmp/ack3" "status=client-error-not-fetchable"
adm GET "/sim/jobs/$j3" "$tmp/j3" >/dev/null
check "steal: the job is bound to the phantom printer" grep -q '"acquiredBy":"00000000-0000-4000-8000-00000000dead"' "$tmp/j3"
ipp "$tok1" "$tmp/fj3" Fetch-Job "$alice" "$p1" "$u1" "op.integer.job-id=$j3"
check_has "steal: Fetch-Job afterwards -> client-error-not-possible" "$tmp/fj3" "status=client-error-not-possible"

# Dropped connection mid-document.
head -c 200000 /dev/urandom >"$tmp/big.bin"
adm POST "/sim/jobs?user=alice@example.com&name=big&format=application/pdf" "$tmp/big.out" --data-binary "@$tmp/big.bin" >/dev/null
jb=$(json_num "$tmp/big.out" id)
adm POST /sim/faults "$tmp/fd" --data 'drop,bytes=1000' >/dev/null
"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/big.1" "$base/printers" Fetch-Document "$alice" "$p1" "$u1" "op.integer.job-id=$jb" op.integer.document-number=1 >"$tmp/fdrop" 2>&1
check "drop: the first Fetch-Document is cut off" sh -c "! grep -qx 'status=successful-ok' '$tmp/fdrop' || ! cmp -s '$tmp/big.bin' '$tmp/big.1'"
"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/big.2" "$base/printers" Fetch-Document "$alice" "$p1" "$u1" "op.integer.job-id=$jb" op.integer.document-number=1 >"$tmp/fdrop2" 2>&1
check "drop: the retry gets the whole document" cmp -s "$tmp/big.bin" "$tmp/big.2"

# Registration stuck in 202.
adm POST /sim/faults "$tmp/fr" --data 'register-stuck,count=3' >/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/d3.key" -subj "/CN=d3" -outform DER -out "$tmp/d3.csr" 2>/dev/null
sed "s|\"data\":\"[^\"]*\"|\"data\":\"$(basenc --base64 -w0 "$tmp/d3.csr")\"|; s/\"name\":\"d1\"/\"name\":\"d3\"/" "$tmp/d1.json" >"$tmp/d3.json"
adm POST /api/v1.0/register "$tmp/d3.reg" -H 'Content-Type: application/json' --data-binary "@$tmp/d3.json" >/dev/null
rid3=$(json_str "$tmp/d3.reg" registration_id)
codes=""
for i in 1 2 3 4; do
	codes="$codes $(adm GET "/api/v1.0/register?registration_id=$rid3" "$tmp/d3.poll")"
done
check_eq "register-stuck,count=3: three 202 polls, then 200" "$codes" " 202 202 202 200"

# Slow release.
adm POST /sim/faults "$tmp/fsr" --data 'slow-release,seconds=2' >/dev/null
j4=$(submit alice@example.com slow)
ipp "$tok1" "$tmp/gj4a" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
check "slow-release: not fetchable at first" sh -c "! grep -qx 'job-id=$j4' '$tmp/gj4a'"
sleep 2.2
ipp "$tok1" "$tmp/gj4b" Get-Jobs "$alice" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
check_has "slow-release: fetchable after the delay" "$tmp/gj4b" "job-id=$j4"
adm DELETE /sim/faults "$tmp/fdel" >/dev/null

# Token lifetime and expiry.
adm POST /sim/faults "$tmp/ftl" -H 'Content-Type: application/json' --data '[{"kind":"token-lifetime","seconds":1},{"kind":"expire-tokens"}]' >/dev/null
ipp "$tok1" "$tmp/exp" Get-Jobs "$p1" "$u1"
check_has "expire-tokens: the old token -> HTTP 401" "$tmp/exp" "http=401"
tok1=$(device_token d1)
check "token-lifetime: new tokens say expires_in 1" grep -q '"expires_in":1[,}]' "$tmp/token.out"
sleep 1.2
ipp "$tok1" "$tmp/exp2" Get-Jobs "$p1" "$u1"
check_has "token-lifetime: the token expires after 1 s" "$tmp/exp2" "http=401"
adm POST /sim/faults "$tmp/ftl" --data 'token-lifetime,seconds=3600' >/dev/null
tok1=$(device_token d1)
tok2=$(device_token d2)

# ---------------------------------------------------------------------------
# Tenant model.
# ---------------------------------------------------------------------------

cat >"$tmp/tenant.json" <<JSON
{"users":[{"upn":"alice@example.com"},{"upn":"bob@example.com"},{"upn":"carol@example.com"}],
 "pullPrinters":[{"id":"floor2","name":"Floor 2","members":["d2"],"allowedUsers":["bob@example.com","carol@example.com"]},
                 {"id":"hr","name":"HR","members":["d1","d2"],"allowedUsers":["carol@example.com"]}]}
JSON
status=$(adm POST /sim/tenant "$tmp/tenant.out" -H 'Content-Type: application/json' --data-binary "@$tmp/tenant.json")
check_eq "POST /sim/tenant -> 200" "$status" 200
status=$(adm POST "/sim/jobs?user=alice@example.com&name=x&printer=floor2" "$tmp/deny" --data-binary x)
check_eq "user not on the access list cannot submit -> 403" "$status" 403
jf=$(submit bob@example.com f2 printer=floor2)
jh=$(submit carol@example.com hr printer=hr)
jp=$(submit carol@example.com pull)
jd=$(submit carol@example.com direct "printer=$d2")
ipp "$tok2" "$tmp/gjc" Get-Jobs "$carol" op.boolean.my-jobs=true "$p2" "$u2" op.keyword.which-jobs=fetchable
check "member of two pull printers: carol sees her jobs from hr and pull, plus her direct job" sh -c "grep -qx 'job-id=$jh' '$tmp/gjc' && grep -qx 'job-id=$jp' '$tmp/gjc' && grep -qx 'job-id=$jd' '$tmp/gjc'"
ipp "$tok1" "$tmp/gjc1" Get-Jobs "$carol" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
check "d1 sees carol's hr and pull jobs but not the direct job of d2" sh -c "grep -qx 'job-id=$jh' '$tmp/gjc1' && grep -qx 'job-id=$jp' '$tmp/gjc1' && ! grep -qx 'job-id=$jd' '$tmp/gjc1'"
ipp "$tok1" "$tmp/gjb1" Get-Jobs "$bob" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable
check "non-member printer does not see floor2 jobs" sh -c "grep -qx 'status=successful-ok' '$tmp/gjb1' && ! grep -qx 'job-id=$jf' '$tmp/gjb1'"
ipp "$tok2" "$tmp/gjn" Get-Jobs "$p2" "$u2" op.keyword.which-jobs=fetchable
check "without requesting-user-uri only the direct job shows" sh -c "grep -qx 'job-id=$jd' '$tmp/gjn' && ! grep -qx 'job-id=$jh' '$tmp/gjn' && ! grep -qx 'job-id=$jf' '$tmp/gjn'"
adm POST /sim/tenant "$tmp/tenant2" -H 'Content-Type: application/json' --data '{"pullPrinters":[{"id":"floor2","name":"Floor 2","members":["d2"],"allowedUsers":["carol@example.com"]}]}' >/dev/null
ipp "$tok2" "$tmp/gjb2" Get-Jobs "$bob" op.boolean.my-jobs=true "$p2" "$u2" op.keyword.which-jobs=fetchable
check "user removed from the access list: held job no longer visible" sh -c "grep -qx 'status=successful-ok' '$tmp/gjb2' && ! grep -qx 'job-id=$jf' '$tmp/gjb2'"
ipp "$tok2" "$tmp/fjb2" Fetch-Job "$bob" "$p2" "$u2" "op.integer.job-id=$jf"
check_has "... and Fetch-Job says client-error-not-found" "$tmp/fjb2" "status=client-error-not-found"

# ---------------------------------------------------------------------------
# Badges.
# ---------------------------------------------------------------------------

status=$(adm POST /sim/badges "$tmp/b1" -H 'Content-Type: application/json' --data '{"badgeId":"0042 A","upn":"alice@example.com"}')
check_eq "POST /sim/badges -> 201" "$status" 201
lookup() {
	http POST "$base/api/v2.0/badges/lookup" "$tmp/lk" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' --data "$2"
}
status=$(lookup "$tok1" '{"badgeId":"0042 A"}')
check "badge lookup v2 -> 200 with userURI and userId" sh -c "test '$status' = 200 && grep -q '\"userURI\":\"mailto:alice@example.com\"' '$tmp/lk' && grep -q '\"userId\":\"[0-9a-f-]\{36\}\"' '$tmp/lk'"
status=$(http GET "$base/api/v1.0/badges/0042%20A" "$tmp/lk1" -H "Authorization: Bearer $tok1")
check "badge lookup v1 (URL-encoded id) -> 200" sh -c "test '$status' = 200 && grep -q '\"badgeId\":\"0042 A\"' '$tmp/lk1'"
check_eq "badge lookup: empty id -> 400" "$(lookup "$tok1" '{"badgeId":""}')" 400
check_eq "badge lookup: bad token -> 401" "$(lookup nope '{"badgeId":"0042 A"}')" 401
check_eq "badge lookup: admin token is not a device token -> 401" "$(lookup "$admin" '{"badgeId":"0042 A"}')" 401
check_eq "badge lookup: unknown badge -> 404" "$(lookup "$tok1" '{"badgeId":"nope"}')" 404
adm POST /sim/tenant "$tmp/bt" -H 'Content-Type: application/json' --data '{"badgeLookup":{"permission":false}}' >/dev/null
check_eq "badge lookup: missing PrintBadges.Read -> 403" "$(lookup "$tok1" '{"badgeId":"0042 A"}')" 403
adm POST /sim/tenant "$tmp/bt" -H 'Content-Type: application/json' --data '{"badgeLookup":{"permission":true,"enabled":false}}' >/dev/null
check_eq "badge lookup: tenant not enabled -> 403" "$(lookup "$tok1" '{"badgeId":"0042 A"}')" 403
adm POST /sim/tenant "$tmp/bt" -H 'Content-Type: application/json' --data '{"badgeLookup":{"enabled":true}}' >/dev/null
adm POST /sim/faults "$tmp/fb" --data 'http,class=badge,status=500' >/dev/null
check_eq "badge lookup: fault -> 500" "$(lookup "$tok1" '{"badgeId":"0042 A"}')" 500
check_eq "badge lookup after the fault -> 200" "$(lookup "$tok1" '{"badgeId":"0042 A"}')" 200

# Badge administration (graph.print paths).
status=$(adm POST /v1.0/print/badgeCollections "$tmp/bc" -H 'Content-Type: application/json' --data '{}')
cid=$(json_str "$tmp/bc" collectionId)
opid=$(json_str "$tmp/bc" id)
check "POST badgeCollections -> 202 with operation and collection ids" test "$status" = 202 -a -n "$cid" -a -n "$opid"
check_eq "second collection -> 409" "$(adm POST /v1.0/print/badgeCollections "$tmp/bc2" -H 'Content-Type: application/json' --data '{}')" 409
adm GET "/v1.0/print/operations/$opid" "$tmp/op1" >/dev/null
adm GET "/v1.0/print/operations/$opid" "$tmp/op2" >/dev/null
check "operation: running, then succeeded" sh -c "grep -q '\"state\":\"running\"' '$tmp/op1' && grep -q '\"state\":\"succeeded\"' '$tmp/op2'"
check_eq "POST badge -> 201" "$(adm POST "/v1.0/print/badgeCollections/$cid/badges" "$tmp/nb" -H 'Content-Type: application/json' --data '{"id":"777","upn":"bob@example.com"}')" 201
check_eq "duplicate badge -> 409" "$(adm POST "/v1.0/print/badgeCollections/$cid/badges" "$tmp/nb2" -H 'Content-Type: application/json' --data '{"id":"777","upn":"bob@example.com"}')" 409
check_eq "list badges -> 501" "$(adm GET "/v1.0/print/badgeCollections/$cid/badges" "$tmp/lb")" 501
check_eq "PATCH badge -> 200" "$(adm PATCH "/v1.0/print/badgeCollections/$cid/badges/777" "$tmp/pb" -H 'Content-Type: application/json' --data '{"upn":"carol@example.com"}')" 200
lookup "$tok1" '{"badgeId":"777"}' >/dev/null
check "lookup follows the PATCH" grep -q 'mailto:carol@example.com' "$tmp/lk"
check_eq "DELETE badge -> 204" "$(adm DELETE "/v1.0/print/badgeCollections/$cid/badges/777" "$tmp/db")" 204
check_eq "deleted badge lookup -> 404" "$(lookup "$tok1" '{"badgeId":"777"}')" 404
check_eq "badge administration with a device token -> 401" "$(http GET "$base/v1.0/print/badgeCollections" "$tmp/bcd" -H "Authorization: Bearer $tok1")" 401

# ---------------------------------------------------------------------------
# Graph: printers.
# ---------------------------------------------------------------------------

status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pp1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data '{"displayName":"Front desk","location":{"building":"B1"}}')
check "delegated PATCH displayName/location -> 200 + printer" sh -c "test '$status' = 200 && grep -q '\"displayName\":\"Front desk\"' '$tmp/pp1' && grep -q '\"building\":\"B1\"' '$tmp/pp1'"
status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pp2" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' --data '{"isAcceptingJobs":false}')
check_eq "delegated PATCH isAcceptingJobs -> 400" "$status" 400
status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pp3" -H "Authorization: Bearer $tok1" -H 'Content-Type: application/json' --data '{"isAcceptingJobs":false,"status":{"state":"stopped","details":["mediaJam"],"description":"Jam in tray 1"}}')
check "application PATCH status/isAcceptingJobs -> 200" sh -c "test '$status' = 200 && grep -q '\"isAcceptingJobs\":false' '$tmp/pp3' && grep -q '\"state\":\"stopped\",\"details\":\[\"mediaJam\"\]' '$tmp/pp3'"
ipp "$tok1" "$tmp/gpa-jam" Get-Printer-Attributes "$p1"
check "... and IPP sees printer-state stopped, media-jam" sh -c "grep -qx 'printer-state=stopped' '$tmp/gpa-jam' && grep -qx 'printer-state-reasons=media-jam' '$tmp/gpa-jam' && grep -qx 'printer-is-accepting-jobs=false' '$tmp/gpa-jam'"
status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pp4" -H "Authorization: Bearer $tok2" -H 'Content-Type: application/json' --data '{"isAcceptingJobs":true}')
check_eq "application PATCH of another app's printer -> 403" "$status" 403

# application/ipp: only a printer group, 0x04 first, no end tag (as Microsoft's sample).
printf '\x04\x23\x00\x0dprinter-state\x00\x04\x00\x00\x00\x04\x44\x00\x15printer-state-reasons\x00\x10toner-low-report\x44\x00\x00\x00\x0cmedia-needed\x22\x00\x19printer-is-accepting-jobs\x00\x01\x01\x44\x00\x0fsides-supported\x00\x09one-sided\x44\x00\x00\x00\x13two-sided-long-edge' >"$tmp/patch.ipp"
status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pi" -H "Authorization: Bearer $tok1" -H 'Content-Type: application/ipp' --data-binary "@$tmp/patch.ipp")
check_eq "PATCH application/ipp printer group -> 204" "$status" 204
adm GET "/v1.0/print/printers/$d1" "$tmp/gp" >/dev/null
check "Graph status reads back: processing, tonerLow + mediaNeeded, accepting" sh -c "grep -q '\"state\":\"processing\",\"details\":\[\"tonerLow\",\"mediaNeeded\"\]' '$tmp/gp' && grep -q '\"isAcceptingJobs\":true' '$tmp/gp'"
check "capabilities come from the IPP attributes (duplexModes)" grep -q '"duplexModes":\["oneSided","flipOnLongEdge"\]' "$tmp/gp"
ipp "$tok1" "$tmp/gpa-ipp" Get-Printer-Attributes "$p1"
check_has "values replace whole attributes (printer-state-reasons)" "$tmp/gpa-ipp" "printer-state-reasons=toner-low-report,media-needed"
printf '\x01\x00\x0b\x00\x00\x00\x01\x01' >"$tmp/bad.ipp"
status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pib" -H "Authorization: Bearer $tok1" -H 'Content-Type: application/ipp' --data-binary "@$tmp/bad.ipp")
check_eq "PATCH application/ipp with an IPP header -> 400" "$status" 400
status=$(http PATCH "$base/v1.0/print/printers/$d1" "$tmp/pia" -H "Authorization: Bearer $admin" -H 'Content-Type: application/ipp' --data-binary "@$tmp/patch.ipp")
check_eq "PATCH application/ipp with delegated permission -> 403" "$status" 403

# ---------------------------------------------------------------------------
# Graph: shares, job submission with an upload session, job status.
# ---------------------------------------------------------------------------

status=$(adm POST /v1.0/print/shares "$tmp/sh" -H 'Content-Type: application/json' --data "{\"displayName\":\"Desk share\",\"allowAllUsers\":false,\"printer@odata.bind\":\"https://graph.microsoft.com/v1.0/print/printers/$d1\"}")
share=$(json_str "$tmp/sh" id)
check "POST /print/shares -> 201 with id" test "$status" = 201 -a -n "$share"
status=$(adm PATCH "/v1.0/print/shares/$share" "$tmp/shp" -H 'Content-Type: application/json' --data '{"holdJobsForSecureRelease":true}')
check "PATCH holdJobsForSecureRelease -> 200, reads back" sh -c "test '$status' = 200 && grep -q '\"holdJobsForSecureRelease\":true' '$tmp/shp'"
adm POST /sim/tokens "$tmp/ut" -H 'Content-Type: application/json' --data '{"upn":"dave@example.com"}' >/dev/null
dave=$(json_str "$tmp/ut" access_token)
status=$(http POST "$base/v1.0/print/shares/$share/jobs" "$tmp/gj" -H "Authorization: Bearer $dave" -H 'Content-Type: application/json' --data '{"configuration":{"copies":2,"duplexMode":"flipOnLongEdge"}}')
check_eq "user not allowed on the share -> 403" "$status" 403
status=$(adm POST "/v1.0/print/shares/$share/allowedUsers/\$ref" "$tmp/au" -H 'Content-Type: application/json' --data '{"@odata.id":"https://graph.microsoft.com/v1.0/users/dave@example.com"}')
check_eq "allowedUsers/\$ref -> 204" "$status" 204
status=$(http POST "$base/v1.0/print/shares/$share/jobs" "$tmp/gj" -H "Authorization: Bearer $dave" -H 'Content-Type: application/json' --data '{"configuration":{"copies":2,"duplexMode":"flipOnLongEdge"}}')
gjid=$(sed -n 's/^{"id":"\([0-9]*\)".*/\1/p' "$tmp/gj")
check "create job -> 201, uploadPending" sh -c "test '$status' = 201 && grep -q 'uploadPending' '$tmp/gj'"
head -c 3000 /dev/urandom >"$tmp/up.bin"
status=$(http POST "$base/v1.0/print/shares/$share/jobs/$gjid/documents/1/createUploadSession" "$tmp/us" -H "Authorization: Bearer $dave" -H 'Content-Type: application/json' --data '{"properties":{"documentName":"up.pdf","contentType":"application/pdf","size":3000}}')
upurl=$(json_str "$tmp/us" uploadUrl)
check "createUploadSession -> uploadUrl" test "$status" = 200 -a -n "$upurl"
head -c 1000 "$tmp/up.bin" >"$tmp/c1"
tail -c 2000 "$tmp/up.bin" >"$tmp/c2"
s1=$(http PUT "$upurl" "$tmp/put1" -H 'Content-Range: bytes 0-999/3000' --data-binary "@$tmp/c1")
check "PUT first chunk -> 202, nextExpectedRanges 1000-" sh -c "test '$s1' = 202 && grep -q '\"nextExpectedRanges\":\[\"1000-\"\]' '$tmp/put1'"
s1=$(http PUT "$upurl" "$tmp/put1b" -H 'Content-Range: bytes 0-999/3000' --data-binary "@$tmp/c1")
check_eq "PUT the same range again -> 416" "$s1" 416
s1=$(http PUT "$upurl" "$tmp/put1c" -H 'Content-Range: bytes 500-1499/3000' --data-binary "@$tmp/c1")
check_eq "PUT an overlapping range -> 416" "$s1" 416
status=$(http POST "$base/v1.0/print/shares/$share/jobs/$gjid/start" "$tmp/st0" -H "Authorization: Bearer $dave")
check_eq "start before the upload is complete -> 400" "$status" 400
s2=$(http PUT "$upurl" "$tmp/put2" -H 'Content-Range: bytes 1000-2999/3000' --data-binary "@$tmp/c2")
check "PUT last chunk -> 201 document" sh -c "test '$s2' = 201 && grep -q '\"size\":3000' '$tmp/put2'"
status=$(http POST "$base/v1.0/print/shares/$share/jobs/$gjid/start" "$tmp/st" -H "Authorization: Bearer $dave")
check "start -> 200, pending + releaseWait (held share)" sh -c "test '$status' = 200 && grep -q '\"state\":\"pending\"' '$tmp/st' && grep -q 'releaseWait' '$tmp/st' && grep -q '\"isAcquiredByPrinter\":false' '$tmp/st'"
ipp "$tok1" "$tmp/gjg" Get-Jobs "op.uri.requesting-user-uri=mailto:dave@example.com" op.boolean.my-jobs=true "$p1" "$u1" op.keyword.which-jobs=fetchable op.keyword.requested-attributes=all
check "the Graph job is a held job on the shared printer (copies 2, long-edge)" sh -c "grep -qx 'job-id=$gjid' '$tmp/gjg' && grep -qx 'copies=2' '$tmp/gjg' && grep -qx 'sides=two-sided-long-edge' '$tmp/gjg'"
ipp "$tok1" "$tmp/ackg" Acknowledge-Job "op.uri.requesting-user-uri=mailto:dave@example.com" "$p1" "$u1" "op.integer.job-id=$gjid"
"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/up.got" "$base/printers" Fetch-Document "op.uri.requesting-user-uri=mailto:dave@example.com" "$p1" "$u1" "op.integer.job-id=$gjid" op.integer.document-number=1 >/dev/null 2>&1
check "the uploaded chunks form the document" cmp -s "$tmp/up.bin" "$tmp/up.got"
adm GET "/v1.0/print/printers/$d1/jobs/$gjid" "$tmp/gs1" >/dev/null
check "Graph job after Acknowledge-Job: isAcquiredByPrinter, acknowledgedDateTime, not fetchable" sh -c "grep -q '\"isAcquiredByPrinter\":true' '$tmp/gs1' && grep -q '\"isFetchable\":false' '$tmp/gs1' && grep -q '\"acknowledgedDateTime\":\"20' '$tmp/gs1'"
ipp "$tok1" "$tmp/ujs" Update-Job-Status "$p1" "$u1" "op.integer.job-id=$gjid" job.enum.output-device-job-state=9
http GET "$base/v1.0/print/shares/$share/jobs/$gjid" "$tmp/gs2" -H "Authorization: Bearer $dave" >/dev/null
check "Graph job after Update-Job-Status(completed): completed, completedSuccessfully" sh -c "grep -q '\"state\":\"completed\"' '$tmp/gs2' && grep -q 'completedSuccessfully' '$tmp/gs2'"
check_eq "device token cannot read another printer's jobs -> 403" "$(http GET "$base/v1.0/print/printers/$d1/jobs" "$tmp/gjo" -H "Authorization: Bearer $tok2")" 403
http GET "$base/v1.0/print/printers/$d1/jobs" "$tmp/gjown" -H "Authorization: Bearer $tok1" >/dev/null
check "device token reads its own printer's jobs" grep -q "\"id\":\"$gjid\"" "$tmp/gjown"
check_eq "device token cannot create jobs -> 403" "$(http POST "$base/v1.0/print/shares/$share/jobs" "$tmp/gjd" -H "Authorization: Bearer $tok1" -H 'Content-Type: application/json' --data '{}')" 403

# ---------------------------------------------------------------------------
# Notifications: Get-Notifications with notify-wait is answered when a job arrives.
# ---------------------------------------------------------------------------

ipp "$tok2" "$tmp/sub" Create-Printer-Subscriptions "$p2" "$u2" sub.keyword.notify-pull-method=ippget sub.keyword.notify-events=job-fetchable,job-state-changed sub.integer.notify-lease-duration=60
subid=$(sed -n 's/^notify-subscription-id=//p' "$tmp/sub")
check "Create-Printer-Subscriptions -> id" test -n "$subid"
start=$(date +%s)
ipp "$tok2" "$tmp/gn" Get-Notifications "$p2" "$u2" "op.integer.notify-subscription-ids=$subid" op.boolean.notify-wait=true &
waiter=$!
sleep 1
jn=$(submit carol@example.com notify "printer=$d2")
wait "$waiter"
elapsed=$(( $(date +%s) - start ))
check "Get-Notifications long poll returns the job-fetchable event in < 10 s (${elapsed}s)" sh -c "test $elapsed -lt 10 && grep -qx 'notify-subscribed-event=job-fetchable' '$tmp/gn' && grep -qx 'notify-job-id=$jn' '$tmp/gn' && grep -qx 'notify-get-interval=30' '$tmp/gn'"
ipp "$tok2" "$tmp/ackn" Acknowledge-Job "$p2" "$u2" "op.integer.job-id=$jn"
ipp "$tok2" "$tmp/gn2" Get-Notifications "$p2" "$u2" "op.integer.notify-subscription-ids=$subid" op.integer.notify-sequence-numbers=2 op.boolean.notify-wait=false
check "job-state-changed after Acknowledge-Job (sequence 2)" sh -c "grep -qx 'notify-subscribed-event=job-state-changed' '$tmp/gn2' && grep -qx 'notify-sequence-number=2' '$tmp/gn2'"
ipp "$tok1" "$tmp/gnx" Get-Notifications "$p1" "$u1" "op.integer.notify-subscription-ids=$subid"
check_has "another device's subscription -> client-error-not-authorized" "$tmp/gnx" "status=client-error-not-authorized"
ipp "$tok2" "$tmp/rs" Renew-Subscription "$p2" "$u2" "op.integer.notify-subscription-id=$subid" op.integer.notify-lease-duration=120
check_has "Renew-Subscription -> successful-ok" "$tmp/rs" "status=successful-ok"
ipp "$tok2" "$tmp/cs" Cancel-Subscription "$p2" "$u2" "op.integer.notify-subscription-id=$subid"
ipp "$tok2" "$tmp/cs2" Cancel-Subscription "$p2" "$u2" "op.integer.notify-subscription-id=$subid"
check "Cancel-Subscription -> ok, then not-found" sh -c "grep -qx 'status=successful-ok' '$tmp/cs' && grep -qx 'status=client-error-not-found' '$tmp/cs2'"

# Long polls end promptly at shutdown.
ipp "$tok2" "$tmp/sub2" Create-Printer-Subscriptions "$p2" "$u2" sub.keyword.notify-pull-method=ippget sub.keyword.notify-events=job-state-changed
sub2=$(sed -n 's/^notify-subscription-id=//p' "$tmp/sub2")
ipp "$tok2" "$tmp/gn3" Get-Notifications "$p2" "$u2" "op.integer.notify-subscription-ids=$sub2" op.boolean.notify-wait=true &
waiter=$!
sleep 1
start=$(date +%s)
cs_stop TERM
wait "$waiter"
check "SIGTERM ends a pending long poll and exits within 5 s" test $(( $(date +%s) - start )) -lt 5
cs_start
tok1=$(device_token d1)
tok2=$(device_token d2)

# ---------------------------------------------------------------------------
# Job and printer operations (admin token acting for users / the administrator).
# ---------------------------------------------------------------------------

printf '%%PDF-1.4 cj\n' >"$tmp/cj.pdf"
ipp "$admin" "$tmp/cj" Create-Job "$p1" "$carol" op.name.job-name=two-step
cj=$(sed -n 's/^job-id=//p' "$tmp/cj")
ipp "$tok1" "$tmp/cjv" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable
check "Create-Job: invisible to the device until the document arrives" sh -c "test -n '$cj' && ! grep -qx 'job-id=$cj' '$tmp/cjv'"
"$testipp" --cacert "$ca" --token "$admin" --doc "$tmp/cj.pdf" "$base/printers" Send-Document "$p1" "$carol" "op.integer.job-id=$cj" op.boolean.last-document=true op.mimetype.document-format=application/pdf >"$tmp/sd" 2>&1
ipp "$tok1" "$tmp/cjv2" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable
check "Send-Document(last-document): the direct job becomes fetchable" grep -qx "job-id=$cj" "$tmp/cjv2"
ipp "$admin" "$tmp/hj" Hold-Job "$p1" "$carol" "op.integer.job-id=$cj"
ipp "$tok1" "$tmp/cjv3" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable
check "Hold-Job: no longer fetchable" sh -c "grep -qx 'status=successful-ok' '$tmp/hj' && ! grep -qx 'job-id=$cj' '$tmp/cjv3'"
ipp "$admin" "$tmp/rj" Release-Job "$p1" "$carol" "op.integer.job-id=$cj"
ipp "$tok1" "$tmp/cjv4" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable
check_has "Release-Job: fetchable again" "$tmp/cjv4" "job-id=$cj"
ipp "$admin" "$tmp/cjx" Cancel-Job "$p1" "$bob" "op.integer.job-id=$cj"
check_has "Cancel-Job by another user -> client-error-not-authorized" "$tmp/cjx" "status=client-error-not-authorized"
ipp "$admin" "$tmp/cjs" Create-Job-Subscriptions "$p1" "$carol" sub.keyword.notify-pull-method=ippget "sub.integer.notify-job-id=$cj" sub.keyword.notify-events=job-state-changed
cjsub=$(sed -n 's/^notify-subscription-id=//p' "$tmp/cjs")
ipp "$admin" "$tmp/cjc" Cancel-Job "$p1" "$carol" "op.integer.job-id=$cj"
ipp "$admin" "$tmp/cjn" Get-Notifications "$p1" "op.integer.notify-subscription-ids=$cjsub" op.boolean.notify-wait=false
check "Create-Job-Subscriptions (admin): Cancel-Job shows as job-state-changed, canceled" sh -c "grep -qx 'notify-job-id=$cj' '$tmp/cjn' && grep -qx 'job-state=canceled' '$tmp/cjn'"
ipp "$admin" "$tmp/cjc2" Cancel-Job "$p1" "$carol" "op.integer.job-id=$cj"
check "Cancel-Job: ok, then client-error-not-possible" sh -c "grep -qx 'status=successful-ok' '$tmp/cjc' && grep -qx 'status=client-error-not-possible' '$tmp/cjc2'"
ipp "$admin" "$tmp/pu" Print-URI "$p1" "$carol" "op.uri.document-uri=data:application/pdf,%25PDF-1.4%20uri"
pu=$(sed -n 's/^job-id=//p' "$tmp/pu")
"$testipp" --cacert "$ca" --token "$tok1" --out "$tmp/pu.doc" "$base/printers" Fetch-Document "$p1" "$u1" "op.integer.job-id=$pu" op.integer.document-number=1 >/dev/null 2>&1
check "Print-URI with a data: URI -> the decoded document" grep -q '^%PDF-1.4 uri' "$tmp/pu.doc"
ipp "$admin" "$tmp/puh" Print-URI "$p1" "$carol" "op.uri.document-uri=https://example.com/x.pdf"
check_has "Print-URI with an https: URI -> client-error-uri-scheme-not-supported" "$tmp/puh" "status=client-error-uri-scheme-not-supported"
ipp "$admin" "$tmp/pause" Pause-Printer "$p1"
ipp "$tok1" "$tmp/pgpa" Get-Printer-Attributes "$p1"
ipp "$tok1" "$tmp/pgj" Get-Jobs "$p1" "$u1" op.keyword.which-jobs=fetchable
check "Pause-Printer: stopped/paused and nothing fetchable" sh -c "grep -qx 'printer-state=stopped' '$tmp/pgpa' && grep -q '^printer-state-reasons=.*paused' '$tmp/pgpa' && ! grep -q '^job-id=' '$tmp/pgj'"
ipp "$admin" "$tmp/resume" Resume-Printer "$p1"
ipp "$admin" "$tmp/dis" Disable-Printer "$p1"
ipp "$admin" "$tmp/pjd" Print-URI "$p1" "$carol" "op.uri.document-uri=data:,x"
check_has "Disable-Printer: new jobs -> server-error-not-accepting-jobs" "$tmp/pjd" "status=server-error-not-accepting-jobs"
ipp "$admin" "$tmp/en" Enable-Printer "$p1"
ipp "$admin" "$tmp/id" Identify-Printer "$p1" op.keyword.identify-actions=flash,sound op.text.message=hello
ipp "$tok1" "$tmp/aid" Acknowledge-Identify-Printer "$p1" "$u1"
check "Identify-Printer -> Acknowledge-Identify-Printer hands over the actions" sh -c "grep -qx 'identify-actions=flash,sound' '$tmp/aid' && grep -qx 'message=hello' '$tmp/aid'"
ipp "$tok1" "$tmp/aid2" Acknowledge-Identify-Printer "$p1" "$u1"
check_has "... only once (then client-error-not-possible)" "$tmp/aid2" "status=client-error-not-possible"
ipp "$admin" "$tmp/spa" Set-Printer-Attributes "$p1" printer.text.printer-location=Lobby
ipp "$tok1" "$tmp/spa2" Get-Printer-Attributes "$p1" op.keyword.requested-attributes=printer-location
check_has "Set-Printer-Attributes printer-location" "$tmp/spa2" "printer-location=Lobby"

# ---------------------------------------------------------------------------
# Service limits and held-job expiry.
# ---------------------------------------------------------------------------

adm POST /sim/limits "$tmp/lim" -H 'Content-Type: application/json' --data '{"jobsPer10Min":3,"concurrent":50,"perUser":4}' >/dev/null
adm POST /sim/tenant "$tmp/t3" -H 'Content-Type: application/json' --data '{"pullPrinters":[{"id":"small","name":"Small"}]}' >/dev/null
for i in 1 2 3; do submit erin@example.com "lim$i" printer=small >/dev/null; done
curl -s -D "$tmp/h429" -o /dev/null --cacert "$ca" -H "Authorization: Bearer $admin" --data-binary x "$base/sim/jobs?user=erin@example.com&name=lim4&printer=small"
check "4th job in 10 minutes -> 429 + Retry-After" sh -c "grep -q '^HTTP/[0-9.]* 429' '$tmp/h429' && grep -qi '^Retry-After: [1-9]' '$tmp/h429'"
"$testipp" --cacert "$ca" --token "$admin" --doc "$tmp/doc.pdf" "$base/printers" Print-Job "op.uri.printer-uri=$ipp_uri/printers/small" "op.uri.requesting-user-uri=mailto:erin@example.com" op.name.job-name=lim5 >"$tmp/l4" 2>&1
check "IPP submission over the rate -> server-error-busy" sh -c "grep -qx 'status=server-error-busy' '$tmp/l4'"
adm POST /sim/limits "$tmp/lim" -H 'Content-Type: application/json' --data '{"jobsPer10Min":100,"concurrent":50,"perUser":2}' >/dev/null
for i in 1 2; do submit frank@example.com "u$i" "printer=$d2" >/dev/null; done
status=$(adm POST "/sim/jobs?user=frank@example.com&name=u3&printer=$d2" "$tmp/u3" --data-binary x)
check_eq "per-user active jobs limit -> 429" "$status" 429
"$testipp" --cacert "$ca" --token "$admin" --doc "$tmp/cj.pdf" "$base/printers" Print-Job "$p2" "op.uri.requesting-user-uri=mailto:frank@example.com" op.name.job-name=u4 >"$tmp/u4" 2>&1
check_has "... over IPP -> server-error-too-many-jobs" "$tmp/u4" "status=server-error-too-many-jobs"
adm POST /sim/limits "$tmp/lim" -H 'Content-Type: application/json' --data '{"perUser":4,"retention":2}' >/dev/null
je=$(submit gina@example.com expiring)
sleep 2.5
status=$(adm GET "/sim/jobs/$je" "$tmp/je")
check_eq "held job past retention is gone (/sim 404)" "$status" 404
ipp "$tok1" "$tmp/fje" Fetch-Job "op.uri.requesting-user-uri=mailto:gina@example.com" "$p1" "$u1" "op.integer.job-id=$je"
check_has "... and Fetch-Job says client-error-not-found" "$tmp/fje" "status=client-error-not-found"
adm POST /sim/limits "$tmp/lim" -H 'Content-Type: application/json' --data '{"retention":0}' >/dev/null

# ---------------------------------------------------------------------------
# 60 parallel connections.
# ---------------------------------------------------------------------------

curls=""
for i in $(seq 1 60); do
	curl -s -o /dev/null -w '%{http_code}\n' --cacert "$ca" -H "Authorization: Bearer $admin" "$base/sim/devices/$d1" >>"$tmp/par" &
	curls="$curls $!"
done
# Not a bare "wait": the emulator is a child of this shell too.
wait $curls
check_eq "60 parallel requests all answered 200" "$(grep -c '^200$' "$tmp/par")" 60

cs_stop TERM
cs_finish
