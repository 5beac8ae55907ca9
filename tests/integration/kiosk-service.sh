#!/bin/bash
#
# kiosk-service.sh - the release station as the packages ship it, under a
# booted systemd: upa-release-helper.socket and upa-kiosk@.service started
# by systemctl, a badge tap at the station's terminal, the job printed.
#
#   sudo tests/integration/kiosk-service.sh [DESTDIR]
#
# Boots this machine's own root file system in a container
# ("systemd-nspawn -b --volatile=overlay": the root read-only under a
# throwaway tmpfs layer, its own PID 1, private loopback network), so
# nothing it does reaches the machine itself.  Inside, with the stock cupsd
# of the machine's "cups" package (cups.service):
#   1. doc/install.md's lab (the "run: lab" blocks: emulator, configuration,
#      queue Floor3 on a local socket printer, register, badge 0042 for
#      alice, one job released with upa-release --all);
#   2. doc/install.md §5's station block ("run: kiosk") as written, with the
#      station's terminal tty2 replaced by a pseudo-terminal (a container
#      has no virtual consoles) held open by tmux, whose screen is read;
#   3. a tap of badge 0042 and P at that screen: alice's second job is
#      printed and completed in the cloud;
#   4. the kiosk's processes run as upa-kiosk, its log is in the journal, and
#      a killed kiosk is restarted by systemd.
#
# The cups-upa packages must be installed (tests/integration/packages.sh
# runs this between install and purge).  With DESTDIR, a "make install
# DESTDIR=..." tree of a --prefix=/usr build is copied into the container
# first and the packages' postinst scripts are run there (to try this test
# without installing anything on the machine).
#
# Skips (77) when not root, without systemd-nspawn, systemd or tmux, or in a
# chroot (where / is no mount point and cannot be a container's root).
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/integration/lib.sh"

dest=${1:-}

upa_need_root
for tool in systemd-nspawn nsenter tmux; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is needed"; exit 77; }
done
[ -x /lib/systemd/systemd ] || { echo "SKIP: systemd is not installed"; exit 77; }
# In a chroot, / is no mount point and systemd-nspawn cannot make it its
# container's root ("Failed to mount ... on /").
mountpoint -q / || { echo "SKIP: / is not a mount point (a chroot?): no container can boot from it"; exit 77; }
if [ -z "$dest" ] && [ ! -f /lib/systemd/system/upa-kiosk@.service ]; then
  echo "SKIP: the upa-release package is not installed (or give a DESTDIR)"
  exit 77
fi

upa_tmpdir


#
# The container: this machine's root, read-only, under a tmpfs layer...
#

mkdir "$BASE/root"
mount --bind / "$BASE/root" || upa_fatal "mount --bind / $BASE/root"
upa_at_exit 'umount "$BASE/root"'
systemd-nspawn -D "$BASE/root" --volatile=overlay -b --register=no --keep-unit \
  --private-network --console=pipe -M "upa-kiosk-$$" </dev/null >"$BASE/nspawn.log" 2>&1 &
nspawn=$!
upa_at_exit 'kill "$nspawn" 2>/dev/null; upa_wait_for 30 upa_pid_gone "$nspawn"'

ct_init()
{
  local p

  # The container's init is pid 1 in its own namespace.  nspawn's first
  # child, which forks it and exits, is not: taking that one made every
  # later nsenter fail ("the container's systemd did not finish booting").
  for p in $(pgrep -P "$nspawn"); do
    if awk '/^NSpid:/ {exit !(NF > 2 && $NF == 1)}' "/proc/$p/status" 2>/dev/null; then
      init=$p
      return 0
    fi
  done
  return 1
}

# 'ct()' - Run a shell command as root in the container (clean environment).
ct()
{
  nsenter -t "$init" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    bash -c "$1"
}

booted()
{
  case "$(ct 'systemctl is-system-running' 2>/dev/null)" in
    running|degraded) return 0 ;;
  esac
  return 1
}

upa_wait_for 60 ct_init || { cat "$BASE/nspawn.log"; upa_fatal "systemd-nspawn did not start"; }
# A loaded machine can take minutes (the host's own services boot in the
# overlay too); a boot that does not end says which jobs it waits for.
upa_wait_for 300 booted || {
  cat "$BASE/nspawn.log"
  ct 'systemctl is-system-running; systemctl list-jobs --no-pager; systemctl --failed --no-pager' 2>&1 | sed 's/^/# container: /'
  upa_fatal "the container's systemd did not finish booting"
}
upa_log "container booted: PID 1 is host pid $init ($(ct 'systemctl is-system-running'))"
CT=/proc/$init/root
mkdir -p "$CT/run/upa-test"

if [ -n "$dest" ]; then
  cp -a "$dest/." "$CT/" || upa_fatal "copying $dest into the container"
  # What debian/ adds to "make install": the kiosk's PAM service, the badge sample.
  install -D -m 0644 "$top_srcdir/pam_module/upa-release.pam" "$CT/etc/pam.d/upa-release"
  install -D -m 0644 "$top_srcdir/pam_module/badge.conf.sample" \
    "$CT/usr/share/doc/libpam-upa/examples/badge.conf.sample"
  for pkg in cups-upa libpam-upa upa-release; do
    cp "$top_srcdir/debian/$pkg.postinst" "$CT/run/upa-test/"
    ct "sh /run/upa-test/$pkg.postinst configure" || upa_fatal "$pkg.postinst configure"
  done
  ct 'systemctl daemon-reload'
