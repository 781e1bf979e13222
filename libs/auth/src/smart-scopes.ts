/**
 * SMART App Launch scopes (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 * v2 `<context>/<resource>.<cruds>` and v1 `<context>/<resource>.read|write|*`.
 */

/** SMART v2 interactions: create, read, update, delete, search. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export type ScopeContext = 'patient' | 'user' | 'system';

/** One resource scope, parsed. */
export interface ResourceScope {
  readonly context: ScopeContext;
  /** A resource type or `*`. */
  readonly resourceType: string;
  readonly interactions: ReadonlySet<Interaction>;
}

/** What a route needs: an interaction on a resource type. */
export interface AccessRequirement {
  readonly resourceType: string;
  readonly interaction: Interaction;
}

const V2 = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.(c?r?u?d?s?)$/;
const V1 = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|\*)$/;
const V1_INTERACTIONS: Readonly<Record<string, readonly Interaction[]>> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };

/**
 * Parses one scope; undefined for non-resource scopes (openid, fhirUser, launch/patient, offline_access)
 * and for v2 scopes with a query (`?category=…`), which this server does not evaluate and so never
 * treats as a grant (narrower is safer than wider).
 */
export function parseResourceScope(scope: string): ResourceScope | undefined {
  const v2 = V2.exec(scope);
  if (v2 && v2[3].length > 0) {
    return { context: v2[1] as ScopeContext, resourceType: v2[2], interactions: new Set(v2[3].split('') as Interaction[]) };
  }
  const v1 = V1.exec(scope);
  if (v1) return { context: v1[1] as ScopeContext, resourceType: v1[2], interactions: new Set(V1_INTERACTIONS[v1[3]]) };
  return undefined;
}

/**
 * Whether the scopes grant the requirement. `patient/` scopes grant only with a patient in context
 * (the `patient` claim); the compartment itself is enforced where the data is read.
 */
export function scopesGrant(scopes: readonly string[], requirement: AccessRequirement, hasPatientContext: boolean): boolean {
  return scopes.some((text) => {
    const scope = parseResourceScope(text);
    if (!scope) return false;
    if (scope.context === 'patient' && !hasPatientContext) return false;
    return (scope.resourceType === '*' || scope.resourceType === requirement.resourceType) && scope.interactions.has(requirement.interaction);
  });
}
