// @vitest-environment happy-dom
// The suite's waits outlast a loaded machine's pauses: findBy*, expect.poll and eventually() each see a
// condition that only holds after 1.5 s, past their libraries' 1 s defaults (a Settings test failed in
// CI on findByRole's default). The condition is a clock reading, not a sleep: each wait polls it.
import { render, screen } from '@testing-library/react';
import { useEffect, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { eventually } from '../testbed/eventually.js';
import './testing.js';

const LATER_MS = 1_500;

function Later() {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setShown(true), LATER_MS);
    return () => clearTimeout(t);
  }, []);
  return shown ? <p role="alert">here</p> : null;
}

describe('waits in the suite', () => {
  it('findBy* waits past 1 s (renderer/testing sets the deadline)', async () => {
    render(<Later />);
    expect((await screen.findByRole('alert')).textContent).toBe('here');
  });

  it('expect.poll waits past 1 s (vitest.config sets the deadline)', async () => {
    const from = Date.now();
    await expect.poll(() => Date.now() - from >= LATER_MS).toBe(true);
  });

  it('eventually() waits past 1 s', async () => {
    const from = Date.now();
    await eventually(() => expect(Date.now() - from).toBeGreaterThanOrEqual(LATER_MS));
  });
});
