import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonFileStore } from '../settings/json-file.js';
import { tempDir } from '../../testbed/helpers.js';
import { EngineUndoStore, type EngineUndoRecord } from './undo-store.js';

const record = (mirror: string): EngineUndoRecord => ({
  kind: 'daemon-json',
  at: '2026-01-01T00:00:00.000Z',
  undo: { version: 1, path: '/etc/docker/daemon.json', mirror, before: null, afterSha256: 'a'.repeat(64) },
});

describe('engine undo records in settings.json', () => {
  it('keeps a stack per engine, survives a new process, and leaves the other keys alone', async () => {
    const file = join(tempDir(), 'settings.json');
    const other = { version: 2, mirror: { port: 5001 }, app: { startAtLogin: true } };
    writeFileSync(file, JSON.stringify(other));
    await new EngineUndoStore(jsonFileStore(file)).push('linux-dockerd', record('http://localhost:5000'));
    await new EngineUndoStore(jsonFileStore(file)).push('linux-dockerd', record('http://localhost:5001'));
    await new EngineUndoStore(jsonFileStore(file)).push('orbstack', record('http://localhost:5001'));

    const later = new EngineUndoStore(jsonFileStore(file));
    expect((await later.records('linux-dockerd')).map((r) => r.undo.mirror)).toEqual([
      'http://localhost:5000',
      'http://localhost:5001',
    ]);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject(other);

    await later.pop('linux-dockerd');
    expect((await later.records('linux-dockerd')).map((r) => r.undo.mirror)).toEqual([
      'http://localhost:5000',
    ]);
    await later.pop('linux-dockerd');
    await later.pop('orbstack');
    // The key goes when nothing is left; the rest is byte-for-byte what it was as JSON.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(other);
  });

  it('refuses malformed records and does not touch the file', async () => {
    const file = join(tempDir(), 'settings.json');
    const text = JSON.stringify({
      engineUndo: { 'linux-dockerd': [{ kind: 'daemon-json', undo: { version: 9 } }] },
    });
    writeFileSync(file, text);
    const store = new EngineUndoStore(jsonFileStore(file));
    await expect(store.records('linux-dockerd')).rejects.toThrow(/undo records .* not readable/);
    await expect(store.push('x', record('http://localhost:5000'))).rejects.toThrow(/not readable/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
