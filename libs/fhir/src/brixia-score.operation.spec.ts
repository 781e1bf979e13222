import { AppError } from '@brixia/common';
import { parseBrixiaScoreParameters } from './brixia-score.operation';

const study = {
  resourceType: 'ImagingStudy',
  status: 'available',
  subject: { reference: 'Patient/p-1' },
  identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' }],
};

function expectInvalid(body: unknown, expression: string): void {
  let caught: unknown;
  try {
    parseBrixiaScoreParameters(body);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect(caught).toMatchObject({ code: 'REQUEST.INVALID', expression: [expression] });
}

describe('parseBrixiaScoreParameters', () => {
  it('accepts an inline ImagingStudy', () => {
    const request = parseBrixiaScoreParameters({ resourceType: 'Parameters', parameter: [{ name: 'imagingStudy', resource: study }] });
    expect(request).toEqual({ kind: 'inline', imagingStudy: study });
  });

  it('accepts a reference as imagingStudyReference or as imagingStudy', () => {
    for (const name of ['imagingStudyReference', 'imagingStudy']) {
      const request = parseBrixiaScoreParameters({ resourceType: 'Parameters', parameter: [{ name, valueReference: { reference: 'ImagingStudy/s-1' } }] });
      expect(request).toEqual({ kind: 'reference', reference: 'ImagingStudy/s-1' });
    }
  });

  it('ignores parameters of other names', () => {
    const request = parseBrixiaScoreParameters({
      resourceType: 'Parameters',
      parameter: [{ name: 'note', valueString: 'x' }, { name: 'imagingStudyReference', valueReference: { reference: 'ImagingStudy/s-2' } }],
    });
    expect(request).toEqual({ kind: 'reference', reference: 'ImagingStudy/s-2' });
  });

  it.each([
    ['null', null, 'Parameters'],
    ['a string', 'ImagingStudy/s-1', 'Parameters'],
    ['an array', [], 'Parameters'],
    ['the wrong resourceType', { resourceType: 'Bundle', parameter: [] }, 'Parameters.resourceType'],
    ['parameter not an array', { resourceType: 'Parameters', parameter: {} }, 'Parameters.parameter'],
    ['no study parameter', { resourceType: 'Parameters', parameter: [{ name: 'other', valueString: 'x' }] }, 'Parameters.parameter'],
    ['no parameter at all', { resourceType: 'Parameters' }, 'Parameters.parameter'],
  ])('rejects %s', (_label, body, expression) => expectInvalid(body, expression));

  it('rejects two study parameters', () => {
    const parameter = [
      { name: 'imagingStudy', resource: study },
      { name: 'imagingStudyReference', valueReference: { reference: 'ImagingStudy/s-1' } },
    ];
    expectInvalid({ resourceType: 'Parameters', parameter }, 'Parameters.parameter[1]');
  });

  it('rejects an ImagingStudy without subject, or with a non-Patient subject', () => {
    const { subject: _subject, ...withoutSubject } = study;
    expectInvalid({ resourceType: 'Parameters', parameter: [{ name: 'imagingStudy', resource: withoutSubject }] }, 'Parameters.parameter[0].resource.subject');
    expectInvalid(
      { resourceType: 'Parameters', parameter: [{ name: 'imagingStudy', resource: { ...study, subject: { reference: 'Group/g-1' } } }] },
      'Parameters.parameter[0].resource.subject',
    );
  });

  it('rejects a resource that is not an ImagingStudy, and references to other types', () => {
    expectInvalid({ resourceType: 'Parameters', parameter: [{ name: 'imagingStudy', resource: { resourceType: 'Patient' } }] }, 'Parameters.parameter[0].resource.resourceType');
    expectInvalid(
      { resourceType: 'Parameters', parameter: [{ name: 'imagingStudyReference', valueReference: { reference: 'Patient/p-1' } }] },
      'Parameters.parameter[0].valueReference.reference',
    );
    expectInvalid({ resourceType: 'Parameters', parameter: [{ name: 'imagingStudyReference', valueString: 'ImagingStudy/s-1' }] }, 'Parameters.parameter[0].valueReference');
    expectInvalid({ resourceType: 'Parameters', parameter: [{ name: 'imagingStudy' }] }, 'Parameters.parameter[0]');
  });
});
