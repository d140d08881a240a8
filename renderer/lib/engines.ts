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

export function engineState(e: Pick<EngineReport, 'state' | 'engineMirrors' | 'detected'>): {
  label: string;
  tone: Tone;
} {
  if (!e.detected) return { label: 'Not found', tone: 'idle' };
  switch (e.state) {
    case 'using-mirror':
      return { label: 'Using the mirror', tone: 'ok' };
    case 'configured-not-applied':
      return {
        label: e.engineMirrors === null ? 'Configured · not running' : 'Configured · not applied',
        tone: 'warn',
      };
    case 'not-configured':
      return { label: 'Not using the mirror', tone: 'idle' };
  }
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
