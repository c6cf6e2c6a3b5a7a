// Check of the Kubernetes manifests in docker/kubernetes (scripts/ops-check.sh runs it):
//  1. every kustomization (base and overlays) renders with a real kustomize (`kubectl kustomize`);
//  2. every rendered object validates against the Kubernetes API schemas (npm kubernetes-models;
//     @kubernetes-models/prometheus-operator for the ServiceMonitor): types, formats, enums and
//     required fields at run time, and unknown fields (a misspelt `readinessProbes`) with the
//     TypeScript compiler over the models' type declarations (excess-property checks);
//  3. the manifests agree with what the gateway serves: the config file the Deployment points at is
//     the ConfigMap's key mounted there, container ports are the configured listener ports, the
//     probes ask /health/live and /health/ready on the management port, terminationGracePeriodSeconds
//     is above gateway.shutdown.gracePeriod, the readiness probe notices a drain within the delay,
//     every named value read from the environment is provided, Services, the PDB, the HPA and the
//     ServiceMonitor point at what exists, and every container runs non-root on a read-only root
//     filesystem (the gateway with an emptyDir on /tmp, where java.io.tmpdir points);
//  4. the rendered gateway configuration, with the Deployment's environment and the Secret's keys,
//     passes the gateway's own `--validate` (the jar built by Maven).
// usage: node check-kubernetes.mjs   (from docker/tools, after npm ci)
import { readFileSync, writeFileSync, mkdirSync, rmSync, existsSync, readdirSync, statSync, mkdtempSync } from 'node:fs';
import { dirname, resolve, join, relative, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import YAML from 'yaml';

const toolsDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(toolsDir, '../..');
const k8sDir = join(root, 'docker/kubernetes');
const jar = join(root, 'gateway/target/portico-gateway.jar');
const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

/** apiVersion/kind -> [module, class, type] of the kubernetes-models packages. */
const MODELS = {
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'ServiceAccount', 'IServiceAccount'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'ConfigMap', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'Service', 'IService'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'Deployment', 'IDeployment'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'PodDisruptionBudget', 'IPodDisruptionBudget'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    'ServiceMonitor', 'IServiceMonitor'],
};
const typeKey = (o) => `${o.apiVersion}/${o.kind}`;
const label = (o) => `${o.kind} ${o.metadata?.name}`;

// --- 1. render ---------------------------------------------------------------------------------
function kustomizations(dir) {
  const out = [];
  if (existsSync(join(dir, 'kustomization.yaml'))) out.push(dir);
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...kustomizations(p));
  }
  return out;
}
const dirs = kustomizations(k8sDir);
if (dirs.length === 0) throw new Error(`no kustomization.yaml under ${k8sDir}`);
const kubectlVersion = (() => {
  try {
    return execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').filter((l) => /Client Version|Kustomize/.test(l)).join(', ').replace(/version\.Info\{.*GitVersion:"([^"]+)".*/, '$1');
  } catch {
    throw new Error('kubectl is missing: scripts/install-test-tools.sh installs it (Debian kubernetes-client)');
  }
})();
const renders = dirs.map((dir) => {
  const name = relative(k8sDir, dir);
  const res = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (res.status !== 0) {
    problem(name, `kubectl kustomize failed: ${res.stderr.trim()}`);
    return { name, objects: [] };
  }
  const objects = YAML.parseAllDocuments(res.stdout).map((d) => d.toJS()).filter((o) => o);
  return { name, objects };
});

