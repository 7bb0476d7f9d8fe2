#!/usr/bin/env node
// `npx oneentry-mock <command>`: runs the native binary with the same arguments, standard
// streams and exit code; Ctrl-C and SIGTERM reach it, so serve shuts down gracefully.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
// A stop signal sent to this process is passed on once: a terminal's Ctrl-C reaches the binary
// too (it signals the whole process group), and some process managers signal both again, so
// the same signal within repeatedStopMs is a copy of one stop. Later, it is passed on again: a
// second Ctrl-C makes the binary end at once. On Windows nothing is passed on: child.kill()
// there terminates the binary outright, a console Ctrl-C reaches it directly, and SIGHUP
// cannot be sent at all. The handlers still keep Node's default, ending this process at once,
// from leaving the binary to stop on its own while the shell prompt is back.
const repeatedStopMs = 1000; // as the binary's own window for copies of one stop
const passedOn = new Map();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const now = performance.now();
    if (process.platform === 'win32' || now - (passedOn.get(signal) ?? -Infinity) < repeatedStopMs) return;
    passedOn.set(signal, now);
    child.kill(signal);
  });
}
// npx runs this file through `sh -c`, which passes no signal on: when npx is stopped, its
// shell exits and this process is left to itself. Stop the server then, as npx would have.
// npx killed outright (SIGKILL) leaves its shell waiting for this process instead: where
// /proc tells, the shell's own parent is watched too, when it is npm's (node) and the
// parent a shell.
const parent = process.ppid;
const npm = isShell(parent) && /^(node|npm|npx)/.test(command(parentOf(parent))) ? parentOf(parent) : undefined;
const watch = setInterval(() => {
  const orphaned = !alive(parent) || (npm !== undefined && parentOf(parent) !== npm);
  if (orphaned) {
    clearInterval(watch);
    child.kill('SIGTERM');
  }
}, 500);
watch.unref();

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code !== 'ESRCH';
  }
}

// parentOf reads a process's parent from /proc; undefined where there is none.
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid …": the command may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function command(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function isShell(pid) {
  return ['sh', 'dash', 'bash', 'zsh'].includes(command(pid));
}
child.on('error', (err) => {
  console.error(`oneentry-mock: cannot run ${bin}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  clearInterval(watch);
  process.exitCode = code ?? (signal ? 1 : 0);
});
