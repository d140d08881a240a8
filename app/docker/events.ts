// The engine's event stream for our containers, reconnecting after the engine restarts.
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ContainerEvent {
  action: string;
  id: string;
  name?: string;
  time: number;
}

export interface EventWatcher {
  stop(): void;
  /** resolves once the stream is (re)connected; for tests and for "recovered" notices */
  readonly connected: boolean;
}

export interface WatchOptions {
  labels: string[];
  onEvent: (e: ContainerEvent) => void;
  onConnection?: (connected: boolean) => void;
  /** first and largest delay between reconnection attempts */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export function watchContainerEvents(docker: Docker, opts: WatchOptions): EventWatcher {
  let stopped = false;
  let connected = false;
  let current: (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
  const minDelay = opts.minDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 2000;

  const setConnected = (v: boolean) => {
    if (connected === v) return;
    connected = v;
    opts.onConnection?.(v);
  };

  const loop = async () => {
    let delay = minDelay;
    while (!stopped) {
      try {
        const stream = (await docker.getEvents({
          filters: { type: ['container'], label: opts.labels },
        })) as NodeJS.ReadableStream & { destroy?: () => void };
        current = stream;
        setConnected(true);
        delay = minDelay;
        await consume(stream, opts.onEvent);
      } catch {
        /* engine down or restarting: retry below */
      }
      current = undefined;
      setConnected(false);
      if (stopped) break;
      await sleep(delay);
      delay = Math.min(maxDelay, delay * 2);
    }
  };
  void loop();

  return {
    stop() {
      stopped = true;
      current?.destroy?.();
    },
    get connected() {
      return connected;
    },
  };
}

function consume(stream: NodeJS.ReadableStream, onEvent: (e: ContainerEvent) => void): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        try {
          const e = JSON.parse(line) as {
            Action?: string;
            id?: string;
            Actor?: { ID?: string; Attributes?: Record<string, string> };
            time?: number;
          };
          onEvent({
            action: e.Action ?? 'unknown',
            id: e.Actor?.ID ?? e.id ?? '',
            ...(e.Actor?.Attributes?.name ? { name: e.Actor.Attributes.name } : {}),
            time: e.time ?? Math.floor(Date.now() / 1000),
          });
        } catch {
          /* a partial or foreign line: skip */
        }
      }
    });
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
}
