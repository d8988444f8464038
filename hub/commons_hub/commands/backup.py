"""`commons backup DIR` and `commons restore DIR` (commons_hub.backup; docs/operators/storage.md)."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "backup",
        help="write a consistent snapshot of the running commons into the new folder DIR "
        "(database rows, store manifests and versions, state, catalogue, published "
        "stories), each file's sha256 in DIR/backup.json",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="a folder that does not exist yet")
    p.set_defaults(handler=backup)
    p = sub.add_parser(
        "restore",
        help="restore the backup in DIR into an empty state (COMMONS_HOME, COMMONS_DB_URL, "
        "COMMONS_STORE_URL, COMMONS_PUBLIC_DIR); refuses a non-empty one",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="a folder `commons backup` wrote")
    p.set_defaults(handler=restore)


def backup(args) -> int:
    from commons_hub.backup import backup as write_backup

    for line in write_backup(args.dir).lines():
        print(line)
    return 0


def restore(args) -> int:
    from commons_hub.backup import restore as restore_backup
    from commons_hub.isolation import hand_to_service_account
    from commons_kernel import config

    for line in restore_backup(args.dir):
        print(line)
    hand_to_service_account(config.home())  # restored as root: the services' own again (isolated commons only)
    print("restored; check it with `commons audit verify`.")
    return 0
