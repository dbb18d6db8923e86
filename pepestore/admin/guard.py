"""The base of every back-office state: who is signed in, checked on the server from the websocket's cookie.

Every admin page load and every admin event handler starts with `await self._staff()` (or `_owner()`): a tab
without a valid session gets no data and causes no effect. The cookie is HttpOnly; the browser cannot read or
forge it per event, because Reflex takes the headers from the websocket handshake.
"""

from __future__ import annotations

import asyncio
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from pepestore.i18n import DEFAULT, say

from pepestore.admin.routes import COOKIE
from pepestore.db import in_db_thread
from pepestore.models import utcnow
from pepestore.store import staff
from pepestore.store.staff import StaffMember

LOGIN = "/admin/login"


def session_token(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


class AdminState(rx.State):
    staff_email: str = ""
    staff_is_owner: bool = False

    async def _staff(self, touch: bool = True) -> StaffMember | None:
        token = session_token(self.router.headers.cookie)
        member = await in_db_thread(staff.signed_in, token, utcnow(), touch=touch) if token else None
        self.staff_email = member.email if member else ""
        self.staff_is_owner = bool(member and member.is_owner)
        return member

    async def _owner(self) -> StaffMember | None:
        member = await self._staff()
        return member if member is not None and member.is_owner else None

    def _client_ip(self) -> str | None:
        return self.router.session.client_ip or None


def sign_in_again(language: str = DEFAULT):
    return [rx.redirect(LOGIN), rx.toast.error(say(language, "admin.sign_in_again"))]


async def keep_fresh(state: AdminState, path: str, every_seconds: float, *, exact: bool = True) -> None:
    """A background handler's body: re-read an open admin page every few seconds, so a webhook, the reconciler or
    another member's action shows without a reload. Stops when the tab leaves the page (its router moves on), the
    session ends, or after `_watch_rounds` rounds (a reload starts it again)."""
    async with state:
        if state._watching:
            return
        state._watching = True
    try:
        while True:
            await asyncio.sleep(every_seconds)
            async with state:
                state._watch_rounds -= 1
                here = state.router.url.path.rstrip("/") or "/"
                still_here = here == path if exact else here.startswith(path)
                # The refresh itself is not activity: the session still idles out 30 minutes after the last click,
                # and the page stops refreshing then.
                if state._watch_rounds <= 0 or not still_here or await state._staff(touch=False) is None:
                    return
                await state._refresh()
    finally:
        async with state:
            state._watching = False
