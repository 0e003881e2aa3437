//! The store on both databases: migrations apply, identities round-trip, the replay
//! cache refuses a second `jti`.

#![allow(clippy::unwrap_used)]

mod common;

use alicem_api::account::IdentityStatus;
use alicem_emrtd::verify::TrustStore;
use alicem_server::store::identities::{self, Identity, StatusReason};
use common::{Db, state};

async fn identities_round_trip_and_change_status(db: Db) {
    let Some(server) = state(db, TrustStore::new()).await else {
        return;
    };
    let store = &server.state.store;
    let identity = Identity {
        id: "id-1".into(),
        device_key: "{}".into(),
        device_key_thumbprint: "tp".into(),
        document_fingerprint: "fp".into(),
        document_expires_at: 2_000_000_000,
        level: "eidas3".into(),
        status: IdentityStatus::PendingPin,
        status_reason: None,
        pin_verifier: None,
        pin_failures: 0,
        enrollment_id: "e-1".into(),
        created_at: 1,
        updated_at: 1,
    };
    identities::insert(store.pool(), &identity).await.unwrap();
    assert_eq!(
        store.identity("id-1").await.unwrap(),
        Some(identity.clone())
    );
    assert!(
        identities::set_status(
            store.pool(),
            "id-1",
            IdentityStatus::Suspended,
            Some(StatusReason::ByCitizen),
            5
        )
        .await
        .unwrap()
    );
    let back = store.identity("id-1").await.unwrap().unwrap();
    assert_eq!(back.status, IdentityStatus::Suspended);
    assert_eq!(back.status_reason, Some(StatusReason::ByCitizen));
    assert_eq!(store.identities_of_document("fp").await.unwrap().len(), 1);

    assert!(
        store
            .remember_jti("jti-aaaaaaaaaaaaaaaaaaaaaa", 100)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remember_jti("jti-aaaaaaaaaaaaaaaaaaaaaa", 100)
            .await
            .unwrap()
    );
    assert_eq!(store.purge_jtis(101).await.unwrap(), 1);
}

#[tokio::test]
async fn sqlite_identities_round_trip_and_change_status() {
    identities_round_trip_and_change_status(Db::Sqlite).await;
}

#[tokio::test]
async fn postgres_identities_round_trip_and_change_status() {
    identities_round_trip_and_change_status(Db::Postgres).await;
}
