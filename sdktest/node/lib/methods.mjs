// Which methods of each SDK the suite runs. Every instance the tests make (through lib/sdk.mjs)
// notes the methods called on it in the file named by ONEENTRY_SDK_CALLS, one
// "<package> <Module.method>" line per call; after the suite, `node lib/methods.mjs FILE` compares
// those with every method each SDK's modules declare, so a method a new SDK version adds fails the
// suite until a test calls it or NOT_SERVED names it.
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { defineOneEntry as define115 } from 'oneentry-1.0.115';
import { defineOneEntry as defineNewest } from 'oneentry-latest';

/**
 * The SDKs whose every method some test must call, by the name package.json installs them under:
 * the name the summary gives each and its defineOneEntry.
 */
export const SDKS = {
  'oneentry-latest': { label: "the newest SDK's", define: defineNewest },
  'oneentry-1.0.115': { label: "SDK 1.0.115's", define: define115 },
};

/** Per SDK package, the methods the mock does not serve, with where the documentation says so. */
export const NOT_SERVED = {
  'oneentry-latest': {},
  'oneentry-1.0.115': {},
};

/**
 * The methods of each module of an SDK instance: those its own class declares, leaving out the
 * token and request helpers every module inherits.
 *
 * @returns {string[]} "Module.method" names, sorted
 */
export function sdkMethods(sdk) {
  const names = [];
  for (const [module, api] of Object.entries(sdk)) {
    if (api === null || typeof api !== 'object') continue;
    const own = Object.getPrototypeOf(api);
    for (const name of Object.getOwnPropertyNames(own)) {
      if (name !== 'constructor' && typeof own[name] === 'function') names.push(`${module}.${name}`);
    }
  }
  return names.sort();
}

/**
 * Wraps each module of sdk in a proxy that calls onCall("Module.method") for each call of one of
 * its declared methods, before the call. Methods run with the module itself as `this`, so the
 * SDK's calls between its own methods are not counted as the caller's.
 *
 * @param {object} sdk what a defineOneEntry returned
 * @param {(name: string) => void} onCall
 */
export function trackCalls(sdk, onCall) {
  const declared = new Set(sdkMethods(sdk));
  const wrapped = {};
  for (const [module, api] of Object.entries(sdk)) {
    if (api === null || typeof api !== 'object') {
      wrapped[module] = api;
      continue;
    }
    wrapped[module] = new Proxy(api, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        const name = `${module}.${String(prop)}`;
        if (typeof value !== 'function' || !declared.has(name)) return value;
        return (...args) => {
          onCall(name);
          return value.apply(target, args);
        };
      },
    });
  }
  return wrapped;
}

/**
 * trackCalls appending "<pkg> Module.method" to $ONEENTRY_SDK_CALLS for each call; without the
 * variable, sdk is returned as it is.
 *
 * @param {object} sdk what defineOneEntry of package pkg returned
 * @param {string} pkg a key of SDKS
 */
export function recordCalls(sdk, pkg) {
  // A misspelt package would note calls that no check ever reads.
  if (!(pkg in SDKS)) throw new Error(`recordCalls: ${JSON.stringify(pkg)} is not one of the SDK packages ${Object.keys(SDKS).join(', ')}`);
  const file = process.env.ONEENTRY_SDK_CALLS;
  if (!file) return sdk;
  return trackCalls(sdk, (name) => appendFileSync(file, `${pkg} ${name}\n`));
}

// readCalls gives, per SDK package, the methods called according to file.
function readCalls(file) {
  const called = new Map(Object.keys(SDKS).map((pkg) => [pkg, new Set()]));
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line === '') return;
    const [pkg, name, ...rest] = line.split(' ');
    if (!called.has(pkg) || !name || rest.length) {
      throw new Error(`${file}:${i + 1}: ${JSON.stringify(line)} is not "<package> <Module.method>" with a package of ${Object.keys(SDKS).join(', ')}`);
    }
    called.get(pkg).add(name);
  });
  return called;
}

/**
 * Compares the calls noted in file with each SDK's methods.
 *
 * @param {string} file
 * @param {Record<string, Record<string, string>>} [notServed] NOT_SERVED, or another map of its form
 * @returns {Record<string, {label: string, declared: number, called: number, notServed: string[], missing: string[], stale: string[]}>}
 *   by package, in the order of SDKS; missing: declared, never called and not in notServed; stale:
 *   notServed entries the SDK does not declare or a test calls
 */
export function coverage(file, notServed = NOT_SERVED) {
  const calls = readCalls(file);
  const out = {};
  for (const [pkg, { label, define }] of Object.entries(SDKS)) {
    const declared = sdkMethods(define('http://127.0.0.1:1', { token: 'unused' }));
    const called = calls.get(pkg);
    const excused = notServed[pkg] ?? {};
    out[pkg] = {
      label,
      declared: declared.length,
      called: declared.filter((m) => called.has(m)).length,
      notServed: Object.keys(excused),
      missing: declared.filter((m) => !called.has(m) && !(m in excused)),
      stale: Object.keys(excused).filter((m) => !declared.includes(m) || called.has(m)),
    };
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node lib/methods.mjs CALLS_FILE');
    process.exit(2);
  }
  const bySdk = Object.entries(coverage(file));
  console.log(bySdk.map(([, c]) => `${c.called} of ${c.label} ${c.declared} methods called, not served: ${c.notServed.join(', ') || 'none'}`).join('; '));
  let failed = false;
  for (const [pkg, { missing, stale }] of bySdk) {
    for (const m of missing) console.log(`never called on ${pkg}: ${m} (call it in a test, or add it to NOT_SERVED['${pkg}'] in lib/methods.mjs with the reason)`);
    for (const m of stale) console.log(`NOT_SERVED['${pkg}'] lists ${m}, which that SDK does not declare or a test now calls`);
    failed ||= missing.length > 0 || stale.length > 0;
  }
  process.exit(failed ? 1 : 0);
}
