#!/bin/bash
#
# pcsc.sh - the upa-release kiosk reading badges from a PC/SC reader.
#
# A private pcscd (its own /run/pcscd in a private mount namespace, its own
# reader.conf.d) drives the vsmartcard "vpcd" virtual reader; a fake
# contactless card written in python3 speaks vpcd's protocol (2-byte
# big-endian length, then a 1-byte control message - 0x00 power off, 0x01
# power on, 0x02 reset, 0x04 get ATR - or an APDU): connecting it inserts
# the card, killing it removes the card.  It answers the PC/SC GET DATA
# pseudo-APDU FF CA 00 00 00 with its UID and 90 00 (mode "uid"), with
# 6A 81 (mode "6a81"), or drops the connection without answering (mode
# "vanish": removed in the middle of the read).
#
# The kiosk runs in tmux as a throwaway unprivileged user, as in kiosk.sh
# and upa-kiosk@.service, with upa-release-helper (root, pam_wrapper) on a
# socket doing PAM and the releases, and --card-pcsc against a private
# cupsd, upa-cloudsim and the built pam_upa.so whose badge.conf turns the
# UID text into the number a keyboard wedge would type (InputFormat hex,
# ReverseBytes, ByteLength 4, OutputFormat decimal).  Checked: the reader
# unavailable while pcscd is not running and found when it starts; a tap
# signs the user in, the job is released and printed; a card left on the
# reader is one tap; removing and tapping again is a new tap; an unknown
# card; a card answering 6A81 and a card removed mid-read are "could not be
# read"; pcscd killed shows the reader unavailable and the kiosk recovers
# when pcscd is back; a reader name that matches nothing; the UID is never
# logged.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

