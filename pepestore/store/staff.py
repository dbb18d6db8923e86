"""Staff accounts, their passwords and login sessions, and the audit log.

Passwords are hashed with argon2id (argon2-cffi's defaults, rehashed on login when those change). A login session
is a 256-bit random token held by the browser in an HttpOnly cookie; the database keeps only its SHA-256, so a
leaked copy of the table signs nobody in. Sessions end after 30 idle minutes or 12 hours, whichever comes first.

Failed logins are counted per account and per address in the shared limiter (Redis when configured): five
failures for one account within 15 minutes lock it for 15 minutes, even against the right password.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pepestore.limits import address_key
from pepestore.models import as_utc
from pepestore.staff_models import AuditEntry, Staff, StaffRole, StaffSession
from pepestore.i18n import Text
from pepestore.store.errors import StoreError
from pepestore.store.orders import valid_email

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024  # hashing a megabyte per guess is a denial of service, not a password
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen is refreshed at most this often: no write per click
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW_SECONDS = 15 * 60
IP_FAILURES = 30  # per address and window: many accounts tried from one place
WRONG_LOGIN = "Email or password is not right."
LOCKED = "Too many failed attempts. Try again in 15 minutes."

_hasher = PasswordHasher()
_ATTEMPT_LOCKS = tuple(threading.Lock() for _ in range(64))
# Unknown emails are checked against this, so they take as long to refuse as a wrong password does.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class LoginRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class StaffMember:
    """Who is signed in: what pages and handlers need, nothing secret."""

    id: int
    email: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role == StaffRole.OWNER


def _member(staff: Staff) -> StaffMember:
    return StaffMember(staff.id, staff.email, staff.role)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(raw: object) -> str:
    return valid_email(raw).lower()


def check_password(raw: object) -> str:
    if not isinstance(raw, str) or len(raw) < PASSWORD_MIN_LENGTH:
        raise StoreError(Text("admin.password_short", min=PASSWORD_MIN_LENGTH))
    if len(raw) > PASSWORD_MAX_LENGTH:
        raise StoreError(Text("admin.password_long", max=PASSWORD_MAX_LENGTH))
    return raw


def audit(session: Session, action: str, actor: str, now: datetime, *, staff_id: int | None = None,
          detail: str | None = None, order_id: int | None = None, ip: str | None = None) -> None:
    session.add(AuditEntry(at=now, action=action[:40], actor=actor[:254], staff_id=staff_id,
                           detail=detail[:500] if detail else None, order_id=order_id, ip=ip[:64] if ip else None))


# -- accounts ----------------------------------------------------------------------------------------------------

def create_staff(session: Session, raw_email: object, password: object, role: object, now: datetime, *,
                 actor: str = "command line", actor_id: int | None = None) -> StaffMember:
    email = normalise_email(raw_email)
    if role not in StaffRole.ALL:
        raise StoreError(Text("admin.bad_role"))
    staff = Staff(email=email, password_hash=_hasher.hash(check_password(password)), role=role, created_at=now,
                  password_changed_at=now)
    try:
        with session.begin_nested():
            session.add(staff)
            session.flush()
    except IntegrityError:
        raise StoreError(Text("admin.staff_exists", email=email)) from None
    audit(session, "staff_created", actor, now, staff_id=actor_id, detail=f"{email} as {role}")
    return _member(staff)


def _staff_by_email(session: Session, raw_email: object) -> Staff:
    email = normalise_email(raw_email)
    staff = session.exec(select(Staff).where(Staff.email == email).with_for_update()).first()
    if staff is None:
        raise StoreError(Text("admin.no_staff", email=email))
    return staff


def reset_password(session: Session, raw_email: object, password: object, now: datetime, *,
                   actor: str = "command line", actor_id: int | None = None) -> None:
    """A new password ends every session the member had."""
    staff = _staff_by_email(session, raw_email)
    staff.password_hash = _hasher.hash(check_password(password))
    staff.password_changed_at = now
    session.add(staff)
    revoke_sessions(session, staff.id)
    audit(session, "password_reset", actor, now, staff_id=actor_id, detail=staff.email)


def set_active(session: Session, raw_email: object, active: bool, now: datetime, *,
               actor: str = "command line", actor_id: int | None = None) -> None:
    staff = _staff_by_email(session, raw_email)
    if not active and staff.active and staff.role == StaffRole.OWNER:
        # Every owner row locked: two owners disabling each other at once must not leave the shop with none.
        owners = session.exec(select(Staff.id).where(Staff.role == StaffRole.OWNER, Staff.active)
                              .order_by(col(Staff.id)).with_for_update()).all()
        if len(owners) == 1:
            raise StoreError(Text("admin.last_owner"))
    staff.active = active
    session.add(staff)
    if not active:
        revoke_sessions(session, staff.id)
    audit(session, "staff_enabled" if active else "staff_disabled", actor, now, staff_id=actor_id,
          detail=staff.email)


def end_sessions(session: Session, raw_email: object, now: datetime, *, actor: str, actor_id: int | None = None,
                 ip: str | None = None) -> int:
    staff = _staff_by_email(session, raw_email)
    ended = revoke_sessions(session, staff.id)
    audit(session, "sessions_revoked", actor, now, staff_id=actor_id, detail=f"{staff.email}: {ended}", ip=ip)
    return ended


def list_staff(session: Session) -> list[Staff]:
    return list(session.exec(select(Staff).order_by(col(Staff.email))))


# -- logging in ----------------------------------------------------------------------------------------------------

def login(session: Session, raw_email: object, password: object, now: datetime, limiter, *,
          ip: str | None = None, user_agent: str | None = None) -> tuple[str, StaffMember]:
    """A new session token for the right email and password, or LoginRefused (401 wrong, 429 locked)."""
    email = raw_email.strip().lower()[:254] if isinstance(raw_email, str) else ""
    password = password if isinstance(password, str) and len(password) <= PASSWORD_MAX_LENGTH else ""
    address = address_key(ip)
    account_key, lock_key, ip_key = f"login:fail:{email}", f"login:lock:{email}", f"login:fail-ip:{address}"
    # One attempt at a time per account: guesses sent in parallel would otherwise all be checked before the first
    # failure is counted, and the lockout would never engage. A lock in this process, and the account's row lock
    # (PostgreSQL) across processes until this attempt's transaction ends.
    with _ATTEMPT_LOCKS[hash(email) % len(_ATTEMPT_LOCKS)]:
        staff = session.exec(select(Staff).where(Staff.email == email).with_for_update()).first() if email else None
        if limiter.count(lock_key, LOCKOUT_WINDOW_SECONDS) or (
                address and limiter.count(ip_key, LOCKOUT_WINDOW_SECONDS) >= IP_FAILURES):
            # Noted once a minute per account and address: a flood of locked attempts must not flood the log.
            if limiter.record(f"login:locked-noted:{email}:{address}", 60) == 1:
                audit(session, "login_locked", email or "(none)", now, ip=ip)
            raise LoginRefused(429, LOCKED)
        try:
            _hasher.verify(staff.password_hash if staff is not None else _DUMMY_HASH, password)
            right = staff is not None and staff.active
        except (VerificationError, InvalidHashError):
            right = False
        if not right:
            if limiter.record(account_key, LOCKOUT_WINDOW_SECONDS) >= LOCKOUT_FAILURES:
                limiter.record(lock_key, LOCKOUT_WINDOW_SECONDS)
            if address:
                limiter.record(ip_key, LOCKOUT_WINDOW_SECONDS)
            audit(session, "login_failed", email or "(none)", now, staff_id=staff.id if staff else None, ip=ip)
            raise LoginRefused(401, WRONG_LOGIN)
    if _hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = _hasher.hash(password)
        session.add(staff)
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=token_hash(token), staff_id=staff.id, created_at=now, last_seen_at=now,
                             ip=ip[:64] if ip else None, user_agent=user_agent[:200] if user_agent else None))
    audit(session, "login", staff.email, now, staff_id=staff.id, ip=ip)
    return token, _member(staff)


def signed_in(session: Session, token: object, now: datetime, *, touch: bool = True) -> StaffMember | None:
    """The active staff member behind a session token, or None (unknown, expired, disabled).

    `touch=False` for a page refreshing itself: only what a person does keeps a session from idling out."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    row = session.exec(
        select(StaffSession, Staff).join(Staff, col(Staff.id) == col(StaffSession.staff_id))
        .where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    login_session, staff = row
    if (not staff.active or now - as_utc(login_session.last_seen_at) > IDLE_TIMEOUT
            or now - as_utc(login_session.created_at) > ABSOLUTE_TIMEOUT):
        session.exec(delete(StaffSession).where(col(StaffSession.id) == login_session.id))
        return None
    if touch and now - as_utc(login_session.last_seen_at) > TOUCH_EVERY:
        session.exec(update(StaffSession).where(col(StaffSession.id) == login_session.id).values(last_seen_at=now))
    return _member(staff)


def logout(session: Session, token: object, now: datetime, *, ip: str | None = None) -> None:
    member = signed_in(session, token, now)
    if isinstance(token, str):
        session.exec(delete(StaffSession).where(col(StaffSession.token_hash) == token_hash(token)))
    if member is not None:
        audit(session, "logout", member.email, now, staff_id=member.id, ip=ip)


def revoke_sessions(session: Session, staff_id: int) -> int:
    return session.exec(delete(StaffSession).where(col(StaffSession.staff_id) == staff_id)).rowcount
