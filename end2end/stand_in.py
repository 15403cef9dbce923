#!/usr/bin/env python3
"""Stand-ins for catalogue APIs that cannot run here (GitHub Packages,
GitLab's container registry API, Quay's v1 API), for the Playwright
journeys: each answers as its published document and REST documentation
describe, about the repositories of the seeded test registry (`team/app`,
`team/signed`), which plays GitHub organisation, GitLab group and Quay
namespace `team`. The server tests have their own, richer stand-ins
(server/tests/it/ghcr.rs, gitlab.rs, quay.rs); this one only has to make
the pages real.

    end2end/stand_in.py PORT    serves on 127.0.0.1:PORT until killed
"""

import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CREATED = "2026-11-27T15:30:00Z"
DIGEST = "sha256:" + "1" * 64


def github(path, query):
    def package(name, description):
        return {
            "id": 1, "name": name, "package_type": "container", "visibility": "public",
            "url": f"https://api.github.com/orgs/team/packages/container/{name}",
            "html_url": f"https://github.com/orgs/team/packages/container/package/{name}",
            "version_count": 2, "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-11-28T08:00:00Z",
            "repository": {"id": 7, "name": name, "full_name": f"team/{name}", "description": description},
        }

    packages = {"app": "The team's app, from its GitHub repository", "signed": "A signed image, built on GitHub"}
    if path == "/orgs/team/packages" and query.get("package_type") == ["container"]:
        return [package(n, d) for n, d in packages.items()]
    m = re.fullmatch(r"/orgs/team/packages/container/([a-z]+)(/versions)?", path)
    if m and m.group(1) in packages:
        if not m.group(2):
            return package(m.group(1), packages[m.group(1)])
        return [{
            "id": 11, "name": DIGEST, "url": "https://api.github.com/x", "package_html_url": "https://github.com/x",
            "created_at": CREATED, "updated_at": CREATED,
            "metadata": {"package_type": "container", "container": {"tags": ["1.0", "latest"]}},
        }]
    return None


def gitlab(path, query):
    repositories = [(11, "team/app", 7), (12, "team/signed", 8)]
    if path == "/api/v4/groups/team/registry/repositories":
        return [{
            "id": rid, "name": p.split("/")[-1], "path": p, "project_id": project,
            "location": f"registry.gitlab.example/{p}", "created_at": "2026-11-20T08:30:00.000Z",
        } for rid, p, project in repositories]
    m = re.fullmatch(r"/api/v4/projects/(\d+)/registry/repositories/(\d+)/tags(?:/([^/]+))?", path)
    for rid, p, project in repositories:
        if m and (int(m.group(1)), int(m.group(2))) == (project, rid):
            names = ["1.0", "latest"] if p == "team/app" else ["1.0"]
            if m.group(3) is None:
                return [{"name": t, "path": f"{p}:{t}", "location": f"registry.gitlab.example/{p}:{t}"} for t in names]
            if m.group(3) in names:
                t = m.group(3)
                return {
                    "name": t, "path": f"{p}:{t}", "location": f"registry.gitlab.example/{p}:{t}",
                    "revision": "d1f0e7a9", "short_revision": "d1f0e7a9", "digest": DIGEST,
                    "created_at": "2026-11-26T09:15:00.000+00:00", "total_size": 2881000,
                }
    return None


def quay(path, query):
    def repo(name, description):
        return {"namespace": "team", "name": name, "description": description, "is_public": True,
                "kind": "image", "state": "NORMAL", "last_modified": 1764231000, "is_starred": False}

    repos = {"app": "The team's app, on Quay", "signed": "Signed, on Quay"}
    if path == "/api/v1/repository" and query.get("namespace") == ["team"]:
        return {"repositories": [repo(n, d) for n, d in repos.items()]}
    if path == "/api/v1/find/repositories":
        words = query.get("query", [""])[0]
        return {"results": [{"kind": "repository", "name": n, "namespace": {"kind": "organization", "name": "team"},
                             "description": d} for n, d in repos.items() if words in n], "has_additional": False, "page": 1}
    m = re.fullmatch(r"/api/v1/repository/team/([a-z]+)(/tag/)?", path)
    if m and m.group(1) in repos:
        if not m.group(2):
            return repo(m.group(1), repos[m.group(1)])
        return {"page": 1, "has_additional": False, "tags": [
            {"name": t, "reversion": False, "start_ts": 1764257400, "manifest_digest": DIGEST,
             "is_manifest_list": False, "size": 2881000, "last_modified": "Thu, 27 Nov 2025 15:30:00 -0000"}
            for t in (["1.0", "latest"] if m.group(1) == "app" else ["1.0"])]}
    m = re.fullmatch(r"/api/v1/repository/team/([a-z]+)/manifest/sha256:[0-9a-f]{64}/security", path)
    if m and m.group(1) == "app":
        def finding(cve, severity):
            return {"Name": cve, "Severity": severity, "NamespaceName": "debian:12", "Link": "", "FixedBy": ""}
        return {"status": "scanned", "data": {"Layer": {"Name": "sha256:1", "NamespaceName": "debian:12", "Features": [
            {"Name": "openssl", "Version": "3.0.11", "Vulnerabilities": [finding("CVE-2026-0001", "Critical"), finding("CVE-2026-0002", "High")]},
            {"Name": "zlib", "Version": "1.2.13", "Vulnerabilities": [finding("CVE-2026-0003", "High"), finding("CVE-2026-0004", "Low")]},
        ]}}}
    if m:
        return {"status": "queued", "data": None}
    return None


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        body = github(url.path, query) or gitlab(url.path, query) or quay(url.path, query)
        if body is None:
            self.answer(404, {"message": "Not Found"}, {})
        elif url.path.startswith("/api/v4/"):
            self.answer(200, body, {"X-Total": str(len(body)) if isinstance(body, list) else "1", "X-Page": "1"})
        else:
            self.answer(200, body, {})

    def answer(self, status, body, headers):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
