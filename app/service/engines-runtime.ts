// Docker engine configuration as the app runs it, over app/configure: the engines found here (and
// docker-machine VMs) with their state, configure/undo one at a time with steps as events, and the
// registry machine. The host decides where engines are looked for (the bridge: the test bed's dockerd).
import { EventEmitter } from 'node:events';
import type { EnginesList } from '../contract/values.js';
import {
  configureEngine,
  engineReport,
  HUB_ONLY_NOTE,
  undoEngine,
  type ConfigureOutcome,
  type EngineReport,
  type UndoOutcome,
} from '../configure/engines/configure-engine.js';
import { engineByName, findEngines, type DetectOptions } from '../configure/engines/detect.js';
import { configureError } from '../configure/errors.js';
import { DEFAULT_REGISTRY_MACHINE } from '../configure/machine/cli.js';
import { newMachineFlags } from '../configure/machine/machine-engine.js';
import {
  createRegistryMachine,
  registryMachineUrl,
  type RegistryMachineResult,
} from '../configure/machine/registry-machine.js';
import type { EngineUndoStore } from '../configure/undo-store.js';
import { ShellError } from '../contract/envelope.js';
import type { MirrorSettings, UpstreamCredentials } from '../mirror/settings.js';

export interface EnginesRuntimeOptions {
  /** where and how to look for engines, for the current settings */
  detectOptions: () => Promise<DetectOptions>;
  undo: EngineUndoStore;
  settings: () => MirrorSettings;
  credentials: () => Promise<UpstreamCredentials | null>;
  /** how long to wait for an engine to list the mirror after applying (default 30 s) */
  verifyTimeoutMs?: number;
}

export interface RegistryMachineInput {
  name?: string | undefined;
  driver: string;
  driverOptions?: Record<string, string | true> | undefined;
  replaceExisting: boolean;
}

export class EnginesRuntime extends EventEmitter<{ step: [{ engine: string; line: string }] }> {
  private running?: string;

  constructor(private readonly o: EnginesRuntimeOptions) {
    super();
  }

  async list(): Promise<EnginesList> {
    const opts = await this.o.detectOptions();
    const { engines, notes } = await findEngines(opts);
    const reports: EngineReport[] = [];
    for (const e of engines) {
      reports.push(await engineReport(e.adapter, e.mirrorUrl, { undo: this.o.undo, detection: e.detection }));
    }
    const registryMachine = opts.registryMachine ?? DEFAULT_REGISTRY_MACHINE;
    const dm = opts.dockerMachine;
    const available = !!dm && !notes.some((n) => n.startsWith('docker-machine'));
    const registryUrl =
      available && dm
        ? (opts.machineMirrorUrl ?? (await registryMachineUrl(dm, registryMachine, opts.port)) ?? null)
        : null;
    return {
      engines: reports,
      notes,
      hubOnlyNote: HUB_ONLY_NOTE,
      machines: {
        available,
        registryMachine,
        registryUrl,
        newMachineFlags: registryUrl ? newMachineFlags(registryUrl) : [],
      },
    };
  }

  configure(engine: string): Promise<ConfigureOutcome> {
    return this.exclusive(engine, async () => {
      const target = await engineByName(engine, await this.o.detectOptions());
      if (!target.mirrorUrl) {
        throw configureError(
          'NOT_RUNNING',
          `there is no mirror ${engine} could use yet: create the registry machine first`,
        );
      }
      return configureEngine(target.adapter, target.mirrorUrl, this.runOptions(engine));
    });
  }

  undo(engine: string): Promise<UndoOutcome> {
    return this.exclusive(engine, async () => {
      const { adapter } = await engineByName(engine, await this.o.detectOptions());
      return undoEngine(adapter, this.runOptions(engine));
    });
  }

  createRegistryMachine(input: RegistryMachineInput): Promise<RegistryMachineResult> {
    const name = input.name ?? DEFAULT_REGISTRY_MACHINE;
    return this.exclusive(`machine:${name}`, async () => {
      const dm = (await this.o.detectOptions()).dockerMachine;
      if (!dm) throw configureError('NOT_INSTALLED', 'docker-machine support is off');
      return createRegistryMachine({
        dm,
        name,
        driver: input.driver,
        ...(input.driverOptions ? { driverOptions: input.driverOptions } : {}),
        settings: this.o.settings(),
        credentials: await this.o.credentials(),
        confirmRemove: async () => input.replaceExisting,
        onStep: (line) => this.emit('step', { engine: `machine:${name}`, line }),
      });
    });
  }

  private runOptions(engine: string) {
    return {
      undo: this.o.undo,
      verifyTimeoutMs: this.o.verifyTimeoutMs ?? 30_000,
      onStep: (line: string) => this.emit('step', { engine, line }),
    };
  }

  /** One engine change at a time: each may restart an engine, and they share the undo records. */
  private async exclusive<T>(engine: string, fn: () => Promise<T>): Promise<T> {
    if (this.running) {
      throw new ShellError('BUSY', `${this.running} is being changed: try again when it is done`);
    }
    this.running = engine;
    try {
      return await fn();
    } finally {
      this.running = undefined;
    }
  }
}
