"""`posetracker models list|fetch|ensure`."""
from __future__ import annotations

from posetracker import registry


def register(sub) -> None:
    parser = sub.add_parser("models", help="list, fetch and verify pose model weights")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="known models, whether installed, where").set_defaults(func=_list)
    for name, help_ in (("fetch", "download NAME from its official source and verify its checksum"),
                        ("ensure", "fetch NAME only when it is not installed and verified yet")):
        p = actions.add_parser(name, help=help_)
        p.add_argument("name")
        p.set_defaults(func=_fetch)


def _list(args) -> int:
    print(f"models folder: {registry.models_dir()}")
    for entry in registry.load_manifest().values():
        where = "bundled with its package" if entry.bundled else (str(entry.path) if entry.installed() else "not installed")
        print(f"  {entry.name:10s} {entry.title}  [{entry.licence}]  {where}")
    return 0


def _fetch(args) -> int:
    entry = registry.get_entry(args.name)
    if entry.bundled:
        print(f"{entry.name}: bundled with its package, nothing to download.")
        return 0
    path = registry.fetch(args.name)
    print(f"{entry.name}: {path} (sha256 verified)")
    return 0
