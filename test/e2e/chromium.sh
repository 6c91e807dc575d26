#!/bin/sh
# The browser for the browser tests: Debian's Chromium, never one downloaded by a tool.
#
# Its headless shell (package chromium-headless-shell) when installed, else the full browser: the same
# Blink and V8 without the full browser's own processes, at half the CPU (measured on this project's
# browser tests: 12 CPU-s against 24 for chat.test.ts), and on 2 cores that CPU is the gate's time.
#
# At a lower CPU priority than the servers under test. Run as root (as CI does), Chromium raises its own
# browser and GPU processes to nice -8, ahead of the emulator, the review function and the table, whose
# answers have deadlines (IVS gives a review 200 ms); the page's own waits are counted in seconds. So it
# starts at nice 5, without the capability (CAP_SYS_NICE) that lets it raise itself again, where setpriv
# (util-linux) is there to drop it.
browser=/usr/bin/chromium
if [ -x /usr/lib/chromium/chromium-headless-shell ]; then
  browser=/usr/lib/chromium/chromium-headless-shell
fi
if command -v setpriv >/dev/null 2>&1; then
  exec nice -n 5 setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice "$browser" "$@"
fi
exec nice -n 5 "$browser" "$@"
