import { auditOutcomeOf, auditSubjectsOf, buildAuditEvent, type AuditInput } from './audit-event';
import { expectValidR4, sampleFhirConfig } from './testing';

const read: AuditInput = {
  id: '7d1f0c1e-0b7a-4d43-9a44-1f2a6a1c5e10',
  recorded: new Date('2026-12-01T10:00:00.000Z'),
  action: 'R',
  interaction: 'read',
  status: 200,
  agent: { clientId: 'ward-viewer', subject: 'u-17', fhirUser: 'Practitioner/dr-rossi', sourceAddress: '10.1.2.3' },
  patientIds: ['p1'],
  entities: ['Observation/obs-1'],
  requestId: 'req-1',
  description: 'GET /fhir/Observation/obs-1',
};

describe('buildAuditEvent (IHE BALP RESTful patient read/query)', () => {
  it('names client, user and server agents, the patient, the resource and the request id, and is valid R4', () => {
    const event = buildAuditEvent(sampleFhirConfig, read);
    expectValidR4(event);
    expect(event).toMatchObject({ action: 'R', outcome: '0', recorded: '2026-12-01T10:00:00.000Z', type: { code: 'rest' }, subtype: [{ code: 'read' }] });
    expect(event.agent.map((agent) => agent.type?.coding?.[0].code)).toEqual(['110153', 'IRCP', '110152']);
    expect(event.agent[0]).toMatchObject({ who: { identifier: { value: 'ward-viewer' } }, network: { address: '10.1.2.3', type: '2' }, requestor: false });
    expect(event.agent[1]).toMatchObject({ who: { reference: 'Practitioner/dr-rossi', identifier: { value: 'u-17' } }, requestor: true });
    expect(event.entity?.map((entity) => entity.what?.reference ?? entity.what?.identifier?.value)).toEqual(['Patient/p1', 'Observation/obs-1', 'req-1']);
    expect(event.entity?.[0].role?.code).toBe('1');
  });

  it('records an anonymous refusal (401) with the source address only, and a query as base64', () => {
    const event = buildAuditEvent(sampleFhirConfig, {
      ...read,
      action: 'E',
      interaction: 'search-type',
      status: 401,
      agent: { sourceAddress: '::ffff:127.0.0.1' },
      patientIds: [],
      entities: [],
      query: 'patient=p1&_count=5',
      description: 'GET /fhir/Observation',
    });
    expectValidR4(event);
    expect(event.outcome).toBe('4');
    expect(event.agent).toHaveLength(2);
    expect(event.agent[0]).toMatchObject({ requestor: true, network: { address: '::ffff:127.0.0.1' } });
    const query = event.entity?.find((entity) => entity.role?.code === '24');
    expect(Buffer.from(query?.query ?? '', 'base64').toString('utf8')).toBe('patient=p1&_count=5');
  });

  it('maps HTTP status to the AuditEvent outcome codes', () => {
    expect([200, 201, 304, 401, 403, 404, 429, 500, 503].map(auditOutcomeOf)).toEqual(['0', '0', '0', '4', '4', '4', '4', '8', '8']);
    expect(() => buildAuditEvent(sampleFhirConfig, { ...read, status: 42 })).toThrow();
  });
});

describe('auditSubjectsOf', () => {
  it('collects references and patients from a resource, a Binary and a searchset', () => {
    expect(auditSubjectsOf({ resourceType: 'Observation', id: 'o1', status: 'final', code: {}, subject: { reference: 'Patient/p1' } } as never)).toEqual({ entities: ['Observation/o1'], patientIds: ['p1'] });
    expect(auditSubjectsOf({ resourceType: 'Binary', id: 'b1', contentType: 'image/png', securityContext: { reference: 'Patient/p2' } } as never)).toEqual({ entities: ['Binary/b1'], patientIds: ['p2'] });
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: { resourceType: 'Observation', id: 'o1', subject: { reference: 'Patient/p1' } } },
        { resource: { resourceType: 'Observation', id: 'o2', subject: { reference: 'http://x/fhir/Patient/p3' } } },
        { resource: { resourceType: 'OperationOutcome', issue: [] } },
      ],
    };
    expect(auditSubjectsOf(bundle as never)).toEqual({ entities: ['Observation/o1', 'Observation/o2'], patientIds: ['p1', 'p3'] });
  });

  it("reads the patient of an EHR study's Task, Media and Binary from the absolute reference", () => {
    const ehr = { reference: 'https://ehr.example.org/fhir/Patient/p-9', type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN9' } };
    expect(auditSubjectsOf({ resourceType: 'Task', id: 't1', status: 'requested', intent: 'order', for: ehr } as never).patientIds).toEqual(['p-9']);
    expect(auditSubjectsOf({ resourceType: 'Media', id: 'm1', status: 'completed', content: {}, subject: ehr } as never).patientIds).toEqual(['p-9']);
    expect(auditSubjectsOf({ resourceType: 'Binary', id: 'b1', contentType: 'image/png', securityContext: ehr } as never).patientIds).toEqual(['p-9']);
  });
});
