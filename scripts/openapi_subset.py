#!/usr/bin/env python3
"""Cuts the operations Reestr binds out of a large published OpenAPI
document, with every component they reference (transitively), verbatim.

    scripts/openapi_subset.py SOURCE OUT PATH [PATH …]

GitHub's REST description is 13 MB; the test fixture keeps the package
routes a profile binds and what they refer to, unchanged, plus an
`x-reestr-subset` note naming the source and the paths kept. Nothing is
rewritten: a schema drift test against the subset is a drift test against
the published document.
"""
import json
import sys

try:
    import yaml  # PyYAML, for YAML sources and outputs
except ImportError:  # JSON-only use needs nothing else
    yaml = None


def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yaml", ".yml")):
            return yaml.safe_load(f)
        return json.load(f)


def refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/"):
                found.add(v)
            else:
                refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def resolve(doc, pointer):
    node = doc
    for step in pointer[2:].split("/"):
        node = node[step.replace("~1", "/").replace("~0", "~")]
    return node


def main():
    source, out, *paths = sys.argv[1:]
    doc = load(source)
    kept = {p: doc["paths"][p] for p in paths}
    subset = {k: v for k, v in doc.items() if k not in ("paths", "components", "tags", "webhooks", "x-webhooks")}
    subset["paths"] = kept
    seen, todo = set(), set()
    refs(kept, todo)
    components = {}
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        section, name = ref[2:].split("/", 2)[1:]
        target = resolve(doc, ref)
        components.setdefault(section, {})[name] = target
        refs(target, todo)
    subset["components"] = {k: dict(sorted(v.items())) for k, v in sorted(components.items())}
    subset["x-reestr-subset"] = {"source": source.rsplit("/", 1)[-1], "paths": paths}
    with open(out, "w", encoding="utf-8") as f:
        if out.endswith((".yaml", ".yml")):
            yaml.safe_dump(subset, f, sort_keys=False, allow_unicode=True)
        else:
            json.dump(subset, f, indent=1, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
