// drpc containerd HOSTS_DIR [--undo]: containerd (ctr --hosts-dir, nerdctl, a node's config_path, and
// Docker Engine 28+'s containerd image store) pulls docker.io images through the mirror, by a hosts.toml
// drpc writes whole and removes on undo; a hosts.toml it did not write is never touched.
import { removeHostsEntry, writeHostsEntry } from '../../configure/containerd/hosts-dir.js';
import { AppError } from '../../util/errors.js';
import type { CliCommand } from '../command.js';
import { EXIT } from '../exit-codes.js';

const REGISTRY = 'docker.io';

export const containerdCommands: CliCommand[] = [
  {
    name: 'containerd',
    args: 'HOSTS_DIR',
    summary:
      "containerd's hosts directory (e.g. /etc/containerd/certs.d): docker.io pulls go through the mirror",
    options: { undo: { type: 'boolean' } },
    optionHelp: ['--undo       remove the hosts.toml drpc wrote there'],
    maxPositionals: 1,
    async run(ctx) {
      const dir = ctx.positionals[0];
      if (!dir)
        throw new AppError(
          'INVALID_INPUT',
          'name the hosts directory containerd reads (its config_path), e.g. drpc containerd /etc/containerd/certs.d',
        );
      if (ctx.values.undo) {
        const r = await removeHostsEntry(dir, REGISTRY);
        ctx.print(
          r.action === 'removed' ? `removed ${r.file}` : `nothing to undo: ${r.file} does not exist`,
          r,
        );
        return EXIT.ok;
      }
      // The address the mirror serves at; before it ever ran, the one it will take.
      const mirrorUrl = await ctx.mirror().then(
        (m) => m.mirrorUrl,
        () => `http://localhost:${ctx.settings.port}`,
      );
      const r = await writeHostsEntry(dir, { registry: REGISTRY, mirrorUrl });
      ctx.print(
        `${r.action}: ${r.file}\n` +
          `containerd now tries ${mirrorUrl} first for ${REGISTRY} images, then Docker Hub (read at each pull: no restart)`,
        { ...r, mirrorUrl },
      );
      return EXIT.ok;
    },
  },
];
