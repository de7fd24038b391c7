#!/usr/bin/env python3
"""The folder layout is the architecture: dependencies point one way.

    tests/check_layers.py SOURCE_ROOT REPLSIM_BINARY

Reads every #include "..." of the project's own code and fails on any edge
the rules below do not allow, naming the file and line. Then reads the
platform's folders for words of the project's protocols (each protocol's
name, statuses and note kinds, from `replsim protocols --json`): a protocol
word in the platform means the platform knows a protocol.

  base     -> base
  sim      -> base
  checker  -> base
  reports  -> checker, base
  harness  -> reports, checker, sim, base           (never model/)
  explore  -> harness, reports, checker, sim, base
  model/kit, model/<p>  -> sim, base, model/kit, itself
      its adapter files (adapter.h/.cpp, *_adapter.h/.cpp) also -> harness
  model/protocols.*     -> model/*, harness, base
  cli      -> explore, harness, reports, checker, sim, base, cli; only cli/main.cpp
              includes model/protocols.h (the command's list of protocols)
  examples -> what the package installs (base, sim, checker, reports,
              harness, explore, cli, model/kit) and their own files: an outside
              project never sees the project's protocols
  bench, tests -> anything
"""
import json
import os
import re
import subprocess
import sys

ROOT = sys.argv[1]
BINARY = sys.argv[2]
LAYERS = {
    "base": {"base"},
    "sim": {"sim", "base"},
    "checker": {"checker", "base"},
    "reports": {"reports", "checker", "base"},
    "harness": {"harness", "reports", "checker", "sim", "base"},
    "explore": {"explore", "harness", "reports", "checker", "sim", "base"},
    "cli": {"cli", "explore", "harness", "reports", "checker", "sim", "base"},
}
PLATFORM = ["base", "sim", "checker", "reports", "harness", "explore", "cli"]
# What `cmake --install` puts under include/replsim (cmake/platform_library.cmake).
INSTALLED = {"base", "sim", "checker", "reports", "harness", "explore", "cli", "model/kit"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')

failures = []


def layer_of(include):
    """The layer an included path belongs to: "sim", "model/kit", "model/fastcfs", "model"."""
    parts = include.split("/")
    if parts[0] == "model":
        return "model" if len(parts) == 2 else "model/" + parts[1]
    return parts[0]


def allowed(path, include):
    parts = path.split("/")
    target = layer_of(include)
    name = os.path.basename(path)
    if parts[0] in LAYERS:
        if parts[0] == "cli" and path == "cli/main.cpp" and include == "model/protocols.h":
            return True
        return target in LAYERS[parts[0]]
    if parts[0] == "model":
        if len(parts) == 2:  # model/protocols.*
            return target.startswith("model") or target in {"harness", "base"}
        own = "model/" + parts[1]
        adapter = name.startswith("adapter.") or re.match(r".*_adapter\.(h|cpp)$", name)
        ok = {"sim", "base", "model/kit", own} | ({"harness"} if adapter else set())
        return target in ok
    if parts[0] == "examples":
        # Includes of the example's own files do not resolve in ROOT and
        # are not checked; everything that does must be installed.
        return target in INSTALLED
    return True  # bench, tests: anything


def source_files():
    for top in PLATFORM + ["model", "examples"]:
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith((".h", ".cpp")):
                    yield os.path.relpath(os.path.join(folder, f), ROOT)


checked = 0
for path in sorted(source_files()):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m is None:
                continue
            include = m.group(1)
            if not os.path.exists(os.path.join(ROOT, include)):
                continue  # a system header written with quotes
            checked += 1
            if not allowed(path, include):
                failures.append(f"{path}:{number}: {layer_of(path)} may not include {include} ({layer_of(include)})")

# Protocol words in the platform.
vocabularies = json.loads(subprocess.check_output([BINARY, "protocols", "--json"]))
words = set()
for v in vocabularies:
    words.add(v["protocol"])
    words.update(s["name"] for s in v["statuses"])
    # Note kinds that are identifiers, not English words ("ds_status", not
    # "leader": the platform may well speak of leaders).
    words.update(n["kind"] for n in v["notes"] if "_" in n["kind"])
words.discard("")
pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b", re.IGNORECASE)
for top in PLATFORM:
    for folder, _, files in os.walk(os.path.join(ROOT, top)):
        for f in sorted(files):
            if not f.endswith((".h", ".cpp", ".txt")):
                continue
            path = os.path.relpath(os.path.join(folder, f), ROOT)
            with open(os.path.join(ROOT, path), encoding="utf-8") as text:
                for number, line in enumerate(text, 1):
                    for m in pattern.finditer(line):
                        # Statuses are upper case words: only their own spelling counts.
                        word = m.group(1)
                        if word not in words and word.lower() not in {w.lower() for w in words if w.islower()}:
                            continue
                        failures.append(f"{path}:{number}: the protocol word \"{word}\" in the platform")

for failure in failures:
    print("FAIL: " + failure)
print(f"check_layers: {checked} includes checked, {len(words)} protocol words looked for, {len(failures)} failures")
sys.exit(1 if failures or checked == 0 else 0)
