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
const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  console.error(`oneentry-mock: cannot run ${bin}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
