#!/usr/bin/env python3
"""Refuses an include against the layers' direction.

Each folder may include only the project folders listed for it; the CMake
targets (broker/CMakeLists.txt, connectors/CMakeLists.txt) link the same way,
so this check names the wrong include before the linker does.
"""
import pathlib
import re
import sys

# folder -> project folders its files may include (besides itself)
ALLOWED = {
    "broker/common": [],
    "broker/config": ["broker/common"],
    "broker/core": ["broker/common", "broker/config", "connectors/core", "connectors/registry"],
    "broker/storage": ["broker/common", "broker/config", "broker/core", "connectors/core",
                       "connectors/registry"],
    "broker/api": ["broker/common", "broker/config", "broker/core", "connectors/core",
                   "connectors/registry"],
    "broker/metrics": ["broker/common", "broker/config", "broker/core", "broker/api",
                       "broker/storage", "connectors/core", "connectors/registry"],
    "broker/admin": ["broker/common", "broker/config", "broker/core", "broker/api",
                     "broker/storage", "connectors/core", "connectors/registry"],
    "connectors/core": [],
    "connectors/http": ["connectors/core"],
    "connectors/registry": ["connectors/core", "connectors/http"],
    "connectors/loyalclient": ["connectors/core", "connectors/http", "connectors/registry"],
    "connectors/sailplay": ["connectors/core", "connectors/http", "connectors/registry"],
    "connectors/artix": ["connectors/core", "connectors/http", "connectors/registry"],
    # The one place that names every vendor.
    "connectors/builtin": ["connectors/core", "connectors/http", "connectors/registry",
                           "connectors/loyalclient", "connectors/sailplay", "connectors/artix"],
    # Simulators implement the vendors' documents, not our connectors: they
    # share only the connectors' vendor-neutral readers.
    "simulators": ["connectors/core"],
}
# Generated code and the outside world are not layers.
IGNORED = ("loyalty/", "google/", "grpc", "absl/", "pqxx", "prometheus/", "nlohmann/",
           "yaml-cpp/", "httplib", "CLI/", "gtest/", "gmock/", "curl/", "openssl/")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(path: pathlib.Path, root: pathlib.Path) -> str:
    rel = path.relative_to(root).parent.as_posix()
    for folder in sorted(ALLOWED, key=len, reverse=True):
        if rel == folder or rel.startswith(folder + "/"):
            return folder
    return ""


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    wrong = []
    for path in sorted(root.glob("broker/**/*")) + sorted(root.glob("connectors/**/*")) + sorted(
            root.glob("simulators/**/*")):
        if path.suffix not in (".h", ".cc"):
            continue
        folder = folder_of(path, root)
        if not folder:
            continue
        for target in INCLUDE.findall(path.read_text()):
            if target.startswith(IGNORED) or "/" not in target:
                continue
            target_folder = pathlib.PurePosixPath(target).parent.as_posix()
            if target_folder == folder or target_folder.startswith(folder + "/"):
                continue
            if any(target_folder == a or target_folder.startswith(a + "/")
                   for a in ALLOWED[folder]):
                continue
            wrong.append(f"{path.relative_to(root)}: {folder} may not include {target}")
    for line in wrong:
        print(line)
    checked = "broker/, connectors/ and simulators/"
    print(f"{len(wrong)} includes against the layers in {checked}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
