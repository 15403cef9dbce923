//! Each kind of broken file, with the exact message a user sees.

use std::path::Path;

use app::model::Role;

use super::*;

fn env_with(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
}

fn errors(text: &str) -> Vec<String> {
    match load_str(text, "registries.yaml", Path::new("/nonexistent"), &env_with(&[])) {
        Ok(c) => panic!("expected errors, got {c:?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

fn ok(text: &str, vars: &'static [(&'static str, &'static str)]) -> Config {
    match load_str(text, "registries.yaml", Path::new("/nonexistent"), &env_with(vars)) {
        Ok(c) => c,
        Err(e) => panic!("expected a valid file, got:\n{e}"),
    }
}

#[test]
fn a_minimal_entry_gets_defaults() {
    let c = ok("registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: { allowHttp: true }\n", &[]);
    let r = &c.registries[0];
    assert_eq!(r.id, "local");
    assert_eq!(r.display_name, "local");
    assert_eq!(r.base_url.as_str(), "http://127.0.0.1:5000/");
    assert_eq!(r.auth.mode(), "anonymous");
    assert_eq!(r.api.document, DocumentSource::BuiltinOci);
    assert!(r.capabilities.supports_readme && r.capabilities.supports_sbom && r.capabilities.supports_metrics);
    assert!(r.allowed_hosts.is_empty());
}

#[test]
fn a_trailing_v2_in_the_base_url_is_dropped() {
    let c = ok("registries:\n  - id: hub\n    baseUrl: https://registry.example.com/v2/\n", &[]);
    assert_eq!(c.registries[0].base_url.as_str(), "https://registry.example.com/");
}

#[test]
fn basic_auth_reads_both_variables_and_never_prints_the_password() {
    let c = ok(
        "registries:\n  - id: my-reg\n    baseUrl: https://r.example\n    auth: { type: basic }\n",
        &[("REESTR_REGISTRY_MY_REG_USERNAME", "alice"), ("REESTR_REGISTRY_MY_REG_PASSWORD", "hunter2-canary")],
    );
    let auth = &c.registries[0].auth;
    match auth {
        Auth::Basic { username, .. } => assert_eq!(username, "alice"),
        other => panic!("expected basic auth, got {other:?}"),
    }
    let shown = format!("{c:?}");
    assert!(!shown.contains("hunter2-canary"), "secret leaked into Debug: {shown}");
}

#[test]
fn a_missing_token_variable_names_file_line_column_path_and_variable() {
    let text = "registries:\n  - id: a\n    baseUrl: https://a.example\n  - id: b\n    baseUrl: https://b.example\n  - id: ghcr\n    baseUrl: https://ghcr.io\n    auth:\n      type: bearer\n      tokenEnv: REESTR_REGISTRY_GHCR_TOKEN\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:10:17: registries[2].auth.tokenEnv: environment variable REESTR_REGISTRY_GHCR_TOKEN is not set"
        ]
    );
}

#[test]
fn a_missing_default_variable_points_at_the_auth_type() {
    let text = "registries:\n  - id: ghcr\n    baseUrl: https://ghcr.io\n    auth:\n      type: bearer\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:5:13: registries[0].auth.tokenEnv: environment variable REESTR_REGISTRY_GHCR_TOKEN is not set"
        ]
    );
}

#[test]
fn plain_http_without_allow_http_is_refused() {
    let text = "registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n";
    assert_eq!(
        errors(text),
        ["registries.yaml:3:14: registries[0].baseUrl: plain http:// needs `tls.allowHttp: true` for this registry"]
    );
}

#[test]
fn credentials_in_the_url_are_refused() {
    let text = "registries:\n  - id: x\n    baseUrl: https://bob:pw@r.example\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:3:14: registries[0].baseUrl: credentials do not belong in the URL: use auth and environment variables"
        ]
    );
}

#[test]
fn an_unknown_field_is_named_with_its_path() {
    let text = "registries:\n  - id: x\n    baseUrl: https://r.example\n    tls:\n      allowHtp: true\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:5:7: registries[0].tls.allowHtp: Unknown field `allowHtp`, expected one of `allowInsecure`, `allowHttp`, or `caFile`"
        ]
    );
}

#[test]
fn a_missing_required_field_is_reported() {
    assert_eq!(errors("registries:\n  - id: x\n"), ["registries.yaml:2:7: registries[0]: missing field `baseUrl`"]);
}

