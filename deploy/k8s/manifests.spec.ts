import * as path from 'node:path';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { renderKustomization, type K8sObject } from './render-kustomize';

// Every rendered object is validated against the Kubernetes API's OpenAPI schemas (kubernetes-models,
// generated from the upstream definitions); then the operational rules are checked by hand.
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}

const podSpec = (o: K8sObject): PodSpec => ((o['spec'] as { template: { spec: PodSpec } }).template.spec);
const byName = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};

describe.each(['cpu', 'gpu'])('deploy/k8s/overlays/%s', (overlay) => {
  const objects = renderKustomization(path.join(__dirname, 'overlays', overlay));

  it('renders only objects that validate against the Kubernetes API schemas', () => {
    expect(objects.length).toBe(9);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(object as never).validate()).not.toThrow();
      expect(object.metadata.labels?.['app.kubernetes.io/part-of']).toBe('brixia-fhir');
    }
  });

  it('runs every pod as non-root with a read-only root filesystem, resource requests and probes', () => {
    for (const workload of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const spec = podSpec(workload);
      expect(spec.securityContext?.runAsNonRoot).toBe(true);
      expect(spec.securityContext?.runAsUser).not.toBe(0);
      for (const container of spec.containers) {
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(container.resources?.requests?.['cpu']).toBeDefined();
        expect(container.resources?.requests?.['memory']).toBeDefined();
        if (workload.kind === 'Deployment') {
          expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
          expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
        }
      }
    }
  });

  it('has api and worker roles, a migrations Job, and an HPA on the scoring backlog', () => {
    const role = (name: string): string | undefined => podSpec(byName(objects, name === 'brixia-migrations' ? 'Job' : 'Deployment', name)).containers[0].env?.find((e) => e.name === 'BRIXIA_ROLE')?.value;
    expect(role('brixia-api')).toBe('api');
    expect(role('brixia-worker')).toBe('worker');
    expect(role('brixia-migrations')).toBe('migrate');
    const settings = byName(objects, 'ConfigMap', 'brixia-config')['data'] as Record<string, string>;
    expect(settings['BRIXIA_RUN_MIGRATIONS']).toBe('off');
    // Two malloc arenas: the resident set the operations bench measured under 1 GiB (docs/operations.md).
    expect(settings['MALLOC_ARENA_MAX']).toBe('2');
    // A real issuer, so the api never starts the development OpenID provider in a cluster.
    expect(settings['BRIXIA_AUTH_ISSUER']).toMatch(/^https:\/\//);
    const hpa = byName(objects, 'HorizontalPodAutoscaler', 'brixia-worker')['spec'] as {
      scaleTargetRef: { name: string };
      metrics: { type: string; external?: { metric: { name: string } } }[];
    };
    expect(hpa.scaleTargetRef.name).toBe('brixia-worker');
    expect(hpa.metrics).toEqual([expect.objectContaining({ type: 'External', external: expect.objectContaining({ metric: { name: 'brixia_scoring_backlog' } }) })]);
  });

  it(overlay === 'gpu' ? 'gives the worker one NVIDIA GPU and the WebGPU provider' : 'asks for no GPU', () => {
    const worker = podSpec(byName(objects, 'Deployment', 'brixia-worker')).containers[0];
    const api = podSpec(byName(objects, 'Deployment', 'brixia-api')).containers[0];
    expect(api.resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
    if (overlay === 'gpu') {
      expect(worker.resources?.limits?.['nvidia.com/gpu']).toBe('1');
      expect(worker.env?.find((e) => e.name === 'BRIXIA_EXECUTION_PROVIDERS')?.value).toBe('webgpu,cpu');
    } else {
      expect(worker.resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
    }
  });
});
