#!/usr/bin/env python3
"""Fills registries to issue 9's benchmark size, through the Distribution API.

Run by scripts/bench.sh after `end2end/registry.sh seed` (which pushes the
test images, 1,056 repositories and big/tags with 10,000 tags):

  --wide HOST --repos N   pushes bench/wide-00000 … (N repositories, tag v1
                          each; team/app's blobs mounted, its manifest put),
                          so the registry holds well over 10,000 repositories;
  --shared HOST           pushes 1,000 repositories × 10 tags sharing layers
                          into a registry of their own (storage accounting
                          is measured on it): every image has one base layer
                          common to all 10,000 images, one layer common to
                          its repository's 10 tags and one of its own, and a
                          config of its own (real gzip'd tar layers, real
                          diff_ids).

Many requests at once over keep-alive connections (about 1,000 a second
here). Standard library only.
"""

import argparse
import concurrent.futures
import gzip
import hashlib
import http.client
import io
import json
import random
import sys
import tarfile
import threading
import time

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
WORKERS = 16

_local = threading.local()


def conn(host):
    c = getattr(_local, "conn", None)
    if c is None:
        c = http.client.HTTPConnection(host, timeout=60)
        _local.conn = c
    return c


def call(host, method, path, body=None, headers=None, want=(201, 202)):
    """One request on this thread's connection (reconnecting once)."""
    for attempt in (0, 1):
        c = conn(host)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            if r.status not in want:
                raise RuntimeError(f"{method} {path}: HTTP {r.status} {data[:200]!r}")
            return r, data
        except (http.client.HTTPException, OSError):
            c.close()
            _local.conn = None
            if attempt:
                raise
    raise RuntimeError("unreachable")


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_blob(host, repo, data, source=None):
    """Uploads `data` (POST, then PUT); with `source`, mounts it from there
    first, uploading only if the registry opens an upload instead (202)."""
    query = f"?mount={digest(data)}&from={source}" if source else ""
    r, _ = call(host, "POST", f"/v2/{repo}/blobs/uploads/{query}", body=b"", want=(201, 202))
    if r.status == 201:
        return digest(data)
    loc = r.getheader("Location") or ""
    if loc.startswith("http"):
        loc = "/" + loc.split("/", 3)[3]
    sep = "&" if "?" in loc else "?"
    call(host, "PUT", f"{loc}{sep}digest={digest(data)}", body=data,
         headers={"Content-Type": "application/octet-stream"}, want=(201,))
    return digest(data)


def mount(host, repo, blob, source):
    call(host, "POST", f"/v2/{repo}/blobs/uploads/?mount={blob}&from={source}", body=b"", want=(201,))


def put_manifest(host, repo, ref, body):
    call(host, "PUT", f"/v2/{repo}/manifests/{ref}", body=body, headers={"Content-Type": OCI_MANIFEST}, want=(201,))


def run_all(jobs, what):
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for f in concurrent.futures.as_completed([pool.submit(j) for j in jobs]):
            f.result()
    print(f"bench_fill: {what}: {len(jobs)} jobs in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def wide(host, count):
    _, manifest = call(host, "GET", "/v2/team/app/manifests/1.0", headers={"Accept": OCI_MANIFEST}, want=(200,))
    parsed = json.loads(manifest)
    blobs = [parsed["config"]["digest"]] + [layer["digest"] for layer in parsed["layers"]]

    def one(i):
        repo = f"bench/wide-{i:05d}"
        for b in blobs:
            mount(host, repo, b, "team/app")
        put_manifest(host, repo, "v1", manifest)

    run_all([lambda i=i: one(i) for i in range(count)], f"{count} repositories")


def layer(rng, name, size):
    """A gzip'd tar holding one file of `size` random bytes: (blob, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        content = rng.randbytes(size)
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(content), 1767323045, 0o644
        tar.addfile(info, io.BytesIO(content))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, mtime=0), digest(tar_bytes)


def descriptor(media_type, data):
    return {"mediaType": media_type, "digest": digest(data), "size": len(data)}


def shared(host, repos, tags):
    rng = random.Random(9)
    base, base_diff = layer(rng, "base/lib.bin", 256 * 1024)
    first = "shared/app-0000"
    push_blob(host, first, base)

    def one(r):
        rng = random.Random(r)
        repo = f"shared/app-{r:04d}"
        if r:
            push_blob(host, repo, base, source=first)
        own, own_diff = layer(rng, f"app/{r}.bin", 32 * 1024 + r)
        push_blob(host, repo, own)
        for t in range(tags):
            tag_layer, tag_diff = layer(rng, f"app/{r}-{t}.bin", 2048 + t * 64)
            push_blob(host, repo, tag_layer)
            config = json.dumps({
                "created": f"2026-{1 + t:02d}-{1 + r % 28:02d}T00:00:00Z",
                "architecture": "amd64", "os": "linux",
                "config": {"Cmd": ["/bin/app"], "Labels": {"org.opencontainers.image.title": repo, "version": f"v{t}"}},
                "rootfs": {"type": "layers", "diff_ids": [base_diff, own_diff, tag_diff]},
            }, sort_keys=True).encode()
            push_blob(host, repo, config)
            manifest = json.dumps({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": descriptor(OCI_CONFIG, config),
                "layers": [descriptor(OCI_LAYER, base), descriptor(OCI_LAYER, own), descriptor(OCI_LAYER, tag_layer)],
            }).encode()
            put_manifest(host, repo, f"v{t}", manifest)

    run_all([lambda r=r: one(r) for r in range(repos)], f"{repos} repositories × {tags} tags sharing layers")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wide", help="host:port to add --repos one-tag repositories to")
    ap.add_argument("--repos", type=int, default=10000)
    ap.add_argument("--shared", help="host:port of an empty registry for the 1,000 × 10 catalogue")
    ap.add_argument("--shared-repos", type=int, default=1000)
    ap.add_argument("--shared-tags", type=int, default=10)
    args = ap.parse_args()
    if args.wide:
        wide(args.wide, args.repos)
    if args.shared:
        shared(args.shared, args.shared_repos, args.shared_tags)


if __name__ == "__main__":
    main()
