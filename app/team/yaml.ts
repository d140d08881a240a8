// YAML as Kubernetes (sigs.k8s.io/yaml), Compose and Distribution (gopkg.in/yaml.v2) read it: YAML 1.1,
// where a bare no, yes, on, off or y is a boolean. Rendering in 1.1 quotes such strings (`--appendonly
// "no"`), which 1.2, the yaml package's default, would leave bare and Kubernetes would read as false.
import { stringify } from 'yaml';

export function toYaml(doc: unknown): string {
  return stringify(doc, { version: '1.1', lineWidth: 0 });
}
