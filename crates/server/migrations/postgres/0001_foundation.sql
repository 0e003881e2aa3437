-- alicem identity server: the foundation schema (PostgreSQL).
-- Times are Unix seconds. No civil-status data and no biometric data, ever.

-- One row per digital identity: a device key, a keyed fingerprint of the document,
-- its expiry, the PIN verifier (peppered HMAC; the pepper is not in the database).
CREATE TABLE identities (
    id TEXT PRIMARY KEY NOT NULL,
    device_key TEXT NOT NULL,
    device_key_thumbprint TEXT NOT NULL,
    document_fingerprint TEXT NOT NULL,
    document_expires_at BIGINT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    pin_verifier TEXT,
    pin_failures BIGINT NOT NULL DEFAULT 0,
    enrollment_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX identities_device_key ON identities (device_key_thumbprint);
CREATE INDEX identities_document ON identities (document_fingerprint);
CREATE INDEX identities_expiry ON identities (document_expires_at);

-- Enrollment sessions. Contact data is cleared when the session is decided; chip
-- files and frames never reach this table.
CREATE TABLE enrollments (
    id TEXT PRIMARY KEY NOT NULL,
    session_code TEXT NOT NULL,
    device_key TEXT NOT NULL,
    device_key_thumbprint TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    terms_version TEXT NOT NULL,
    path TEXT NOT NULL,
    challenge BYTEA NOT NULL,
    liveness_script TEXT NOT NULL,
    client_addr TEXT,
    status TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '',
    document_fingerprint TEXT,
    document_expires_at BIGINT,
    identity_id TEXT,
    -- What was received (item, size, SHA-256) while evidence is held in memory, so a
    -- receipt can be signed even after a crash erased it.
    received TEXT,
    erasure_receipt TEXT,
    created_at BIGINT NOT NULL,
    deadline BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT
);
CREATE UNIQUE INDEX enrollments_session_code ON enrollments (session_code);
CREATE INDEX enrollments_status ON enrollments (status, deadline);

-- Device-proof `jti`s seen, for replay refusal (kept until the proof's `iat` window
-- has passed).
CREATE TABLE device_proof_jti (
    jti TEXT PRIMARY KEY NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Single-use PIN challenges (lifecycle, PIN change).
CREATE TABLE pin_challenges (
    id TEXT PRIMARY KEY NOT NULL,
    identity_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    nonce BYTEA NOT NULL,
    secret_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Documents reported lost or stolen, by keyed fingerprint.
CREATE TABLE lost_documents (
    document_fingerprint TEXT PRIMARY KEY NOT NULL,
    reported_at BIGINT NOT NULL,
    source TEXT NOT NULL
);

-- Every state change: who (citizen:<id>, agent:<login>, admin, system), what, on what.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);

-- The connection history (written by the OIDC provider, read by the citizen, purged
-- by the retention job): claim names, never values.
CREATE TABLE connection_history (
    id BIGSERIAL PRIMARY KEY,
    identity_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    service_provider TEXT NOT NULL,
    claims TEXT NOT NULL,
    acr TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX connection_history_identity ON connection_history (identity_id, at);
CREATE INDEX connection_history_at ON connection_history (at);

-- OIDC relying parties (`alicem admin sp add`; read by the OIDC provider).
-- redirect_uris, post_logout_redirect_uris: JSON arrays; scopes: space-separated;
-- client_secret_hash: PHC string (argon2id) or NULL; jwks: JSON (private_key_jwt).
CREATE TABLE service_providers (
    client_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    client_secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]',
    scopes TEXT NOT NULL,
    sector_identifier TEXT NOT NULL,
    token_endpoint_auth_method TEXT NOT NULL,
    id_token_signed_response_alg TEXT NOT NULL DEFAULT 'ES256',
    jwks TEXT,
    created_at BIGINT NOT NULL
);

-- Agents of the console and their sessions (the session id is stored hashed).
CREATE TABLE agents (
    login TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE agent_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    login TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
