//! The live clinic in a real Chromium through WebDriver (chromedriver on a free loopback port,
//! headless, a fresh profile): the whole ①–⑦ drill clicked through, a drill failed by forgetting
//! to switch back, the general account refused, a POST without its CSRF token refused. Screens
//! are saved to target/harness/browser/*.png.
//!
//! Without chromedriver these tests print why they did not run and return; with
//! `CLINIC_BROWSER_REQUIRED=1` (ci/test.sh) a missing chromedriver fails them instead.

mod clinic_support;

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clinic_support::*;
use fantoccini::{Client, ClientBuilder, Locator};
use harness::clinic::{CardSource, Clinic};
use harness::config::workspace_root;
use harness_reader::ReaderMode;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long chromedriver, the browser and page loads may take (real time: browser edge).
const PATIENCE: Duration = Duration::from_secs(20);

fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// chromedriver, started by this test; killed (by its own pid) when dropped.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
    chromium: Option<PathBuf>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Starts chromedriver, or says why not (and fails when CI requires the browser).
fn start_driver(test: &str) -> Option<Driver> {
    let Some(chromedriver) = find_program("CHROMEDRIVER", &["chromedriver"]) else {
        let reason = format!(
            "{test}: SKIPPED — chromedriver not found (install Debian's chromium and chromium-driver: ci/install-deps.sh)"
        );
        assert!(
            std::env::var("CLINIC_BROWSER_REQUIRED").is_err(),
            "{reason}, but CLINIC_BROWSER_REQUIRED is set"
        );
        say_skipped(&reason);
        return None;
    };
    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromedriver.display()));
    let deadline = Instant::now() + PATIENCE;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().unwrap(),
        chromium: find_program(
            "CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        ),
    })
}

async fn open_browser(driver: &Driver) -> Client {
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--window-size=1100,1500".to_owned(),
        "--lang=ja".to_owned(),
        format!("--user-data-dir={}", driver._profile.path().display()),
    ];
    args.sort();
    let mut options = json!({ "args": args });
    if let Some(binary) = &driver.chromium {
        options["binary"] = json!(binary.display().to_string());
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

/// The clinic served on a loopback port (ticker and `req/` poller running).
struct Served {
    base: String,
    host: harness::clinic::ClinicHost,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn serve() -> Served {
    let (clinic, dir): (Clinic, _) = build(2, CardSource::InProcess);
    let host = clinic.host.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        harness::clinic::serve::serve(listener, &clinic, shutdown)
            .await
            .unwrap();
    });
    Served {
        base,
        host,
        stop: Some(stop),
        task,
        _dir: dir,
    }
}

