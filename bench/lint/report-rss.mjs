// Loaded with `node --import` into the measured `lowtide lint` process: at exit it writes the
// process's peak resident set (KiB) and its CPU time (user + system, microseconds, every thread),
// both from the kernel's accounting via process.resourceUsage, as JSON to the file named by
// LOWTIDE_BENCH_RSS_FILE, so the bench measures the whole command as a user runs it. CPU time moves
// less than wall time on a busy machine.
import { writeFileSync } from 'node:fs';

const file = process.env.LOWTIDE_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }),
    );
  });
}