#[test]
fn invalid_and_duplicate_ids_are_both_reported_in_file_order() {
    let text = "registries:\n  - id: Bad_Id\n    baseUrl: https://a.example\n  - id: dup\n    baseUrl: https://b.example\n  - id: dup\n    baseUrl: https://c.example\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:2:9: registries[0].id: `Bad_Id` is not a valid id: use lower-case letters, digits and inner dashes, at most 63 characters",
            "registries.yaml:6:9: registries[2].id: duplicate id `dup` (first used on line 4)",
        ]
    );
}

#[test]
fn unknown_auth_types_and_profiles_say_what_is_accepted() {
    let text = "registries:\n  - id: x\n    baseUrl: https://r.example\n    auth: { type: kerberos }\n    api: { profile: gitea }\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:4:19: registries[0].auth.type: unknown auth type `kerberos`; use anonymous, basic or bearer",
            "registries.yaml:5:21: registries[0].api.profile: unknown profile `gitea`; use oci, harbor, dockerhub, ghcr, quay or gitlab, or a profile file",
        ]
    );
}

#[test]
fn broken_yaml_points_at_the_break() {
    let e = errors("registries:\n  - id: x\n    baseUrl: [unclosed\n");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("registries.yaml:4:") && e[0].contains("invalid YAML"), "{}", e[0]);
}

#[test]
fn a_file_that_is_not_a_mapping_says_what_it_should_be() {
    let e = errors("- just\n- a list\n");
    assert_eq!(e, ["registries.yaml:1:1: the file must be a mapping with a `registries:` list"]);
}

#[test]
fn duplicate_keys_are_refused() {
    let e = errors("registries:\n  - id: x\n    id: y\n    baseUrl: https://r.example\n");
    assert_eq!(e, ["registries.yaml:3:5: duplicate key `id` (first on line 2)"]);
}

#[test]
fn a_missing_ca_file_is_reported() {
    let e = errors("registries:\n  - id: x\n    baseUrl: https://r.example\n    tls: { caFile: ca.pem }\n");
    assert_eq!(
        e,
        [
            "registries.yaml:4:20: registries[0].tls.caFile: cannot read /nonexistent/ca.pem: No such file or directory (os error 2)"
        ]
    );
}

#[test]
fn the_shipped_registries_yaml_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../registries.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!text.is_empty(), "cannot read {}", path.display());
    let c = ok(&text, &[]);
    assert_eq!(c.registries[0].id, "local");
    assert_eq!(c.registries[0].base_url.as_str(), "http://127.0.0.1:5000/");
}

#[test]
fn operation_overrides_are_checked() {
    let text = "registries:\n  - id: x\n    baseUrl: https://r.example\n    api:\n      operations:\n        listTagz: { operationId: a }\n        listTags: { operationId: a, method: GET, path: /a }\n        getTag: { method: DELETE, path: /t }\n        getReadme: { method: GET, path: readme }\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:6:9: registries[0].api.operations.listTagz: unknown operation `listTagz`; use one of checkVersion, listRepositories, searchRepositories, getRepository, listTags, getTag, getManifest, getBlob, listReferrers, getReadme, getVulnerabilities",
            "registries.yaml:7:9: registries[0].api.operations.listTags: give either `operationId`, or `method` and `path`",
            "registries.yaml:8:27: registries[0].api.operations.getTag.method: only GET: Reestr never changes a registry",
            "registries.yaml:9:41: registries[0].api.operations.getReadme.path: the path must start with `/`",
        ]
    );
}

#[test]
fn catalogue_profiles_need_their_document() {
    let text = "registries:\n  - id: h\n    baseUrl: https://harbor.example.com\n    api: { profile: harbor }\n";
    assert_eq!(
        errors(text),
        [
            "registries.yaml:4:21: registries[0].api.document: profile `harbor` needs the registry's API document (a URL or file)"
        ]
    );
}

#[test]
fn catalogue_settings_are_read_with_defaults() {
    let c = ok(
        "registries:\n  - id: hub\n    baseUrl: https://registry-1.docker.io\n    api:\n      profile: dockerhub\n      document: https://hub.docker.com/openapi.yaml\n      baseUrl: https://hub.docker.com/\n      namespaces: [library, my-org]\n      operations:\n        listRepositories:\n          method: GET\n          path: /v2/namespaces/{namespace}/repositories\n          pagination: { style: cursor, field: /meta/next, param: after }\n",
        &[],
    );
    let api = &c.registries[0].api;
    assert_eq!(api.base_url.as_ref().map(Url::as_str), Some("https://hub.docker.com/"));
    assert_eq!(api.namespaces, ["library", "my-org"]);
    assert_eq!(api.max_pages, DEFAULT_MAX_PAGES);
    assert_eq!(
        api.overrides[0].pagination,
        Some(PageStyle::Cursor { field: "/meta/next".into(), param: "after".into() })
    );
}

