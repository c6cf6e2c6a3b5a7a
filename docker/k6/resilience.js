// Resilience: steady load while one backend instance fails and comes back. The thresholds must
// hold through the failure: the gateway's retries and circuit breakers are expected to move
// traffic to the remaining instances (docs/operations.md#resilience-test).
//
// k6 cannot stop a container itself; docker/k6/resilience.sh runs this script under compose and
// fails the instance: `docker compose stop demo-b` at FAIL_AT, `docker compose start demo-b` at
// RECOVER_AT. Requests are tagged phase:before|during|after by the same clock, so each phase has
// its own threshold lines in the summary.
//   docker/k6/resilience.sh            (or by hand: start this, then stop/start demo-b yourself)
// Environment: RATE (default 100/s), DURATION (default 3m), FAIL_AT (default 60, seconds),
// RECOVER_AT (default 120), P99_MS (default 500), MAX_ERROR_RATE (default 0.01), BASE_URL.
import exec from 'k6/execution';
import { envNumber, loadThresholds, mixedRequest } from './lib/portico.js';

const rate = envNumber('RATE', 100);
const failAt = envNumber('FAIL_AT', 60);
const recoverAt = envNumber('RECOVER_AT', 120);
const p99 = envNumber('P99_MS', 500);
const maxErrors = envNumber('MAX_ERROR_RATE', 0.01);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    resilience: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: __ENV.DURATION || '3m',
      preAllocatedVUs: Math.max(10, Math.ceil(rate / 10)),
      maxVUs: Math.max(50, rate * 2),
    },
  },
  thresholds: {
    ...loadThresholds(p99),
    // while demo-b is down: the same bounds, so a failing instance must not show to clients
    'http_req_failed{phase:during}': [`rate<${maxErrors}`],
    'http_req_duration{phase:during}': [`p(99)<${p99}`],
    'http_req_failed{phase:after}': [`rate<${maxErrors}`],
  },
};

export default function () {
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const phase = elapsed < failAt ? 'before' : elapsed < recoverAt ? 'during' : 'after';
  mixedRequest({ phase });
}
