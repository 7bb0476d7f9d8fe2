import type { ChildProcess } from 'node:child_process';

/** Options of startMock. */
export interface StartMockOptions {
  /** A folder of fixture files replacing the default project (serve --fixtures). */
  fixtures?: string;
  /** The compat profile: 'live' (the default, today's API), 'sdk-1.0.115', ... (serve --compat). */
  compat?: string;
  /** Keep the state in this folder across restarts (serve --data-dir); memory when unset. */
  dataDir?: string;
  /** More serve flags, e.g. ['--admin-token', 's3cret', '--log-level', 'warn']. */
  args?: string[];
  /** Environment variables for the server, on top of this process's. */
  env?: Record<string, string>;
  /** The binary to run; the package's own for this platform by default (or ONEENTRY_MOCK_BINARY). */
  binary?: string;
  /** How long to wait for the server to listen; 30000 by default. */
  timeoutMs?: number;
  /** Receives the server's log output (stderr) as it comes. */
  onLog?: (chunk: string) => void;
}

/** A user of the fixtures, as the admin API's sandboxes list them. */
export interface MockUser {
  identifier: string;
  password: string;
  authProviderIdentifier: string;
}

/** A running server. */
export interface RunningMock {
  /** The base URL to give the SDK: defineOneEntry(url, { token: appToken }). */
  url: string;
  /** The app token of the default sandbox (x-app-token). */
  appToken: string;
  /** The users of the fixtures, with their passwords. */
  users: MockUser[];
  /** The dashboard: url + '/__admin/ui/'. */
  dashboardUrl: string;
  /** The compat profile the server runs. */
  compat: string;
  /** The server process. */
  process: ChildProcess;
  /** Stops the server, gracefully but on Windows (there it is ended at once), and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts `oneentry-mock serve` on 127.0.0.1 and a free port; resolves once it listens. */
export function startMock(options?: StartMockOptions): Promise<RunningMock>;

/** The path of the native binary this package runs on this machine. */
export function binaryPath(env?: Record<string, string | undefined>): string;
