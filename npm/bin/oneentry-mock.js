#!/usr/bin/env node
// `npx oneentry-mock <command>`: runs the native binary with the same arguments, standard
// streams and exit code; Ctrl-C and SIGTERM reach it, so serve shuts down gracefully.
import { spawn } from 'node:child_process';
import { binaryPath } from '../binary.js';

let bin;
try {
  bin = binaryPath();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
// serve ends with this process even when a signal kills it first (--exit-with-parent).
const child = spawn(bin, process.argv.slice(2), {
  stdio: 'inherit',
  windowsHide: true,
  env: { ONEENTRY_MOCK_EXIT_WITH_PARENT: 'true', ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
// npx runs this file through `sh -c`, which passes no signal on: when npx is stopped, its
// shell exits and this process is left to itself. Stop the server then, as npx would have.
const parent = process.ppid;
const watch = setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch (err) {
    if (err.code === 'ESRCH') {
      clearInterval(watch);
      child.kill('SIGTERM');
    }
  }
}, 500);
watch.unref();
child.on('error', (err) => {
  console.error(`oneentry-mock: cannot run ${bin}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exitCode = code ?? (signal ? 1 : 0);
});
