import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/index.js';

function expectConfigError(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives each role its defaults', () => {
    expect(loadConfig({ role: 'embedded', env: {} }).bus.kind).toBe('memory');
    expect(loadConfig({ role: 'api', env: {} }).bus.kind).toBe('redis');
    expect(loadConfig({ role: 'worker', env: {} }).server.port).toBe(3001);
  });

  it('lets environment variables override single fields', () => {
    const config = loadConfig({
      role: 'embedded',
      env: { PORT: '8080', REDIS_URL: 'redis://example:6380', MAX_DELIVERIES: '4', DIAGNOSTICS: 'true' },
    });
    expect(config.server.port).toBe(8080);
    expect(config.bus.kind).toBe('redis');
    expect(config.bus.redisUrl).toBe('redis://example:6380');
    expect(config.bus.timings.maxDeliveries).toBe(4);
    expect(config.services.diagnostics).toBe(true);
  });

  it('names the key and the variable of a bad value', () => {
    expectConfigError(
      () => loadConfig({ role: 'api', env: { PORT: 'abc' } }),
      /server\.port \(from env PORT="abc"\) must be an integer/,
    );
    expectConfigError(
      () => loadConfig({ role: 'api', env: { PORT: '70000' } }),
      /server\.port \(from env PORT\): must be <= 65535/,
    );
    expectConfigError(
      () => loadConfig({ role: 'api', env: { LOG_LEVEL: 'loud' } }),
      /log\.level \(from env LOG_LEVEL\)/,
    );
    expectConfigError(() => loadConfig({ role: 'api', env: { REDIS_URL: 'http://x' } }), /bus\.redisUrl/);
    expectConfigError(
      () => loadConfig({ role: 'api', env: { DIAGNOSTICS: 'maybe' } }),
      /services\.diagnostics/,
    );
  });

  it('takes the artifact token secret and lifetime from the environment, and refuses a short secret', () => {
    const defaults = loadConfig({ role: 'api', env: {} }).api;
    expect(defaults).toMatchObject({ artifactTokenSecret: '', artifactTokenTtlSeconds: 3600 });
    const secret = 's'.repeat(32);
    const config = loadConfig({
      role: 'api',
      env: { ARTIFACT_TOKEN_SECRET: secret, ARTIFACT_TOKEN_TTL_SECONDS: '900' },
    });
    expect(config.api).toMatchObject({ artifactTokenSecret: secret, artifactTokenTtlSeconds: 900 });
    expectConfigError(
      () => loadConfig({ role: 'api', env: { ARTIFACT_TOKEN_SECRET: 'short' } }),
      /api\.artifactTokenSecret \(from env ARTIFACT_TOKEN_SECRET\)/,
    );
    expectConfigError(
      () => loadConfig({ role: 'api', env: { ARTIFACT_TOKEN_TTL_SECONDS: '10' } }),
      /api\.artifactTokenTtlSeconds/,
    );
  });

  it('merges a config file and rejects unknown keys in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ capabilities: { timeoutMs: 500 } }));
    expect(loadConfig({ role: 'api', env: { CONFIG_FILE: good } }).capabilities.timeoutMs).toBe(500);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ server: { prot: 1 } }));
    expectConfigError(
      () => loadConfig({ role: 'api', env: { CONFIG_FILE: bad } }),
      /server: must NOT have additional properties 'prot'/,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expectConfigError(() => loadConfig({ role: 'api', env: { CONFIG_FILE: broken } }), /not valid JSON/);
  });

  it('refuses the memory bus outside the embedded process and a heartbeat too slow for the visibility timeout', () => {
    expectConfigError(
      () => loadConfig({ role: 'worker', env: { BUS_KIND: 'memory' } }),
      /needs the Redis bus/,
    );
    expectConfigError(
      () => loadConfig({ role: 'api', env: { VISIBILITY_TIMEOUT_MS: '1000', HEARTBEAT_INTERVAL_MS: '800' } }),
      /heartbeatIntervalMs must be at most half/,
    );
  });
});
