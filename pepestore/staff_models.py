"""Back-office tables: staff accounts, their login sessions, and the append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from pepestore.clock import utcnow


class StaffRole:
    OWNER = "owner"  # everything staff do, and manages staff
    STAFF = "staff"  # orders and products
    ALL = frozenset({OWNER, STAFF})


class Staff(SQLModel, table=True):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("role IN ('owner', 'staff')", name="ck_staff_role"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-cased
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)


class StaffSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of its token is stored: a copy of this table opens no door."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=200)


class AuditEntry(SQLModel, table=True):
    """Every login, failed login and staff action. Written, never updated or deleted."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    actor: str = Field(max_length=254)  # the staff member's email, or what a failed login typed
    action: str = Field(max_length=40)
    detail: str | None = Field(default=None, max_length=500)
    order_id: int | None = Field(default=None, foreign_key="shop_order.id", index=True)
    ip: str | None = Field(default=None, max_length=64)
