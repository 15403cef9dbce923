//! The `reestr` binary's commands as an operator runs them.

use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn scratch_file(name: &str, text: &str) -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("reestr-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, text)?;
    Ok(path)
}

#[test]
fn check_reports_each_registry_and_exits_zero_on_a_good_file() -> TestResult {
    let path = scratch_file(
        "good.yaml",
        "registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: { allowHttp: true }\n",
    )?;
    let out = Command::new(env!("CARGO_BIN_EXE_reestr")).args(["check", "--config"]).arg(&path).output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("local — local"), "{stdout}");
    assert!(stdout.contains("    found   listTags            GET /v2/{name}/tags/list"), "{stdout}");
    assert!(stdout.contains("result    ok"), "{stdout}");
    Ok(())
}

#[test]
fn check_names_the_spot_and_exits_one_on_a_broken_file() -> TestResult {
    let path = scratch_file(
        "bad.yaml",
        "registries:\n  - id: ghcr\n    baseUrl: https://ghcr.io\n    auth:\n      type: bearer\n      tokenEnv: REESTR_CLI_TEST_UNSET_TOKEN\n",
    )?;
    let out = Command::new(env!("CARGO_BIN_EXE_reestr"))
        .env_remove("REESTR_CLI_TEST_UNSET_TOKEN")
        .args(["check", "--config"])
        .arg(&path)
        .output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(out.status.code(), Some(1));
    let expected = format!(
        "{}:6:17: registries[0].auth.tokenEnv: environment variable REESTR_CLI_TEST_UNSET_TOKEN is not set",
        path.display()
    );
    assert!(stdout.starts_with(&expected), "{stdout}");
    Ok(())
}

#[test]
fn serve_refuses_to_start_on_a_broken_file_and_says_why() -> TestResult {
    let path = scratch_file("http.yaml", "registries:\n  - id: x\n    baseUrl: http://r.example\n")?;
    let out = Command::new(env!("CARGO_BIN_EXE_reestr")).args(["serve", "--config"]).arg(&path).output()?;
    let stderr = String::from_utf8(out.stderr)?;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("registries[0].baseUrl: plain http:// needs `tls.allowHttp: true`"), "{stderr}");
    assert!(stderr.contains("nothing was started"), "{stderr}");
    Ok(())
}

#[test]
fn serve_refuses_a_malformed_trusted_proxy_list() -> TestResult {
    let path = scratch_file(
        "proxies.yaml",
        "access: open\nregistries:\n  - id: local\n    baseUrl: http://127.0.0.1:9\n    tls: { allowHttp: true }\n",
    )?;
    let out = Command::new(env!("CARGO_BIN_EXE_reestr"))
        .env("REESTR_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .output()?;
    let stderr = String::from_utf8(out.stderr)?;
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("`proxy.internal` is neither an address nor a CIDR range"), "{stderr}");
    Ok(())
}

#[test]
fn check_reads_the_real_harbor_and_docker_hub_documents_and_reports_what_they_lack() -> TestResult {
    let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs");
    let path = scratch_file(
        "documents.yaml",
        &format!(
            "registries:\n  - id: harbor\n    baseUrl: https://harbor.example.com\n    api: {{ document: {}/harbor-v2.0-swagger.yaml }}\n  - id: hub\n    baseUrl: https://registry-1.docker.io\n    api: {{ document: {}/dockerhub-latest.yaml }}\n",
            specs.display(),
            specs.display()
        ),
    )?;
    let out = Command::new(env!("CARGO_BIN_EXE_reestr")).args(["check", "--config"]).arg(&path).output()?;
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    // Swagger 2.0 read after normalisation; Harbor's own listRepositories is project-scoped, so not bound.
    assert!(stdout.contains("api       Harbor API 2.0"), "{stdout}");
    assert!(stdout.contains(
        "    MISSING listRepositories    `listRepositories` is GET /projects/{project_name}/repositories, which needs {project_name} that this profile cannot fill"
    ), "{stdout}");
    // Docker Hub's document is read once its boolean `required` properties are repaired.
    assert!(stdout.contains("api       Docker HUB API beta"), "{stdout}");
    assert!(stdout.contains("repaired  #/components/schemas/orgAccessTokenResource/properties/type"), "{stdout}");
    assert!(
        stdout.contains(
            "result    error: the API document lacks required operations: listRepositories, listTags, getManifest"
        ),
        "{stdout}"
    );
    Ok(())
}

