// The settings form: the typed text as a change for settings.update, the checks that need no round
// trip (a number, a size), where the core's field issues belong, and how exposed a bind address is.
import type { CallError } from '../../app/contract/envelope.js';
import type { AppSettings, SettingsChange } from '../../app/settings/app-settings.js';
import { formatBytes, parseBytes } from './format.js';

export interface SettingsDraft {
  port: string;
  bindAddress: string;
  upstreamUrl: string;
  /** the upstream's CA (a PEM file's path); empty: none */
  upstreamCaFile: string;
  image: string;
  dataDir: string;
  quota: string;
  /** recreate the mirror when it is removed behind the app's back (the setting is absent: on) */
  autoRecreate: boolean;
  startMirrorOnLaunch: boolean;
  quitStopsMirror: boolean;
}

export type FieldErrors = Partial<Record<keyof SettingsDraft, string>>;

export function draftOf(s: AppSettings): SettingsDraft {
  return {
    port: String(s.mirror.port),
    bindAddress: s.mirror.bindAddress,
    upstreamUrl: s.mirror.upstreamUrl,
    upstreamCaFile: s.mirror.upstreamCaFile ?? '',
    image: s.mirror.image,
    dataDir: s.mirror.dataDir,
    quota: s.app.quotaBytes === null ? '' : formatBytes(s.app.quotaBytes),
    autoRecreate: s.mirror.autoRecreate !== false,
    startMirrorOnLaunch: s.app.startMirrorOnLaunch,
    quitStopsMirror: s.app.quitStopsMirror,
  };
}

/** Only what differs from the saved settings, or the fields whose text cannot be a value. */
export function changeOf(
  draft: SettingsDraft,
  saved: AppSettings,
): { change: SettingsChange } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const mirror: NonNullable<SettingsChange['mirror']> = {};
  const app: NonNullable<SettingsChange['app']> = {};
  const port = Number(draft.port.trim());
  if (!/^\d+$/.test(draft.port.trim())) errors.port = 'Enter a port number, like 5000.';
  else if (port !== saved.mirror.port) mirror.port = port;
  for (const key of ['bindAddress', 'upstreamUrl', 'image', 'dataDir'] as const) {
    const v = draft[key].trim();
    if (v !== saved.mirror[key]) mirror[key] = v;
  }
  // Empty means none: saved as null (absent in older files means the same).
  const ca = draft.upstreamCaFile.trim();
  if (ca !== (saved.mirror.upstreamCaFile ?? '')) mirror.upstreamCaFile = ca === '' ? null : ca;
  // The quota shows rounded ("20 GB"): untouched text keeps the exact saved value.
  const quotaText = draft.quota.trim();
  if (quotaText !== draftOf(saved).quota) {
    const quota = quotaText === '' ? null : parseBytes(quotaText);
    if (quota === undefined) errors.quota = 'Enter a size like 20 GB, or leave it empty for no quota.';
    else app.quotaBytes = quota;
  }
  if (draft.autoRecreate !== (saved.mirror.autoRecreate !== false)) mirror.autoRecreate = draft.autoRecreate;
  if (draft.startMirrorOnLaunch !== saved.app.startMirrorOnLaunch)
    app.startMirrorOnLaunch = draft.startMirrorOnLaunch;
  if (draft.quitStopsMirror !== saved.app.quitStopsMirror) app.quitStopsMirror = draft.quitStopsMirror;
  if (Object.keys(errors).length) return { errors };
  return {
    change: {
      ...(Object.keys(mirror).length ? { mirror } : {}),
      ...(Object.keys(app).length ? { app } : {}),
    },
  };
}

const FIELD_OF: Record<string, keyof SettingsDraft> = {
  'mirror.port': 'port',
  'mirror.bindAddress': 'bindAddress',
  'mirror.upstreamUrl': 'upstreamUrl',
  'mirror.upstreamCaFile': 'upstreamCaFile',
  'mirror.image': 'image',
  'mirror.dataDir': 'dataDir',
  'mirror.autoRecreate': 'autoRecreate',
  'app.quotaBytes': 'quota',
  'app.startMirrorOnLaunch': 'startMirrorOnLaunch',
  'app.quitStopsMirror': 'quitStopsMirror',
};

/** The core's INVALID_INPUT issues, each next to its field; the rest as one message. */
export function fieldErrorsOf(error: CallError): { fields: FieldErrors; other?: string } {
  const fields: FieldErrors = {};
  const other: string[] = [];
  for (const issue of error.issues ?? []) {
    const field = FIELD_OF[issue.path];
    if (field) fields[field] ??= capitalizeSentence(issue.message);
    else other.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  if (!error.issues?.length) other.push(error.message);
  return other.length ? { fields, other: other.join('; ') } : { fields };
}

function capitalizeSentence(m: string): string {
  const t = m ? m[0]!.toUpperCase() + m.slice(1) : m;
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

export type Exposure = 'local' | 'network';

/** Loopback addresses keep the mirror on this Mac; anything else lets others on the network use it. */
export function exposureOf(bindAddress: string): Exposure {
  const a = bindAddress.trim();
  return a === '127.0.0.1' || a === '::1' || a.startsWith('127.') ? 'local' : 'network';
}
