// Packages the app for real with electron-builder, here, without a Mac and without downloading
// anything: electron-builder's `mac` `dir` target (the .app, no .dmg) over a stand-in Electron
// distribution laid out like Electron's darwin zip (Electron.app with its Info.plist, helper apps and
// the Electron Framework binary carrying the fuse sentinel, so @electron/fuses flips the fuses as it
// would in the real one). Everything else is what `npm run dist:mac` does: the main, preload and
// renderer built with their vite configs, electron-builder.yml as committed, the project's
// package.json, lock file and node_modules (hard-linked into a temp project, so the checkout's out/ and
// release/ are left alone).
//
// What it cannot do off a Mac: convert build/icon.png to .icns (electron-builder downloads a tool for
// that; an .icns holding the same PNG is given instead), sign (skipped: "supported only on macOS"),
// make the .dmg (hdiutil) and merge the two architectures (@electron/universal, lipo).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';
import { parse } from 'yaml';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(join(REPO, 'package.json'));

/** @electron/fuses' sentinel: the fuse wire follows it (version 1, length, one byte per fuse). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspector on, ... */
export const ELECTRON_DEFAULT_FUSES = '10110001';

export interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  extraMetadata: { main: string };
  asarUnpack?: string[];
  electronFuses: Record<string, boolean>;
  mac: Record<string, unknown> & { minimumSystemVersion: string; extendInfo: Record<string, unknown> };
  [key: string]: unknown;
}

export const readBuilderConfig = (): BuilderConfig =>
  parse(readFileSync(join(REPO, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

export interface PackagedApp {
  dir: string;
  /** …/Docker Registry Proxy Cache.app/Contents */
  contents: string;
  resources: string;
  asar: string;
  unpacked: string;
  framework: string;
  ms: number;
}

const plist = (id: string, exe: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleExecutable</key><string>${exe}</string>
<key>CFBundleIdentifier</key><string>${id}</string>
<key>CFBundleName</key><string>${exe}</string>
<key>CFBundlePackageType</key><string>APPL</string>
</dict></plist>
`;

/** Electron.app as Electron's darwin zip has it, reduced to the files electron-builder reads or renames. */
function standInElectron(dir: string): string {
  const contents = join(dir, 'Electron.app', 'Contents');
  mkdirSync(join(contents, 'MacOS'), { recursive: true });
  mkdirSync(join(contents, 'Resources'), { recursive: true });
  writeFileSync(join(contents, 'Info.plist'), plist('com.github.Electron', 'Electron'));
  writeFileSync(join(contents, 'MacOS', 'Electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const framework = join(contents, 'Frameworks', 'Electron Framework.framework');
  mkdirSync(framework, { recursive: true });
  writeFileSync(
    join(framework, 'Electron Framework'),
    Buffer.concat([
      Buffer.from('stand-in for the Electron Framework binary\0'),
      Buffer.from(FUSE_SENTINEL),
      Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
      Buffer.from(ELECTRON_DEFAULT_FUSES),
    ]),
  );
  for (const suffix of ['', ' (Renderer)', ' (GPU)', ' (Plugin)']) {
    const helper = join(contents, 'Frameworks', `Electron Helper${suffix}.app`, 'Contents');
    mkdirSync(join(helper, 'MacOS'), { recursive: true });
    writeFileSync(
      join(helper, 'Info.plist'),
      plist('com.github.Electron.helper', `Electron Helper${suffix}`),
    );
    writeFileSync(join(helper, 'MacOS', `Electron Helper${suffix}`), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  return dir;
}

/** An .icns holding the 1024 px PNG as its `ic10` entry (what iconutil makes of it). */
function icnsOf(png: Buffer): Buffer {
  const out = Buffer.alloc(16 + png.length);
  out.write('icns', 0, 'latin1');
  out.writeUInt32BE(out.length, 4);
  out.write('ic10', 8, 'latin1');
  out.writeUInt32BE(8 + png.length, 12);
  png.copy(out, 16);
  return out;
}

/** `npm run build:electron`, into `project`/out. */
export async function buildElectronOutput(project: string): Promise<void> {
  for (const [config, outDir] of [
    ['vite.main.config.ts', 'out/main'],
    ['vite.preload.config.ts', 'out/preload'],
    ['vite.renderer.config.ts', 'out/renderer'],
  ] as const) {
    await viteBuild({
      configFile: join(REPO, config),
      logLevel: 'silent',
      build: { outDir: join(project, outDir), emptyOutDir: true },
    });
  }
}

export interface PackageOptions {
  /** plant a compiled addon where ssh2's optional cpu-features puts one when install scripts run */
  plantNativeAddon?: boolean;
}

export async function packageApp(options: PackageOptions = {}): Promise<PackagedApp> {
  const dir = mkdtempSync(join(tmpdir(), 'drpc-package-'));
  const project = join(dir, 'project');
  mkdirSync(project);
  for (const f of ['package.json', 'package-lock.json', 'electron-builder.yml', 'assets', 'build'])
    cpSync(join(REPO, f), join(project, f), { recursive: true });
  // A real node_modules tree (electron-builder walks it with npm's view of the lock file); hard links
  // make it a second or two instead of a copy of 300 MB.
  try {
    execFileSync('cp', ['-al', join(REPO, 'node_modules'), join(project, 'node_modules')]);
  } catch {
    cpSync(join(REPO, 'node_modules'), join(project, 'node_modules'), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  if (options.plantNativeAddon) {
    const release = join(project, 'node_modules', 'cpu-features', 'build', 'Release');
    mkdirSync(release, { recursive: true });
    writeFileSync(
      join(release, 'cpufeatures.node'),
      Buffer.from('\xcf\xfa\xed\xfe stand-in Mach-O', 'latin1'),
    );
  }
  await buildElectronOutput(project);
  writeFileSync(join(project, 'build', 'icon.icns'), icnsOf(readFileSync(join(REPO, 'build', 'icon.png'))));

  const config = readBuilderConfig();
  const electronVersion = (require('electron/package.json') as { version: string }).version;
  const { build } = require('electron-builder') as typeof import('electron-builder');
  const started = Date.now();
  await build({
    projectDir: project,
    mac: ['dir'],
    // One architecture (the universal merge needs lipo); x64 so a Mac running this does not ad-hoc sign
    // the stand-in as it would an arm64 build.
    x64: true,
    publish: 'never',
    config: {
      ...(config as object),
      // No signing of the stand-in, on a Mac either (off a Mac it is skipped anyway).
      mac: { ...config.mac, icon: 'build/icon.icns', identity: null },
      electronDist: standInElectron(join(dir, 'electron-dist')),
      electronVersion,
      directories: { output: join(dir, 'release'), buildResources: 'build' },
    } as never,
  });
  const ms = Date.now() - started;
  const contents = join(dir, 'release', 'mac', `${config.productName}.app`, 'Contents');
  if (!existsSync(contents)) throw new Error(`electron-builder made no ${contents}`);
  const resources = join(contents, 'Resources');
  return {
    dir,
    contents,
    resources,
    asar: join(resources, 'app.asar'),
    unpacked: join(resources, 'app.asar.unpacked'),
    framework: join(contents, 'Frameworks', 'Electron Framework.framework', 'Electron Framework'),
    ms,
  };
}