#[test]
fn check_binds_the_harbor_and_docker_hub_profiles_and_takes_hand_declared_routes() -> TestResult {
    let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs");
    let config = |name: &str, extra: &str| -> std::io::Result<std::path::PathBuf> {
        scratch_file(
            name,
            &format!(
                "registries:\n  - id: harbor\n    baseUrl: https://harbor.example.com\n    api: {{ profile: harbor, document: {specs}/harbor-v2.0-swagger.yaml }}\n  - id: hub\n    baseUrl: https://registry-1.docker.io\n    api:\n      profile: dockerhub\n      document: {specs}/dockerhub-latest.yaml\n{extra}",
                specs = specs.display()
            ),
        )
    };
    let run = |path: &std::path::Path| -> Result<(Option<i32>, String), Box<dyn std::error::Error>> {
        let out = Command::new(env!("CARGO_BIN_EXE_reestr")).args(["check", "--config"]).arg(path).output()?;
        Ok((out.status.code(), String::from_utf8(out.stdout)?))
    };

    let (code, stdout) = run(&config("profiles.yaml", "")?)?;
    assert_eq!(code, Some(0), "{stdout}");
    for line in [
        "api       OCI Distribution API (read-only subset) 1.1 + Harbor API 2.0",
        "    found   listRepositories    GET /repositories",
        "    found   getRepository       GET /projects/{project_name}/repositories/{repository_name}",
        "    found   listTags            GET /projects/{project_name}/repositories/{repository_name}/artifacts",
        "    found   getReadme           GET /projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/additions/{addition}",
        "api       OCI Distribution API (read-only subset) 1.1 + Docker HUB API beta",
        // The published Docker Hub document lacks these two; the profile declares them.
        "    found   listRepositories    GET /v2/namespaces/{namespace}/repositories (declared by the profile;",
        "    found   getRepository       GET /v2/namespaces/{namespace}/repositories/{repository} (declared by the profile;",
        "    found   listTags            GET /v2/namespaces/{namespace}/repositories/{repository}/tags",
        "    found   getTag              GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}",
    ] {
        assert!(stdout.contains(line) || stdout.lines().any(|l| l.starts_with(line)), "missing `{line}` in:\n{stdout}");
    }

    // A hand declaration in registries.yaml still wins over the profile's.
    let (code, stdout) = run(&config(
        "declared.yaml",
        "      operations:\n        listRepositories: { method: GET, path: \"/v2/namespaces/{namespace}/repositories\", query: [page, page_size] }\n",
    )?)?;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout
            .contains("    found   listRepositories    GET /v2/namespaces/{namespace}/repositories (declared by hand;"),
        "{stdout}"
    );
    Ok(())
}

/// A `reestr serve` process on a free port, browsing the seeded registry
/// in open mode, with its stderr (the log) kept in `log`.
struct Served {
    base: String,
    log: std::path::PathBuf,
    dir: std::path::PathBuf,
    child: tokio::process::Child,
}

impl Served {
    async fn start(name: &str, env: &[(&str, &str)]) -> crate::support::TestResult<Self> {
        let host = crate::support::registry_host()?;
        let dir = std::env::temp_dir().join(format!("reestr-serve-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let config = dir.join("registries.yaml");
        std::fs::write(
            &config,
            format!(
                "access: open\nregistries:\n  - id: local\n    baseUrl: http://{host}\n    tls: {{ allowHttp: true }}\n"
            ),
        )?;
        let log = dir.join("reestr.log");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_reestr"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--config"])
            .arg(&config)
            .env("REESTR_DATA_DIR", &dir)
            .envs(env.iter().copied())
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status() == 200) {
                return Ok(Self { base, log, dir, child });
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Err(format!("the server did not start: {}", std::fs::read_to_string(&log).unwrap_or_default()).into())
    }