impl Served {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    async fn terminal_mode(&self, reader: &str) -> ReaderMode {
        self.host.engine().await.terminal_mode(reader).unwrap()
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("target/harness/browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let path: PathBuf = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    eprintln!("screenshot: {}", path.display());
}

/// Marks the current document, clicks, and waits for the next document to load (the form's
/// answer), so no element of the old page is used afterwards.
async fn submit(c: &Client, css: &str) {
    c.execute("window.__clinicOld = true;", vec![])
        .await
        .unwrap();
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let loaded = c
            .execute(
                "return window.__clinicOld === undefined && document.readyState === 'complete';",
                vec![],
            )
            .await;
        if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        assert!(Instant::now() < deadline, "no page after clicking {css}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn goto(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}")).await.unwrap();
}

async fn text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn exists(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

async fn login(c: &Client, base: &str, user: &str, password: &str) {
    goto(c, base, "/login").await;
    c.find(Locator::Css("input[name=user_id]"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(password)
        .await
        .unwrap();
    submit(c, "form[action='/login'] button[type=submit]").await;
}

fn mode_button(reader: &str, mode: &str) -> String {
    format!("form:has(input[name=reader][value='{reader}']) button[name=mode][value='{mode}']")
}

/// ② or ⑦ on the operator screen: the mode button, OK on 切替の確認, OK on 切替の完了.
async fn switch(c: &Client, base: &str, reader: &str, mode: &str, shots: Option<(&str, &str)>) {
    goto(c, base, "/readers").await;
    submit(c, &mode_button(reader, mode)).await;
    if let Some((confirm, done)) = shots {
        screenshot(c, confirm).await;
        submit(c, "form[action='/readers/mode/confirm'] button").await;
        screenshot(c, done).await;
    } else {
        submit(c, "form[action='/readers/mode/confirm'] button").await;
    }
    submit(c, "form[action='/readers/mode/ok'] button").await;
}

/// ⑤ on the operator screen, with the default 資格確認日 (today).
async fn tick(c: &Client, base: &str, reader: &str) {
    goto(c, base, "/readers").await;
    submit(
        c,
        &format!("form:has(input[name=reader][value='{reader}']) button.tick"),
    )
    .await;
}

async fn start_drill(c: &Client, base: &str, id: &str) {
    goto(c, base, "/drills").await;
    c.find(Locator::Css(&format!("input[name=drill][value='{id}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c, "#drill-start").await;
}

/// ⑥ the patient places the card and agrees to every item.
async fn card_and_consents(c: &Client, base: &str, person: &str, shot: Option<&str>) {
    goto(c, base, "/patient/0").await;
    submit(c, &format!("#place-{person}")).await;
    if let Some(shot) = shot {
        screenshot(c, shot).await;
    }
    let mut touched = 0;
    loop {
        let mut labels = Vec::new();
        for button in c.find_all(Locator::Css("button.touch")).await.unwrap() {
            labels.push(button.attr("data-label").await.unwrap().unwrap_or_default());
        }
        let Some(agree) = consent_button(&labels) else {
            break;
        };
        submit(c, &format!("button.touch[data-label='{agree}']")).await;
        touched += 1;
        assert!(touched <= 10, "consent screens do not end");
    }
    assert!(touched > 0, "no consent screen: {}", text(c).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_drill_is_clicked_through_and_passes() {
    let Some(driver) = start_driver("the_whole_drill_is_clicked_through_and_passes") else {
        return;
    };
    let served = serve().await;
    let c = open_browser(&driver).await;
    let base = served.base.clone();

    // ① login as admin; the menu links to the clinic's pages.
    login(&c, &base, "admin", ADMIN_PW).await;
    assert!(text(&c).await.contains("練習（目視確認モード）"));
    screenshot(&c, "drill-01-menu").await;
    start_drill(&c, &base, "bandage-face-only").await;
    // The patient: the face fails (bandage), the card has no PIN: 中止, card off.
    assert!(text(&c).await.contains("練習中"));
    submit(&c, "#place-sato-hanako").await;
    screenshot(&c, "drill-02-patient-card-placed").await;
    submit(&c, "button.touch[data-label='顔認証']").await;
    while exists(&c, "button.touch[data-label='もう一度']").await {
        submit(&c, "button.touch[data-label='もう一度']").await;
    }
    assert!(text(&c).await.contains("顔認証できませんでした"));
    screenshot(&c, "drill-03-face-failed").await;
    assert!(!exists(&c, "button.touch[data-label='暗証番号で認証']").await);
    if exists(&c, "button.touch[data-label='中止']").await {
        submit(&c, "button.touch[data-label='中止']").await;
    }
    let page = text(&c).await;
    assert!(
        page.contains("受付にお声かけください") || page.contains("中止しました"),
        "{page}"
    );
    submit(&c, "#remove-card").await;

    // ② 目視確認 for reader 0, through 切替の確認 and 切替の完了.
    switch(
        &c,
        &base,
        R0,
        "visual_check",
        Some(("drill-04-switch-confirm", "drill-05-switch-done")),
    )
    .await;
    assert_eq!(served.terminal_mode(R0).await, ReaderMode::VisualCheck);
    assert_eq!(served.terminal_mode(R1).await, ReaderMode::Unattended);
    // ③ ④ the card's photo beside the camera's view of the patient.
    goto(&c, &base, "/patient/0").await;
    assert!(text(&c).await.contains("職員の確認をお待ちください"));
    assert!(exists(&c, "img#card-photo").await && exists(&c, "img#camera-frame").await);
    screenshot(&c, "drill-06-card-photo-and-patient").await;
    // ⑤ the tick with today's 資格確認日.
    tick(&c, &base, R0).await;
    screenshot(&c, "drill-07-ticked").await;
    let page = text(&c).await;
    assert!(page.contains("☑ 目視で本人確認完了"), "{page}");
    // ⑥ card and consents.
    card_and_consents(&c, &base, "sato-hanako", Some("drill-08-consent")).await;
    assert!(text(&c).await.contains("受付が完了しました"));
    screenshot(&c, "drill-09-completed").await;
    submit(&c, "#remove-card").await;
    // ⑦ back to 無人運転, then 採点する.
    switch(&c, &base, R0, "unattended", None).await;
    goto(&c, &base, "/drills").await;
    submit(&c, "#drill-finish").await;
    let report = text(&c).await;
    screenshot(&c, "drill-10-report-passed").await;
    assert!(exists(&c, "#drill-report.passed").await, "{report}");
    assert!(
        report.contains("合格") && report.contains("手順どおりにできました"),
        "{report}"
    );

    c.close().await.unwrap();
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_left_in_visual_check_fails_in_the_browser() {
    let Some(driver) = start_driver("a_drill_left_in_visual_check_fails_in_the_browser") else {
        return;
    };
    let served = serve().await;
    let c = open_browser(&driver).await;
    let base = served.base.clone();
    login(&c, &base, "admin", ADMIN_PW).await;
    start_drill(&c, &base, "eyepatch-forgotten-pin").await;
    switch(&c, &base, R0, "visual_check", None).await;
    tick(&c, &base, R0).await;
    card_and_consents(&c, &base, "yamada-taro", None).await;
    submit(&c, "#remove-card").await;
    // ⑦ forgotten: 採点する with reader 0 still in 目視確認.
    goto(&c, &base, "/drills").await;
    submit(&c, "#drill-finish").await;
    let report = text(&c).await;
    screenshot(&c, "forgotten-switch-back-report").await;
    assert!(exists(&c, "#drill-report.failed").await, "{report}");
    assert!(
        report.contains("不合格") && report.contains("目視確認のまま"),
        "{report}"
    );
    assert_eq!(served.terminal_mode(R0).await, ReaderMode::VisualCheck);
    c.close().await.unwrap();
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_general_account_is_refused_the_switch_in_the_browser() {
    let Some(driver) = start_driver("the_general_account_is_refused_the_switch_in_the_browser")
    else {
        return;
    };
    let served = serve().await;
    let c = open_browser(&driver).await;
    let base = served.base.clone();
    login(&c, &base, "staff", STAFF_PW).await;
    goto(&c, &base, "/readers").await;
    submit(&c, &mode_button(R0, "visual_check")).await;
    let page = text(&c).await;
    screenshot(&c, "general-account-refused").await;
    assert!(page.contains("管理アカウント"), "{page}");
    assert!(!exists(&c, "form[action='/readers/mode/confirm']").await);
    assert_eq!(served.terminal_mode(R0).await, ReaderMode::Unattended);
    c.close().await.unwrap();
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_its_csrf_token_is_refused_in_the_browser() {
    let Some(driver) = start_driver("a_post_without_its_csrf_token_is_refused_in_the_browser")
    else {
        return;
    };
    let served = serve().await;
    let c = open_browser(&driver).await;
    let base = served.base.clone();
    login(&c, &base, "admin", ADMIN_PW).await;
    // The operator screen's mode button, and the patient page's card, without their tokens.
    goto(&c, &base, "/readers").await;
    c.execute(
        "document.querySelectorAll('input[name=csrf]').forEach(function (e) { e.remove(); });",
        vec![],
    )
    .await
    .unwrap();
    submit(&c, &mode_button(R0, "visual_check")).await;
    let page = text(&c).await;
    screenshot(&c, "csrf-less-post-refused").await;
    assert!(page.contains("不正な要求"), "{page}");
    assert_eq!(served.terminal_mode(R0).await, ReaderMode::Unattended);
    goto(&c, &base, "/patient/0").await;
    c.execute(
        "document.querySelectorAll('input[name=csrf]').forEach(function (e) { e.remove(); });",
        vec![],
    )
    .await
    .unwrap();
    submit(&c, "#place-yamada-taro").await;
    assert!(text(&c).await.contains("不正な要求"));
    assert!(served
        .host
        .reader_view(0)
        .await
        .unwrap()
        .card_on_reader
        .is_none());
    c.close().await.unwrap();
    served.stop().await;
}
