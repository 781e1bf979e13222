import { ZONES } from '@brixia/common';
import { AIAST_SECURITY } from './ai-transparency';
import { BRIXIA_CODES, brixiaCodeSystem, brixiaCodeSystemUrl } from './brixia-code-system';
import { brixiaScoreOperationDefinition } from './brixia-score.operation';
import { capabilityStatement } from './capability-statement';
import { brixiaConclusion, buildDiagnosticReport } from './diagnostic-report';
import { buildImagingStudy } from './imaging-study';
import { buildProvenance } from './provenance';
import { searchsetBundle } from './search-bundle';
import { sampleFhirConfig as config, sampleModel as model, sampleScoring } from './testing/samples';

describe('brixiaCodeSystem', () => {
  it('defines global, zone-A…F and both methods at its canonical URL', () => {
    const codeSystem = brixiaCodeSystem(config);
    expect(codeSystem.id).toBe('brixia-score');
    expect(codeSystem.url).toBe('https://brixia.example.org/fhir/CodeSystem/brixia-score');
    expect(brixiaCodeSystemUrl({ ...config, canonicalBase: 'https://x.org/fhir/' })).toBe('https://x.org/fhir/CodeSystem/brixia-score');
    const codes = codeSystem.concept?.map((concept) => concept.code);
    expect(codes).toEqual(expect.arrayContaining(['global', ...ZONES.map(BRIXIA_CODES.zone), 'bsnet-automated', 'radiologist']));
    expect(codeSystem.count).toBe(codes?.length);
  });
});

describe('buildDiagnosticReport', () => {
  it('concludes "AI Brixia 9/18: A2 B1 C2 D1 E1 F2"', () => {
    expect(brixiaConclusion(sampleScoring)).toBe('AI Brixia 9/18: A2 B1 C2 D1 E1 F2');
    expect(brixiaConclusion({ ...sampleScoring, zones: { A: 3, B: 3, C: 3, D: 3, E: 3, F: 3 }, global: 18 })).toBe('AI Brixia 18/18: A3 B3 C3 D3 E3 F3');
  });

  it('links the Observation and the study, with the Radiology category and the AI label', () => {
    const report = buildDiagnosticReport(config, {
      id: 'dr-1',
      observationId: 'obs-1',
      scoring: sampleScoring,
      patientId: 'p-1',
      imagingStudyId: 's-1',
      effectiveDateTime: '2020-03-14T09:30:00Z',
      issued: '2020-03-14T10:00:00Z',
      model,
      status: 'preliminary',
    });
    expect(report.result).toEqual([{ reference: 'Observation/obs-1' }]);
    expect(report.imagingStudy).toEqual([{ reference: 'ImagingStudy/s-1' }]);
    expect(report.category?.[0]?.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: 'LP29684-5' });
    expect(report.meta?.security).toEqual([AIAST_SECURITY]);
    expect(report.text?.div).toContain(model.sha256);
  });
});

describe('buildProvenance', () => {
  const common = { id: 'prov-1', targets: ['Observation/obs-1', 'DiagnosticReport/dr-1'], recorded: '2020-03-14T10:00:00Z', model, imagingStudyId: 's-1' };

  it('create: agent = the AI Device, source = the ImagingStudy, reason AIAST', () => {
    const provenance = buildProvenance(config, { ...common, activity: 'create' });
    expect(provenance.target.map((target) => target.reference)).toEqual(common.targets);
    expect(provenance.agent.map((agent) => agent.who.reference)).toEqual(['Device/bsnet-0-1-0']);
    expect(provenance.entity).toEqual([{ role: 'source', what: { reference: 'ImagingStudy/s-1' } }]);
    expect(provenance.reason).toBeUndefined();
    expect(provenance.meta?.security).toEqual([AIAST_SECURITY]);
  });

  it('revision: agent = the Practitioner, the earlier result as revision entity, no AI label', () => {
    const provenance = buildProvenance(config, { ...common, targets: ['Observation/obs-1'], activity: 'revision', practitionerId: 'dr-who' });
    expect(provenance.agent.map((agent) => agent.who.reference)).toEqual(['Practitioner/dr-who']);
    expect(provenance.entity?.map((entity) => entity.role)).toEqual(['source', 'revision']);
    expect(provenance.reason).toBeUndefined();
    expect(() => buildProvenance(config, { ...common, activity: 'revision' })).toThrow(/practitioner/);
  });

  it('create over a superseded point: its Observation and DiagnosticReport as revision entities, the study still the source', () => {
    const provenance = buildProvenance(config, { ...common, activity: 'create', supersedes: ['Observation/obs-old', 'DiagnosticReport/dr-old'] });
    expect(provenance.entity?.map((entity) => [entity.role, entity.what.reference])).toEqual([
      ['source', 'ImagingStudy/s-1'],
      ['revision', 'Observation/obs-old'],
      ['revision', 'DiagnosticReport/dr-old'],
    ]);
    expect(provenance.entity?.[1].what.display).toMatch(/superseded/i);
    expect(provenance.agent.map((agent) => agent.who.reference)).toEqual(['Device/bsnet-0-1-0']);
    expect(() => buildProvenance(config, { ...common, activity: 'create', supersedes: ['obs-old'] })).toThrow();
  });

  it('refuses targets that are not Type/id', () => {
    expect(() => buildProvenance(config, { ...common, targets: ['obs-1'], activity: 'create' })).toThrow(/targets\[0\]/);
  });
});

