import { randomBytes } from "node:crypto";

/** Access tokens issued by the simulated token endpoint, with their expiry. */
export class TokenRegistry {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(private readonly ttlSeconds: number) {}

  issue(clientId: string, now: number = Date.now()): { token: string; expiresIn: number } {
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, { clientId, expiresAt: now + this.ttlSeconds * 1000 });
    return { token, expiresIn: this.ttlSeconds };
  }

  /** The client a valid token belongs to; undefined for unknown or expired tokens. */
  check(token: string, now: number = Date.now()): string | undefined {
    const entry = this.tokens.get(token);
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return entry.clientId;
  }

  /** Invalidates every token issued so far (as a server-side revocation would). */
  revokeAll(): void {
    this.tokens.clear();
  }
}
