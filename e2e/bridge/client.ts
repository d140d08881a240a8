// The page's side of the bridge's WebSocket, for tests: connect as a page of some origin, make a call
// and wait for its reply, as renderer/api's browser transport does.
import WebSocket from 'ws';

export function connect(bridgeUrl: string, origin = bridgeUrl.slice(0, -1)): Promise<WebSocket> {
  const ws = new WebSocket(`${bridgeUrl.replace('http', 'ws')}drpc`, { headers: { Origin: origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

export interface Reply {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; issues?: unknown };
}

let nextId = 1;

export function call(ws: WebSocket, channel: string, input?: unknown): Promise<Reply> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data)) as { t: string; id?: number; result?: Reply };
      if (msg.t === 'reply' && msg.id === id && msg.result) {
        ws.off('message', onMessage);
        resolve(msg.result);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ t: 'call', id, channel, input }));
  });
}
