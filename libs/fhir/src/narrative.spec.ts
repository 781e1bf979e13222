import type * as fhir4 from 'fhir/r4';
import { expectConformantFhir } from './testing/fhir-conformance';
import { withNarrative } from './narrative';

const observation: fhir4.Observation = {
  resourceType: 'Observation',
  id: 'o-1',
  meta: { versionId: '2' },
  status: 'final',
  code: { text: 'Brixia score <AI> & more' },
  subject: { reference: 'Patient/p-1' },
  effectiveDateTime: '2024-05-01T08:00:00Z',
  valueInteger: 9,
};
const task: fhir4.Task = { resourceType: 'Task', id: 't-1', status: 'failed', intent: 'order', businessStatus: { text: 'failed' }, statusReason: { text: 'not frontal <script>alert(1)</script>' } };
const outcome: fhir4.OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Observation/x not found' }] };

describe('withNarrative', () => {
  it.each([observation, task, outcome, { resourceType: 'Device', id: 'd-1', deviceName: [{ name: 'bsnet', type: 'model-name' }] } as fhir4.Device])(
    'gives a $resourceType a generated narrative of its facts that all validators accept',
    (resource) => {
      const served = withNarrative(resource);
      expect(served.text?.status).toBe('generated');
      expect(served.text?.div).toMatch(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml"><p><b>/);
      expectConformantFhir(served);
      expect({ ...served, text: undefined }).toEqual({ ...resource, text: undefined });
    },
  );

  it('writes the facts escaped (no markup from the data) and names the value and subject', () => {
    const div = withNarrative(observation).text?.div ?? '';
    expect(div).toContain('Value: 9');
    expect(div).toContain('Subject: Patient/p-1');
    expect(div).toContain('Brixia score &lt;AI&gt; &amp; more');
    expect(withNarrative(task).text?.div).toContain('&lt;script&gt;');
    expect(withNarrative(task).text?.div).not.toContain('<script>');
  });

  it('keeps a narrative a builder wrote, leaves subsets and non-DomainResources alone, and covers Bundle entries', () => {
    const written = { ...observation, text: { status: 'additional' as const, div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>mine</p></div>' } };
    expect(withNarrative(written)).toBe(written);
    const subset = { ...observation, meta: { tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }] } };
    expect(withNarrative(subset)).toBe(subset);
    const parameters: fhir4.Parameters = { resourceType: 'Parameters', parameter: [{ name: 'x', valueString: 'y' }] };
    expect(withNarrative(parameters)).toBe(parameters);
    const bundle = withNarrative<fhir4.Bundle>({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: observation }, { resource: parameters }] });
    expect(bundle.entry?.[0].resource).toMatchObject({ text: { status: 'generated' } });
    expect(bundle.entry?.[1].resource).toBe(parameters);
    expectConformantFhir(bundle);
  });
});
