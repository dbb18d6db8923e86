"""Staff accounts from the command line: the only way to make the first owner, and a way in when all else fails.

  python -m pepestore.admin create-staff EMAIL --role owner|staff   password from stdin, or asked twice
  python -m pepestore.admin reset-password EMAIL                    likewise; ends the member's sessions
  python -m pepestore.admin disable-staff EMAIL                     ends the member's sessions
  python -m pepestore.admin enable-staff EMAIL
  python -m pepestore.admin list-staff
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pepestore.db import session_scope
from pepestore.models import utcnow
from pepestore.staff_models import StaffRole
from pepestore.store import staff
from pepestore.store.errors import StoreError


def read_password(stdin=None) -> str:
    """From stdin when it is not a terminal (scripts, CI), else typed twice without echo."""
    stream = stdin or sys.stdin
    if not stream.isatty():
        return stream.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Same password again: ") != first:
        raise StoreError("The two passwords differ.")
    return first


def main(argv: list[str] | None = None, stdin=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pepestore.admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-staff", help="add a staff member")
    create.add_argument("email")
    create.add_argument("--role", choices=sorted(StaffRole.ALL), required=True)
    for name in ("reset-password", "disable-staff", "enable-staff"):
        commands.add_parser(name).add_argument("email")
    commands.add_parser("list-staff")
    args = parser.parse_args(argv)
    now = utcnow()
    try:
        if args.command == "list-staff":
            with session_scope() as session:
                for member in staff.list_staff(session):
                    print(f"{member.email}\t{member.role}\t{'active' if member.active else 'disabled'}")
            return 0
        password = read_password(stdin) if args.command in ("create-staff", "reset-password") else None
        with session_scope() as session:
            if args.command == "create-staff":
                staff.create_staff(session, args.email, password, args.role, now)
                done = f"created {args.email.strip().lower()} ({args.role})"
            elif args.command == "reset-password":
                staff.reset_password(session, args.email, password, now)
                done = "password changed; every session of that member has ended"
            else:
                staff.set_active(session, args.email, args.command == "enable-staff", now)
                done = "enabled" if args.command == "enable-staff" else "disabled; every session has ended"
    except StoreError as refusal:
        print(f"error: {refusal.message}", file=sys.stderr)
        return 1
    print(done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
