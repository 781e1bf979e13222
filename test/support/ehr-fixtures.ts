import type { FhirPeer } from '@brixia/ehr/testing';
import { makeDicomFixture } from '@brixia/imaging/testing';
import type { OrthancServer } from './orthanc';

export interface SeededStudy {
  readonly studyId: string;
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly studyUrl: string;
}

/**
 * Puts one generated radiograph into Orthanc and its ImagingStudy (with Patient and a dicom-wado-rs
 * Endpoint pointing at Orthanc) into the EHR peer, as a hospital would hold them.
 */
export async function seedExternalStudy(
  ehr: FhirPeer,
  pacs: OrthancServer,
  seed: number,
  options: { viewPosition?: string; endpointAddress?: string | null; listSeries?: boolean; size?: number } = {},
): Promise<SeededStudy> {
  const studyInstanceUid = `2.25.${900000 + seed}`;
  const seriesInstanceUid = `${studyInstanceUid}.1`;
  const sopInstanceUid = `${seriesInstanceUid}.1`;
  await pacs.upload(
    await makeDicomFixture({ modality: 'DX', viewPosition: options.viewPosition ?? 'AP', studyInstanceUid, seriesInstanceUid, sopInstanceUid, patientId: `MRN${seed}`, width: options.size ?? 320, height: options.size ?? 320, seed, acquisitionDateTime: '20240301101500' }),
  );
  const patient = await ehr.seed<fhir4.Patient>({ resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: `MRN${seed}` }] });
  const endpointAddress = options.endpointAddress === undefined ? pacs.dicomWebUrl : options.endpointAddress;
  const endpoint = endpointAddress
    ? await ehr.seed<fhir4.Endpoint>({
        resourceType: 'Endpoint',
        status: 'active',
        connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'dicom-wado-rs' },
        payloadType: [{ text: 'DICOM' }],
        address: endpointAddress,
      })
    : undefined;
  const study = await ehr.seed<fhir4.ImagingStudy>({
    resourceType: 'ImagingStudy',
    status: 'available',
    subject: { reference: `Patient/${patient.id}` },
    started: '2024-03-01T10:15:00Z',
    identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${studyInstanceUid}` }],
    ...(endpoint ? { endpoint: [{ reference: `Endpoint/${endpoint.id}` }] } : {}),
    ...(options.listSeries
      ? { series: [{ uid: seriesInstanceUid, modality: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'DX' }, instance: [{ uid: sopInstanceUid, sopClass: { system: 'urn:ietf:rfc:3986', code: 'urn:oid:1.2.840.10008.5.1.4.1.1.1.1' } }] }] }
      : {}),
  });
  return { studyId: study.id, patientId: patient.id, studyInstanceUid, studyUrl: `${ehr.baseUrl}/ImagingStudy/${study.id}` };
}

/** The `$brixia-score` Parameters for a study reference. */
export function scoreReference(reference: string): fhir4.Parameters {
  return { resourceType: 'Parameters', parameter: [{ name: 'imagingStudy', valueReference: { reference } }] };
}