// --- 2. schemas ---------------------------------------------------------------------------------
const strictDir = mkdtempSync(join(toolsDir, '.k8s-strict-'));
let validated = 0;
try {
  const ts = [];
  for (const { name, objects } of renders) {
    for (const o of objects) {
      const model = MODELS[typeKey(o)];
      if (!model) {
        problem(name, `${label(o)}: ${typeKey(o)} is not a kind this check knows (add it to MODELS)`);
        continue;
      }
      const mod = await import(model[0]);
      try {
        new mod[model[1]](o).validate();
        validated++;
      } catch (e) {
        problem(name, `${label(o)}: ${e.message}`);
      }
      ts.push(`// ${name}: ${label(o)}\nimport type { ${model[2]} as T${ts.length} } from "${model[0]}";\n`
        + `export const o${ts.length}: T${ts.length} = ${JSON.stringify(o, null, 2)};\n`);
    }
  }
  writeFileSync(join(strictDir, 'rendered.ts'), ts.join('\n'));
  writeFileSync(join(strictDir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext',
      target: 'es2022', types: [] },
    files: ['rendered.ts'],
  }));
  const tsc = spawnSync(join(toolsDir, 'node_modules/.bin/tsc'), ['-p', strictDir], { encoding: 'utf8' });
  if (tsc.status !== 0) {
    // name the object of each error: the comment line above its export
    const lines = readFileSync(join(strictDir, 'rendered.ts'), 'utf8').split('\n');
    for (const l of (tsc.stdout + tsc.stderr).split('\n').filter((x) => /error TS/.test(x))) {
      const m = /rendered\.ts\((\d+),\d+\): (.*)/.exec(l);
      let owner = '?';
      if (m) {
        for (let i = Number(m[1]) - 1; i >= 0; i--) if (lines[i].startsWith('// ')) { owner = lines[i].slice(3); break; }
      }
      problem(owner, m ? m[2] : l);
    }
  }
} finally {
  rmSync(strictDir, { recursive: true, force: true });
}

