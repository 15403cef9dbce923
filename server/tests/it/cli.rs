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
    assert!(stdout.contains("found     listTags          GET /v2/{name}/tags/list"), "{stdout}");
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
        "MISSING   listRepositories  `listRepositories` is GET /projects/{project_name}/repositories, which needs {project_name} that this profile cannot fill"
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
