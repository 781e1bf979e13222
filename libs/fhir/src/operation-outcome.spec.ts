import { AppError, ERROR_TABLE, type ErrorCode } from '@brixia/common';
import { operationOutcome, operationOutcomeFromError } from './operation-outcome';

describe('operationOutcomeFromError', () => {
  const cases: ErrorCode[] = ['REQUEST.INVALID', 'RESOURCE.NOT_FOUND', 'IMAGING.NOT_FRONTAL', 'REQUEST.RATE_LIMITED', 'UPSTREAM.UNAVAILABLE', 'INFERENCE.MODEL_INVALID'];
  it.each(cases)('maps %s through ERROR_TABLE', (code) => {
    const { status, outcome } = operationOutcomeFromError(new AppError(code, 'Something specific happened'));
    expect(status).toBe(ERROR_TABLE[code].httpStatus);
    expect(outcome.issue).toEqual([
      { severity: ERROR_TABLE[code].severity, code: ERROR_TABLE[code].issueType, details: { text: code }, diagnostics: 'Something specific happened' },
    ]);
  });

  it('keeps the expression and adds the request id', () => {
    const error = new AppError('REQUEST.INVALID', 'bad parameter', { expression: ['Parameters.parameter[0]'] });
    const { status, outcome } = operationOutcomeFromError(error, 'req-42');
    expect(status).toBe(400);
    expect(outcome.issue[0]).toMatchObject({ code: 'invalid', expression: ['Parameters.parameter[0]'] });
    expect(outcome.issue[0]?.diagnostics).toContain('req-42');
  });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2')],
    ['a string', 'patient Jane Doe not found'],
    ['an object', { message: 'secret', stack: 'at db.ts:12' }],
    ['undefined', undefined],
  ])('turns %s into 500 "Internal error" without leaking the cause', (_label, thrown) => {
    const { status, outcome } = operationOutcomeFromError(thrown, 'req-7');
    expect(status).toBe(500);
    expect(outcome.issue[0]).toMatchObject({ severity: 'error', code: 'exception', details: { text: 'INTERNAL' } });
    expect(outcome.issue[0]?.diagnostics).toBe('Internal error (request id req-7)');
    const text = JSON.stringify(outcome);
    for (const secret of ['ECONNREFUSED', 'hunter2', 'Jane', 'secret', 'db.ts']) expect(text).not.toContain(secret);
  });
});

describe('operationOutcome', () => {
  it('builds issues and drops empty expressions', () => {
    const outcome = operationOutcome([
      { severity: 'warning', code: 'business-rule', diagnostics: 'lateral view', expression: [] },
      { severity: 'error', code: 'required', diagnostics: 'no subject', expression: ['ImagingStudy.subject'] },
    ]);
    expect(outcome.issue).toEqual([
      { severity: 'warning', code: 'business-rule', diagnostics: 'lateral view' },
      { severity: 'error', code: 'required', diagnostics: 'no subject', expression: ['ImagingStudy.subject'] },
    ]);
    expect(() => operationOutcome([])).toThrow(AppError);
  });
});

describe('OperationOutcome strings', () => {
  it('keeps control characters echoed from a request out of diagnostics and expression (R4 string)', () => {
    const { outcome } = operationOutcomeFromError(new AppError('RESOURCE.NOT_FOUND', 'Observation/a\u0000 not found', { expression: ['Observation/a\u0000'] }));
    expect(outcome.issue[0]).toMatchObject({ diagnostics: 'Observation/a\\u0000 not found', expression: ['Observation/a\\u0000'] });
    expect(operationOutcome([{ severity: 'error', code: 'invalid', diagnostics: 'tab\tand bell\u0007' }]).issue[0]?.diagnostics).toBe('tab\tand bell\\u0007');
  });
});
