"""/admin/staff (owners only): who has access, add a member, disable, reset a password, end sessions."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import func, select

from pepestore.admin.guard import AdminState, sign_in_again
from pepestore.i18n import say
from pepestore.state.language import language_of, t
from pepestore.admin.layout import admin_page
from pepestore.clock import santiago_label
from pepestore.db import in_db_thread
from pepestore.models import utcnow
from pepestore.staff_models import StaffSession
from pepestore.store import staff
from pepestore.store.errors import StoreError


@dataclasses.dataclass
class StaffRow:
    email: str
    role: str
    active: bool
    since: str
    sessions: int


def _read(session) -> list[StaffRow]:
    open_sessions = dict(session.exec(select(StaffSession.staff_id, func.count())
                                      .group_by(StaffSession.staff_id)).all())
    return [StaffRow(member.email, member.role, member.active, santiago_label(member.created_at),
                     open_sessions.get(member.id, 0)) for member in staff.list_staff(session)]


class StaffState(AdminState):
    members: list[StaffRow] = []
    allowed: bool = False
    loaded: bool = False

    async def _owner_or_refusal(self):
        member = await self._staff()
        if member is None:
            return None, sign_in_again(await language_of(self))
        if not member.is_owner:
            self.allowed, self.members = False, []
            return None, [rx.toast.error(say(await language_of(self), "admin.owners_only"))]
        return member, None

    @rx.event
    async def load(self):
        member, refusal = await self._owner_or_refusal()
        self.loaded = True
        if refusal:
            return refusal
        self.allowed = True
        self.members = await in_db_thread(_read)
        return None

    async def _run(self, done: str, action, *args, **kwargs):
        """action(session, *args, now, actor=, actor_id=, **kwargs) as the signed-in owner, off the event loop;
        done is the key of the text that says it worked."""
        member, refusal = await self._owner_or_refusal()
        if refusal:
            return refusal
        try:
            await in_db_thread(action, *args, utcnow(), actor=member.email, actor_id=member.id, **kwargs)
        except StoreError as problem:
            return rx.toast.error(problem.say(await language_of(self)))
        self.members = await in_db_thread(_read)
        return rx.toast.success(say(await language_of(self), done))

    @rx.event
    async def add_member(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        return await self._run("admin.staff_added", staff.create_staff, data.get("email"), data.get("password"),
                               data.get("role"))

    @rx.event
    async def set_active(self, email: str, active: bool):
        return await self._run("admin.staff_enabled" if active is True else "admin.staff_disabled",
                               staff.set_active, email, active is True)

    @rx.event
    async def reset_password(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        return await self._run("admin.staff_password", staff.reset_password,
                               data.get("email"), data.get("password"))

    @rx.event
    async def revoke(self, email: str):
        return await self._run("admin.staff_revoked", staff.end_sessions, email, ip=self._client_ip())


def _member_row(row: StaffRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.email),
        rx.table.cell(rx.badge(row.role, color_scheme=rx.cond(row.role == "owner", "violet", "gray"))),
        rx.table.cell(rx.cond(row.active, rx.badge(t("admin.active"), color_scheme="green"),
                              rx.badge(t("admin.disabled"), color_scheme="red"))),
        rx.table.cell(row.sessions),
        rx.table.cell(rx.hstack(
            rx.cond(row.active,
                    rx.button(t("admin.disable"), size="1", variant="soft", color_scheme="red",
                              on_click=StaffState.set_active(row.email, False)),
                    rx.button(t("admin.enable"), size="1", variant="soft",
                              on_click=StaffState.set_active(row.email, True))),
            rx.button(t("admin.end_sessions"), size="1", variant="soft", color_scheme="gray",
                      on_click=StaffState.revoke(row.email)),
            spacing="2")),
        class_name="staff-row",
    )


def _forms() -> rx.Component:
    return rx.grid(
        rx.card(rx.form(rx.vstack(
            rx.heading(t("admin.add_member"), size="3"),
            rx.input(name="email", type="email", placeholder=t("admin.email"), required=True, width="100%"),
            rx.select.root(rx.select.trigger(placeholder=t("admin.role"), width="100%"),
                           rx.select.content(rx.select.item(t("admin.role_staff"), value="staff"),
                                             rx.select.item(t("admin.role_owner"), value="owner")),
                           name="role", default_value="staff"),
            rx.input(name="password", type="password", placeholder=t("admin.password_rule"), required=True,
                     min_length=12, auto_complete="new-password", width="100%"),
            rx.button(t("admin.add"), type="submit"), spacing="2", width="100%"),
            on_submit=StaffState.add_member, reset_on_submit=True, id="add-staff")),
        rx.card(rx.form(rx.vstack(
            rx.heading(t("admin.reset_password"), size="3"),
            rx.input(name="email", type="email", placeholder=t("admin.email"), required=True, width="100%"),
            rx.input(name="password", type="password", placeholder=t("admin.new_password_rule"), required=True,
                     min_length=12, auto_complete="new-password", width="100%"),
            rx.button(t("admin.reset"), type="submit", variant="soft"), spacing="2", width="100%"),
            on_submit=StaffState.reset_password, reset_on_submit=True)),
        columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
    )


def staff_page() -> rx.Component:
    return admin_page(
        rx.heading(t("admin.nav_staff"), size="6", margin_bottom="16px"),
        rx.cond(
            StaffState.allowed,
            rx.vstack(
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(
                        *[rx.table.column_header_cell(t(key) if key else "") for key in
                          ("admin.email", "admin.role", "admin.state", "admin.sessions", "")])),
                    rx.table.body(rx.foreach(StaffState.members, _member_row)),
                    variant="surface", width="100%"), overflow_x="auto", width="100%", id="staff-table"),
                _forms(),
                spacing="4", width="100%",
            ),
            rx.cond(StaffState.loaded,
                    rx.callout(t("admin.owners_only"), icon="lock", color_scheme="orange", id="owners-only"),
                    rx.center(rx.spinner(size="3"), padding="48px")),
        ),
    )