#[test]
fn broken_catalogue_settings_are_each_reported() {
    let e = errors(
        "registries:\n  - id: h\n    baseUrl: https://h.example\n    api:\n      baseUrl: http://api.example\n      namespaces: [Bad/Name]\n      maxPages: 0\n      operations:\n        listTags: { operationId: x, pagination: { style: cursor } }\n        listRepositories: { operationId: y, pagination: { style: offset } }\n",
    );
    assert_eq!(
        e,
        [
            "registries.yaml:5:16: registries[0].api.baseUrl: plain http:// needs `tls.allowHttp: true` for this registry",
            "registries.yaml:6:20: registries[0].api.namespaces[0]: `Bad/Name` is not a namespace: use lower-case letters, digits, `-`, `_` and `.`",
            "registries.yaml:7:17: registries[0].api.maxPages: 0 is out of range: use 1 to 100000",
            "registries.yaml:9:58: registries[0].api.operations.listTags.pagination.style: `cursor` needs `field` (where the body carries it) and `param` (the query parameter it goes back in)",
            "registries.yaml:10:66: registries[0].api.operations.listRepositories.pagination.style: unknown pagination style `offset`; use link, nextUrl, page or cursor",
        ]
    );
}

#[test]
fn access_is_login_unless_the_file_says_open() {
    let entry = "registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: { allowHttp: true }\n";
    assert!(!ok(entry, &[]).open_access);
    assert!(ok(&format!("access: open\n{entry}"), &[]).open_access);
    assert!(!ok(&format!("access: login\n{entry}"), &[]).open_access);
    let e = errors(&format!("access: anyone\n{entry}"));
    assert_eq!(
        e,
        ["registries.yaml:1:9: access: `anyone`: use `login` (the default) or `open` (no login: demos only)"]
    );
}

