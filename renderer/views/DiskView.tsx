// The disk: the cache against its quota and its volume's free space, the largest repositories (bytes
// only they hold vs bytes shared), the size over time, hit ratio and Docker Hub traffic saved.
import { useId } from 'react';
import type { CacheReport } from '../../app/cache/report.js';
import type { HistorySample } from '../../app/contract/values.js';
import { useModel } from '../api/model.js';
import { Callout, EmptyState } from '../components/controls.js';
import { allowanceTile } from '../lib/allowance.js';
import { historyGeometry, largestBars } from '../lib/chart.js';
import { formatBytes, formatDate, formatDay, formatPercent, formatTime, plural } from '../lib/format.js';

export function DiskView({ onNavigate }: { onNavigate: (view: 'prune' | 'settings') => void }) {
  const { report, history, settings, upstream } = useModel();
  const r = report.value;
  if (!r) {
    return (
      <div className="view">
        {report.error ? (
          <Callout tone="error" title="The cache could not be read" role="alert">
            {report.error.message}
          </Callout>
        ) : (
          <EmptyState title="Reading the cache…" />
        )}
      </div>
    );
  }
  const quota = settings?.app.quotaBytes ?? null;
  return (
    <div className="view disk scroll" role="region" aria-label="Disk usage" tabIndex={0}>
      <section className="card" aria-labelledby="usage-title">
        <h3 id="usage-title">Usage</h3>
        <Usage report={r} quota={quota} onNavigate={onNavigate} />
      </section>
      <section className="tiles" aria-label="Statistics">
        <Tile
          label="Hit ratio"
          value={formatPercent(r.stats.hitRatio)}
          detail={
            r.stats.blobs.requests
              ? `${r.stats.blobs.hits.toLocaleString('en-US')} of ${plural(r.stats.blobs.requests, 'layer')} from the cache`
              : 'no pulls yet'
          }
          title="Layer downloads the cache served without asking the upstream"
        />
        <Tile
          label="Saved"
          value={formatBytes(r.stats.bytesSaved)}
          detail={`${formatBytes(r.stats.bytesFromUpstream)} from upstream`}
          title="Docker Hub traffic the cache served instead"
        />
        <Tile
          label="Repositories"
          value={r.totals.repositories.toLocaleString('en-US')}
          detail={plural(r.totals.tags, 'tag')}
        />
        {upstream?.allowance ? <Tile {...allowanceTile(upstream.allowance)} /> : null}
      </section>
      <section className="card" aria-labelledby="largest-title">
        <h3 id="largest-title">Largest repositories</h3>
        <Largest report={r} />
      </section>
      <section className="card" aria-labelledby="history-title">
        <h3 id="history-title">Cache size over time</h3>
        <History samples={history.value ?? []} />
      </section>
    </div>
  );
}

function Tile(props: { label: string; value: string; detail: string; title?: string }) {
  return (
    <div className="tile" title={props.title}>
      <div className="tile-label">{props.label}</div>
      <div className="tile-value">{props.value}</div>
      <div className="tile-detail">{props.detail}</div>
    </div>
  );
}

