import { startFhirPeer, type FhirPeer } from './testing';
import { EhrDirectory } from './ehr-directory';
import { identifierQuery } from './fhir-server-client';
import { resolveExternalImagingStudy } from './resolve-imaging-study';

/** The EHR client against a real FHIR server (Medplum's router) on loopback. */
describe('EHR client against a FHIR server', () => {
  let peer: FhirPeer;
  let locked: FhirPeer;
  let directory: EhrDirectory;
  const limits = { timeoutMs: 30_000, maxResponseBytes: 64 * 1024 };

  beforeAll(async () => {
    peer = await startFhirPeer();
    locked = await startFhirPeer({ requireBearer: 'sesame' });
    directory = await EhrDirectory.create({ servers: [{ baseUrl: peer.baseUrl, auth: { kind: 'none' } }, { baseUrl: locked.baseUrl, auth: { kind: 'bearer', token: 'sesame' } }], limits });
  });
  afterAll(async () => {
    await peer?.close();
    await locked?.close();
  });
  afterEach(() => peer.setOverride(undefined));

  async function seedStudy(target: FhirPeer, withEndpoint = true): Promise<string> {
    const patient = await target.seed<fhir4.Patient>({ resourceType: 'Patient', name: [{ family: 'Test' }] });
    const endpoint = await target.seed<fhir4.Endpoint>({
      resourceType: 'Endpoint', status: 'active', address: 'http://127.0.0.1:8042/dicom-web',
      connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'dicom-wado-rs' },
      payloadType: [{ text: 'DICOM' }],
    });
    const study = await target.seed<fhir4.ImagingStudy>({
      resourceType: 'ImagingStudy', status: 'available', subject: { reference: `Patient/${patient.id}` },
      identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3.4' }],
      ...(withEndpoint ? { endpoint: [{ reference: `Endpoint/${endpoint.id}` }] } : {}),
    });
    return study.id;
  }

  it('resolves an absolute reference to study, patient and WADO-RS endpoint; relative ones go to the default EHR', async () => {
    const id = await seedStudy(peer);
    const absolute = await resolveExternalImagingStudy(directory, `${peer.baseUrl}/ImagingStudy/${id}`);
    expect(absolute.study.id).toBe(id);
    expect(absolute.patient.resourceType).toBe('Patient');
    expect(absolute.endpoint?.address).toBe('http://127.0.0.1:8042/dicom-web');
    expect(absolute.studyUrl).toBe(`${peer.baseUrl}/ImagingStudy/${id}`);
    const relative = await resolveExternalImagingStudy(directory, `ImagingStudy/${id}`);
    expect(relative.study.id).toBe(id);
    const noEndpoint = await resolveExternalImagingStudy(directory, `ImagingStudy/${await seedStudy(peer, false)}`);
    expect(noEndpoint.endpoint).toBeUndefined();
  });

  it('sends the configured bearer token', async () => {
    const id = await seedStudy(locked);
    const resolved = await resolveExternalImagingStudy(directory, `${locked.baseUrl}/ImagingStudy/${id}`);
    expect(resolved.study.id).toBe(id);
    expect(locked.requests.at(-1)?.headers.authorization).toBe('Bearer sesame');
  });

  it('refuses what it must refuse, with clear codes', async () => {
    const patient = await peer.seed<fhir4.Patient>({ resourceType: 'Patient' });
    await expect(resolveExternalImagingStudy(directory, `${peer.baseUrl}/ImagingStudy/missing`)).rejects.toMatchObject({ code: 'IMAGING.STUDY_NOT_FOUND' });
    await expect(resolveExternalImagingStudy(directory, `${peer.baseUrl}/Patient/${patient.id}`)).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
    await expect(resolveExternalImagingStudy(directory, 'http://169.254.169.254/fhir/ImagingStudy/1')).rejects.toMatchObject({ code: 'UPSTREAM.NOT_ALLOWED' });
    const unauthorized = await EhrDirectory.create({ servers: [{ baseUrl: locked.baseUrl, auth: { kind: 'none' } }], limits });
    await expect(resolveExternalImagingStudy(unauthorized, 'ImagingStudy/x')).rejects.toMatchObject({ code: 'UPSTREAM.UNAUTHORIZED' });
  });

  it('does not follow redirects, bounds the answer size and maps outages', async () => {
    const id = await seedStudy(peer);
    peer.setOverride(() => ({ status: 302, body: '', headers: { location: 'http://169.254.169.254/latest' } }));
    await expect(resolveExternalImagingStudy(directory, `ImagingStudy/${id}`)).rejects.toMatchObject({ code: 'UPSTREAM.INVALID_RESPONSE' });
    peer.setOverride(() => ({ status: 200, body: JSON.stringify({ resourceType: 'ImagingStudy', note: [{ text: 'x'.repeat(200_000) }] }), headers: { 'content-type': 'application/fhir+json' } }));
    await expect(resolveExternalImagingStudy(directory, `ImagingStudy/${id}`)).rejects.toMatchObject({ code: 'UPSTREAM.TOO_LARGE' });
    peer.setOverride(() => ({ status: 200, body: '<html>login</html>', headers: { 'content-type': 'text/html' } }));
    await expect(resolveExternalImagingStudy(directory, `ImagingStudy/${id}`)).rejects.toMatchObject({ code: 'UPSTREAM.INVALID_RESPONSE' });
    peer.setOverride(undefined);
    await peer.stop();
    try {
      await expect(resolveExternalImagingStudy(directory, `ImagingStudy/${id}`)).rejects.toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });
    } finally {
      await peer.start();
    }
    expect((await resolveExternalImagingStudy(directory, `ImagingStudy/${id}`)).study.id).toBe(id);
  });

  it('creates conditionally: a second create with the same identifier finds the first', async () => {
    const server = directory.defaultServer!;
    const observation: fhir4.Observation = { resourceType: 'Observation', id: 'ours', status: 'preliminary', code: { text: 'Brixia score' }, identifier: [{ system: 'urn:brixia:test', value: 'abc' }] };
    const first = await server.conditionalCreate(observation, identifierQuery({ system: 'urn:brixia:test', value: 'abc' }));
    const second = await server.conditionalCreate(observation, identifierQuery({ system: 'urn:brixia:test', value: 'abc' }));
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, id: first.id });
    expect(await peer.search('Observation', { identifier: 'urn:brixia:test|abc' })).toHaveLength(1);
  });

  it('updates with a PUT under the EHR id, with the credentials, and maps refusals', async () => {
    const secured = await EhrDirectory.create({ servers: [{ baseUrl: locked.baseUrl, auth: { kind: 'bearer', token: 'sesame' } }], limits });
    const server = secured.defaultServer!;
    const stored = await locked.seed<fhir4.Observation>({ resourceType: 'Observation', status: 'preliminary', code: { text: 'Brixia score' } });
    const updated = await server.update({ ...stored, status: 'amended', meta: { versionId: 'ours' } });
    expect(updated.id).toBe(stored.id);
    expect(locked.requests.at(-1)).toMatchObject({ method: 'PUT', url: `/fhir/Observation/${stored.id}`, status: 200 });
    expect((await locked.search<fhir4.Observation>('Observation', { _id: stored.id })).map((o) => o.status)).toEqual(['amended']);
    const unauthorized = await EhrDirectory.create({ servers: [{ baseUrl: locked.baseUrl, auth: { kind: 'none' } }], limits });
    await expect(unauthorized.defaultServer!.update({ ...stored, status: 'final' })).rejects.toMatchObject({ code: 'UPSTREAM.UNAUTHORIZED' });
  });
});
