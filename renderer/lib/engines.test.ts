import { describe, expect, it } from 'vitest';
import { engineState } from './engines.js';

const mirrorUrl = 'http://127.0.0.1:5001';

describe('engineState', () => {
  it('says why an engine does not use the mirror: its old address, another mirror, none, or no answer', () => {
    const state = (engineMirrors: string[] | null) =>
      engineState({ detected: true, state: 'not-configured', mirrorUrl, engineMirrors });
    expect(state(['http://127.0.0.1:5000'])).toEqual({
      label: 'Not using the mirror',
      tone: 'idle',
      reason:
        "It lists http://127.0.0.1:5000, not the mirror's address now (http://127.0.0.1:5001): configure it again.",
    });
    expect(state(['https://mirror.corp.example']).reason).toBe(
      'It lists https://mirror.corp.example, not http://127.0.0.1:5001.',
    );
    expect(state([]).reason).toBe('Its settings list no mirror: pulls go straight to Docker Hub.');
    expect(state(null).reason).toMatch(/does not answer/);
  });

  it('gives no reason where the label and the facts say it all', () => {
    expect(
      engineState({ detected: true, state: 'using-mirror', mirrorUrl, engineMirrors: [mirrorUrl] }),
    ).toEqual({
      label: 'Using the mirror',
      tone: 'ok',
    });
    expect(engineState({ detected: false, state: 'not-configured', mirrorUrl, engineMirrors: null })).toEqual(
      {
        label: 'Not found',
        tone: 'idle',
      },
    );
    const none = engineState({ detected: true, state: 'not-configured', mirrorUrl: null, engineMirrors: [] });
    expect(none.reason).toBeUndefined();
  });
});
