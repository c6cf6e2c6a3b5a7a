// Shared pieces of the k6 scripts: where the gateway is, the request mix, and the checks.
//
// Environment (k6 run -e NAME=value, or the compose service's environment):
//   BASE_URL        gateway traffic listener   (default http://localhost:8080; compose: http://gateway:8080)
//   MANAGEMENT_URL  gateway management listener (default http://localhost:9090; compose: http://gateway:9090)
//   P99_MS          p99 latency threshold in ms for the load tests
//   MAX_ERROR_RATE  highest share of failed requests (default 0.01)
import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/$/, '');
export const MANAGEMENT_URL = (__ENV.MANAGEMENT_URL || 'http://localhost:9090').replace(/\/$/, '');

/**
 * A number from the environment, or the default.
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
export function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    throw new Error(`${name} must be a number, got '${raw}'`);
  }
  return n;
}

export const MAX_ERROR_RATE = envNumber('MAX_ERROR_RATE', 0.01);

/**
 * The thresholds every load test holds: p99 latency per API and overall, error rate, checks.
 * Tagging each request with `api` lets a threshold name one API.
 * @param {number} p99Ms
 * @returns {{ [name: string]: Array<string | import('k6/options').Threshold> }}
 */
export function loadThresholds(p99Ms) {
  return {
    http_req_failed: [{ threshold: `rate<${MAX_ERROR_RATE}`, abortOnFail: false }],
    http_req_duration: [`p(99)<${p99Ms}`],
    'http_req_duration{api:demo}': [`p(99)<${p99Ms}`],
    'http_req_duration{api:pinned}': [`p(99)<${p99Ms}`],
    checks: [`rate>${1 - MAX_ERROR_RATE}`],
  };
}

/**
 * Whether a response is the demo echo JSON the gateway forwarded from a demo backend.
 * @param {import('k6/http').RefinedResponse<'text'>} res
 * @param {string} expectedPath path the demo backend should have seen
 * @returns {boolean}
 */
function isDemoEcho(res, expectedPath) {
  if (res.status !== 200) {
    return false;
  }
  try {
    const body = /** @type {{service?: string, path?: string, headers?: {via?: string}}} */ (res.json());
    return body.service === 'demo-echo' && body.path === expectedPath && typeof body.headers?.via === 'string';
  } catch (e) {
    return false;
  }
}

/**
 * One iteration of the steady mix: 80% GET /demo/items/{n} (registry service, three instances),
 * 10% POST /demo/orders with a small JSON body, 10% GET /pinned/status (one fixed instance).
 * @param {{ [name: string]: string }} [extraTags]
 */
export function mixedRequest(extraTags) {
  const roll = Math.random();
  /** @type {import('k6/http').RefinedResponse<'text'>} */
  let res;
  let path;
  if (roll < 0.8) {
    const id = Math.floor(Math.random() * 1000);
    path = `/items/${id}`;
    res = http.get(`${BASE_URL}/demo${path}`, { tags: { api: 'demo', name: 'GET /demo/items/{id}', ...extraTags } });
  } else if (roll < 0.9) {
    path = '/orders';
    res = http.post(`${BASE_URL}/demo${path}`, JSON.stringify({ sku: 'k6', qty: 1 }), {
      headers: { 'Content-Type': 'application/json' },
      tags: { api: 'demo', name: 'POST /demo/orders', ...extraTags },
    });
  } else {
    path = '/status';
    res = http.get(`${BASE_URL}/pinned${path}`, { tags: { api: 'pinned', name: 'GET /pinned/status', ...extraTags } });
  }
  check(res, { 'demo echo answered (200 JSON)': (r) => isDemoEcho(r, path) }, extraTags);
  return res;
}
