// Where the app keeps its files by default. DRPC_HOME moves all of it (tests, portable setups).
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_ID = 'docker-registry-proxy-cache';

export interface AppPaths {
  /** settings.json and other small state */
  configDir: string;
  /** the mirror's home: config/config.yml and data/ (the registry's storage) */
  mirrorHome: string;
}

export function defaultPaths(env: NodeJS.ProcessEnv = process.env, platform = process.platform): AppPaths {
  if (env.DRPC_HOME) return { configDir: env.DRPC_HOME, mirrorHome: join(env.DRPC_HOME, 'mirror') };
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') {
    // Under /Users: a path Docker Desktop shares with its VM by default, so the bind mounts work.
    const base = join(home, 'Library', 'Application Support', APP_ID);
    return { configDir: base, mirrorHome: join(base, 'mirror') };
  }
  const config = env.XDG_CONFIG_HOME ?? join(home, '.config');
  const data = env.XDG_DATA_HOME ?? join(home, '.local', 'share');
  return { configDir: join(config, APP_ID), mirrorHome: join(data, APP_ID) };
}
