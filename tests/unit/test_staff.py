"""Staff accounts: argon2id hashing, lockout, session expiry, the audit log, and the command line."""

import io
from datetime import timedelta

import pytest
from sqlmodel import select

from pepestore.admin.__main__ import main as admin_cli
from pepestore.limits import MemoryLimiter
from pepestore.models import utcnow
from pepestore.staff_models import AuditEntry, Staff, StaffSession
from pepestore.store import staff
from pepestore.store.errors import StoreError

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self):
        self.now = 5000.0

    def __call__(self):
        return self.now


@pytest.fixture
def owner(session):
    member = staff.create_staff(session, " Owner@Example.cl ", PASSWORD, "owner", utcnow())
    session.commit()
    return member


def actions(session) -> list[str]:
    return [entry.action for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_passwords_are_stored_as_argon2id_and_emails_lower_cased(session, owner):
    row = session.exec(select(Staff)).one()
    assert row.email == "owner@example.cl" and owner.is_owner
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash


@pytest.mark.parametrize("password", ["short", "", None, 12345678901234, "x" * 2000])
def test_weak_or_absurd_passwords_are_refused(session, password):
    with pytest.raises(StoreError, match="contraseña"):
        staff.create_staff(session, "ana@example.cl", password, "staff", utcnow())


def test_roles_and_duplicate_emails_are_checked(session, owner):
    with pytest.raises(StoreError, match="owner o staff"):
        staff.create_staff(session, "ana@example.cl", PASSWORD, "admin", utcnow())
    with pytest.raises(StoreError, match="Ya hay alguien en el equipo"):
        staff.create_staff(session, "OWNER@example.cl", PASSWORD, "staff", utcnow())


def test_login_opens_a_session_whose_token_is_stored_only_as_a_hash(session, owner):
    token, member = staff.login(session, "owner@example.cl", PASSWORD, utcnow(), MemoryLimiter(), ip="10.0.0.1")
    assert member == owner and len(token) >= 43
    stored = session.exec(select(StaffSession)).one()
    assert stored.token_hash == staff.token_hash(token) and token not in stored.token_hash
    assert staff.signed_in(session, token, utcnow()) == owner
    assert actions(session)[-1] == "login"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(session, owner):
    limiter = MemoryLimiter()
    for email, password in [("owner@example.cl", "wrong password!"), ("nobody@example.cl", PASSWORD),
                            (None, None), ("owner@example.cl", ["list"])]:
        with pytest.raises(staff.LoginRefused) as refusal:
            staff.login(session, email, password, utcnow(), limiter)
        assert (refusal.value.status, refusal.value.message) == (401, staff.WRONG_LOGIN)
    assert actions(session).count("login_failed") == 4


def test_five_failures_lock_the_account_for_fifteen_minutes_even_with_the_right_password(session, owner):
    clock = Clock()
    limiter = MemoryLimiter(clock)
    for _ in range(5):
        with pytest.raises(staff.LoginRefused):
            staff.login(session, "owner@example.cl", "wrong password!", utcnow(), limiter)
    with pytest.raises(staff.LoginRefused) as refusal:
        staff.login(session, "owner@example.cl", PASSWORD, utcnow(), limiter)
    assert refusal.value.status == 429
    clock.now += 14 * 60
    with pytest.raises(staff.LoginRefused):
        staff.login(session, "owner@example.cl", PASSWORD, utcnow(), limiter)
    clock.now += 61
    token, _ = staff.login(session, "owner@example.cl", PASSWORD, utcnow(), limiter)
    assert token and "login_locked" in actions(session)


def test_one_address_trying_many_accounts_is_stopped(session, owner):
    limiter = MemoryLimiter(Clock())
    for index in range(staff.IP_FAILURES):
        with pytest.raises(staff.LoginRefused):
            staff.login(session, f"guess{index}@example.cl", "wrong password!", utcnow(), limiter, ip="10.9.9.9")
    with pytest.raises(staff.LoginRefused) as refusal:
        staff.login(session, "owner@example.cl", PASSWORD, utcnow(), limiter, ip="10.9.9.9")
    assert refusal.value.status == 429
    assert staff.login(session, "owner@example.cl", PASSWORD, utcnow(), limiter, ip="10.0.0.2")[0]


def test_sessions_end_after_30_idle_minutes(session, owner):
    start = utcnow()
    token, _ = staff.login(session, "owner@example.cl", PASSWORD, start, MemoryLimiter())
    assert staff.signed_in(session, token, start + timedelta(minutes=29)) == owner  # touches last_seen
    assert staff.signed_in(session, token, start + timedelta(minutes=58)) == owner
    assert staff.signed_in(session, token, start + timedelta(minutes=89)) is None
    assert session.exec(select(StaffSession)).all() == []


def test_sessions_end_after_12_hours_however_busy(session, owner):
    start = utcnow()
    token, _ = staff.login(session, "owner@example.cl", PASSWORD, start, MemoryLimiter())
    moment = start
    while moment < start + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)
        assert staff.signed_in(session, token, moment) == owner
    assert staff.signed_in(session, token, start + timedelta(hours=12, minutes=1)) is None