# pcscd's socket is always /run/pcscd/pcscd.comm: run the whole test in a
# private mount namespace with its own /run/pcscd, so that a system pcscd is
# neither used nor disturbed.
if [ -z "${UPA_PCSC_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
   unshare -m --propagation private true 2>/dev/null; then
  UPA_PCSC_NS=1 exec unshare -m --propagation private "$BASH" "$0" "$@"
fi

. "$top_srcdir/tests/integration/lib.sh"

upa_need_root

UPACTL="$top_builddir/tools/upactl"
RELEASE="$top_builddir/release/upa-release"
HELPER="$top_builddir/release/upa-release-helper"
PAMMOD="$top_builddir/pam_module/.libs/pam_upa.so"
PAMWRAP=$(ls /usr/lib/*/libpam_wrapper.so /usr/lib/libpam_wrapper.so 2>/dev/null | head -n 1)
VPCD=$(ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so /usr/lib/*/pcsc/drivers/serial/libifdvpcd.so 2>/dev/null | head -n 1)
ALICE=alice@contoso.com
BOB=bob@contoso.com
PDF1="$top_srcdir/tests/data/hello.pdf"
PDF2="$top_srcdir/tests/data/bob.pdf"

# Alice's card: UID 4E 61 BC 00, which a wedge reader types as 12345678
# (the UID bytes least significant first, in decimal).  Bob's: 11 22 33 44.
ALICE_UID=4E61BC00
ALICE_NUMBER=12345678
BOB_UID=11223344
UNKNOWN_UID=DEADBEEF

upa_need_program "$UPACTL"
upa_need_program "$RELEASE"
upa_need_program "$HELPER"
upa_need_program "$top_builddir/backend/upa"
[ -f "$PAMMOD" ] || upa_fatal "$PAMMOD is not built"
[ -n "$PAMWRAP" ] || { echo "SKIP: pam_wrapper is not installed (libpam-wrapper)"; exit 77; }
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
command -v useradd >/dev/null && command -v setpriv >/dev/null ||
  { echo "SKIP: useradd and setpriv are needed"; exit 77; }
PCSCD=$(command -v pcscd || ls /usr/sbin/pcscd 2>/dev/null)
[ -n "$PCSCD" ] || { echo "SKIP: pcscd is not installed"; exit 77; }
[ -n "$VPCD" ] || { echo "SKIP: the vpcd driver is not installed (vsmartcard-vpcd)"; exit 77; }

if [ "${UPA_PCSC_NS:-}" = 1 ]; then
  mkdir -p /run/pcscd && mount -t tmpfs -o mode=0755 tmpfs /run/pcscd ||
    upa_fatal "cannot mount a private /run/pcscd"
elif pgrep -x pcscd >/dev/null || [ -S /run/pcscd/pcscd.comm ]; then
  echo "SKIP: no private mount namespace (unshare) and a system pcscd is running"
  exit 77
fi

upa_tmpdir
cloudsim_start
upa_write_config
cupsd_start


#
# Helpers...
#

. "$top_srcdir/tests/integration/kiosk-lib.sh"

# Succeed when some printed file is byte-identical to a document.
printed()
{
  local f

  for f in "$BASE/out"/job-*.out; do
    cmp -s "$1" "$f" && return 0
  done
  return 1
}

# A free port whose successor is free too (vpcd opens one per slot).
vpcd_port()
{
  local port
  local tries

  for ((tries = 0; tries < 50; tries ++)); do
    port=$(upa_free_port) || return 1
    if ((port < 65000)) && ! ss -Hltn "sport = :$((port + 1))" 2>/dev/null | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

PCSCD_PID=

# Start the private pcscd (not inside "check": that is a subshell).
pcscd_start()
{
  "$PCSCD" -f -c "$BASE/reader.conf.d" >>"$BASE/pcscd.log" 2>&1 </dev/null &
  PCSCD_PID=$!
  upa_watchdog "$PCSCD_PID"
}

# Is it up, with vpcd listening for cards?
pcscd_ready()
{
  kill -0 "$PCSCD_PID" 2>/dev/null && test -S /run/pcscd/pcscd.comm &&
    ss -Hltn "sport = :$VPCD_PORT" | grep -q .
}

# Stop it (SIGTERM, then SIGKILL) and wait until it is gone.
pcscd_stop()
{
  [ -n "$PCSCD_PID" ] || return 0
  kill -TERM "$PCSCD_PID" 2>/dev/null
  upa_wait_for 10 eval '! kill -0 "$PCSCD_PID"' || kill -KILL "$PCSCD_PID" 2>/dev/null
  wait "$PCSCD_PID" 2>/dev/null
  PCSCD_PID=
}

CARD_PID=

# Put a card on the reader: card MODE [UID].
card_insert()
{
  CARD_REMOVALS=$(removals_seen)
  python3 "$BASE/card.py" "$VPCD_PORT" "$1" "${2:-00}" >>"$BASE/card.log" 2>&1 </dev/null &
  CARD_PID=$!
}

# Removals the kiosk has seen (its -v log).
removals_seen()
{
  grep -c 'card removed' "$BASE/kiosk.log" 2>/dev/null
}

# Take it off the reader; unless --no-wait, wait until the kiosk has seen
# it go: vpcd notices a removal only at its next poll of the card, and a
# card put on the reader before that is the same tap to pcscd.
card_remove()
{
  [ -n "$CARD_PID" ] || return 0
  kill -TERM "$CARD_PID" 2>/dev/null
  wait "$CARD_PID" 2>/dev/null
  CARD_PID=
  [ "${1:-}" = --no-wait ] || upa_wait_for 20 eval '[ "$(removals_seen)" -gt "$CARD_REMOVALS" ]' ||
    upa_log "the kiosk did not see the card go within 20 s"
}

# Number of GET DATA (UID) commands the fake cards answered or dropped.
get_data_count()
{
  grep -c '^apdu FFCA000000' "$BASE/card.log" 2>/dev/null
}

upa_at_exit 'card_remove --no-wait; pcscd_stop'


#
# The fake card...
#

cat >"$BASE/card.py" <<'EOF2'
# A contactless card behind vsmartcard's vpcd: connect = insert, exit = remove.
import socket, struct, sys, time

port, mode, uid = int(sys.argv[1]), sys.argv[2], bytes.fromhex(sys.argv[3])
# ATR of a contactless storage card as PC/SC part 3 builds it (T=0, T=1).
ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")

sock = None
for _ in range(100):
    try:
        sock = socket.create_connection(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.1)
if sock is None:
    sys.exit("card: cannot reach vpcd on port %d" % port)
print("inserted (%s)" % mode, flush=True)

def recv_exact(n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data

def send(payload):
    sock.sendall(struct.pack(">H", len(payload)) + payload)

while True:
    header = recv_exact(2)
    if header is None:
        break
    msg = recv_exact(struct.unpack(">H", header)[0])
    if msg is None:
        break
    if len(msg) == 1:
        # Control: 0 power off, 1 power on, 2 reset (no answer), 4 get ATR
        if msg[0] == 4:
            send(ATR)
        continue
    print("apdu " + msg.hex().upper(), flush=True)
    if msg[:4] == b"\xff\xca\x00\x00":
        if mode == "vanish":
            sock.close()
            sys.exit(0)
        send(uid + b"\x90\x00" if mode == "uid" else b"\x6a\x81")
    else:
        send(b"\x6d\x00")
print("removed by the reader", flush=True)
EOF2

VPCD_PORT=$(vpcd_port) || upa_fatal "no free port pair for vpcd"
mkdir -p "$BASE/reader.conf.d"
cat >"$BASE/reader.conf.d/vpcd" <<EOF2
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$VPCD_PORT
LIBPATH      $VPCD
CHANNELID    $VPCD_PORT
EOF2
upa_log "vpcd port $VPCD_PORT, private /run/pcscd: ${UPA_PCSC_NS:-no}"


#
# Queue, badges, PAM...
#

lpadmin -p Floor3 -v "capture:$BASE/out" -E || upa_fatal "lpadmin Floor3"
"$UPACTL" register Floor3 --admin-token "$UPA_SIM_ADMIN" >"$BASE/register.log" 2>&1 ||
  { cat "$BASE/register.log"; upa_fatal "upactl register Floor3"; }

# The normalisation doc/upa-release.1 documents for PC/SC readers: the UID
# text becomes the number a keyboard wedge types for the same card.
printf '%s,%s\n%s,%s\n' "$ALICE_UID" "$ALICE" "$BOB_UID" "$BOB" | badge_store_setup "InputFormat hex" "ReverseBytes yes" "ByteLength 4" "OutputFormat decimal"
check "badge.conf's rules turn the UID text into the wedge's number" \
  eval 'echo "$ALICE_UID" | "$UPACTL" badge -C "$BASE/badge.conf" test | grep -qx "normalised: $ALICE_NUMBER"'

pam_release_setup floor3 "$RELEASE"

# The kiosk's account: a throwaway system user, the only one the helper
# serves; the helper is root with pam_wrapper, the kiosk never is
KUSER=upap$$
useradd -r -M -U -d /nonexistent -s /usr/sbin/nologin "$KUSER" || upa_fatal "useradd $KUSER"
upa_at_exit 'userdel "$KUSER" 2>/dev/null; groupdel "$KUSER" 2>/dev/null'

env LD_PRELOAD="$PRELOAD" $WRAPENV PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$BASE/pam.d" UPA_CONFIG="$UPA_CONFIG" CUPS_SERVER="$CUPS_SERVER" \
  "$HELPER" --socket "$BASE/helper.sock" --allow-user "$KUSER" 2>>"$BASE/helper.log" &
helper_pid=$!
upa_at_exit 'kill $helper_pid 2>/dev/null'
upa_wait_for 20 test -S "$BASE/helper.sock" || { cat "$BASE/helper.log"; upa_fatal "upa-release-helper did not start"; }

KIOSK_BIN=$(upa_user_program "$RELEASE")
KIOSK_ENV="setpriv --reuid=$KUSER --regid=$KUSER --clear-groups env TERM=xterm"
tmux -S "$TMUX_SOCK" new-session -d -s "$SESSION" -x 120 -y 30 \
  "$KIOSK_ENV $KIOSK_BIN --kiosk -v --helper $BASE/helper.sock --card-pcsc=Virtual --printer Floor3 --idle-timeout 30 --print-wait 30 --message-time 120 2>>$BASE/kiosk.log; echo kiosk-exited-\$?; sleep 60" ||
  upa_fatal "tmux"
upa_at_exit 'tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; if [ "$upa_tests_failed" != 0 ]; then for f in kiosk.log helper.log card.log pcscd.log; do echo "# ---- $f ----"; tail -n 60 "$BASE/$f" | sed "s/^/# /"; done; fi'


#
# No pcscd yet, then pcscd starts...
#

check "the kiosk shows the idle screen" screen_has 'Tap your badge'
check "the kiosk runs as the unprivileged user, the helper as root" \
  eval '[ -n "$(pgrep -u "$KUSER" -x upa-release)" ] && [ "$(ps -o uid= -p $helper_pid | tr -d " ")" = 0 ]'
check "without pcscd the idle screen says the card reader is not available" \
  screen_has 'Card reader not available: the PC/SC service \(pcscd\) is not running'
pcscd_start
check "pcscd (private) starts with the vpcd reader" upa_wait_for 20 pcscd_ready
check "the kiosk finds the reader (back-off retries)" \
  upa_wait_for 20 grep -q 'Reading badges from PC/SC reader Virtual PCD 00 00' "$BASE/kiosk.log"
check "... and the idle screen no longer says it is unavailable" \
  eval 'upa_wait_for 5 eval "! screen | grep -q \"Card reader not available\""'


#
# Alice taps: her job is listed, released and printed...
#

a1=$(sim_submit "$ALICE" "hello.pdf" "$PDF1")
card_insert uid "$ALICE_UID"
check "a tap signs alice in and lists her job" screen_has 'alice@contoso.com - 1 job' 20
check "one GET DATA (UID) was sent" test "$(get_data_count)" = 1
keys Enter
check "the job is printed (done)" screen_has 'hello\.pdf +done' 40
check "the kiosk logs out" screen_has 'Tap your badge' 20
check "one CUPS job was created" test "$(queue_jobs Floor3)" = 1
check "the printed file is alice's document" printed "$PDF1"
check "alice's cloud job is completed" upa_wait_for 30 sim_job_is "$a1" state completed


#
# The card stays on the reader: one tap, not many...
#

a2=$(sim_submit "$ALICE" "bob.pdf" "$PDF2")
check "a card left on the reader does not sign alice in again" screen_never 'alice@contoso\.com' 6
check "... and is not read again" test "$(get_data_count)" = 1
card_remove
card_insert uid "$ALICE_UID"
check "removing and tapping again is a new tap" screen_has 'alice@contoso.com - 1 job' 20
check "... read once more" test "$(get_data_count)" = 2
keys Escape
check "alice logs out with Esc" screen_has 'Tap your badge' 10
card_remove
check "... and her second job is still held" sim_job_is "$a2" isFetchable true


#
# Unknown card, 6A81, removed mid-read...
#

card_insert uid "$UNKNOWN_UID"
check "an unknown card is refused" screen_has 'Badge not recognised' 60
keys Escape
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10
card_remove

card_insert 6a81
check "a card answering 6A81 could not be read" screen_has 'This card could not be read' 60
check "... the status word is logged" upa_wait_for 10 grep -q 'GET DATA status 6A81' "$BASE/kiosk.log"
keys Escape
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10
card_remove

before=$(get_data_count)
card_insert vanish "$BOB_UID"
check "a card removed in the middle of the read is reported" \
  screen_has 'removed too soon|could not be read' 60
check "... after one GET DATA" test "$(get_data_count)" = $((before + 1))
keys Escape
check "... and the kiosk goes back to waiting" screen_has 'Tap your badge' 10
card_remove


#
# pcscd stops and comes back...
#

old_pcscd=$PCSCD_PID
pcscd_stop
check "pcscd is killed" eval '! kill -0 "$old_pcscd"'
check "the idle screen says the card reader is not available" \
  screen_has 'Card reader not available: .*(pcscd|service)' 20
check "the kiosk keeps running" eval '! screen | grep -q kiosk-exited'
pcscd_start
check "pcscd starts again" upa_wait_for 20 pcscd_ready
check "the idle screen recovers" \
  eval 'upa_wait_for 20 eval "! screen | grep -q \"Card reader not available\""'
# The job first: a tap read before it reaches the cloud finds no jobs.
b1=$(sim_submit "$BOB" "bob.pdf" "$PDF2")
card_insert uid "$BOB_UID"
check "bob's tap after the restart signs him in" screen_has 'bob@contoso.com - 1 job' 20
keys Escape
check "bob logs out" screen_has 'Tap your badge' 10
card_remove


#
# A reader name that matches nothing...
#

tmux -S "$TMUX_SOCK" new-session -d -s other -x 120 -y 30 \
  "$KIOSK_ENV $KIOSK_BIN --kiosk --helper $BASE/helper.sock --card-pcsc=Omnikey --printer Floor3 2>>$BASE/other.log; echo kiosk-exited-\$?; sleep 60" ||
  upa_fatal "tmux"
check "--card-pcsc=Omnikey with only vpcd: 'no reader named' on the idle screen" \
  eval 'SESSION=other screen_has "Card reader not available: no reader named .Omnikey. is connected" 20'
tmux -S "$TMUX_SOCK" kill-session -t other


#
# Privacy...
#

check "the kiosk log names the reader" grep -q 'PC/SC reader Virtual PCD' "$BASE/kiosk.log"
check "the kiosk and helper logs never hold a card UID or badge number" \
  eval '! grep -qiE "$ALICE_UID|$BOB_UID|$UNKNOWN_UID|$ALICE_NUMBER|4E:61|4e 61" "$BASE/kiosk.log" "$BASE/other.log" "$BASE/helper.log"'
check "the kiosk is still running" eval '! screen | grep -q kiosk-exited'

finish
