"""People, roles and enrolled PCs on the command line (issue 15; scriptable and stable):

    whoami [--json]              {"person", "role", "pc_id", "fingerprint", "root_fingerprint"}
    enrol-request                (new PC) publish a join request; its fingerprint is the last line
    enrol-approve FINGERPRINT --person NAME --role ROLE [--acts-for NAME ...]   (secretariat)
    revoke FINGERPRINT           (secretariat) a lost PC's later changes are refused everywhere
    people [--json]              the board's people, roles, accounts and PCs
    set-role PERSON ROLE [--acts-for NAME ...]                                 (secretariat)
    upgrade-board --person NAME  (secretariat, one PC) protect a board made before issue 15

Errors are one line on stderr, exit 2 (through the dispatcher's DomainError / CliError path).
The arguments are in trust_args.py (building the parser loads nothing heavy).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hescb_desktop.cli.base import EXIT_FAILED, EXIT_OK, CliError, say

if TYPE_CHECKING:  # the parsers are built at every start (the GUI's too): nothing heavy here
    from hescb_desktop.services.context import ServiceContext


def command(name: str) -> Any:
    return {
        "whoami": cmd_whoami,
        "enrol-request": cmd_enrol_request,
        "enrol-approve": cmd_enrol_approve,
        "revoke": cmd_revoke,
        "people": cmd_people,
        "set-role": cmd_set_role,
        "upgrade-board": cmd_upgrade_board,
    }[name]


def _open(data_dir: Path) -> ServiceContext:
    from hescb_desktop.cli.database import open_existing

    return open_existing(data_dir)


def _share(args: argparse.Namespace, ctx: ServiceContext) -> Path:
    from hescb_desktop.services.settings import load_settings

    share: Path | None = getattr(args, "share", None)
    if share is None:
        saved = load_settings(ctx.uow(write=False)).share_folder
        share = Path(saved) if saved else None
    if share is None:
        raise CliError("no share folder: give --share DIR (or set one in Settings)")
    if not share.is_dir():
        raise CliError(f"share folder {share} is not available")
    return share


def cmd_whoami(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service

    ctx = _open(data_dir)
    try:
        me = trust_service.whoami(ctx)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps(me.as_json(), ensure_ascii=False))
        return EXIT_OK
    who = me.person or f"not known to this board (account {me.account})"
    print(f"person: {who}")
    if me.role:
        acting = f" (for {', '.join(me.acts_for)})" if me.acts_for else ""
        print(f"role: {me.role}{acting}")
    print(f"PC: {me.pc_id}")
    print(f"fingerprint: {me.fingerprint}")
    print(f"root fingerprint: {me.root_fingerprint or 'none (this board is not protected)'}")
    return EXIT_OK


def _locked(data_dir: Path) -> Any:
    from hescb_desktop.storage.lock import lock_data_dir

    return lock_data_dir(data_dir)


def cmd_enrol_request(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service
    from hescb_desktop.sync.share import ShareError

    lock = _locked(data_dir)
    ctx = _open(data_dir)
    try:
        share = _share(args, ctx)
        try:
            fingerprint = trust_service.request_enrolment(ctx, share)
        except ShareError as exc:
            raise CliError(str(exc)) from exc
    finally:
        ctx.close()
        lock.release()
    print("enrol-request: published; read this fingerprint to the secretariat by phone:")
    print(fingerprint)
    return EXIT_OK


def cmd_enrol_approve(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service
    from hescb_desktop.sync.share import ShareError

    lock = _locked(data_dir)
    ctx = _open(data_dir)
    try:
        share = _share(args, ctx)
        try:
            request = trust_service.approve(
                ctx, share, args.fingerprint, args.person, args.role, args.acts_for
            )
        except ShareError as exc:
            raise CliError(str(exc)) from exc
    finally:
        ctx.close()
        lock.release()
    print(
        f"enrol-approve: PC {request.pc_name or request.device_id[:8]} (account "
        f"{request.account}) enrolled for {args.person.strip()} as {args.role.strip().lower()}"
    )
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service
    from hescb_desktop.sync.share import ShareError

    lock = _locked(data_dir)
    ctx = _open(data_dir)
    try:
        share = _share(args, ctx)
        try:
            fingerprint = trust_service.revoke(ctx, share, args.fingerprint)
        except ShareError as exc:
            raise CliError(str(exc)) from exc
    finally:
        ctx.close()
        lock.release()
    print(f"revoke: PC {fingerprint} revoked; its later changes are refused on every PC")
    return EXIT_OK


def cmd_people(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service

    ctx = _open(data_dir)
    try:
        rows = trust_service.people(ctx)
    finally:
        ctx.close()
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False))
        return EXIT_OK
    for r in rows:
        acting = f" for {', '.join(r.acts_for)}" if r.acts_for else ""
        accounts = f"  [{', '.join(r.accounts)}]" if r.accounts else ""
        print(f"{r.name}: {r.role or 'no role'}{acting}{accounts}")
    return EXIT_OK


def cmd_set_role(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service
    from hescb_desktop.services.settings import load_settings

    lock = _locked(data_dir)
    ctx = _open(data_dir)
    try:
        share = getattr(args, "share", None)
        if share is None:
            saved = load_settings(ctx.uow(write=False)).share_folder
            share = Path(saved) if saved else None
        person = trust_service.set_role(ctx, args.person, args.role, share, args.acts_for)
    finally:
        ctx.close()
        lock.release()
    print(f"set-role: {person.name} is now {args.role.strip().lower()}")
    return EXIT_OK


def cmd_upgrade_board(args: argparse.Namespace, data_dir: Path) -> int:
    from hescb_desktop.services import trust as trust_service
    from hescb_desktop.sync.share import ShareError

    lock = _locked(data_dir)
    ctx = _open(data_dir)
    try:
        share = _share(args, ctx)
        try:
            trust_service.upgrade_board(ctx, share, args.person)
        except ShareError as exc:
            say(f"upgrade-board: failed: {exc}")
            return EXIT_FAILED
        root = ctx.fingerprint
    finally:
        ctx.close()
        lock.release()
    print("upgrade-board: this board is protected; this PC is its root. Other PCs confirm:")
    print(root)
    return EXIT_OK
