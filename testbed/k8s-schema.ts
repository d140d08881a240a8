// Kubernetes objects against Kubernetes' own OpenAPI schemas, as the kubernetes-models package ships them
// (compiled ajv validators): types, required fields, enums and formats. The schemas allow fields they do
// not list, but the API server refuses them (kubectl's strict field validation), so unknown fields are
// found too: the object is validated through proxies that record every field the validator reads, and a
// field it never read is one the schema does not have (a validator reads each field its schema lists,
// and every key of a map it allows).
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(this: unknown): void };
}

const MODELS: ModelClass[] = [
  Namespace,
  ConfigMap,
  Service,
  PersistentVolumeClaim,
  Deployment,
  NetworkPolicy,
  PodDisruptionBudget,
];

/** Top-level fields of each kind (the validators see them, but these are checked here by hand). */
const TOP_LEVEL: Record<string, string[]> = {
  ConfigMap: ['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable'],
};
const DEFAULT_TOP = ['apiVersion', 'kind', 'metadata', 'spec'];

type Plain = Record<string | symbol, unknown>;

/** A deep proxy of `value` that adds every key read on an object to `read.get(thatObject)`. */
function watched(value: unknown, read: WeakMap<object, Set<string>>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const target = value as Plain;
  if (!read.has(target)) read.set(target, new Set());
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === 'string') read.get(t)!.add(key);
      return watched(Reflect.get(t, key, receiver), read);
    },
  });
}

function unread(value: unknown, read: WeakMap<object, Set<string>>, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const seen = read.get(value) ?? new Set<string>();
  for (const [key, child] of Object.entries(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
    if (!Array.isArray(value) && !seen.has(key)) out.push(`${here.slice(1)} is not a field the schema knows`);
    else unread(child, read, here, out);
  }
}

/** What is wrong with one object: schema errors, or the fields its schema does not have. Empty: valid. */
export function k8sSchemaProblems(obj: { apiVersion?: unknown; kind?: unknown }): string[] {
  const model = MODELS.find((m) => m.apiVersion === obj.apiVersion && m.kind === obj.kind);
  if (!model) return [`no schema here for ${String(obj.apiVersion)} ${String(obj.kind)}`];
  const top = TOP_LEVEL[model.kind] ?? DEFAULT_TOP;
  const extra = Object.keys(obj).filter((k) => !top.includes(k));
  if (extra.length) return extra.map((k) => `${k} is not a top-level field of ${model.kind}`);
  const read = new WeakMap<object, Set<string>>();
  try {
    model.prototype.validate.call(watched(obj, read));
  } catch (err) {
    return [(err as Error).message];
  }
  const out: string[] = [];
  for (const key of top) unread((obj as Plain)[key], read, `.${key}`, out);
  return out;
}
