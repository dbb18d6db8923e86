"""Developer tools for the sandbox's webhooks.

  python -m pepestore.payments.sandbox events            the latest events and their delivery state
  python -m pepestore.payments.sandbox resend EVENT_ID   deliver an event again (same id: tests de-duplication)
  python -m pepestore.payments.sandbox forge TYPE SESSION_ID
        queue a new event of TYPE (e.g. payment_intent.succeeded) about a checkout session, as Fintoc would
  python -m pepestore.payments.sandbox pause|resume      hold webhook deliveries back, or let them go again
  python -m pepestore.payments.sandbox keys              the sandbox's keys (test keys, safe to print)
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from sqlmodel import col, select

from pepestore.db import session_scope
from pepestore.payments.config import get_fintoc_config
from pepestore.payments.sandbox.models import SandboxCheckoutSession, SandboxWebhook
from pepestore.payments.sandbox.service import Sandbox, account, enqueue_event, payment_intent_json

SESSION_EVENTS = {"checkout_session.finished", "checkout_session.completed", "checkout_session.expired"}
INTENT_EVENTS = {"payment_intent.succeeded", "payment_intent.failed", "payment_intent.rejected",
                 "payment_intent.pending", "payment_intent.expired"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pepestore.payments.sandbox", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("events").add_argument("--limit", type=int, default=20)
    commands.add_parser("resend").add_argument("event_id")
    forge = commands.add_parser("forge")
    forge.add_argument("type", choices=sorted(SESSION_EVENTS | INTENT_EVENTS))
    forge.add_argument("session_id")
    commands.add_parser("keys")
    commands.add_parser("pause")
    commands.add_parser("resume")
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)

    with session_scope() as session:
        if args.command == "keys":
            keys = account(session)
            print(f"secret  {keys.secret_key}\npublic  {keys.public_key}\nwebhook {keys.webhook_secret}")
        elif args.command in ("pause", "resume"):
            keys = account(session)
            keys.deliveries_paused = args.command == "pause"
            session.add(keys)
            print("webhook deliveries paused" if keys.deliveries_paused else "webhook deliveries resumed")
        elif args.command == "events":
            rows = session.exec(select(SandboxWebhook).order_by(col(SandboxWebhook.created_at).desc())
                                .limit(args.limit)).all()
            for row in rows:
                print(f"{row.id}  {row.type:28} {row.status:9} attempts={row.attempts} {row.last_error or ''}")
        elif args.command == "resend":
            row = session.get(SandboxWebhook, args.event_id)
            if row is None:
                print(f"no such event: {args.event_id}", file=sys.stderr)
                return 1
            row.status, row.next_attempt_at, row.last_error = "pending", now, None
            session.add(row)
            print(f"{row.id} queued for delivery again")
        else:
            row = session.get(SandboxCheckoutSession, args.session_id)
            if row is None:
                print(f"no such checkout session: {args.session_id}", file=sys.stderr)
                return 1
            if args.type in SESSION_EVENTS:
                data = Sandbox(get_fintoc_config().api_url).session_json(row)
            else:
                data = payment_intent_json(row) or {
                    "id": "pi_forged", "object": "payment_intent", "amount": row.amount, "currency": row.currency,
                    "status": args.type.split(".")[1], "mode": "test"}
            event = enqueue_event(session, args.type, data, now)
            print(f"{event.id} ({args.type}) queued")
    return 0


if __name__ == "__main__":
    sys.exit(main())
