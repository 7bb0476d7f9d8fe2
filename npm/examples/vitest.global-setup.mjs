// Vitest: one mock server for the whole run.
//
// vitest.config.mjs:
//   export default { test: { globalSetup: ['./vitest.global-setup.mjs'] } };
// in a test:
//   import { inject } from 'vitest';
//   const { url, appToken } = inject('oneentry');
//   const api = defineOneEntry(url, { token: appToken });
import { startMock } from 'oneentry-mock';

export default async function setup(ctx) {
  const mock = await startMock();
  // Vitest 2 passes a context and Vitest 3 the project; both have provide().
  ctx.provide('oneentry', { url: mock.url, appToken: mock.appToken, users: mock.users });
  return () => mock.stop();
}
