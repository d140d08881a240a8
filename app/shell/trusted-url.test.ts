import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { devServerOrigin, isTrustedRendererUrl } from './trusted-url.js';

const rendererFile =
  '/Applications/Docker Registry Proxy Cache.app/Contents/Resources/app.asar/out/renderer/index.html';
const fileUrl = pathToFileURL(rendererFile).href;

describe('isTrustedRendererUrl', () => {
  it('trusts our renderer file, with or without a hash route', () => {
    expect(isTrustedRendererUrl(fileUrl, { rendererFile })).toBe(true);
    expect(isTrustedRendererUrl(`${fileUrl}#configure`, { rendererFile })).toBe(true);
  });

  it('refuses other files, even next to ours or reached with ..', () => {
    expect(isTrustedRendererUrl(fileUrl.replace('index.html', 'other.html'), { rendererFile })).toBe(false);
    expect(isTrustedRendererUrl('file:///etc/passwd', { rendererFile })).toBe(false);
    expect(
      isTrustedRendererUrl(fileUrl.replace('/renderer/', '/renderer/x/../../y/'), { rendererFile }),
    ).toBe(false);
    expect(isTrustedRendererUrl('file://evil.example/' + rendererFile, { rendererFile })).toBe(false);
  });

  it('refuses web pages and odd schemes', () => {
    for (const url of [
      'https://example.com/',
      'about:blank',
      'data:text/html,hi',
      'javascript:alert(1)',
      'nonsense',
    ]) {
      expect(isTrustedRendererUrl(url, { rendererFile })).toBe(false);
    }
  });

  it('trusts the dev server origin only when one is configured', () => {
    expect(isTrustedRendererUrl('http://localhost:5173/', { rendererFile })).toBe(false);
    const dev = { rendererFile, devServerUrl: 'http://localhost:5173' };
    expect(isTrustedRendererUrl('http://localhost:5173/#configure', dev)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedRendererUrl('https://localhost:5173/', dev)).toBe(false);
  });
});

describe('devServerOrigin', () => {
  it('accepts plain http on loopback only', () => {
    expect(devServerOrigin('http://127.0.0.1:5173/x')).toBe('http://127.0.0.1:5173');
    expect(devServerOrigin('http://192.168.1.5:5173')).toBeUndefined();
    expect(devServerOrigin('https://localhost:5173')).toBeUndefined();
    expect(devServerOrigin('not a url')).toBeUndefined();
    expect(devServerOrigin(undefined)).toBeUndefined();
  });
});
