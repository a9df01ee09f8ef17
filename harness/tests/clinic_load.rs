//! Load on the live clinic's control API (ignored by default; `ci/clinic-load.sh` runs it): 16
//! readers driven at once, each through whole PIN-route visits (card, 暗証番号, PIN, four
//! consents, card off) over real HTTP on loopback for a bounded time (CLINIC_LOAD_SECONDS,
//! default 30). Prints visits/s and errors; every visit must give exactly one result file and
//! the face folder must hold exactly those files.
//!
//! Sixteen patients need sixteen cards: the test copies fixtures/ to
//! target/harness/clinic-load-fixtures, adds people load-01 … load-16 (standard cards, PIN 1234,
//! insurance like yamada-taro's) and mints their keys with `virtual-card`'s minter (once; later
//! runs reuse the folder).

mod clinic_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use clinic_support::{reader_names, ADMIN_PW, STAFF_PW, TOKEN};
use harness::clinic::{ApiToken, CardSource, Clinic, ClinicSetup};
use harness::config::workspace_root;
use harness::facility::Accounts;
use harness_terminal::account::HashCost;
use harness_terminal::config::TerminalPolicy;
use harness_terminal::secret::Password;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

const READERS: usize = 16;
/// Hard cap on visits per reader, whatever the time (keeps the run bounded on a fast machine).
const MAX_VISITS_PER_READER: usize = 10_000;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A My Number with its check digit (個人番号の検査用数字: weights 2–7, 2–6 from the right).
fn my_number(first11: u64) -> String {
    let digits = format!("{first11:011}");
    let sum: u32 = digits
        .chars()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let n = i as u32 + 1;
            let weight = if n <= 6 { n + 1 } else { n - 5 };
            c.to_digit(10).unwrap() * weight
        })
        .sum();
    let rest = sum % 11;
    let check = if rest <= 1 { 0 } else { 11 - rest };
    format!("{digits}{check}")
}

fn person_id(i: usize) -> String {
    format!("load-{:02}", i + 1)
}

