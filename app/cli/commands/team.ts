// drpc team manifests [flags]: a team mirror (Distribution 3.x in proxy mode) as Kubernetes manifests or
// a compose file, rendered with the user's values by app/team. Prints them; touches nothing else.
import { teamOptions, type TeamInput } from '../../team/options.js';
import { renderTeam } from '../../team/render.js';
import { AppError } from '../../util/errors.js';
import type { CliCommand, CliContext, OptionSpec } from '../command.js';
import { EXIT } from '../exit-codes.js';

const FLAGS: Record<string, keyof TeamInput> = {
  format: 'format',
  host: 'host',
  replicas: 'replicas',
  namespace: 'namespace',
  storage: 'storage',
  bucket: 'bucket',
  region: 'region',
  endpoint: 'endpoint',
  's3-secret': 's3Secret',
  size: 'size',
  'storage-class': 'storageClass',
  'tls-secret': 'tlsSecret',
  'auth-secret': 'authSecret',
  'upstream-secret': 'upstreamSecret',
  upstream: 'upstream',
  redis: 'redis',
  'service-type': 'serviceType',
  image: 'image',
};

const options: OptionSpec = {
  ...Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' as const }])),
  'no-auth': { type: 'boolean' },
};

function input(ctx: CliContext): TeamInput {
  const out: TeamInput = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const v = ctx.values[flag];
    if (typeof v === 'string') (out as Record<string, string>)[key] = v;
  }
  if (ctx.values['no-auth'] === true) out.noAuth = true;
  return out;
}

export const teamCommands: CliCommand[] = [
  {
    name: 'team',
    args: 'manifests',
    summary: 'a team mirror (registry 3, proxy mode) as Kubernetes manifests or a compose file, printed',
    options,
    settingsFlags: 'own',
    optionHelp: [
      '--format k8s|compose   Kubernetes objects (default) or a compose file for one Docker host',
      '--host NAME            DNS name clients use (default: the Service name in the cluster)',
      '--replicas N           registry replicas (default 2)',
      '--namespace NS         Kubernetes namespace (default registry-mirror)',
      '--storage s3|pvc       an S3(-compatible) bucket (default), or a ReadWriteMany volume',
      '--bucket B --region R --endpoint URL --s3-secret S   the bucket, for --storage s3',
      '--size 200Gi --storage-class C   the volume, for --storage pvc',
      '--tls-secret S --auth-secret S --upstream-secret S   Secret names (never their values)',
      '--no-auth              no htpasswd (refused with --upstream-secret)',
      '--upstream URL --redis HOST:PORT --service-type T --image REF',
    ],
    maxPositionals: 1,
    async run(ctx) {
      if (ctx.positionals[0] !== 'manifests')
        throw new AppError(
          'INVALID_INPUT',
          ctx.positionals[0] === undefined
            ? 'drpc team needs a subcommand: drpc team manifests [options]'
            : `unknown subcommand "team ${ctx.positionals[0]}"; drpc team manifests prints a team mirror's manifests`,
        );
      const rendered = renderTeam(teamOptions(input(ctx)));
      ctx.print(rendered.text.trimEnd(), { format: rendered.format, documents: rendered.documents });
      return EXIT.ok;
    },
  },
];
