// docker-machine's output, parsed: `ls --format` with the documented template fields, and `env`.

/**
 * The `ls` template we ask for. docker-machine turns the two characters `\t` into a tab; Error comes
 * last because it is free text.
 */
export const LS_FORMAT =
  '{{.Name}}\\t{{.State}}\\t{{.URL}}\\t{{.DriverName}}\\t{{.DockerVersion}}\\t{{.Error}}';

/** The states docker-machine reports (libmachine/state), plus "Timeout" from `ls` and "" (None). */
export type MachineStateName =
  'Running' | 'Paused' | 'Saved' | 'Stopped' | 'Stopping' | 'Starting' | 'Error' | 'Timeout' | string;

export interface MachineListItem {
  name: string;
  state: MachineStateName;
  /** tcp://IP:2376; empty when the machine is not running */
  url: string;
  driver: string;
  /** e.g. v19.03.12, or "Unknown" */
  dockerVersion: string;
  error: string;
}

export function parseLs(stdout: string): MachineListItem[] {
  const items: MachineListItem[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.split('\t');
    const [name = '', state = '', url = '', driver = '', dockerVersion = ''] = parts;
    items.push({
      name: name.trim(),
      state: state.trim(),
      url: url.trim(),
      driver: driver.trim(),
      dockerVersion: dockerVersion.trim(),
      error: parts.slice(5).join('\t').trim(),
    });
  }
  return items;
}

/**
 * `docker-machine env --shell bash NAME`: `export KEY="VALUE"` lines, then `#` hint lines that say
 * how to eval it. Unknown lines are ignored; values are taken as written (docker-machine does not escape).
 */
export function parseEnv(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)="(.*)"$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** The host of a docker-machine URL (tcp://192.168.99.100:2376 -> 192.168.99.100). */
export function hostOfUrl(url: string): string | undefined {
  const m = /^tcp:\/\/\[?([^\]/]+?)\]?:\d+\/?$/.exec(url.trim());
  return m?.[1];
}
