// @vitest-environment happy-dom
// The copy button: a write the clipboard refuses (Electron denies the permission, the window lost
// focus) is said on the button, not swallowed.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CopyButton } from './controls.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function withClipboard(writeText: (text: string) => Promise<void>) {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
}

describe('CopyButton', () => {
  it('says "Copied" after a write the clipboard accepted', async () => {
    const writeText = vi.fn(async () => {});
    withClipboard(writeText);
    render(<CopyButton text="http://localhost:5000" label="Copy the mirror address" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy the mirror address' })));
    expect(writeText).toHaveBeenCalledWith('http://localhost:5000');
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy();
  });

  it('says the copy failed when the clipboard refuses it', async () => {
    withClipboard(() => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError')));
    render(<CopyButton text="x" label="Copy the mirror address" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy the mirror address' })));
    expect(screen.getByRole('alert').textContent).toBe('Copy failed');
    expect(screen.getByRole('button', { name: /^Copy failed/ })).toBeTruthy();
  });
});
