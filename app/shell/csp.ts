// The renderer's Content Security Policy: our own scripts and styles only, no inline code, no eval,
// nothing fetched from anywhere (the renderer talks to main over IPC). renderer/index.html carries it
// as a meta tag (a test checks they agree); main also sends it as a header for the dev server.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
