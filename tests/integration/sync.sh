#!/bin/bash
#
# sync.sh - device tokens shared between processes, and capability/status sync.
#
# Against upa-cloudsim (--token-lifetime 8) and a private cupsd: N parallel
# upactl processes make one token request; a token is renewed after it
# expired; "upactl sync" pushes the queue's attributes (Mopria set, state,
# job-release-action-supported) with Update-Output-Device-Attributes and
# Graph PATCH; a failed push records the error and keeps the changes for
# the next sync; "upactl sync --watch" pushes a paused/rejecting queue
# within seconds.  The emulator's /sim/devices/ID view shows the UODA
# attributes; its Graph view (GET /v1.0/print/printers/ID) shows the JSON
# PATCH, which follows the IPP-INFRA push and so is waited for separately.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"

upa_need_program "$UPACTL"
upa_need_program "$top_builddir/backend/upa"
upa_need_program "${UPA_CLOUDSIM:-$top_builddir/cloudsim/upa-cloudsim}"

LIFETIME=8

upa_tmpdir
cloudsim_start --token-lifetime "$LIFETIME"
upa_write_config
cupsd_start


#
# Helpers for this test...
#

# sim_attr NAME: the emulator's view of one attribute of the device (JSON).
sim_attr()
{
  sim_curl "/sim/devices/$ID" | jq -c --arg n "$1" '.attributes[$n]'
}

# sim_attr_has NAME REGEX: that attribute's JSON matches.
sim_attr_has()
{
  sim_attr "$1" | grep -Eq -- "$2"
}

# stopped_media_empty: the cloud sees the printer stopped for lack of paper.
stopped_media_empty()
{
  sim_attr_has printer-state '5|stopped' && sim_attr_has printer-state-reasons 'media-empty'
}

# token_requests: how many device tokens the emulator issued to the device.
token_requests()
{
  sim_curl "/sim/devices/$ID" | jq -r '.tokenRequests'
}

# graph_has JQ-EXPR: the emulator's Graph view of the printer matches.
graph_has()
{
  sim_curl "/v1.0/print/printers/$ID" | jq -e "$1" >/dev/null
}


#
# A queue with real capabilities (sample PPD) when cupsd can make one.
#

if lpadmin -p Floor3 -v "capture:$BASE/out" -m drv:///sample.drv/generic.ppd -E 2>/dev/null; then
  check "lpadmin creates Floor3 (generic PostScript PPD)" true
else
  check "lpadmin creates Floor3 (raw)" lpadmin -p Floor3 -v "capture:$BASE/out" -E
fi
check "register Floor3" "$UPACTL" register --admin-token "$UPA_SIM_ADMIN" --no-sync Floor3
ID=$(lpstat -v Floor3 | sed -n 's|.*upa://\([^/]*\)/.*|\1|p')
check "... has a cloud id" test -n "$ID"

check "... the emulator's Graph has printer $ID" sim_curl "/v1.0/print/printers/$ID"
VIA=both


#
# Tokens: one request for many processes, renewal after expiry.
#

check "no token requested yet" test "$(token_requests)" = 0
pids=()
for i in 1 2 3 4 5 6; do
  "$UPACTL" status --check >"$BASE/status.$i" 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
check "six parallel processes got a token" sh -c "grep -l 'device token ok' '$BASE'/status.[1-6] | wc -l | grep -qx 6"
check "... with one token request" test "$(token_requests)" = 1
check "a seventh process reuses the cached token" sh -c "'$UPACTL' jobs Floor3 >/dev/null && test \"\$(curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/devices/$ID' | jq -r .tokenRequests)\" = 1"
check "status --json says the token is valid" sh -c "'$UPACTL' status --json | jq -e '.printers[0].token.state == \"valid\"'"
sleep $((LIFETIME + 1))
check "status --json says the token expired" sh -c "'$UPACTL' status --json | jq -e '.printers[0].token.state == \"expired\"'"
pids=()
for i in 1 2 3; do
  "$UPACTL" status --check >/dev/null 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
