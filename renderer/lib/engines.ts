// How engines read in the UI: their names for people, their state in words and colour, which button
// each one offers.
import type { EngineReport } from '../../app/configure/engines/configure-engine.js';
import type { Tone } from './status.js';

export function engineTitle(e: Pick<EngineReport, 'name' | 'kind'>): string {
  switch (e.kind) {
    case 'docker-desktop':
      return 'Docker Desktop';
    case 'linux-dockerd':
      return 'Docker Engine (dockerd)';
    case 'orbstack':
      return 'OrbStack';
    case 'colima': {
      const profile = e.name.slice('colima:'.length);
      return profile && profile !== 'default' ? `Colima (${profile})` : 'Colima';
    }
    case 'machine':
      return e.name.slice('machine:'.length);
  }
}

export function engineState(e: Pick<EngineReport, 'state' | 'engineMirrors' | 'detected' | 'mirrorUrl'>): {
  label: string;
  tone: Tone;
  /** why it does not use the mirror, when that is not plain from the label */
  reason?: string;
} {
  if (!e.detected) return { label: 'Not found', tone: 'idle' };
  switch (e.state) {
    case 'using-mirror':
      return { label: 'Using the mirror', tone: 'ok' };
    case 'configured-not-applied':
      return e.engineMirrors === null
        ? { label: 'Configured · not running', tone: 'warn', reason: 'It uses the mirror once it runs.' }
        : {
            label: 'Configured · not applied',
            tone: 'warn',
            reason: 'Its settings list the mirror; the running engine has not read them yet.',
          };
    case 'not-configured':
      return { label: 'Not using the mirror', tone: 'idle', reason: notUsingReason(e) };
  }
}

/** In words, why an engine does not use the mirror: another address listed (often this mirror's old one), or none. */
function notUsingReason(e: Pick<EngineReport, 'engineMirrors' | 'mirrorUrl'>): string | undefined {
  if (e.mirrorUrl === null) return undefined; // the facts say there is no mirror it could use yet
  if (e.engineMirrors === null) return 'The engine does not answer, and its settings do not list the mirror.';
  if (e.engineMirrors.length === 0) return 'Its settings list no mirror: pulls go straight to Docker Hub.';
  const ours = new URL(e.mirrorUrl);
  const old = e.engineMirrors.find((m) => {
    const theirs = URL.parse(m);
    return theirs?.hostname === ours.hostname && theirs.port !== ours.port;
  });
  return old
    ? `It lists ${old}, not the mirror's address now (${e.mirrorUrl}): configure it again.`
    : `It lists ${e.engineMirrors.join(', ')}, not ${e.mirrorUrl}.`;
}

/** Configure while it does not use the mirror (and could); Undo while configure left records. */
export function engineActions(e: Pick<EngineReport, 'state' | 'undoRecords' | 'mirrorUrl' | 'detected'>): {
  configure: boolean;
  undo: boolean;
} {
  return {
    configure: e.detected && e.mirrorUrl !== null && e.state !== 'using-mirror',
    undo: e.undoRecords > 0,
  };
}
