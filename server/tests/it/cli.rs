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
        "    absent  listRepositories    no GET /v2/namespaces/{namespace}/repositories; without it",
        "    found   listTags            GET /v2/namespaces/{namespace}/repositories/{repository}/tags",
        "    found   getTag              GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}",
    ] {
        assert!(stdout.contains(line) || stdout.lines().any(|l| l.starts_with(line)), "missing `{line}` in:\n{stdout}");
    }

    // The published Docker Hub document lacks the repository listing: declare it by hand.
    let (code, stdout) = run(&config(
        "declared.yaml",
        "      operations:\n        listRepositories: { method: GET, path: \"/v2/namespaces/{namespace}/repositories\", query: [page, page_size] }\n",
    )?)?;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("    found   listRepositories    GET /v2/namespaces/{namespace}/repositories"), "{stdout}");
    Ok(())
}