check "after expiry three processes renew it with one request" test "$(token_requests)" = 2


#
# On-demand sync.
#

check "sync --dry-run pushes nothing" sh -c "'$UPACTL' sync --dry-run Floor3 | grep -q 'would be sent'"
check "... the emulator has no attributes yet" sh -c "[ \"\$(curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/devices/$ID' | jq '.attributes | length')\" = 0 ]"
check "sync Floor3 (via $VIA)" "$UPACTL" sync --via "$VIA" Floor3
check "... printer-state idle" sim_attr_has printer-state '3|idle'
check "... printer-is-accepting-jobs true" sim_attr_has printer-is-accepting-jobs 'true'
check "... job-release-action-supported owner-authorized-badge" sim_attr_has job-release-action-supported 'owner-authorized-badge'
for a in document-format-supported copies-supported sides-supported media-supported print-color-mode-supported \
         printer-resolution-supported print-quality-supported orientation-requested-default output-bin-supported \
         ipp-versions-supported printer-up-time printer-make-and-model; do
  check "... $a" sh -c "curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/devices/$ID' | jq -e --arg n $a '.attributes[\$n] != null' >/dev/null"
done
check "... Graph view: status idle, accepting jobs" graph_has '.status.state == "idle" and .isAcceptingJobs == true'
check "... Graph view: capabilities" graph_has '.capabilities.contentTypes | length > 0'
check "sync again: nothing changed" sh -c "'$UPACTL' sync --via $VIA Floor3 | grep -q 'nothing changed'"
check "status shows the last sync and no error" sh -c "'$UPACTL' status | grep -q 'Last error:     none' && ! '$UPACTL' status | grep -q 'Last sync:      never'"


#
# A push the cloud refuses: clear message, recorded, nothing lost.
#

check "cupsdisable Floor3" cupsdisable Floor3
# Graph PATCH to a URL that is no Graph service: refused.
sed -e "s|^GraphURL .*|GraphURL $UPA_SIM_URL/not-graph|" "$BASE/cups-upa.conf" >"$BASE/bad-graph.conf"
OUT=$("$UPACTL" -c "$BASE/bad-graph.conf" sync --via graph Floor3 2>&1)
RC=$?
check "sync with a refused Graph PATCH fails" test "$RC" != 0
check "... and says why" grep -q "Graph" <<<"$OUT"
[ "$RC" != 0 ] || sed 's/^/#   /' <<<"$OUT"
check "... status --json shows the error" sh -c "'$UPACTL' status --json | jq -e '.printers[0].lastError | test(\"Graph\")'"
check "... the emulator still shows the old state" sim_attr_has printer-state '3|idle'
check "the next sync still sends the change" sh -c "'$UPACTL' sync --via $VIA Floor3 | grep -q 'sent [0-9]* changed'"
check "... printer-state stopped, reasons paused" sh -c "curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/devices/$ID' | jq -c '.attributes[\"printer-state\"], .attributes[\"printer-state-reasons\"]' | tr '\n' ' ' | grep -Eq '(5|stopped).*paused'"
check "... error cleared" sh -c "'$UPACTL' status --json | jq -e '.printers[0].lastError == null'"
check "cupsenable Floor3; sync" sh -c "cupsenable Floor3 && '$UPACTL' sync --via $VIA Floor3 >/dev/null"
check "... printer-state idle again" sim_attr_has printer-state '3|idle'


#
# The watcher: pushes a paused or rejecting queue within seconds.
#

"$UPACTL" sync --watch --via "$VIA" --debounce 0.5 >"$BASE/log/watch.log" 2>&1 &
WATCH_PID=$!
upa_at_exit 'kill $WATCH_PID 2>/dev/null; wait $WATCH_PID 2>/dev/null'
sleep 2

