// Playwright: the mock as the front end's API while the end-to-end tests run. Point the app
// under test at http://127.0.0.1:8080 (app token "your-app-token" with the default fixtures).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  webServer: [
    {
      command: 'npx oneentry-mock serve --addr 127.0.0.1:8080',
      url: 'http://127.0.0.1:8080/healthz',
      reuseExistingServer: !process.env.CI,
      stdout: 'pipe',
    },
    // { command: 'npm run dev', url: 'http://localhost:3000' }, // your front end
  ],
  use: { baseURL: 'http://localhost:3000' },
});
