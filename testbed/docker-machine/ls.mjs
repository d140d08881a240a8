// `docker-machine ls`: filters, -q, and Go templates of the documented fields through text/tabwriter.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { allMachines, Fail, machineDir, running, urlOf } from './state.mjs';

function dockerVersion(m, timeoutMs) {
  return new Promise((resolve) => {
    const url = new URL(m.dockerHost.replace(/^tcp:/, 'https:'));
    const cert = (f) => readFileSync(join(machineDir(m.name), f));
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/version',
        ca: cert('ca.pem'),
        cert: cert('cert.pem'),
        key: cert('key.pem'),
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ version: `v${JSON.parse(body).Version}`, error: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ version: 'Unknown', error: err.message }));
    req.end();
  });
}

const HEADERS = {
  Name: 'NAME',
  Active: 'ACTIVE',
  ActiveHost: 'ACTIVE_HOST',
  ActiveSwarm: 'ACTIVE_SWARM',
  DriverName: 'DRIVER',
  State: 'STATE',
  URL: 'URL',
  SwarmOptions: 'SWARM_OPTIONS',
  Swarm: 'SWARM',
  EngineOptions: 'ENGINE_OPTIONS',
  Error: 'ERRORS',
  DockerVersion: 'DOCKER',
  ResponseTime: 'RESPONSE',
};
const DEFAULT_FORMAT =
  'table {{ .Name }}\t{{ .Active }}\t{{ .DriverName}}\t{{ .State }}\t{{ .URL }}\t{{ .Swarm }}\t{{ .DockerVersion }}\t{{ .Error}}';

/** Go's text/template, for `{{.Field}}` actions only (the form the docs show). */
function render(template, item) {
  const rest = template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, '');
  if (rest.includes('{{')) throw new Fail('the docker-machine stand-in only emulates {{.Field}} in --format');
  return template.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (whole, field, offset) => {
    if (!(field in HEADERS)) {
      throw new Fail(
        `template: :1:${offset + 2}: executing "" at <.${field}>: can't evaluate field ${field} in type commands.HostListItem`,
      );
    }
    return String(item[field]);
  });
}

/** text/tabwriter with docker-machine's settings (minwidth 5, padding 3): every cell but a line's last is padded. */
function tabwrite(lines) {
  const rows = lines.map((l) => l.split('\t'));
  const widths = [];
  for (const r of rows)
    r.slice(0, -1).forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length + 3, 5)));
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('')).join('\n');
}

export async function ls(args) {
  let quiet = false;
  let format = '';
  let timeout = 10;
  const filters = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-f' || a === '--format' || a.startsWith('--format=')) format = value();
    else if (a === '-t' || a === '--timeout' || a.startsWith('--timeout=')) timeout = Number(value());
    else if (a === '--filter' || a.startsWith('--filter=')) filters.push(value());
    else throw new Fail(`Incorrect Usage: flag provided but not defined: ${a.replace(/^--?/, '-')}`);
  }
  let machines = allMachines();
  for (const f of filters) {
    const [key, val] = [f.slice(0, f.indexOf('=')).toLowerCase(), f.slice(f.indexOf('=') + 1)];
    if (!f.includes('=')) throw new Fail('Unsupported filter syntax');
    const keep = {
      driver: (m) => m.driver.toLowerCase() === val.toLowerCase(),
      state: (m) => m.state.toLowerCase() === val.toLowerCase(),
      name: (m) => new RegExp(val).test(m.name),
      label: (m) => m.engineOptions.labels.includes(val),
    }[key];
    if (!keep) throw new Fail(`Unsupported filter key '${key}'`);
    machines = machines.filter(keep);
  }
  if (quiet) return machines.map((m) => m.name + '\n').join('');
  let tpl = format || DEFAULT_FORMAT;
  const table = tpl.startsWith('table');
  if (table) tpl = tpl.slice('table'.length);
  tpl = tpl.trim().replaceAll('\\t', '\t').replaceAll('\\n', '\n');
  const lines = table ? [render(tpl, HEADERS)] : [];
  for (const m of machines) {
    const started = Date.now();
    const live = running(m) ? await dockerVersion(m, timeout * 1000) : { version: 'Unknown', error: '' };
    const active = running(m) && process.env.DOCKER_HOST === m.dockerHost;
    const item = {
      Name: m.name,
      Active: active ? '*' : '-',
      ActiveHost: active,
      ActiveSwarm: false,
      DriverName: m.driver,
      State: m.state,
      URL: urlOf(m),
      SwarmOptions: '<nil>',
      Swarm: '',
      EngineOptions: '<not emulated>',
      Error: live.error,
      DockerVersion: live.version,
      ResponseTime: `${Date.now() - started}ms`,
    };
    lines.push(render(tpl, item));
  }
  return (table ? tabwrite(lines) : lines.join('\n')) + '\n';
}
