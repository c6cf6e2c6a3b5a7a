// Smoke test: one virtual user, a few iterations. Is the gateway up, ready, routing, answering
// errors as problem+json, and exporting metrics? Run it after every deployment.
//   docker compose -f docker/docker-compose.yml --profile load run --rm k6 run /scripts/smoke.js
//   k6 run -e BASE_URL=http://localhost:8080 -e MANAGEMENT_URL=http://localhost:9090 docker/k6/smoke.js
import http from 'k6/http';
import { check, group } from 'k6';
import { BASE_URL, MANAGEMENT_URL, mixedRequest } from './lib/portico.js';

/** @type {import('k6/options').Options} */
export const options = {
  vus: 1,
  iterations: 10,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    http_req_duration: ['p(95)<500'],
  },
};

export default function () {
  group('management', () => {
    const ready = http.get(`${MANAGEMENT_URL}/health/ready`, { tags: { name: 'GET /health/ready' } });
    check(ready, {
      'ready: 200': (r) => r.status === 200,
      'ready: status UP': (r) => (/** @type {{status?: string}} */ (r.json())).status === 'UP',
    });
    const live = http.get(`${MANAGEMENT_URL}/health/live`, { tags: { name: 'GET /health/live' } });
    check(live, { 'live: 200': (r) => r.status === 200 });
    const metrics = http.get(`${MANAGEMENT_URL}/metrics`, { tags: { name: 'GET /metrics' } });
    check(metrics, {
      'metrics: 200 Prometheus text': (r) => r.status === 200 && String(r.body).includes('# TYPE'),
      'metrics: portico request histogram': (r) => String(r.body).includes('portico_request_duration_seconds_bucket'),
    });
  });

  group('traffic', () => {
    mixedRequest();
    const missing = http.get(`${BASE_URL}/nowhere`, {
      tags: { name: 'GET /nowhere' },
      responseCallback: http.expectedStatuses(404),
    });
    check(missing, {
      'unknown path: 404': (r) => r.status === 404,
      'unknown path: problem+json OperationNotFound': (r) =>
        String(r.headers['Content-Type']).startsWith('application/problem+json')
        && (/** @type {{reason?: string}} */ (r.json())).reason === 'OperationNotFound',
      'unknown path: X-Request-Id': (r) => typeof r.headers['X-Request-Id'] === 'string',
    });
  });
}
