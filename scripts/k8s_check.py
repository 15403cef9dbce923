"""Validates what `kubectl kustomize k8s/` renders (run by scripts/deploy-check.sh).

Built-in kinds are validated by kubernetes-validate against the Kubernetes
JSON schemas (strict: unknown fields fail). Custom resources have no schema
here, so the Kubernetes types they embed are validated as those types (the
Knative revision's pod spec as a Pod, the Redis resources as a container's),
and what Reestr relies on is checked by hand: probes on /healthz and /readyz,
every ConfigMap and Secret referenced exists (rendered, or in the Secret
template), Redis sized 1-2 Gi, the Tailscale host, the Argo CD example
pointing at this kustomization.
"""

import copy
import sys

import kubernetes_validate
import yaml

K8S = "1.37.0"
KNATIVE_ONLY = ("containerConcurrency", "timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds")
problems = []


def fail(msg):
    problems.append(msg)


def validate(obj, what):
    try:
        kubernetes_validate.validate(obj, K8S, strict=True)
    except kubernetes_validate.ValidationError as e:
        fail(f"{what}: {e.message} at {'/'.join(str(p) for p in e.path)}")
    except kubernetes_validate.SchemaNotFoundError as e:
        fail(f"{what}: no schema ({e})")


def gib(quantity):
    units = {"Gi": 1, "Mi": 1 / 1024}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return float(quantity[: -len(suffix)]) * factor
    fail(f"unexpected quantity {quantity}")
    return 0.0


def main(rendered_path, secret_template_path, argo_path):
    docs = [d for d in yaml.safe_load_all(open(rendered_path)) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault((d["apiVersion"], d["kind"]), []).append(d)
        if d["metadata"].get("namespace") != "registry":
            fail(f"{d['kind']}/{d['metadata']['name']}: not in namespace registry")
    secret_template = yaml.safe_load(open(secret_template_path))
    validate(secret_template, "secret.template.yaml")

    builtin = [d for d in docs if "." not in d["apiVersion"].split("/")[0] or d["apiVersion"].startswith("networking.k8s.io/")]
    for d in builtin:
        validate(d, f"{d['kind']}/{d['metadata']['name']}")

    configmaps = {d["metadata"]["name"] for d in by_kind.get(("v1", "ConfigMap"), [])}
    secrets = {d["metadata"]["name"] for d in by_kind.get(("v1", "Secret"), [])} | {secret_template["metadata"]["name"]}

    ksvcs = by_kind.get(("serving.knative.dev/v1", "Service"), [])
    if len(ksvcs) != 1:
        fail(f"expected one Knative Service, found {len(ksvcs)}")
    for ksvc in ksvcs:
        template = ksvc["spec"]["template"]
        spec = copy.deepcopy(template["spec"])
        for key in KNATIVE_ONLY:
            spec.pop(key, None)
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "revision", **template.get("metadata", {})}, "spec": spec}
        validate(pod, "Knative Service revision pod spec")
        notes = template.get("metadata", {}).get("annotations", {})
        lo, hi = int(notes["autoscaling.knative.dev/min-scale"]), int(notes["autoscaling.knative.dev/max-scale"])
        if not 1 <= lo <= hi:
            fail(f"min-scale {lo} / max-scale {hi}: the Tailscale path needs at least one replica")
        if int(template["spec"].get("containerConcurrency", -1)) < 0:
            fail("containerConcurrency must be set")
        (container,) = template["spec"]["containers"]
        if container["livenessProbe"]["httpGet"]["path"] != "/healthz":
            fail("liveness probe is not /healthz")
        if container["readinessProbe"]["httpGet"]["path"] != "/readyz":
            fail("readiness probe is not /readyz")
        if "limits" not in container.get("resources", {}):
            fail("the container has no resource limits")
        if ":" not in container["image"]:
            fail(f"image {container['image']} has no tag")
        for source in container.get("envFrom", []):
            if "configMapRef" in source and source["configMapRef"]["name"] not in configmaps:
                fail(f"envFrom ConfigMap {source['configMapRef']['name']} is not rendered")
            if "secretRef" in source and source["secretRef"]["name"] not in secrets:
                fail(f"envFrom Secret {source['secretRef']['name']} is neither rendered nor templated")
        for volume in template["spec"].get("volumes", []):
            if "configMap" in volume and volume["configMap"]["name"] not in configmaps:
                fail(f"volume ConfigMap {volume['configMap']['name']} is not rendered")

    for redis in by_kind.get(("redis.redis.opstreelabs.in/v1beta2", "Redis"), []):
        k = redis["spec"]["kubernetesConfig"]
        if not k.get("image"):
            fail("Redis: kubernetesConfig.image is required")
        validate(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "redis"},
             "spec": {"containers": [{"name": "redis", "image": k["image"], "resources": k["resources"]}]}},
            "Redis kubernetesConfig.resources",
        )
        limit = gib(k["resources"]["limits"]["memory"])
        if not 1 <= limit <= 2:
            fail(f"Redis memory limit {limit} Gi: size it 1-2 Gi")
        extra = redis["spec"].get("redisConfig", {}).get("additionalRedisConfig")
        if extra and extra not in configmaps:
            fail(f"Redis additionalRedisConfig {extra} is not rendered")
    if not by_kind.get(("redis.redis.opstreelabs.in/v1beta2", "Redis")):
        fail("no Redis custom resource")

    ingresses = by_kind.get(("networking.k8s.io/v1", "Ingress"), [])
    tailnet = [i for i in ingresses if i["spec"].get("ingressClassName") == "tailscale"]
    if not tailnet or ["reestr"] not in [t.get("hosts") for t in tailnet[0]["spec"].get("tls", [])]:
        fail("no Tailscale Ingress for host reestr")
    services = {d["metadata"]["name"]: d for d in by_kind.get(("v1", "Service"), [])}
    for i in tailnet:
        backend = i["spec"]["defaultBackend"]["service"]["name"]
        if backend not in services:
            fail(f"Ingress backend {backend} is not rendered")

    argo = yaml.safe_load(open(argo_path))
    if argo["kind"] != "Application" or argo["spec"]["source"]["path"] != "k8s":
        fail("the Argo CD example does not point at k8s/")
    if argo["spec"]["destination"]["namespace"] != "registry":
        fail("the Argo CD example deploys elsewhere than namespace registry")

    for p in problems:
        print(f"k8s: {p}", file=sys.stderr)
    kinds = ", ".join(sorted(f"{k[1]} ({k[0]})" for k in by_kind))
    print(f"k8s: {len(docs)} objects rendered: {kinds}; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
