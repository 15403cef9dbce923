//! Pull commands for docker, podman, nerdctl and ctr, by tag and by
//! digest, and the matching login and push commands, each with a copy
//! button. The client switch is radio buttons styled as tabs, so it works
//! without JavaScript.

use leptos::prelude::*;

use super::CopyButton;

/// The clients Reestr writes commands for.
const TOOLS: [&str; 4] = ["docker", "podman", "nerdctl", "ctr"];

/// `tool pull …` for `name` (`host/repo:tag` or `host/repo@digest`).
pub fn pull_command(tool: &str, host: &str, repository: &str, reference: &str, plain_http: bool) -> String {
    let separator = if reference.contains(':') { "@" } else { ":" };
    // ctr wants fully qualified names: Docker Hub's official images live under library/.
    let repository = if tool == "ctr" && host == "docker.io" && !repository.contains('/') {
        format!("library/{repository}")
    } else {
        repository.to_string()
    };
    command(tool, "pull", plain_http, &format!("{host}/{repository}{separator}{reference}"))
}

/// `tool action [plain-HTTP flag] target`; ctr's verbs live under `images`
/// and it takes push credentials on the command line.
fn command(tool: &str, action: &str, plain_http: bool, target: &str) -> String {
    let verb = if tool == "ctr" { format!("ctr images {action}") } else { format!("{tool} {action}") };
    let flag = match (tool, plain_http) {
        (_, false) => None,
        ("ctr", true) => Some("--plain-http"),
        ("podman", true) => Some("--tls-verify=false"),
        ("nerdctl", true) => Some("--insecure-registry"),
        (_, true) => None,
    };
    let user = (tool == "ctr" && action == "push").then_some("--user \"$USER\"");
    [Some(verb.as_str()), flag, user, Some(target)].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

/// `tool login host`, for the clients that keep credentials (ctr has no login).
pub fn login_command(tool: &str, host: &str, plain_http: bool) -> Option<String> {
    (tool != "ctr").then(|| command(tool, "login", plain_http, host))
}

/// `tool push host/repository:tag` (ctr takes the credentials on the command line).
pub fn push_command(tool: &str, host: &str, repository: &str, tag: &str, plain_http: bool) -> String {
    command(tool, "push", plain_http, &format!("{host}/{repository}:{tag}"))
}

/// The commands for one tag (and its digest, when known).
#[component]
pub fn PullCommands(
    host: String,
    repository: String,
    tag: String,
    digest: Option<String>,
    plain_http: bool,
) -> impl IntoView {
    view! {
        <div class="pull">
            <fieldset class="pull-tools">
                <legend class="visually-hidden">"Client"</legend>
                {TOOLS.into_iter().enumerate().map(|(i, tool)| {
                    let id = format!("pull-tool-{tool}");
                    view! {
                        <input type="radio" name="pull-tool" id=id.clone() value=tool checked=i == 0 class="visually-hidden" />
                        <label for=id>{tool}</label>
                    }
                }).collect_view()}
            </fieldset>
            {TOOLS.into_iter().map(|tool| {
                let by_tag = pull_command(tool, &host, &repository, &tag, plain_http);
                let by_digest = digest.as_deref().map(|d| pull_command(tool, &host, &repository, d, plain_http));
                let login = login_command(tool, &host, plain_http);
                let push = push_command(tool, &host, &repository, &tag, plain_http);
                view! {
                    <div class="pull-panel" data-tool=tool>
                        <div class="pull-line">
                            <span class="pull-kind">"By tag"</span>
                            <code>{by_tag.clone()}</code>
                            <CopyButton text=by_tag label=format!("the {tool} pull command by tag") />
                        </div>
                        {by_digest.map(|cmd| view! {
                            <div class="pull-line">
                                <span class="pull-kind">"By digest"</span>
                                <code>{cmd.clone()}</code>
                                <CopyButton text=cmd label=format!("the {tool} pull command by digest") />
                            </div>
                        })}
                        {login.map(|cmd| view! {
                            <div class="pull-line">
                                <span class="pull-kind">"Log in"</span>
                                <code>{cmd.clone()}</code>
                                <CopyButton text=cmd label=format!("the {tool} login command") />
                            </div>
                        })}
                        <div class="pull-line">
                            <span class="pull-kind">"Push"</span>
                            <code>{push.clone()}</code>
                            <CopyButton text=push label=format!("the {tool} push command") />
                        </div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{login_command, pull_command, push_command};

    #[test]
    fn push_commands_come_with_their_login() {
        assert_eq!(login_command("docker", "ghcr.io", false).as_deref(), Some("docker login ghcr.io"));
        assert_eq!(push_command("docker", "ghcr.io", "org/app", "1.0", false), "docker push ghcr.io/org/app:1.0");
        assert_eq!(
            login_command("podman", "127.0.0.1:5000", true).as_deref(),
            Some("podman login --tls-verify=false 127.0.0.1:5000")
        );
        assert_eq!(
            push_command("podman", "127.0.0.1:5000", "team/app", "1.0", true),
            "podman push --tls-verify=false 127.0.0.1:5000/team/app:1.0"
        );
        assert_eq!(login_command("ctr", "ghcr.io", false), None);
        assert_eq!(
            push_command("ctr", "ghcr.io", "org/app", "1.0", false),
            "ctr images push --user \"$USER\" ghcr.io/org/app:1.0"
        );
    }

    #[test]
    fn commands_name_the_image_fully_and_flag_plain_http() {
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(pull_command("docker", "ghcr.io", "org/app", "1.0", false), "docker pull ghcr.io/org/app:1.0");
        assert_eq!(pull_command("podman", "ghcr.io", "org/app", d, false), format!("podman pull ghcr.io/org/app@{d}"));
        assert_eq!(
            pull_command("ctr", "docker.io", "nginx", "latest", false),
            "ctr images pull docker.io/library/nginx:latest"
        );
        assert_eq!(
            pull_command("ctr", "127.0.0.1:5000", "team/app", "1.0", true),
            "ctr images pull --plain-http 127.0.0.1:5000/team/app:1.0"
        );
        assert_eq!(
            pull_command("nerdctl", "127.0.0.1:5000", "team/app", "1.0", true),
            "nerdctl pull --insecure-registry 127.0.0.1:5000/team/app:1.0"
        );
    }
}
