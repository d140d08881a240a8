// The registries live in the settings document beside the main mirror's settings (`registries`, added by
// settings version 3 as an empty list), read and written like them: migrated first, validated, a file
// that cannot be understood reported and left alone.
import { describeIssues, type MirrorSettings } from '../mirror/settings.js';
import type { JsonStore } from '../settings/json-file.js';
import { CURRENT_SETTINGS_VERSION, migrateDocument } from '../settings/migrations.js';
import { AppError } from '../util/errors.js';
import {
  findRegistry,
  notListed,
  registryListSchema,
  registryMirrorSettings,
  type RegistryEntry,
} from './registries.js';

export async function loadRegistries(store: JsonStore): Promise<RegistryEntry[]> {
  const raw = await store.read();
  if (raw === undefined) return [];
  const { doc } = migrateDocument(raw);
  const parsed = registryListSchema.safeParse(doc.registries ?? []);
  if (!parsed.success)
    throw new AppError(
      'CONFIG_UNREADABLE',
      `registries in ${store.location} are invalid: ${describeIssues(parsed.error, 'file')}`,
    );
  return parsed.data;
}

export async function saveRegistries(store: JsonStore, list: readonly RegistryEntry[]): Promise<void> {
  const parsed = registryListSchema.safeParse(list);
  if (!parsed.success) throw new AppError('INVALID_INPUT', describeIssues(parsed.error));
  const { doc } = migrateDocument((await store.read()) ?? {});
  await store.write({ ...doc, version: CURRENT_SETTINGS_VERSION, registries: parsed.data });
}

/**
 * The settings store as a command run for one registry sees it: the registry's mirror settings under
 * `mirror`; what a command saves there goes back into that registry's entry (its port and upstream;
 * the rest is the main mirror's and is refused before anything runs, see the CLI).
 */
export function registryStore(
  store: JsonStore,
  host: string,
  main: () => Promise<MirrorSettings>,
): JsonStore {
  const entry = async () => {
    const e = findRegistry(await loadRegistries(store), host);
    if (!e) throw notListed(host);
    return e;
  };
  return {
    location: `${store.location} (registry ${host})`,
    async read() {
      return {
        version: CURRENT_SETTINGS_VERSION,
        mirror: registryMirrorSettings(await main(), await entry()),
      };
    },
    async write(value) {
      const mirror = (value as { mirror?: Partial<MirrorSettings> }).mirror ?? {};
      const list = await loadRegistries(store);
      const current = findRegistry(list, host);
      if (!current) throw notListed(host);
      await saveRegistries(
        store,
        list.map((e) =>
          e === current
            ? {
                ...e,
                ...(mirror.port !== undefined ? { port: mirror.port } : {}),
                ...(mirror.upstreamUrl !== undefined ? { upstreamUrl: mirror.upstreamUrl } : {}),
                ...(mirror.upstreamCaFile !== undefined ? { upstreamCaFile: mirror.upstreamCaFile } : {}),
              }
            : e,
        ),
      );
    },
  };
}
