//! Logging in over HTTP: the login form's CSRF token and strict cookies, sessions that expire
//! with the clock, lockout, and the real server on a loopback listener.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::TimeDelta;
use harness_terminal::web::{router, serve_listener, WebOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use crate::{setup, Browser, ADMIN_PW};

#[tokio::test]
async fn login_post_without_csrf_is_refused_and_cookies_are_strict() {
    let s = setup();
    let mut browser = Browser::new(&s.state);
    let page = browser.get("/login").await;
    let login_cookie = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("oqs_login_csrf="))
        .unwrap();
    assert!(login_cookie.contains("HttpOnly"), "{login_cookie}");
    assert!(login_cookie.contains("SameSite=Strict"), "{login_cookie}");
    let refused = browser
        .post("/login", &[("user_id", "admin"), ("password", ADMIN_PW)])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused
        .set_cookies
        .iter()
        .any(|c| c.starts_with("oqs_session=")));
    // A token that is not the cookie's: refused.
    let refused = browser
        .post(
            "/login",
            &[
                ("csrf", &"a".repeat(64)),
                ("user_id", "admin"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let csrf = browser.get("/login").await.csrf();
    let ok = browser
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("user_id", "admin"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let session_cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("oqs_session="))
        .unwrap();
    assert!(session_cookie.contains("HttpOnly"), "{session_cookie}");
    assert!(
        session_cookie.contains("SameSite=Strict"),
        "{session_cookie}"
    );
    assert!(session_cookie.contains("Path=/"), "{session_cookie}");
    let id = session_cookie
        .trim_start_matches("oqs_session=")
        .split(';')
        .next()
        .unwrap();
    assert_eq!(id.len(), 64);
    // Security headers.
    let page = browser.get("/readers").await;
    assert_eq!(page.status, StatusCode::OK);
    let response = router(s.state.clone(), WebOptions::default())
        .oneshot(Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let csp = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap();
    assert!(csp.to_str().unwrap().contains("form-action 'self'"));
    assert_eq!(
        response.headers().get(header::X_FRAME_OPTIONS).unwrap(),
        "DENY"
    );
}

#[tokio::test]
async fn session_expires_with_the_clock_and_lockout_over_http() {
    let s = setup();
    let mut admin = Browser::new(&s.state);
    admin.login("admin", ADMIN_PW).await;
    s.clock.advance(TimeDelta::minutes(29));
    assert_eq!(admin.get("/readers").await.status, StatusCode::OK);
    s.clock.advance(TimeDelta::minutes(30));
    let expired = admin.get("/readers").await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(expired.location.as_deref(), Some("/login?expired=1"));
    let login = admin.get("/login?expired=1").await;
    assert!(login.body.contains("一定時間操作がなかったため"));

    let mut attacker = Browser::new(&s.state);
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        let csrf = attacker.get("/login").await.csrf();
        last = attacker
            .post(
                "/login",
                &[("csrf", &csrf), ("user_id", "admin"), ("password", "guess")],
            )
            .await
            .status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let csrf = admin.get("/login").await.csrf();
    let locked = admin
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("user_id", "admin"),
                ("password", ADMIN_PW),
            ],
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("アカウントをロックしました"));
    s.clock.advance(TimeDelta::minutes(15));
    admin.login("admin", ADMIN_PW).await;
}

#[tokio::test]
async fn real_server_on_loopback_serves_the_login_page() {
    let s = setup();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_listener(
        listener,
        s.state.clone(),
        WebOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("オンライン資格確認等システム"));
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
