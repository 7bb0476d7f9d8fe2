// Finds the native oneentry-mock binary for this machine. The package carries one binary per
// platform (binaries/<os>-<arch>/), built by npm/pack.sh; ONEENTRY_MOCK_BINARY overrides it
// (a binary built with `go build ./cmd/oneentry-mock`, say).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The platform names the package uses, by Node's process.platform and process.arch. */
const oses = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
const arches = { x64: 'x64', arm64: 'arm64' };

export function platformKey(platform = process.platform, arch = process.arch) {
  const os = oses[platform];
  const cpu = arches[arch];
  return os && cpu ? `${os}-${cpu}` : undefined;
}

export function binaryPath(env = process.env) {
  if (env.ONEENTRY_MOCK_BINARY) {
    return env.ONEENTRY_MOCK_BINARY;
  }
  const key = platformKey();
  if (!key) {
    throw new Error(`oneentry-mock has no binary for ${process.platform}-${process.arch} ` +
      '(it ships linux, darwin and windows on x64 and arm64); build one with ' +
      '`go build ./cmd/oneentry-mock` and set ONEENTRY_MOCK_BINARY to it');
  }
  const file = join(here, 'binaries', key, process.platform === 'win32' ? 'oneentry-mock.exe' : 'oneentry-mock');
  if (!existsSync(file)) {
    throw new Error(`oneentry-mock: ${file} is missing from the package; reinstall it, or set ONEENTRY_MOCK_BINARY`);
  }
  return file;
}
