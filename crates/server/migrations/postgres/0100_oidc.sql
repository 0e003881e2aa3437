-- OpenID Connect provider (PostgreSQL). No claim values are ever stored.

-- Signing keys: the private key is PKCS#8 sealed with AES-256-GCM under a
-- key-encryption key kept outside the database.
CREATE TABLE oidc_signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    alg TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sealed BYTEA NOT NULL
);

-- First-time consent, per identity and relying party.
CREATE TABLE oidc_consents (
    identity_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (identity_id, client_id)
);

-- The login identifier (e-mail) a citizen types on the identifier page, as a keyed
-- hash: enough to find the identity, not enough to read the address back.
CREATE TABLE oidc_login_identifiers (
    identifier_hash TEXT PRIMARY KEY NOT NULL,
    identity_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX oidc_login_identifiers_identity ON oidc_login_identifiers (identity_id);
