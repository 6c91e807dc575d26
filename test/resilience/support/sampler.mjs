// Preloaded (`node --import <this>`) into each process of the soak: every second it writes one line
// to stderr with the process's RSS and its event-loop delay over that second. The soak reads them.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const timer = setInterval(() => {
  const line = {
    soakSample: {
      rssMb: Math.round((process.memoryUsage.rss() / 1048576) * 10) / 10,
      delayP99Ms: Math.round((histogram.percentile(99) / 1e6) * 10) / 10,
      delayMaxMs: Math.round((histogram.max / 1e6) * 10) / 10,
    },
  };
  histogram.reset();
  process.stderr.write(`${JSON.stringify(line)}\n`);
}, 1000);
timer.unref();
