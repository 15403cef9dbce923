//! Access rules on an in-memory SQLite store: setup once, logins,
//! throttling, session expiry, API tokens.

use super::*;

async fn access() -> Result<Access, StoreError> {
    let store = Store::open("sqlite::memory:").await?;
    Access::new(store, Mode::Login, Policy::default()).await
}

#[tokio::test]
async fn setup_works_once_with_the_token_then_logins_work() -> Result<(), Box<dyn std::error::Error>> {
    let a = access().await?;
    assert!(a.needs_setup().await?);
    let token = a.issue_setup_token().await?.ok_or("no setup token on a first run")?;
    let wrong = a.setup("not-the-token", "admin", "a long password", "1.2.3.4", "test").await;
    assert!(matches!(wrong, Err(AccessError::BadSetupToken)), "{wrong:?}");
    let short = a.setup(&token, "admin", "short", "1.2.3.4", "test").await;
    assert!(matches!(short, Err(AccessError::PasswordTooShort)), "{short:?}");
    let session = a.setup(&token, "admin", "a long password", "1.2.3.4", "test").await?;
    let p = a.from_session(&session).await?.ok_or("the setup session is not live")?;
    assert_eq!((p.user.username.as_str(), p.user.grants.everywhere), ("admin", Some(Role::Admin)));
    assert!(!a.needs_setup().await?);
    let again = a.setup(&token, "second", "a long password", "1.2.3.4", "test").await;
    assert!(matches!(again, Err(AccessError::AlreadySetUp)), "{again:?}");
    assert_eq!(a.issue_setup_token().await?, None, "no token once set up");

    let SignIn::Session(s2) = a.login("admin", "a long password", "1.2.3.4", "test").await? else {
        return Err("a second factor was asked for".into());
    };
    assert!(a.from_session(&s2).await?.is_some());
    assert!(matches!(a.login("admin", "wrong password", "1.2.3.4", "t").await, Err(AccessError::BadCredentials)));
    assert!(matches!(a.login("nobody", "a long password", "1.2.3.4", "t").await, Err(AccessError::BadCredentials)));
    a.end_session(&secret::hash(&s2)).await?;
    assert!(a.from_session(&s2).await?.is_none(), "a logged-out session is gone");
    Ok(())
}

#[tokio::test]
async fn failed_logins_are_throttled_per_account_and_a_success_clears_the_count()
-> Result<(), Box<dyn std::error::Error>> {
    let a = access().await?;
    let token = a.issue_setup_token().await?.ok_or("no token")?;
    a.setup(&token, "admin", "a long password", "10.0.0.1", "t").await?;
    // Four failures, then a success: the count starts over, so five more
    // failures are all checked.
    for _ in 0..throttle::PER_ACCOUNT - 1 {
        assert!(matches!(a.login("admin", "bad password!", "10.0.0.2", "t").await, Err(AccessError::BadCredentials)));
    }
    a.login("admin", "a long password", "10.0.0.2", "t").await?;
    for _ in 0..throttle::PER_ACCOUNT {
        assert!(matches!(a.login("admin", "bad password!", "10.0.0.2", "t").await, Err(AccessError::BadCredentials)));
    }
    // Now even the right password waits, from anywhere.
    let r = a.login("admin", "a long password", "10.0.0.3", "t").await;
    assert!(matches!(r, Err(AccessError::Throttled(s)) if s > 0 && s <= 15), "{r:?}");
    // Another account from another address is not affected.
    assert!(matches!(a.login("other", "x", "10.0.0.4", "t").await, Err(AccessError::BadCredentials)));
    Ok(())
}

#[tokio::test]
async fn an_account_under_attack_gets_growing_delays_then_starts_over() -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open("sqlite::memory:").await?;
    let account = [throttle::Bucket::Account("admin")];
    let t0 = 1_000_000;
    for i in 0..throttle::PER_ACCOUNT {
        assert_eq!(throttle::reserve(&store, &account, t0 + i).await?, None, "attempt {i}");
    }
    // The delays double: 15 s, 30 s, 60 s, … and are never longer than 15 minutes.
    let mut t = t0 + throttle::PER_ACCOUNT - 1;
    let mut delays = Vec::new();
    for _ in 0..8 {
        let wait = throttle::reserve(&store, &account, t + 1).await?.ok_or("not throttled")?;
        delays.push(1 + wait);
        t += 1 + wait;
        assert_eq!(throttle::reserve(&store, &account, t).await?, None, "allowed once the delay has passed");
    }
    assert_eq!(delays, [15, 30, 60, 120, 240, 480, 900, 900]);
    // An hour of quiet starts the bucket over.
    let later = t + throttle::LONGEST_QUIET;
    for i in 0..throttle::PER_ACCOUNT {
        assert_eq!(throttle::reserve(&store, &account, later + i).await?, None, "fresh attempt {i}");
    }
    // One address may try a ceremony 20 times a window; another address may still.
    let from = |ip| [throttle::Bucket::Address(throttle::Ceremony::Setup, ip)];
    for _ in 0..throttle::PER_ADDRESS {
        assert_eq!(throttle::reserve(&store, &from("10.0.0.9"), t0).await?, None);
    }
    assert_eq!(throttle::reserve(&store, &from("10.0.0.9"), t0 + 1).await?, Some(throttle::WINDOW - 1));
    assert_eq!(throttle::reserve(&store, &from("10.0.0.8"), t0 + 1).await?, None);
    Ok(())
}

#[tokio::test]
async fn sessions_end_when_idle_or_past_their_lifetime() -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open("sqlite::memory:").await?;
    let a = Access::new(store, Mode::Login, Policy::default()).await?;
    let token = a.issue_setup_token().await?.ok_or("no token")?;
    let s = a.setup(&token, "admin", "a long password", "ip", "t").await?;
    let hash = secret::hash(&s);
    let row = a.store.session(&hash).await?.ok_or("no row")?;
    // Make it look idle past the limit.
    a.store.touch_session(&hash, row.last_seen_at - a.policy.idle.as_secs() as i64 - 1).await?;
    assert!(a.from_session(&s).await?.is_none(), "idle session still accepted");
    assert!(a.store.session(&hash).await?.is_none(), "and it is deleted");
    Ok(())
}

#[tokio::test]
async fn api_tokens_are_stored_hashed_and_revocable() -> Result<(), Box<dyn std::error::Error>> {
    let a = access().await?;
    let token = a.issue_setup_token().await?.ok_or("no token")?;
    let s = a.setup(&token, "admin", "a long password", "ip", "t").await?;
    let user = a.from_session(&s).await?.ok_or("no session")?.user;
    let (id, api, _) = a.create_api_token(&user, "ci", None).await?;
    assert!(api.starts_with("reestr_"));
    let p = a.from_api_token(&api).await?.ok_or("token not accepted")?;
    assert_eq!((p.user.username.as_str(), p.via), ("admin", Via::Token));
    let listed = a.store.tokens_of(&user.id).await?;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    assert!(a.store.delete_token(&user.id, &id).await?);
    assert!(a.from_api_token(&api).await?.is_none(), "revoked token still accepted");
    assert!(matches!(a.create_api_token(&user, "  ", None).await, Err(AccessError::BadName)));
    Ok(())
}
