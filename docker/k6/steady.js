// Steady load: a constant arrival rate of the request mix (lib/portico.js) for a few minutes,
// with thresholds on p99 latency (overall and per API) and on the error rate.
//   docker compose -f docker/docker-compose.yml --profile load run --rm k6 run /scripts/steady.js
//   ... run --rm -e RATE=500 -e DURATION=5m -e P99_MS=100 k6 run /scripts/steady.js
// Environment: RATE (requests/s, default 200), DURATION (default 2m), P99_MS (default 250),
// MAX_ERROR_RATE (default 0.01), BASE_URL. bench/steady.sh runs the same scenario with wrk.
import { envNumber, loadThresholds, mixedRequest } from './lib/portico.js';

const rate = envNumber('RATE', 200);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    steady: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: __ENV.DURATION || '2m',
      preAllocatedVUs: Math.max(10, Math.ceil(rate / 10)),
      maxVUs: Math.max(50, rate),
    },
  },
  thresholds: {
    ...loadThresholds(envNumber('P99_MS', 250)),
    dropped_iterations: ['count<10'],
  },
};

export default function () {
  mixedRequest();
}
