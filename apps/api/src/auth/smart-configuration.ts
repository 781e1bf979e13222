import type { ResourceServer } from './resource-server';

/** The resource types this server serves (for scopes_supported). */
const RESOURCE_TYPES = ['Observation', 'DiagnosticReport', 'ImagingStudy', 'Media', 'Binary', 'Task', 'Provenance', 'Device', 'Subscription'];

/**
 * `[base]/.well-known/smart-configuration` (SMART App Launch 2.x, "Conformance"): where to get a token
 * and which scopes mean something here. Undefined when auth is off.
 */
export function smartConfiguration(server: ResourceServer): Record<string, unknown> | undefined {
  const issuer = server.issuer;
  if (!issuer) return undefined;
  return {
    issuer: issuer.issuer,
    jwks_uri: issuer.jwks_uri,
    authorization_endpoint: issuer.authorization_endpoint,
    token_endpoint: issuer.token_endpoint,
    ...(issuer.revocation_endpoint ? { revocation_endpoint: issuer.revocation_endpoint } : {}),
    ...(issuer.introspection_endpoint ? { introspection_endpoint: issuer.introspection_endpoint } : {}),
    // Not a SMART field; the dashboard's logout uses it (OpenID Connect RP-Initiated Logout 1.0).
    ...(issuer.end_session_endpoint ? { end_session_endpoint: issuer.end_session_endpoint } : {}),
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [
      'openid',
      'fhirUser',
      'offline_access',
      ...['system', 'user', 'patient'].flatMap((context) => [`${context}/*.cruds`, `${context}/*.rs`, ...RESOURCE_TYPES.map((type) => `${context}/${type}.rs`)]),
      'system/Observation.c',
      'user/Observation.u',
    ],
    capabilities: ['launch-standalone', 'client-public', 'client-confidential-asymmetric', 'sso-openid-connect', 'context-standalone-patient', 'permission-offline', 'permission-patient', 'permission-user', 'permission-v1', 'permission-v2'],
  };
}

/** CapabilityStatement.rest.security: SMART-on-FHIR service with the oauth-uris extension. */
export function smartSecurity(server: ResourceServer): fhir4.CapabilityStatementRestSecurity | undefined {
  const issuer = server.issuer;
  if (!issuer) return undefined;
  return {
    cors: false,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }], text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)' }],
    description: 'Bearer JWT access tokens of the configured OpenID provider; SMART App Launch v2 scopes (v1 accepted).',
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'token', valueUri: issuer.token_endpoint },
          { url: 'authorize', valueUri: issuer.authorization_endpoint },
          ...(issuer.revocation_endpoint ? [{ url: 'revoke', valueUri: issuer.revocation_endpoint }] : []),
        ],
      },
    ],
  };
}
