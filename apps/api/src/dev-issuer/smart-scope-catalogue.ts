/**
 * Every SMART resource scope the development provider will grant (oidc-provider grants a resource
 * server only the scopes it lists): contexts × resource types × v2 permission strings and v1 forms.
 */
const TYPES = ['*', 'Observation', 'DiagnosticReport', 'ImagingStudy', 'Media', 'Binary', 'Task', 'Provenance', 'Device', 'Subscription', 'Patient', 'AuditEvent', 'Practitioner', 'CodeSystem', 'OperationDefinition'];

function permissionStrings(): string[] {
  const letters = ['c', 'r', 'u', 'd', 's'];
  const out: string[] = [];
  for (let mask = 1; mask < 32; mask += 1) out.push(letters.filter((_, index) => mask & (1 << index)).join(''));
  return [...out, 'read', 'write', '*'];
}

export function smartScopeCatalogue(contexts: readonly ('system' | 'user' | 'patient')[]): string {
  const permissions = permissionStrings();
  return contexts.flatMap((context) => TYPES.flatMap((type) => permissions.map((permission) => `${context}/${type}.${permission}`))).join(' ');
}
