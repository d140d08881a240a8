import { describe, expect, it } from 'vitest';
import { testbedInstance } from './layout.js';

describe('test bed instances', () => {
  it('reads DRPC_TESTBED_INSTANCE as one digit, 0 when unset', () => {
    expect(testbedInstance(undefined)).toBe(0);
    expect(testbedInstance('')).toBe(0);
    expect(testbedInstance('3')).toBe(3);
  });
  it('refuses anything else with the reason instead of guessing a bridge name', () => {
    for (const bad of ['10', '-1', 'a', ' 1', '1.0'])
      expect(() => testbedInstance(bad)).toThrow(/digit 0 to 9/);
  });
});
