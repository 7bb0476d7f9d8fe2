// Which methods of the newest SDK the suite runs. Every instance of it the tests make (through
// lib/sdk.mjs) notes the methods called on it in the file named by ONEENTRY_SDK_CALLS; after the
// suite, `node lib/methods.mjs FILE` compares those with every method the SDK's modules declare,
// so a method a new SDK version adds fails the suite until a test calls it or NOT_SERVED names it.
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { defineOneEntry } from 'oneentry-latest';

/** SDK methods the mock does not serve, with where the documentation says so. */
export const NOT_SERVED = {
  'WS.connect': 'socket.io events (/api/content/ws) are not served: docs/api/pages.md',
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
 * Wraps each module of sdk in a proxy that appends "Module.method" to $ONEENTRY_SDK_CALLS for
 * each call of one of its declared methods; without the variable, sdk is returned as it is.
 * Methods run with the module itself as `this`, so the SDK's calls between its own methods are
 * not counted as the test's.
 */
export function recordCalls(sdk) {
  const file = process.env.ONEENTRY_SDK_CALLS;
  if (!file) return sdk;
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
          appendFileSync(file, `${name}\n`);
          return value.apply(target, args);
        };
      },
    });
  }
  return wrapped;
}

/**
 * Compares the calls noted in file with the SDK's methods.
 *
 * @returns {{declared: number, called: number, missing: string[], stale: string[]}} missing: declared,
 *   never called and not in NOT_SERVED; stale: NOT_SERVED entries the SDK no longer declares or a
 *   test now calls
 */
export function coverage(file) {
  const declared = sdkMethods(defineOneEntry('http://127.0.0.1:1', { token: 'unused' }));
  const called = new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
  const missing = declared.filter((m) => !called.has(m) && !(m in NOT_SERVED));
  const stale = Object.keys(NOT_SERVED).filter((m) => !declared.includes(m) || called.has(m));
  return { declared: declared.length, called: declared.filter((m) => called.has(m)).length, missing, stale };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node lib/methods.mjs CALLS_FILE');
    process.exit(2);
  }
  const { declared, called, missing, stale } = coverage(file);
  console.log(`${called} of the newest SDK's ${declared} methods called; not served: ${Object.keys(NOT_SERVED).join(', ')}`);
  for (const m of missing) console.log(`never called: ${m} (call it in a test, or add it to NOT_SERVED in lib/methods.mjs with the reason)`);
  for (const m of stale) console.log(`NOT_SERVED lists ${m}, which the SDK no longer declares or a test now calls`);
  process.exit(missing.length || stale.length ? 1 : 0);
}