/// The load fixtures (made once).
fn load_fixtures() -> PathBuf {
    let dir = workspace_root().join("target/harness/clinic-load-fixtures");
    if dir
        .join(format!("pki/cards/{}/auth.crt.der", person_id(READERS - 1)))
        .is_file()
    {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let source = workspace_root().join("fixtures");
    copy_dir(&source, &dir);
    let mut people = std::fs::read_to_string(dir.join("people.toml")).unwrap();
    let records_path = dir.join("insurance/records.toml");
    let mut records = std::fs::read_to_string(&records_path).unwrap();
    let yamada_record = {
        let start = records
            .find("[[record]]\nperson = \"yamada-taro\"")
            .expect("yamada-taro's record");
        let end = records[start + 1..]
            .find("[[record]]")
            .map_or(records.len(), |e| e + start + 1);
        records[start..end].to_owned()
    };
    let yamada_card = std::fs::read_to_string(source.join("cards/yamada-taro.toml")).unwrap();
    for i in 0..READERS {
        let id = person_id(i);
        people.push_str(&format!(
            "\n[[person]]\nid = \"{id}\"\nname = \"負荷　{n}\"\nkana = \"フカ　{n}\"\nbirth = \"1980-04-01\"\nsex = \"male\"\npost_code = \"100-8916\"\naddress = \"東京都千代田区霞が関一丁目２番２号\"\nmy_number = \"{mn}\"\nface_seed = {seed}\n",
            n = i + 1,
            mn = my_number(90_000_000_000 + i as u64),
            seed = 5000 + i,
        ));
        let card = yamada_card.replace("person = \"yamada-taro\"", &format!("person = \"{id}\""));
        std::fs::write(dir.join(format!("cards/{id}.toml")), card).unwrap();
        records.push_str(
            &yamada_record
                .replace("person = \"yamada-taro\"", &format!("person = \"{id}\""))
                .replace(
                    "insured_identification_number = \"1001\"",
                    &format!("insured_identification_number = \"{}\"", 7000 + i),
                ),
        );
    }
    std::fs::write(dir.join("people.toml"), people).unwrap();
    std::fs::write(&records_path, records).unwrap();
    virtual_card::pki::run(virtual_card::pki::MintArgs {
        fixtures: dir.clone(),
        force: false,
        seed: 20_261_101,
        readers: 1,
    })
    .expect("minting the load cards");
    dir
}

type Http = HttpClient<hyper_util::client::legacy::connect::HttpConnector, Body>;

async fn call(
    http: &Http,
    base: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    let body = match body {
        Some(json) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let response = http.request(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// One whole PIN-route visit at reader `n`; the result files it produced, or what failed.
async fn visit(http: &Http, base: &str, n: usize, person: &str) -> Result<Vec<String>, String> {
    let mut results = Vec::new();
    let mut step = |label: &str, (status, json): (StatusCode, Value)| {
        if status != StatusCode::OK {
            return Err(format!("reader {n} {label}: {status} {json}"));
        }
        if let Some(files) = json["results"].as_array() {
            results.extend(files.iter().filter_map(|f| f.as_str().map(str::to_owned)));
        }
        Ok(json)
    };
    let path = |p: &str| format!("/api/readers/{n}/{p}");
    step(
        "card",
        call(
            http,
            base,
            Method::POST,
            &path("card"),
            Some(json!({"person": person})),
        )
        .await,
    )?;
    step(
        "暗証番号",
        call(
            http,
            base,
            Method::POST,
            &path("touch"),
            Some(json!({"label": "暗証番号"})),
        )
        .await,
    )?;
    let mut screen = step(
        "pin",
        call(
            http,
            base,
            Method::POST,
            &path("pin"),
            Some(json!({"pin": "1234"})),
        )
        .await,
    )?;
    let mut consents = 0;
    loop {
        let buttons: Vec<String> = screen["reader"]["screen"]["buttons"]
            .as_array()
            .map(|b| {
                b.iter()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let Some(agree) = clinic_support::consent_button(&buttons) else {
            break;
        };
        screen = step(
            "consent",
            call(
                http,
                base,
                Method::POST,
                &path("touch"),
                Some(json!({"label": agree})),
            )
            .await,
        )?;
        consents += 1;
        if consents > 10 {
            return Err(format!("reader {n}: consent screens do not end"));
        }
    }
    if consents == 0 {
        return Err(format!(
            "reader {n}: no consent screen after the PIN: {screen}"
        ));
    }
    let off = step(
        "card off",
        call(http, base, Method::DELETE, &path("card"), None).await,
    )?;
    let _ = off;
    Ok(results)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run by ci/clinic-load.sh (30 s)"]
async fn sixteen_readers_through_whole_pin_visits() {
    let seconds: u64 = std::env::var("CLINIC_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let fixtures = load_fixtures();
    let dir = tempfile::tempdir().unwrap();
    let clinic = Clinic::build(ClinicSetup {
        fixtures,
        readers: reader_names(READERS),
        accounts: Accounts {
            admin: Password::new(ADMIN_PW),
            general: Password::new(STAFF_PW),
        },
        policy: TerminalPolicy {
            password_hash_cost: HashCost::Minimal,
            ..TerminalPolicy::default()
        },
        results: dir.path().join("oqs"),
        audit: None,
        cards: CardSource::InProcess,
        token: ApiToken::new(TOKEN).unwrap(),
    })
    .unwrap();
    let face_dir = dir.path().join("oqs/face");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        harness::clinic::serve::serve(listener, &clinic, async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });

    let http: Http = HttpClient::builder(TokioExecutor::new()).build_http();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let drivers: Vec<_> = (0..READERS)
        .map(|n| {
            let http = http.clone();
            let base = base.clone();
            tokio::spawn(async move {
                let person = person_id(n);
                let mut visits: Vec<Vec<String>> = Vec::new();
                let mut errors: Vec<String> = Vec::new();
                while Instant::now() < deadline
                    && visits.len() + errors.len() < MAX_VISITS_PER_READER
                {
                    match visit(&http, &base, n, &person).await {
                        Ok(files) => visits.push(files),
                        Err(e) => {
                            errors.push(e);
                            // Leave the reader clean for the next try.
                            let _ = call(
                                &http,
                                &base,
                                Method::DELETE,
                                &format!("/api/readers/{n}/card"),
                                None,
                            )
                            .await;
                        }
                    }
                }
                (visits, errors)
            })
        })
        .collect();
    let mut visits: Vec<Vec<String>> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for driver in drivers {
        let (v, e) = driver.await.unwrap();
        visits.extend(v);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (_, listed) = call(&http, &base, Method::GET, "/api/results", None).await;
    let _ = stop.send(());
    server.await.unwrap();

    println!(
        "clinic load: {READERS} readers, {} visits in {elapsed:.1} s = {:.1} visits/s, {} errors",
        visits.len(),
        visits.len() as f64 / elapsed,
        errors.len()
    );
    for error in errors.iter().take(5) {
        println!("  error: {error}");
    }
    assert!(errors.is_empty(), "{} errors", errors.len());
    assert!(!visits.is_empty());
    let wrong: Vec<&Vec<String>> = visits.iter().filter(|v| v.len() != 1).collect();
    assert!(
        wrong.is_empty(),
        "visits without exactly one result file: {wrong:?}"
    );
    let from_visits: BTreeSet<String> = visits.iter().flatten().cloned().collect();
    assert_eq!(
        from_visits.len(),
        visits.len(),
        "two visits reported the same file"
    );
    let listed: BTreeSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["folder"] == "face")
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        listed, from_visits,
        "the face folder holds exactly the visits' files"
    );
    let on_disk = std::fs::read_dir(&face_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "xml"))
        })
        .count();
    assert_eq!(on_disk, visits.len());
}
