// Pointing Docker engines at the mirror (issue 4): the API the CLI and the menu-bar app use.
//
//   findEngines / detectEngines  which engines are here, each with the mirror URL it should use
//   engineReport                 one engine's state: not-configured | configured-not-applied | using-mirror
//   configureEngine              configure -> persist the undo record -> apply -> verify via info()
//   undoEngine                   revert exactly what configure did (newest first) -> apply -> verify
//   createRegistryMachine        the seed's machine-create-registry.sh as one action (docker-machine)
//
// Undo records live in the settings file under `engineUndo` (EngineUndoStore).
export { configureEngine, engineReport, HUB_ONLY_NOTE, undoEngine } from './engines/configure-engine.js';
export type {
  ConfigureOptions,
  ConfigureOutcome,
  EngineReport,
  UndoOutcome,
} from './engines/configure-engine.js';
export {
  detectEngines,
  engineByName,
  findEngines,
  type DetectOptions,
  type FoundEngine,
} from './engines/detect.js';
export type { AdapterDeps, EngineAdapter, EngineKind, EngineProbe, EngineState } from './engines/types.js';
export { Colima, colimaProfiles } from './engines/colima.js';
export { DockerDesktop, isLoopbackHost } from './engines/docker-desktop.js';
export { LinuxDockerd, type LinuxDockerdOptions } from './engines/linux-dockerd.js';
export { OrbStack } from './engines/orbstack.js';
export {
  DockerMachine,
  assertMachineName,
  DEFAULT_REGISTRY_MACHINE,
  type CreateOptions,
} from './machine/cli.js';
export { MachineEngine, newMachineFlags } from './machine/machine-engine.js';
export {
  createRegistryMachine,
  MACHINE_DATA_DIR,
  registryMachineUrl,
  type RegistryMachineOptions,
  type RegistryMachineResult,
} from './machine/registry-machine.js';
export { configureError, type ConfigureReason } from './errors.js';
export { processRunner, type Runner, type RunOptions } from './runner.js';
export { EngineUndoStore, type EngineUndoRecord } from './undo-store.js';
