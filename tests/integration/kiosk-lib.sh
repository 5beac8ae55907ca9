#!/bin/bash
#
# kiosk-lib.sh - drive an upa-release kiosk running in tmux (source it after lib.sh).
#
# The kiosk runs in tmux session $SESSION on socket $TMUX_SOCK; tests read
# its screen with capture-pane and type with send-keys.  Used by kiosk.sh
# and pcsc.sh; its PAM, badge store and release helper set-ups also by
# kiosk-helper.sh and bench-helper.sh.
#
# Copyright © 2026 by the cups-upa authors.
# Licensed under Apache License v2.0.  See the file "LICENSE" for more information.
#

TMUX_SOCK="$BASE/tmux.sock"
SESSION=kiosk

# screen [PANE]: print the kiosk screen.
screen()
{
  tmux -S "$TMUX_SOCK" capture-pane -p -t "${1:-$SESSION}"
}

# screen_has REGEX [SECONDS]: wait until the screen shows an extended regex.
screen_has()
{
  local deadline=$((SECONDS + ${2:-20}))

  while ! screen | grep -qE "$1"; do
    if ((SECONDS >= deadline)); then
      echo "screen does not show /$1/:"
      screen
      return 1
    fi
    sleep 0.2
  done
}

# screen_never REGEX SECONDS: the screen does not show a regex for that long.
screen_never()
{
  local deadline=$((SECONDS + $2))

  while ((SECONDS < deadline)); do
    if screen | grep -qE "$1"; then
      echo "screen shows /$1/:"
      screen
      return 1
    fi
    sleep 0.2
  done
}

# keys KEY...: type into the kiosk (tmux key names: Enter, Space, Down, Tab, Escape).
keys()
{
  tmux -S "$TMUX_SOCK" send-keys -t "$SESSION" "$@"
}

# queue_jobs QUEUE: number of CUPS jobs of a queue, any state.
queue_jobs()
{
  lpstat -W all -o "$1" 2>/dev/null | wc -l
}


# pam_release_setup STATION PROGRAM: the "upa-release" PAM service (pam_upa
# $PAMMOD with $BASE/badge.conf at STATION) in $BASE/pam.d, and PRELOAD and
# WRAPENV for running PROGRAM under pam_wrapper ($PAMWRAP).  A sanitizer
# build must find ASan's runtime first in the library list, and pam_wrapper
# must not use RTLD_DEEPBIND under sanitizers (pam_wrapper(1)).
pam_release_setup()
{
  local station=$1
  local program=$2

  mkdir -p "$BASE/pam.d"
  cat >"$BASE/pam.d/upa-release" <<EOF
auth     required $PAMMOD config=$BASE/badge.conf station=$station
account  required $PAMMOD config=$BASE/badge.conf station=$station
EOF
  PRELOAD=$PAMWRAP
  WRAPENV=
  if grep -qa __asan_init "$program"; then
    PRELOAD="$(${CC:-cc} -print-file-name=libasan.so) $PAMWRAP"
    WRAPENV=PAM_WRAPPER_DISABLE_DEEPBIND=1
  fi
}


# badge_store_setup [SETTING...]: pam_upa's local badge store in $BASE
# (badge.conf: Pin optional, no debounce, then each SETTING line),
# initialised, with the "number,UPN[,PIN]" lines on stdin imported.
badge_store_setup()
{
  local setting

  {
    printf 'Sources local\nStore %s/badges\nKeyFile %s/badge.key\nStateDir %s/badge-state\nPin optional\nDebounceTime 0\n' "$BASE" "$BASE" "$BASE"
    for setting in "$@"; do
      echo "$setting"
    done
  } >"$BASE/badge.conf"
  "$UPACTL" badge -C "$BASE/badge.conf" init >"$BASE/badge.log" 2>&1 || { cat "$BASE/badge.log"; upa_fatal "upactl badge init"; }
  "$UPACTL" badge -C "$BASE/badge.conf" import - >>"$BASE/badge.log" 2>&1 || { cat "$BASE/badge.log"; upa_fatal "upactl badge import"; }
}


# release_helper_start RATE: start $HELPER (as root, under pam_wrapper: see
# pam_release_setup) on $SOCK ($BASE/helper.sock) for the kiosk user $KUSER
# with --station-rate RATE, logging to $BASE/helper.log; its PID in
# helper_pid.  The caller waits for it.
release_helper_start()
{
  SOCK="$BASE/helper.sock"
  env LD_PRELOAD="$PRELOAD" $WRAPENV PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$BASE/pam.d" UPA_CONFIG="$UPA_CONFIG" CUPS_SERVER="$CUPS_SERVER" \
    "$HELPER" --socket "$SOCK" --allow-user "$KUSER" --station-rate "$1" 2>>"$BASE/helper.log" &
  helper_pid=$!
}
