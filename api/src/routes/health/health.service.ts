// /health: db, s3, redis and worker probed in parallel, each bounded by HEALTH_CHECK_TIMEOUT_MS, so the answer
// comes within ~timeout even when a dependency hangs.
export type CheckResult = 'ok' | 'stale' | `error: ${string}`;
export type Probe = () => Promise<CheckResult | void>;

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, CheckResult>;
  timestamp: string;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

async function bounded(probe: Probe, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
  });
  try {
    return (await Promise.race([probe(), timeout])) ?? 'ok';
  } catch (err) {
    // The kind only: messages may carry hostnames or credentials of the dependency.
    const kind = err instanceof Error ? (err.name && err.name !== 'Error' ? err.name : (err as { code?: string }).code ?? 'Error') : 'Error';
    return `error: ${kind}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function runHealthChecks(probes: Record<string, Probe>, timeoutMs: number): Promise<HealthReport> {
  const names = Object.keys(probes);
  const results = await Promise.all(names.map((n) => bounded(probes[n] as Probe, timeoutMs)));
  const checks = Object.fromEntries(names.map((n, i) => [n, results[i] as CheckResult]));
  return {
    status: results.every((r) => r === 'ok') ? 'ok' : 'degraded',
    checks,
    timestamp: new Date().toISOString(),
  };
}