def test_disabling_or_a_new_password_ends_every_session(session, owner):
    staff.create_staff(session, "ana@example.cl", PASSWORD, "staff", utcnow())
    token, _ = staff.login(session, "ana@example.cl", PASSWORD, utcnow(), MemoryLimiter())
    staff.reset_password(session, "ana@example.cl", "another long password", utcnow())
    assert staff.signed_in(session, token, utcnow()) is None
    token, _ = staff.login(session, "ana@example.cl", "another long password", utcnow(), MemoryLimiter())
    staff.set_active(session, "ana@example.cl", False, utcnow())
    assert staff.signed_in(session, token, utcnow()) is None
    with pytest.raises(staff.LoginRefused):
        staff.login(session, "ana@example.cl", "another long password", utcnow(), MemoryLimiter())


def test_the_last_owner_cannot_be_disabled(session, owner):
    with pytest.raises(StoreError, match="única dueña o dueño activo"):
        staff.set_active(session, "owner@example.cl", False, utcnow())


def test_logout_deletes_the_session_at_once(session, owner):
    token, _ = staff.login(session, "owner@example.cl", PASSWORD, utcnow(), MemoryLimiter())
    staff.logout(session, token, utcnow())
    assert staff.signed_in(session, token, utcnow()) is None
    assert actions(session)[-1] == "logout"


def test_a_hash_with_old_parameters_is_upgraded_at_login(session, owner):
    from argon2 import PasswordHasher

    row = session.exec(select(Staff)).one()
    row.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    session.add(row)
    session.commit()
    staff.login(session, "owner@example.cl", PASSWORD, utcnow(), MemoryLimiter())
    assert not staff._hasher.check_needs_rehash(session.exec(select(Staff)).one().password_hash)


@pytest.mark.parametrize("token", [None, "", "x" * 10, "x" * 500, 42])
def test_malformed_tokens_sign_nobody_in(session, token):
    assert staff.signed_in(session, token, utcnow()) is None


# -- command line ------------------------------------------------------------------------------------------------

def test_the_command_line_creates_disables_and_resets(engine, capsys):
    assert admin_cli(["create-staff", "boss@example.cl", "--role", "owner"], io.StringIO(PASSWORD + "\n")) == 0
    assert admin_cli(["create-staff", "ana@example.cl", "--role", "staff"], io.StringIO(PASSWORD + "\n")) == 0
    assert admin_cli(["create-staff", "bob@example.cl", "--role", "staff"], io.StringIO("short\n")) == 1
    assert "al menos 12 caracteres" in capsys.readouterr().err
    assert admin_cli(["disable-staff", "ana@example.cl"]) == 0
    assert admin_cli(["reset-password", "ana@example.cl"], io.StringIO("a brand new password\n")) == 0
    assert admin_cli(["list-staff"]) == 0
    listing = capsys.readouterr().out
    assert "boss@example.cl\towner\tactive" in listing and "ana@example.cl\tstaff\tdisabled" in listing
    assert "bob@example.cl" not in listing


def test_guesses_sent_in_parallel_still_lock_the_account(engine, owner):
    """All at once, the right password among them: at most five are checked, the rest are locked out."""
    from concurrent.futures import ThreadPoolExecutor

    from pepestore.db import session_scope

    limiter = MemoryLimiter()
    guesses = ["wrong password!"] * 23 + [PASSWORD]

    def attempt(password):
        try:
            with session_scope() as session:
                staff.login(session, "owner@example.cl", password, utcnow(), limiter)
            return 200
        except staff.LoginRefused as refusal:
            return refusal.status

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(attempt, guesses))
    assert answers.count(401) <= 5 and answers.count(200) <= 1
    assert answers.count(429) >= 18


def test_locked_attempts_are_noted_once_a_minute_not_once_each(session, owner):
    limiter = MemoryLimiter(Clock())
    for _ in range(5):
        with pytest.raises(staff.LoginRefused):
            staff.login(session, "owner@example.cl", "wrong password!", utcnow(), limiter, ip="10.0.0.1")
    for _ in range(50):
        with pytest.raises(staff.LoginRefused):
            staff.login(session, "owner@example.cl", PASSWORD, utcnow(), limiter, ip="10.0.0.1")
    assert actions(session).count("login_locked") == 1


def test_an_open_page_refreshing_itself_does_not_keep_the_session_alive(session, owner):
    start = utcnow()
    token, _ = staff.login(session, "owner@example.cl", PASSWORD, start, MemoryLimiter())
    for minutes in range(5, 30, 5):
        assert staff.signed_in(session, token, start + timedelta(minutes=minutes), touch=False) == owner
    assert staff.signed_in(session, token, start + timedelta(minutes=31), touch=False) is None
