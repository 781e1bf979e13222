import type * as fhir4 from 'fhir/r4';
import { buildExplanationImage, type ExplanationImageInput } from './explanation-media';
import { sampleFhirConfig as config, sampleModel as model } from './testing/samples';

const input: ExplanationImageInput = { mediaId: 'media-1', binaryId: 'bin-1', observationId: 'obs-1', patientId: 'p-9', zone: null, png: Buffer.from('png'), width: 4, height: 3, created: '2020-03-14T10:02:11Z', model };

describe('buildExplanationImage', () => {
  it('files the image under our Patient: Media.subject and Binary.securityContext', () => {
    const { media, binary } = buildExplanationImage(config, input);
    expect(media.subject).toEqual({ reference: 'Patient/p-9' });
    expect(binary.securityContext).toEqual({ reference: 'Patient/p-9' });
  });

  it("carries the Observation's reference to an EHR's Patient (absolute URL plus identifier) on both", () => {
    const subject: fhir4.Reference = { reference: 'https://ehr.example.org/fhir/Patient/p-9', type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN9' } };
    const { media, binary } = buildExplanationImage(config, { ...input, subject });
    expect(media.subject).toEqual(subject);
    expect(binary.securityContext).toEqual(subject);
    expect(media.subject).not.toBe(binary.securityContext);
  });
});
