// The few glyphs the UI needs, drawn inline (nothing is fetched). Decorative: hidden from screen readers.
import type { ReactElement } from 'react';

const paths: Record<string, ReactElement> = {
  repositories: (
    <>
      <path d="M3 5.5 10 2l7 3.5v9L10 18l-7-3.5z" />
      <path d="M3 5.5 10 9l7-3.5M10 9v9" />
    </>
  ),
  disk: (
    <>
      <ellipse cx="10" cy="5" rx="7" ry="2.5" />
      <path d="M3 5v10c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5V5M3 10c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5" />
    </>
  ),
  prune: (
    <>
      <circle cx="5.5" cy="14.5" r="2.5" />
      <circle cx="14.5" cy="14.5" r="2.5" />
      <path d="M7.3 12.7 15 3M12.7 12.7 5 3" />
    </>
  ),
  engines: (
    <>
      <rect x="3" y="5" width="14" height="10" rx="2" />
      <path d="M6 9h2M6 12h5M13.5 9.5l1.5 1-1.5 1" />
    </>
  ),
  settings: (
    <>
      <circle cx="10" cy="10" r="2.6" />
      <path d="M10 2.5v2M10 15.5v2M2.5 10h2M15.5 10h2M4.7 4.7l1.4 1.4M13.9 13.9l1.4 1.4M4.7 15.3l1.4-1.4M13.9 6.1l1.4-1.4" />
    </>
  ),
  chevron: <path d="M7.5 5 12.5 10l-5 5" />,
  copy: (
    <>
      <rect x="7" y="7" width="9.5" height="9.5" rx="1.8" />
      <path d="M13 7V5.3c0-1-.8-1.8-1.8-1.8H5.3c-1 0-1.8.8-1.8 1.8v5.9c0 1 .8 1.8 1.8 1.8H7" />
    </>
  ),
  check: <path d="m4.5 10.5 3.5 3.5 7.5-8" />,
  warning: (
    <>
      <path d="M10 3 2.5 16.5h15z" />
      <path d="M10 8.5v3.5M10 14.3v.2" />
    </>
  ),
  search: (
    <>
      <circle cx="8.5" cy="8.5" r="5" />
      <path d="m12.3 12.3 4.2 4.2" />
    </>
  ),
  refresh: <path d="M15.5 9.5a5.5 5.5 0 1 1-1.7-4M14 2.5v3h-3" />,
  external: <path d="M11 3.5h5.5V9M16.5 3.5 9 11M14 12v3.5H4.5V6H8" />,
};

export type IconName = keyof typeof paths;

export function Icon({ name, size = 16, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {paths[name]}
    </svg>
  );
}
