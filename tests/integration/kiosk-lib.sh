#!/bin/bash
#
# kiosk-lib.sh - drive an upa-release kiosk running in tmux (source it after lib.sh).
#
# The kiosk runs in tmux session $SESSION on socket $TMUX_SOCK; tests read
# its screen with capture-pane and type with send-keys.  Used by kiosk.sh
# and pcsc.sh.
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