function Usage({
  report,
  quota,
  onNavigate,
}: {
  report: CacheReport;
  quota: number | null;
  onNavigate: (v: 'prune' | 'settings') => void;
}) {
  const cache = report.totals.blobBytes;
  const { freeBytes, totalBytes } = report.volume;
  const other = Math.max(0, totalBytes - freeBytes - cache);
  const pct = (n: number) => `${totalBytes ? Math.max(0, (n / totalBytes) * 100) : 0}%`;
  const over = quota !== null && cache > quota;
  return (
    <>
      <div className="usage-headline">
        <span className="usage-value">{formatBytes(cache)}</span>
        <span className="usage-of">
          {quota !== null ? `of ${formatBytes(quota)} quota` : 'no quota'}
          {' · '}
          {formatBytes(freeBytes)} free on the volume
        </span>
      </div>
      {quota !== null ? (
        <div
          className={`meter${over ? ' over' : ''}`}
          role="meter"
          aria-label="Cache size against the quota"
          aria-valuemin={0}
          aria-valuemax={quota}
          aria-valuenow={Math.min(cache, quota)}
          aria-valuetext={`${formatBytes(cache)} of ${formatBytes(quota)}`}
        >
          <div className="meter-fill" style={{ width: `${Math.min(100, (cache / quota) * 100)}%` }} />
        </div>
      ) : null}
      <div
        className="volume-bar"
        role="img"
        aria-label={`Volume: ${formatBytes(cache)} cache, ${formatBytes(other)} other, ${formatBytes(freeBytes)} free of ${formatBytes(totalBytes)}`}
      >
        <span className="seg cache" style={{ width: pct(cache) }} />
        <span className="seg other" style={{ width: pct(other) }} />
      </div>
      <div className="legend" aria-hidden="true">
        <span>
          <i className="swatch cache" /> Cache
        </span>
        <span>
          <i className="swatch other" /> Other files
        </span>
        <span>
          <i className="swatch free" /> Free
        </span>
        <span className="legend-total">{formatBytes(totalBytes)} volume</span>
      </div>
      {over ? (
        <Callout
          tone="warn"
          title="The cache is over its quota"
          action={
            <button type="button" onClick={() => onNavigate('prune')}>
              Free Up Space…
            </button>
          }
        >
          Prune what has not been pulled for a while, or shrink the cache to the quota.
        </Callout>
      ) : null}
      {report.totals.orphanBytes > 0 ? (
        <p className="note">
          {formatBytes(report.totals.orphanBytes)} is no longer used by any repository; the next prune frees
          it.
        </p>
      ) : null}
    </>
  );
}

function Largest({ report }: { report: CacheReport }) {
  const bars = largestBars(report.repositories, 8);
  if (!bars.length) return <p className="muted">Nothing cached yet.</p>;
  return (
    <>
      <div className="legend" aria-hidden="true">
        <span>
          <i className="swatch exclusive" /> Only in this repository (reclaimable)
        </span>
        <span>
          <i className="swatch shared" /> Shared with others
        </span>
      </div>
      <ul className="bars" aria-label="Largest repositories">
        {bars.map((b) => (
          <li key={b.name} className="bar-row">
            <span className="bar-name" title={b.name}>
              {b.name}
            </span>
            <span
              className="bar"
              role="img"
              aria-label={`${b.name}: ${formatBytes(b.total)}, ${formatBytes(b.exclusive)} only here, ${formatBytes(b.shared)} shared`}
            >
              <span className="bar-seg exclusive" style={{ width: `${b.exclusiveFraction * 100}%` }} />
              <span className="bar-seg shared" style={{ width: `${b.sharedFraction * 100}%` }} />
            </span>
            <span className="bar-value">{formatBytes(b.total)}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Days on a long axis, times on one shorter than two days. */
function axisLabel(at: number, span: number): string {
  return span < 2 * 86_400_000 ? formatTime(at) : formatDay(at);
}

const W = 320;
const H = 96;

function History({ samples }: { samples: HistorySample[] }) {
  const gradient = useId();
  if (samples.length < 2) {
    return (
      <p className="muted">
        The app samples the cache&apos;s size every hour and after each prune; the chart fills in as it does.
      </p>
    );
  }
  const g = historyGeometry(samples, W, H);
  const first = samples[0]!;
  const last = samples.at(-1)!;
  return (
    <figure className="history">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Cache size from ${formatBytes(first.bytes)} on ${formatDate(first.at)} to ${formatBytes(last.bytes)} on ${formatDate(last.at)}, ${samples.length} samples`}
      >
        <defs>
          <linearGradient id={gradient} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" className="history-stop-top" />
            <stop offset="100%" className="history-stop-bottom" />
          </linearGradient>
        </defs>
        <line x1="0" y1={H / 2} x2={W} y2={H / 2} className="gridline" vectorEffect="non-scaling-stroke" />
        <path d={g.area} fill={`url(#${gradient})`} />
        <path d={g.line} className="history-line" fill="none" vectorEffect="non-scaling-stroke" />
      </svg>
      <figcaption className="history-axis">
        <span>{axisLabel(first.at, last.at - first.at)}</span>
        <span>
          peak {formatBytes(g.peak)} · now {formatBytes(last.bytes)}
        </span>
        <span>{axisLabel(last.at, last.at - first.at)}</span>
      </figcaption>
    </figure>
  );
}
