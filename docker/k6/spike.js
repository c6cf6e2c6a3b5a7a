// Spike: from a base rate to a sudden peak (default 10x) and back. The gateway must absorb the
// spike without errors and come back to base latency: the thresholds cover the whole run, and a
// separate p99 threshold covers the recovery stage (tag stage:recovery).
//   docker compose -f docker/docker-compose.yml --profile load run --rm k6 run /scripts/spike.js
// Environment: BASE_RATE (default 50/s), PEAK_RATE (default 500/s), P99_MS (whole run, default
// 1000), RECOVERY_P99_MS (default 250), MAX_ERROR_RATE, BASE_URL.
import exec from 'k6/execution';
import { envNumber, loadThresholds, mixedRequest } from './lib/portico.js';

const base = envNumber('BASE_RATE', 50);
const peak = envNumber('PEAK_RATE', 500);

// stage boundaries, in seconds from the start: warm 30s, ramp 10s, peak 30s, drop 10s, recovery 60s
const RAMP_START = 30;
const RECOVERY_START = 80;

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: base,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(20, Math.ceil(peak / 10)),
      maxVUs: Math.max(100, peak * 2),
      stages: [
        { target: base, duration: '30s' },
        { target: peak, duration: '10s' },
        { target: peak, duration: '30s' },
        { target: base, duration: '10s' },
        { target: base, duration: '60s' },
      ],
    },
  },
  thresholds: {
    ...loadThresholds(envNumber('P99_MS', 1000)),
    'http_req_duration{stage:recovery}': [`p(99)<${envNumber('RECOVERY_P99_MS', 250)}`],
  },
};

export default function () {
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const stage = elapsed < RAMP_START ? 'warm' : elapsed < RECOVERY_START ? 'spike' : 'recovery';
  mixedRequest({ stage });
}
