// Is the upstream there? One bounded request from the host: any HTTP answer counts (Docker Hub answers
// /v2/ with 401), a refused connection, a failed lookup or silence past the deadline does not.
export interface ProbeResult {
  reachable: boolean;
  /** why not, for people */
  reason?: string;
  ms: number;
}

export async function probeUpstream(url: string, timeoutMs = 3000): Promise<ProbeResult> {
  const t0 = Date.now();
  try {
    const res = await fetch(new URL('/v2/', url), {
      method: 'GET',
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await res.body?.cancel();
    return { reachable: true, ms: Date.now() - t0 };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (e.cause?.code ?? e.message ?? 'unreachable');
    return { reachable: false, reason, ms: Date.now() - t0 };
  }
}
