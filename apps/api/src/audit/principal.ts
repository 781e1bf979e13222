import type { Request } from 'express';
import type { Principal } from '@brixia/auth';

export type { Principal };

/** The request's principal, when the authorization layer verified one. */
export function principalOf(request: Request): Principal | undefined {
  return (request as Request & { principal?: Principal }).principal;
}

/**
 * SMART scopes that let a client read the audit trail: `system/` or `user/` AuditEvent named
 * explicitly (a `*` resource wildcard does not count: reading who accessed what is a privilege of
 * its own), with read or search rights, v2 (`.rs`, `.cruds`) or v1 (`.read`, `.*`). Patient-context
 * tokens never read it: an AuditEvent names other patients' accesses and other users.
 */
export function grantsAuditRead(scopes: readonly string[], need: 'r' | 's'): boolean {
  return scopes.some((scope) => {
    const match = /^(system|user)\/AuditEvent\.([a-z*]+)$/.exec(scope);
    if (!match) return false;
    const rights = match[2];
    return rights === 'read' || rights === '*' || (/^c?r?u?d?s?$/.test(rights) && rights.includes(need));
  });
}
