// How the app starts inside Electron: Homebrew's directories on PATH (path-env.ts), then the app; a
// failure to start is written to the log file and shown in a native dialog with a "Copy details"
// button, since an app started from Finder has no terminal where console.error could be read.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../app/util/errors.js';
import { withHomebrewPath } from './path-env.js';

export interface LaunchPort {
  app: {
    whenReady(): Promise<unknown>;
    getPath(name: 'logs'): string;
    getVersion(): string;
    exit(code?: number): void;
  };
  dialog: {
    showMessageBox(options: {
      type: 'error';
      title: string;
      message: string;
      detail: string;
      buttons: string[];
      defaultId: number;
      cancelId: number;
      noLink: boolean;
    }): Promise<{ response: number }>;
  };
  clipboard: { writeText(text: string): void };
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Homebrew's bin directories (path-env.ts), replaceable in tests */
  brewDirs?: readonly string[];
}

export const COPY_DETAILS = 1;
/** The log file, the same one the running app writes (log.ts fileSink). */
export const logFile = (port: LaunchPort) => join(port.app.getPath('logs'), 'main.log');

export async function launch(start: () => Promise<unknown>, port: LaunchPort): Promise<void> {
  port.env.PATH = withHomebrewPath(port.env.PATH, port.platform, port.brewDirs);
  try {
    await start();
  } catch (err) {
    await reportStartupFailure(err, port);
  }
}

export async function reportStartupFailure(err: unknown, port: LaunchPort): Promise<void> {
  const message = messageOf(err);
  const details = [
    `Docker Registry Proxy Cache ${safe(() => port.app.getVersion())} could not start: ${message}`,
    `platform: ${port.platform} ${process.arch}, Electron ${process.versions.electron ?? '-'}`,
    err instanceof Error && err.stack ? err.stack : '',
  ]
    .filter(Boolean)
    .join('\n');
  let file = '';
  try {
    const path = logFile(port);
    mkdirSync(join(path, '..'), { recursive: true });
    appendFileSync(
      path,
      `${new Date().toISOString()} error failed to start ${JSON.stringify({ details })}\n`,
      {
        mode: 0o600,
      },
    );
    file = path;
  } catch (writeErr) {
    console.error('could not write the log file:', messageOf(writeErr));
  }
  console.error(details);
  try {
    // A dialog needs a ready app; the failure may have come before it was.
    await port.app.whenReady();
    const { response } = await port.dialog.showMessageBox({
      type: 'error',
      title: 'Docker Registry Proxy Cache',
      message: 'Docker Registry Proxy Cache could not start',
      detail: `${message}${file ? `\n\nThe details are in ${file}.` : ''}`,
      buttons: ['Quit', 'Copy details'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    });
    if (response === COPY_DETAILS) port.clipboard.writeText(details);
  } catch (dialogErr) {
    console.error('could not show the error dialog:', messageOf(dialogErr));
  }
  port.app.exit(1);
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return '';
  }
}
