import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as rendered (apiVersion, kind, metadata.name, the rest untyped). */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  labels?: { pairs: Record<string, string> }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

type JsonPatchOp = { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown };

/** RFC 6902 add / replace / remove (what the overlays use), on a deep copy. */
function applyJsonPatch(object: K8sObject, ops: readonly JsonPatchOp[]): K8sObject {
  const copy = structuredClone(object);
  for (const op of ops) {
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop() as string;
    let parent: unknown = copy;
    for (const key of keys) {
      parent = (parent as Record<string, unknown>)[key];
      if (parent === undefined) throw new Error(`patch path ${op.path} does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, op.value);
      else if (op.op === 'replace') parent[index] = op.value;
      else parent.splice(index, 1);
    } else {
      const record = parent as Record<string, unknown>;
      if (op.op === 'replace' && !(last in record)) throw new Error(`replace of missing ${op.path}`);
      if (op.op === 'remove') delete record[last];
      else record[last] = op.value;
    }
  }
  return copy;
}

/**
 * Renders a kustomization the way `kubectl kustomize` does for the features this repository uses:
 * resources (files and bases), `labels` pairs (metadata labels only), and JSON 6902 `patches`
 * targeted by kind and name. Anything else in a kustomization is refused, so the test cannot pass
 * on a feature it does not render.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  const kustomization = parseAllDocuments(readFileSync(file, 'utf8'))[0].toJS() as Kustomization & Record<string, unknown>;
  const unsupported = Object.keys(kustomization).filter((k) => !['apiVersion', 'kind', 'resources', 'labels', 'patches'].includes(k));
  if (unsupported.length > 0) throw new Error(`${file}: unsupported kustomize fields ${unsupported.join(', ')}`);
  let objects: K8sObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const target = path.join(dir, resource);
    if (resource.endsWith('.yaml')) {
      objects.push(...parseAllDocuments(readFileSync(target, 'utf8')).map((doc) => doc.toJS() as K8sObject).filter(Boolean));
    } else {
      objects.push(...renderKustomization(target));
    }
  }
  for (const { pairs } of kustomization.labels ?? []) {
    objects = objects.map((o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...pairs } } }));
  }
  for (const { target, patch } of kustomization.patches ?? []) {
    const ops = parseAllDocuments(patch)[0].toJS() as JsonPatchOp[];
    let hits = 0;
    objects = objects.map((o) => {
      if (o.kind !== target.kind || o.metadata.name !== target.name) return o;
      hits++;
      return applyJsonPatch(o, ops);
    });
    if (hits !== 1) throw new Error(`${file}: patch target ${target.kind}/${target.name} matched ${hits} objects`);
  }
  return objects;
}
