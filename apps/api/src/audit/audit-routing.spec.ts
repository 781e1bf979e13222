import { auditedRoute } from './audited-routes';
import { grantsAuditRead } from './principal';

describe('auditedRoute', () => {
  it('audits every patient-data route with its action and the resource the path names', () => {
    expect(auditedRoute('GET', '/fhir/Observation/o-1')).toEqual({ action: 'R', interaction: 'read', entity: 'Observation/o-1' });
    expect(auditedRoute('HEAD', '/fhir/Binary/b-1')).toEqual({ action: 'R', interaction: 'read', entity: 'Binary/b-1' });
    expect(auditedRoute('GET', '/fhir/Observation')).toMatchObject({ action: 'E', interaction: 'search-type' });
    expect(auditedRoute('GET', '/fhir/Observation/$lastn')).toMatchObject({ action: 'E', interaction: 'operation' });
    expect(auditedRoute('POST', '/api/v1/studies')).toMatchObject({ action: 'C' });
    expect(auditedRoute('GET', '/api/v1/patients/p-9/timeline')).toMatchObject({ action: 'R', patientId: 'p-9' });
    expect(auditedRoute('GET', '/api/v1/images/i-1/radiograph.png')).toMatchObject({ action: 'R' });
    expect(auditedRoute('POST', '/fhir/ImagingStudy/s-1/$brixia-score')).toMatchObject({ action: 'E', entity: 'ImagingStudy/s-1' });
    expect(auditedRoute('POST', '/graphql')).toMatchObject({ action: 'E' });
  });

  it('leaves metadata, health, the dashboard and the audit trail itself alone', () => {
    for (const path of ['/fhir/metadata', '/health', '/dashboard/', '/fhir/AuditEvent', '/fhir/AuditEvent/x', '/fhir/Device/d', '/fhir/CodeSystem/brixia-score']) {
      expect(auditedRoute('GET', path)).toBeUndefined();
    }
    expect(auditedRoute('DELETE', '/fhir/Observation/o-1')).toBeUndefined();
  });
});

describe('grantsAuditRead', () => {
  it('needs an explicit system/ or user/ AuditEvent scope with the right', () => {
    expect(grantsAuditRead(['system/AuditEvent.rs'], 's')).toBe(true);
    expect(grantsAuditRead(['user/AuditEvent.read'], 'r')).toBe(true);
    expect(grantsAuditRead(['system/AuditEvent.cruds'], 'r')).toBe(true);
    expect(grantsAuditRead(['system/AuditEvent.r'], 's')).toBe(false);
    expect(grantsAuditRead(['system/*.rs', 'user/*.cruds', 'system/*.read'], 'r')).toBe(false);
    expect(grantsAuditRead(['patient/AuditEvent.rs'], 'r')).toBe(false);
    expect(grantsAuditRead(['system/AuditEvent.sr'], 'r')).toBe(false);
  });
});