// --- 3. the manifests agree with the gateway ---------------------------------------------------
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const imageUser = Number((/^USER\s+(\d+)/m.exec(dockerfile) || [])[1]);
const seconds = (iso, def) => {
  if (iso === undefined) return def;
  const m = /^PT(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(String(iso));
  if (!m) throw new Error(`cannot read duration ${iso}`);
  return Number(m[1] || 0) * 60 + Number(m[2] || 0);
};
const matches = (selector, labels) => Object.entries(selector || {}).every(([k, v]) => labels?.[k] === v);
const validations = [];

for (const { name, objects } of renders) {
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const find = (kind, n) => objects.find((o) => o.kind === kind && o.metadata?.name === n);
  const secretKeys = (ref) => Object.keys(find('Secret', ref)?.data || {});

  // every container: non-root, read-only root filesystem, no privilege escalation, resources, pinned image
  for (const d of byKind('Deployment')) {
    const pod = d.spec.template.spec;
    for (const c of pod.containers) {
      const at = `${label(d)} container ${c.name}`;
      const sc = c.securityContext || {};
      if (!(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) problem(name, `${at}: runAsNonRoot is not set`);
      if (sc.readOnlyRootFilesystem !== true) problem(name, `${at}: the root filesystem is not read-only`);
      if (sc.allowPrivilegeEscalation !== false) problem(name, `${at}: allowPrivilegeEscalation is not false`);
      if (!(sc.capabilities?.drop || []).includes('ALL')) problem(name, `${at}: capabilities are not all dropped`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
        problem(name, `${at}: needs CPU and memory requests and a memory limit`);
      }
      if (!/:[^/]+$/.test(c.image) || c.image.endsWith(':latest')) problem(name, `${at}: image ${c.image} has no pinned tag`);
      if (!c.readinessProbe || !c.livenessProbe) problem(name, `${at}: needs readiness and liveness probes`);
    }
    for (const s of byKind('Service')) {
      if (matches(s.spec.selector, d.spec.template.metadata.labels)) {
        for (const p of s.spec.ports) {
          if (typeof p.targetPort === 'string' && !pod.containers.some((c) => (c.ports || []).some((cp) => cp.name === p.targetPort))) {
            problem(name, `${label(s)}: targetPort ${p.targetPort} is no port of ${label(d)}`);
          }
        }
      }
    }
    if (!matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels)) {
      problem(name, `${label(d)}: its selector does not match its pod labels`);
    }
  }
  for (const s of byKind('Service')) {
    if (!byKind('Deployment').some((d) => matches(s.spec.selector, d.spec.template.metadata.labels))) {
      problem(name, `${label(s)}: selects no pod of any Deployment`);
    }
  }

  // the gateway
  const gw = find('Deployment', 'portico-gateway');
  if (!gw) {
    problem(name, 'no Deployment portico-gateway');
    continue;
  }
  const pod = gw.spec.template.spec;
  const c = pod.containers.find((x) => x.name === 'gateway');
  if (!c) {
    problem(name, 'the portico-gateway Deployment has no container named gateway');
    continue;
  }
  const env = Object.fromEntries((c.env || []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
  const provided = new Set([...(c.env || []).map((e) => e.name),
    ...(c.envFrom || []).flatMap((f) => (f.secretRef ? secretKeys(f.secretRef.name) : []))]);
  // the configuration file: PORTICO_CONFIG (or --config) must be a key of the ConfigMap mounted at its folder
  const args = c.args || [];
  const configPath = args.includes('--config') ? args[args.indexOf('--config') + 1] : env.PORTICO_CONFIG;
  let config;
  if (!configPath) {
    problem(name, 'the gateway container names no configuration (PORTICO_CONFIG or --config)');
  } else {
    const mount = (c.volumeMounts || []).find((m) => posix.dirname(configPath) === m.mountPath.replace(/\/$/, ''));
    const volume = mount && pod.volumes.find((v) => v.name === mount.name);
    const cm = volume?.configMap && find('ConfigMap', volume.configMap.name);
    const key = posix.basename(configPath);
    if (!cm) problem(name, `no ConfigMap is mounted at ${posix.dirname(configPath)} (the folder of ${configPath})`);
    else if (!(key in (cm.data || {}))) problem(name, `ConfigMap ${cm.metadata.name} has no key ${key} (PORTICO_CONFIG=${configPath}); it has ${Object.keys(cm.data || {})}`);
    else config = YAML.parse(cm.data[key]) || {};
  }
  if (config) {
    const listeners = config.listeners || {};
    const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
    const want = { traffic: listeners.traffic?.port ?? 8080, management: listeners.management?.port ?? 9090 };
    for (const [n, port] of Object.entries(want)) {
      if (ports[n] !== port) problem(name, `container port ${n} is ${ports[n]}, the gateway listens on ${port} (listeners.${n}.port)`);
      const host = listeners[n]?.host ?? '0.0.0.0';
      if (/^(127\.|localhost|::1)/.test(host)) problem(name, `listeners.${n}.host ${host}: probes and Services cannot reach a loopback listener`);
    }
    const probePort = (p) => (typeof p === 'string' ? ports[p] : p);
    const scheme = listeners.management?.https ? 'HTTPS' : 'HTTP';
    const probes = { livenessProbe: ['/health/live'], readinessProbe: ['/health/ready'], startupProbe: ['/health/live'] };
    for (const [probe, paths] of Object.entries(probes)) {
      const g = c[probe]?.httpGet;
      if (!g) {
        problem(name, `the gateway has no ${probe} with httpGet`);
        continue;
      }
      if (!paths.includes(g.path)) problem(name, `${probe} asks ${g.path}, expected ${paths.join(' or ')}`);
      if (probePort(g.port) !== want.management) problem(name, `${probe} asks port ${g.port}, not the management listener (${want.management})`);
      if ((g.scheme || 'HTTP') !== scheme) problem(name, `${probe} uses ${g.scheme || 'HTTP'}, the management listener speaks ${scheme}`);
    }
    // the drain: Kubernetes must not kill it before the grace period, and readiness must notice it within the delay
    const shutdown = config.gateway?.shutdown || {};
    const grace = seconds(shutdown.gracePeriod, 30);
    const delay = seconds(shutdown.delay, 0);
    const termination = pod.terminationGracePeriodSeconds ?? 30;
    if (termination <= grace) problem(name, `terminationGracePeriodSeconds ${termination} must be above gateway.shutdown.gracePeriod (${grace} s)`);
    if (delay <= 0 && !c.lifecycle?.preStop) problem(name, 'neither gateway.shutdown.delay nor a preStop hook lets the endpoint removal spread before the listeners close');
    const r = c.readinessProbe || {};
    const notice = (r.periodSeconds ?? 10) * (r.failureThreshold ?? 3);
    if (delay > 0 && notice > delay) problem(name, `the readiness probe needs up to ${notice} s to see a drain, longer than gateway.shutdown.delay (${delay} s)`);
    if (gw.spec.strategy?.rollingUpdate?.maxUnavailable !== 0) problem(name, 'the rolling update must keep maxUnavailable 0');
    // named values from the environment
    for (const nv of config.namedValues || []) {
      if (nv.env && !provided.has(nv.env)) problem(name, `named value ${nv.name} reads ${nv.env}, which the gateway container does not get`);
    }
    // non-root as the image's user, read-only root with an emptyDir on /tmp
    const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
    if (user !== imageUser) problem(name, `runAsUser ${user} is not the image's USER ${imageUser}`);
    const tmp = (c.volumeMounts || []).find((m) => m.mountPath === '/tmp');
    if (!tmp || !pod.volumes.find((v) => v.name === tmp.name)?.emptyDir) problem(name, 'the gateway needs an emptyDir mounted at /tmp (read-only root filesystem)');
    validations.push({ name, config: YAML.stringify(config), env: { ...env, ...decodedSecrets(c, find) } });
  }
  // PDB, HPA, ServiceMonitor
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!matches(pdb.spec.selector.matchLabels, gw.spec.template.metadata.labels)) problem(name, `${label(pdb)} selects no gateway pod`);
  }
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const t = hpa.spec.scaleTargetRef;
    if (!find(t.kind, t.name)) problem(name, `${label(hpa)} scales ${t.kind} ${t.name}, which does not exist`);
    if (hpa.spec.minReplicas < 2) problem(name, `${label(hpa)}: minReplicas below 2 leaves no gateway during a restart`);
  }
  for (const sm of byKind('ServiceMonitor')) {
    const svc = byKind('Service').filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    if (svc.length === 0) problem(name, `${label(sm)} selects no Service`);
    for (const e of sm.spec.endpoints) {
      if (!svc.some((s) => s.spec.ports.some((p) => p.name === e.port))) problem(name, `${label(sm)}: no selected Service has a port named ${e.port}`);
      if (e.path !== '/metrics') problem(name, `${label(sm)}: the gateway serves /metrics, not ${e.path}`);
    }
  }
}

