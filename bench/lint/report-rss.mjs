// Loaded with `node --import` into the measured `lowtide lint` process: at exit it writes the
// process's peak resident set (KiB, from the kernel's accounting via process.resourceUsage) to
// the file named by LOWTIDE_BENCH_RSS_FILE, so the bench measures the whole command as a user runs it.
import { writeFileSync } from 'node:fs';

const file = process.env.LOWTIDE_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