describe('buildImagingStudy', () => {
  it('carries the study UID as urn:dicom:uid, one series and one instance', () => {
    const study = buildImagingStudy({
      id: 's-1',
      patientId: 'p-1',
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.4',
      sopInstanceUid: '1.2.3.4.5\0',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.1',
      modality: 'CR',
      started: '2020-03-14T09:30:00Z',
      viewPosition: 'PA',
      numberOfInstances: 1,
    });
    expect(study.identifier).toEqual([{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' }]);
    expect(study.subject).toEqual({ reference: 'Patient/p-1' });
    expect(study.series?.[0]).toMatchObject({ uid: '1.2.3.4', modality: { code: 'CR' }, description: 'View position PA' });
    expect(study.series?.[0]?.instance?.[0]).toEqual({ uid: '1.2.3.4.5', sopClass: { system: 'urn:ietf:rfc:3986', code: 'urn:oid:1.2.840.10008.5.1.4.1.1.1' } });
  });

  it('works without DICOM UIDs (PNG/JPEG upload) and refuses a series without modality', () => {
    const study = buildImagingStudy({ id: 's-2', patientId: 'p-1', started: '2020-03-14T09:30:00Z' });
    expect(study.series).toBeUndefined();
    expect(study.identifier).toBeUndefined();
    expect(() => buildImagingStudy({ id: 's-3', patientId: 'p-1', seriesInstanceUid: '1.2' })).toThrow(expect.objectContaining({ code: 'IMAGING.UNREADABLE' }));
  });
});

describe('searchsetBundle', () => {
  it('has total, links and absolute fullUrls', () => {
    const bundle = searchsetBundle({
      resources: [{ resourceType: 'Observation', id: 'o-1' } as never, { resourceType: 'OperationOutcome', id: 'w' } as never],
      total: 7,
      selfUrl: 'http://localhost:3000/fhir/Observation?subject=Patient/p-1',
      nextUrl: 'http://localhost:3000/fhir/Observation?subject=Patient/p-1&_offset=2',
      baseUrl: 'http://localhost:3000/fhir/',
    });
    expect(bundle.total).toBe(7);
    expect(bundle.link?.map((link) => link.relation)).toEqual(['self', 'next']);
    expect(bundle.entry?.map((entry) => [entry.fullUrl, entry.search?.mode])).toEqual([
      ['http://localhost:3000/fhir/Observation/o-1', 'match'],
      ['http://localhost:3000/fhir/OperationOutcome/w', 'outcome'],
    ]);
    expect(searchsetBundle({ resources: [], total: 0, selfUrl: 'http://x/fhir/Observation', baseUrl: 'http://x/fhir' }).entry).toBeUndefined();
  });
});

describe('capabilityStatement and OperationDefinition', () => {
  it('declares the Observation search, the reads and $brixia-score at type and instance level', () => {
    const statement = capabilityStatement(config, { softwareVersion: '0.1.0', now: '2020-03-14T10:00:00Z' });
    const resources = statement.rest?.[0]?.resource ?? [];
    const observation = resources.find((resource) => resource.type === 'Observation');
    expect(observation?.interaction?.map((interaction) => interaction.code)).toEqual(['read', 'vread', 'history-instance', 'history-type', 'search-type']);
    const declared = observation?.searchParam?.map((param) => param.name) ?? [];
    expect(declared).toEqual(expect.arrayContaining(['patient', 'subject', 'code', 'date', 'status', 'category', 'identifier', '_id', '_lastUpdated', 'derived-from', 'device', '_sort', '_count']));
    expect(observation?.searchRevInclude).toEqual(['DiagnosticReport:result', 'Provenance:target']);
    expect(resources.map((resource) => resource.type)).toEqual(expect.arrayContaining(['Task', 'Device', 'ImagingStudy', 'CodeSystem', 'OperationDefinition']));
    const operation = resources.find((resource) => resource.type === 'ImagingStudy')?.operation?.[0];
    const definition = brixiaScoreOperationDefinition(config);
    expect(operation?.definition).toBe(definition.url);
    expect(definition).toMatchObject({ code: 'brixia-score', type: true, instance: true, system: false, resource: ['ImagingStudy'] });
    expect(statement.format).toEqual(['application/fhir+json', 'json']);
  });
});