function decodedSecrets(container, find) {
  const out = {};
  for (const f of container.envFrom || []) {
    const s = f.secretRef && find('Secret', f.secretRef.name);
    for (const [k, v] of Object.entries(s?.data || {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  }
  for (const e of container.env || []) {
    const ref = e.valueFrom?.secretKeyRef;
    const s = ref && find('Secret', ref.name);
    if (s?.data?.[ref.key] !== undefined) out[e.name] = Buffer.from(s.data[ref.key], 'base64').toString('utf8');
  }
  return out;
}

// --- 4. the gateway validates the rendered configuration ------------------------------------------
if (!existsSync(jar)) {
  problem('gateway', `${jar} is missing: build it first (mvn -q -B -DskipTests package)`);
} else {
  const work = mkdtempSync(join(tmpdir(), 'portico-k8s-'));
  try {
    for (const v of validations) {
      const file = join(work, `${v.name.replace(/\W+/g, '-')}-gateway.yaml`);
      writeFileSync(file, v.config);
      // only what the pod would have: the Deployment's environment and the Secret's keys
      const env = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME || '', ...v.env, PORTICO_CONFIG: file };
      delete env.JAVA_OPTS;
      const res = spawnSync('java', ['-jar', jar, '--validate'], { encoding: 'utf8', env });
      if (res.status !== 0) problem(v.name, `the gateway refuses the rendered configuration:\n${res.stderr.trim()}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (problems.length > 0) {
  console.error(`docker/kubernetes: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`kubernetes: ${renders.map((r) => `${r.name} (${r.objects.length} objects)`).join(', ')} render with kubectl `
  + `(${kubectlVersion}); ${validated} objects valid against the API schemas (kubernetes-models, strict); ports, probes, `
  + `config file, drain timing, secrets, selectors agree with the gateway; --validate accepts ${validations.length} configurations`);