fi

cups_up()
{
  ct 'systemctl is-active cups.service && lpstat -r'
}
upa_wait_for 60 cups_up || upa_fatal "cups.service does not run in the container"


#
# install.md's blocks, as packages.sh extracts them...
#

. "$top_srcdir/tests/integration/install-doc.sh"

# The printer of install.md (10.0.0.5:9100): a socket listener in the
# container that keeps what it receives.
cat >"$CT/run/upa-test/sink.py" <<'EOF'
import socket
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 9100))
srv.listen(4)
n = 0
while True:
    conn, _ = srv.accept()
    n += 1
    with open("/run/upa-test/printed.%d" % n, "wb") as f:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            f.write(data)
    conn.close()
    open("/run/upa-test/printed.done.%d" % n, "w").close()
EOF
ct 'setsid python3 /run/upa-test/sink.py </dev/null >/dev/null 2>&1 &'

doc_script lab | sed 's/10\.0\.0\.5:9100/127.0.0.1:9100/g' >"$CT/run/upa-test/lab.sh"
ct 'cd /run/upa-test && bash -x lab.sh' >"$BASE/lab.log" 2>&1
lab_rc=$?
check "install.md's lab commands succeed under the container's stock cupsd" test "$lab_rc" = 0 ||
  sed 's/^/#   lab: /' "$BASE/lab.log"
printed_n() { [ -e "$CT/run/upa-test/printed.done.$1" ]; }
check "the lab's job was printed" upa_wait_for 60 printed_n 1


#
# The station on a terminal: a pseudo-terminal held open by tmux (the
# hang-up at the kiosk's start must not end its holder)...
#

tsock=/run/upa-test/tmux.sock
ct "tmux -S $tsock new-session -d -s station -x 80 -y 24 \"trap '' HUP; exec sleep infinity\" && tmux -S $tsock set -g remain-on-exit on" ||
  upa_fatal "tmux in the container"
tty=$(ct "tmux -S $tsock display -p -t station '#{pane_tty}'")
station=${tty#/dev/}
station=${station//\//-}
unit="upa-kiosk@$station.service"
upa_log "the station's terminal: $tty ($unit)"

screen()
{
  ct "tmux -S $tsock capture-pane -p -t station"
}

screen_shows()
{
  screen | grep -qE "$1"
}

# alice's second job, submitted as install.md's lab submits the first.
job=$(ct "curl -sf --cacert /etc/cups-upa/cloudsim-ca.pem -H 'Authorization: Bearer cloudsim-admin' \
     --data-binary @/usr/share/cups/data/default-testpage.pdf \
     'https://127.0.0.1:8443/sim/jobs?user=alice@example.com&name=Kiosk&format=application/pdf'" | jq -r .id)
check "a second job for alice waits in the cloud" test -n "$job" -a "$job" != null

doc_script kiosk | sed "s/tty2/$station/g" >"$CT/run/upa-test/kiosk.sh"
ct 'cd /run/upa-test && bash -x kiosk.sh' >"$BASE/kiosk-doc.log" 2>&1
doc_rc=$?
check "install.md §5's station commands succeed" test "$doc_rc" = 0 ||
  sed 's/^/#   kiosk: /' "$BASE/kiosk-doc.log"
check "upa-release-helper.socket is listening" ct 'systemctl is-active upa-release-helper.socket'
check "$unit is running" ct "systemctl is-active $unit"

show_failure()
{
  screen | sed 's/^/#   | /'
  ct "journalctl --no-pager -n 30 -u $unit -u upa-release-helper.service" | sed 's/^/#   journal: /'
}

check "the station shows its badge prompt" upa_wait_for 60 screen_shows 'Tap your badge' || show_failure
kpid=$(ct "systemctl show -p MainPID --value $unit")
check "the kiosk UI runs as upa-kiosk" test "$(ct "ps -o user= -p $kpid")" = upa-kiosk
ct "tmux -S $tsock send-keys -t station -l 0042 && tmux -S $tsock send-keys -t station Enter"
check "badge 0042 signs alice in; the station lists her job" \
  upa_wait_for 60 screen_shows 'alice@example.com - 1 job' || show_failure
ct "tmux -S $tsock send-keys -t station p"
check "P prints it" upa_wait_for 120 screen_shows 'done' || show_failure
check "the printer received it" upa_wait_for 60 printed_n 2
cloud_completed()
{
  [ "$(ct "curl -sf --cacert /etc/cups-upa/cloudsim-ca.pem -H 'Authorization: Bearer cloudsim-admin' \
         https://127.0.0.1:8443/sim/jobs/$job" | jq -r .state)" = completed ]
}
check "the cloud shows it completed" upa_wait_for 60 cloud_completed
journal_has_kiosk()
{
  ct "journalctl --no-pager -o cat -u $unit _COMM=upa-release" | grep -q .
}
check "the kiosk's log is in the journal" journal_has_kiosk

# Restart on failure: kill the UI; systemd starts a new one on the terminal.
ct "kill -KILL $kpid"
restarted()
{
  local now

  now=$(ct "systemctl show -p MainPID --value $unit")
  [ -n "$now" ] && [ "$now" != 0 ] && [ "$now" != "$kpid" ] && screen_shows 'Tap your badge'
}
check "systemd restarts a killed kiosk, back at the badge prompt" upa_wait_for 60 restarted || show_failure

finish