check "cupsdisable Floor3 (watcher running)" cupsdisable -r "paper jam" Floor3
check "... the cloud shows it stopped within 8 s" upa_wait_for 8 sim_attr_has printer-state '5|stopped'
check "... with reason paused" sim_attr_has printer-state-reasons 'paused'
check "... Graph view: stopped, paused (within 5 s)" upa_wait_for 5 graph_has '.status.state == "stopped" and (.status.details | index("paused"))'
check "cupsreject Floor3" cupsreject Floor3
check "... the cloud shows it not accepting jobs within 8 s" upa_wait_for 8 sim_attr_has printer-is-accepting-jobs 'false'
check "cupsenable + cupsaccept Floor3" sh -c "cupsenable Floor3 && cupsaccept Floor3"
check "... idle and accepting again within 8 s" upa_wait_for 8 sh -c "curl -sf --cacert '$UPA_SIM_CA' -H 'Authorization: Bearer $UPA_SIM_ADMIN' '$UPA_SIM_URL/sim/devices/$ID' | jq -e '(.attributes[\"printer-is-accepting-jobs\"] | tostring | test(\"true\")) and (.attributes[\"printer-state\"] | tostring | test(\"3|idle\"))'"
# The printer runs out of paper: its backend reports media-empty-error and
# gives up (CUPS_BACKEND_STOP), so cupsd stops the queue with that reason.
URI=$(lpstat -v Floor3 | sed -n 's/^device for Floor3: //p')
check "Floor3's printer will run out of paper" lpadmin -p Floor3 -v "$URI?reason=media-empty-error&fail=4"
lp -d Floor3 -t paper "$top_srcdir/tests/data/hello.pdf" >/dev/null
check "... the cloud shows it stopped with media-empty-error within 15 s" upa_wait_for 15 stopped_media_empty
check "... Graph view: stopped, mediaEmpty (within 5 s)" upa_wait_for 5 graph_has '.status.state == "stopped" and (.status.details | index("mediaEmpty"))'
check "... and cupsd has stopped the queue (the backend is done)" upa_wait_for 15 sh -c "lpstat -p Floor3 | grep -q disabled"
check "paper loaded: restore the URI, cancel, cupsenable" sh -c "lpadmin -p Floor3 -v '$URI' && cancel -a Floor3 && cupsenable Floor3"
check "... idle again in the cloud within 15 s" upa_wait_for 15 sim_attr_has printer-state '3|idle'
check "the watcher logged only changes" sh -c "grep -c 'changed attribute' '$BASE/log/watch.log' | awk '{ exit !(\$1 >= 3 && \$1 <= 12) }'"
kill -TERM "$WATCH_PID"
check "the watcher stops on SIGTERM" upa_wait_for 5 upa_pid_gone "$WATCH_PID"
check "... and cancelled its CUPS subscription" grep -q "Stopped watching" "$BASE/log/watch.log"
upa_log "watcher output:"
sed 's/^/#   /' "$BASE/log/watch.log"

# The upa backend pushes printer state too: a job that prints although the
# printer reports media-empty-error leaves the cloud "stopped" while the queue
# is idle.  The next sync sends the queue's state again although CUPS' did
# not change since the last sync.
check "sync Floor3 (queue idle)" "$UPACTL" sync Floor3
check "a job prints while the printer reports media-empty-error" \
  lpadmin -p Floor3 -v "$URI?reason=media-empty-error"
job=$(lp -d Floor3 -t report "$top_srcdir/tests/data/hello.pdf" | sed -n 's/.*Floor3-\([0-9]*\).*/\1/p')
check "... the job completes" wait_cups_job Floor3 "$job" completed 30
check "... the backend left the cloud stopped, media-empty" upa_wait_for 15 stopped_media_empty
check "... while CUPS has the queue idle" sh -c "lpstat -p Floor3 | grep -q idle"
check "sync Floor3 again" "$UPACTL" sync Floor3
check "... the cloud shows the queue's state again: idle" sim_attr_has printer-state '3|idle'
check "... Graph view: idle" graph_has '.status.state == "idle"'

finish
