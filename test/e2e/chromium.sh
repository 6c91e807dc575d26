#!/bin/sh
# Debian's Chromium for the browser tests, at a lower CPU priority than the servers under test. Run as
# root (as CI does), Chromium raises its own browser and GPU processes to nice -8, ahead of the
# emulator, the review function and the table, whose answers have deadlines (IVS gives a review
# 200 ms); the page's own waits are counted in seconds. So it starts at nice 5, without the capability
# (CAP_SYS_NICE) that lets it raise itself again, where setpriv (util-linux) is there to drop it.
if command -v setpriv >/dev/null 2>&1; then
  exec nice -n 5 setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice /usr/bin/chromium "$@"
fi
exec nice -n 5 /usr/bin/chromium "$@"