#[test]
fn a_profile_can_be_written_inline_and_its_mistakes_point_into_this_file() {
    let inline = r#"registries:
  - id: acme
    baseUrl: https://registry.acme.example
    api:
      document: https://api.acme.example/openapi.yaml
      profile:
        name: acme
        kind: catalogue
        names: { namespace: org, rest: repo }
        operations:
          listRepositories:
            route: GET /orgs/{org}/repos
            arguments: [org]
            fields: { name: "/items/[]/name" }
"#;
    let c = ok(inline, &[]);
    let profile = &c.registries[0].api.profile;
    assert_eq!((profile.name.as_str(), profile.source.as_str()), ("acme", "inline"));
    assert_eq!(profile.operations.len(), 1);

    let broken = inline.replace("kind: catalogue", "kind: mirror").replace(r#"name: "/items"#, r#"title: "/items"#);
    assert_eq!(
        errors(&broken),
        [
            "registries.yaml:8:15: registries[0].api.profile.kind: unknown kind `mirror`; use registry or catalogue",
            "registries.yaml:14:23: registries[0].api.profile.operations.listRepositories.fields.title: unknown field `title`; use one of name, namespace, description, pullCount, starCount, artifactCount, updated, readme, tag, digest, size, pushed, pulled, type, total, next, critical, high, medium, low, scanner, scanned",
        ]
    );
}

#[test]
fn single_sign_on_providers_are_checked_at_start() {
    let entry = "registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: { allowHttp: true }\n";
    let provider = |id: &str, issuer: &str| {
        format!("    - id: {id}\n      issuer: {issuer}\n      clientId: reestr\n      adminGroups: [ops]\n")
    };
    let good = format!("signIn:\n  oidc:\n{}{entry}", provider("corp", "https://id.example/realms/main"));
    let c = ok(&good, &[("REESTR_OIDC_CORP_CLIENT_SECRET", "s3cret")]);
    let p = &c.oidc[0];
    assert_eq!((p.id.as_str(), p.display_name.as_str()), ("corp", "corp"));
    assert_eq!(p.issuer, "https://id.example/realms/main", "kept as written");
    assert_eq!((p.username_claim.as_str(), p.groups_claim.as_str()), ("preferred_username", "groups"));
    assert!(!p.allow_sign_up && p.viewer_groups.is_empty());
    assert_eq!(
        errors(&good),
        [
            "registries.yaml:3:11: signIn.oidc[0].id: environment variable REESTR_OIDC_CORP_CLIENT_SECRET (the client secret) is not set"
        ]
    );
    let bad = format!(
        "signIn:\n  oidc:\n{}{}{}{entry}",
        provider("a", "http://id.example"),
        provider("a", "http://127.0.0.1:9000"),
        provider("Bad_Id", "not a url"),
    );
    let e = errors(&bad);
    assert!(e.iter().any(|m| m.contains("signIn.oidc[0].issuer: `http://id.example`: an issuer is an https:// URL")));
    assert!(e.iter().any(|m| m.contains("signIn.oidc[1].id: duplicate id `a`")), "{e:?}");
    assert!(e.iter().any(|m| m.contains("signIn.oidc[2].id: `Bad_Id` is not a valid id")), "{e:?}");
    assert!(e.iter().any(|m| m.contains("signIn.oidc[2].issuer: `not a url` is not a URL")), "{e:?}");
    let e = errors(&format!(
        "signIn:\n  oidc:\n    - id: x\n      issuer: https://a\n      clientId: r\n      secret: no\n{entry}"
    ));
    assert!(e[0].contains("secret"), "a secret is never written in the file: {e:?}");
}

#[test]
fn registry_groups_name_configured_registries_and_a_role() {
    let entry = "registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: { allowHttp: true }\n";
    let provider = |groups: &str| {
        format!(
            "signIn:\n  oidc:\n    - id: corp\n      issuer: https://id.example\n      clientId: r\n      registryGroups:\n{groups}{entry}"
        )
    };
    let good = provider("        - { group: team-a, role: admin, registries: [local] }\n");
    let c = ok(&good, &[("REESTR_OIDC_CORP_CLIENT_SECRET", "s")]);
    let g = &c.oidc[0].registry_groups[0];
    assert_eq!((g.group.as_str(), g.grants.role_in("local"), g.grants.everywhere), ("team-a", Some(Role::Admin), None));
    let bad = provider(
        "        - { group: a, role: owner, registries: [local] }\n        - { group: b, role: viewer, registries: [nope] }\n        - { group: c, role: viewer, registries: [] }\n",
    );
    let e = match load_str(
        &bad,
        "registries.yaml",
        Path::new("/nonexistent"),
        &env_with(&[("REESTR_OIDC_CORP_CLIENT_SECRET", "s")]),
    ) {
        Ok(c) => panic!("expected errors, got {c:?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect::<Vec<_>>(),
    };
    assert_eq!(
        e,
        [
            "registries.yaml:7:29: signIn.oidc[0].registryGroups[0].role: `owner`: use `viewer` or `admin`",
            "registries.yaml:8:50: signIn.oidc[0].registryGroups[1].registries[0]: no registry `nope` is configured",
            "registries.yaml:9:20: signIn.oidc[0].registryGroups[2].registries: name at least one registry",
        ]
    );
}

#[test]
fn allow_from_takes_addresses_and_ranges_and_refuses_the_rest() {
    let with = |access: &str| {
        format!(
            "registries:\n  - id: local\n    baseUrl: http://127.0.0.1:5000\n    tls: {{ allowHttp: true }}\n    access: {access}\n"
        )
    };
    let c = ok(&with("{ allowFrom: [10.0.0.0/8, 192.0.2.7, \"2001:db8::/32\", 10.1.2.3/8] }"), &[]);
    let nets: Vec<String> = c.registries[0].allow_from.iter().map(ToString::to_string).collect();
    assert_eq!(nets, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "10.0.0.0/8"]);
    assert!(
        ok(&with("{ allowFrom: [127.0.0.1] }"), &[]).registries[0].allow_from[0]
            .contains(&std::net::IpAddr::from([127, 0, 0, 1]))
    );
    assert_eq!(
        errors(&with("{ allowFrom: [office.example, 10.0.0.0/33] }")),
        [
            "registries.yaml:5:27: registries[0].access.allowFrom[0]: `office.example` is neither an address nor a CIDR range (10.0.0.0/8, 2001:db8::/32)",
            "registries.yaml:5:43: registries[0].access.allowFrom[1]: `10.0.0.0/33` is neither an address nor a CIDR range (10.0.0.0/8, 2001:db8::/32)",
        ]
    );
    let e = errors(&with("{ allowFrom: [] }"));
    assert!(e[0].contains("registries[0].access.allowFrom: an empty list hides the registry from everyone"), "{e:?}");
    assert!(errors(&with("{ allowfrom: [10.0.0.0/8] }"))[0].contains("allowfrom"), "unknown fields are named");
}