    /// The JSON log lines (`REESTR_LOG_FORMAT=json`) of one request id.
    fn log_of(&self, request_id: &str) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|l| l["span"]["request_id"] == request_id)
            .collect()
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A page's registry calls happen in tasks Leptos spawns; their log lines
/// still carry the request id, and the request's own line says how the
/// cache answered.
#[tokio::test]
async fn page_log_lines_keep_the_request_id_and_the_request_line_names_the_cache_outcome() -> crate::support::TestResult
{
    let server = Served::start("log", &[("REESTR_LOG_FORMAT", "json"), ("RUST_LOG", "info,reestr=debug")]).await?;
    let http = reqwest::Client::new();
    for id in ["page-cold", "page-warm"] {
        let resp = http
            .get(format!("{}/registries/local/repositories/team/app", server.base))
            .header("x-request-id", id)
            .send()
            .await?;
        assert_eq!(resp.status(), 200);
        resp.text().await?;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let message = |l: &serde_json::Value| l["fields"]["message"].as_str().unwrap_or_default().to_string();
    let cold = server.log_of("page-cold");
    let upstream = cold.iter().filter(|l| message(l) == "upstream").count();
    assert!(upstream >= 2, "the cold page's registry calls are logged under its id: {cold:#?}");
    let line = cold.iter().find(|l| message(l) == "request").ok_or("no request line")?;
    assert_eq!(line["fields"]["status"], 200);
    // Fetched, though a second lookup of one key within the page may hit memory.
    assert!(matches!(line["fields"]["cache"].as_str(), Some("miss" | "partial")), "{line}");
    let warm = server.log_of("page-warm");
    assert!(!warm.iter().any(|l| message(l) == "upstream"), "{warm:#?}");
    let line = warm.iter().find(|l| message(l) == "request").ok_or("no request line")?;
    assert_eq!(line["fields"]["cache"], "hit", "{line}");
    server.stop().await;
    Ok(())
}

/// `reestr serve` as deployed: its environment switches take effect.
/// `REESTR_API_RATE_PER_MINUTE=3` limits `/api` to three requests, and
/// `REESTR_FETCH_SBOMS=off` refuses SBOM downloads while referrers still list.
#[tokio::test]
async fn serve_obeys_the_rate_limit_and_sbom_switches_of_its_environment() -> crate::support::TestResult {
    let env =
        [("REESTR_API_RATE_PER_MINUTE", "3"), ("REESTR_FETCH_SBOMS", "off"), ("REESTR_TRUSTED_PROXIES", "127.0.0.1")];
    let server = Served::start("env", &env).await?;
    let base = server.base.clone();
    let http = reqwest::Client::new();

    let api = |path: &str| http.get(format!("{base}/api/registries/local/repositories/team/signed{path}")).send();
    let referrers: serde_json::Value = api("/-/referrers/1.0").await?.json().await?;
    let sbom = referrers
        .as_array()
        .and_then(|list| list.iter().find(|r| r["kind"] == "sbom"))
        .and_then(|r| r["digest"].as_str())
        .ok_or_else(|| format!("no SBOM referrer in {referrers}"))?
        .to_string();
    let refused = api(&format!("/-/sbom/{sbom}")).await?;
    assert_eq!(refused.status(), 501);
    let problem: serde_json::Value = refused.json().await?;
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("REESTR_FETCH_SBOMS")), "{problem}");
    let third = api("").await?;
    assert_eq!(third.status(), 200);
    let fourth = api("").await?;
    assert_eq!(fourth.status(), 429);
    assert!(fourth.headers().contains_key("retry-after"));
    // Behind a trusted proxy (this test's loopback), the forwarded address is the client.
    let forwarded =
        |ip: &'static str| http.get(format!("{base}/api/registries/local")).header("x-forwarded-for", ip).send();
    assert_eq!(forwarded("198.51.100.2").await?.status(), 200);
    assert_eq!(forwarded("127.0.0.1").await?.status(), 429, "the proxy's own budget is spent");
    // Health is never limited, and `reestr healthcheck` (the image's check) sees it.
    assert_eq!(http.get(format!("{base}/healthz")).send().await?.status(), 200);
    let check = |url: String| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_reestr")).args(["healthcheck", "--url", &url]).output()
    };
    assert!(check(format!("{base}/healthz")).await?.status.success());
    let dead = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let out = check(format!("http://{dead}/healthz")).await?;
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    server.stop().await;
    Ok(())
}
