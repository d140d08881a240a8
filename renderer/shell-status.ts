// The smallest real page: the mirror's status and the notices, through window.drpc only.
// The dashboard UI replaces this file.
import type { MirrorStatus } from '../app/mirror/status.js';
import type { Notice } from '../app/contract/values.js';

const api = window.drpc;
const stateEl = document.getElementById('state');
const messageEl = document.getElementById('message');
const noticesEl = document.getElementById('notices');

function showStatus(s: MirrorStatus): void {
  if (stateEl) stateEl.textContent = s.state;
  if (messageEl) messageEl.textContent = s.message;
}

function showNotices(list: Notice[]): void {
  if (!noticesEl) return;
  noticesEl.replaceChildren(
    ...list.map((n) => {
      const li = document.createElement('li');
      li.textContent = `${n.title}: ${n.message}`;
      return li;
    }),
  );
}

async function start(): Promise<void> {
  api.on('mirror.status', showStatus);
  const notices = await api.call('notices.list');
  if (notices.ok) showNotices(notices.value);
  api.on('notice', () => {
    void api.call('notices.list').then((r) => r.ok && showNotices(r.value));
  });
  const status = await api.call('mirror.status');
  if (status.ok) showStatus(status.value);
  else if (stateEl) stateEl.textContent = `error: ${status.error.message}`;
}

void start();
