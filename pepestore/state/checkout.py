from __future__ import annotations

import logging

import reflex as rx

from pepestore.payments.checkout import abandon_checkout, start_checkout
from pepestore.payments.errors import FintocError
from pepestore.i18n import say
from pepestore.state.cart import CartState
from pepestore.state.language import language_of
from pepestore.store.errors import StoreError
from pepestore.store.orders import valid_email

# Keys of texts in pepestore/i18n: said in the shopper's language.
FINTOC_UNREACHABLE = "checkout.fintoc_unreachable"
CHECKOUT_FAILED = "checkout.failed"

# The order stays pending: the reconciler settles it from Fintoc, or expires it and releases its stock.
ABANDON_FAILED = "checkout.abandon_failed"

log = logging.getLogger("pepestore.checkout")


class CheckoutState(rx.State):
    placing: bool = False
    # What the widget needs to open: a session token and the public key are not secrets.
    session_token: str = ""
    public_key: str = ""
    widget_url: str = ""
    redirect_url: str = ""
    order_token: str = ""
    open_count: int = 0
    widget_error: str = ""

    def _close_widget(self) -> None:
        self.session_token = self.order_token = self.redirect_url = self.widget_error = ""

    @rx.event(background=True)
    async def pay(self, form_data: dict):
        # Every `async with self` takes the state's lock and, with Redis, reads and writes the state: two on the
        # way to an open widget (one before the checkout, one after), not one per field.
        email = form_data.get("email") if isinstance(form_data, dict) else None
        async with self:
            lang = await language_of(self)
            try:
                valid_email(email)
            except StoreError as refusal:
                return rx.toast.error(refusal.say(lang))
            if self.placing:  # a double click while the first is still on its way
                return None
            try:
                cart_token = (await self.get_state(CartState)).token
                client_token = self.router.session.client_token
                client_ip = self.router.session.client_ip or None
            except Exception:  # noqa: BLE001 - nothing is placed yet, and the button is not spinning
                log.exception("checkout failed")
                return rx.toast.error(say(lang, CHECKOUT_FAILED))
            self.placing = True
            self.widget_error = ""
        start = None
        try:
            start = await start_checkout(cart_token, email, client_token, client_ip)
        except StoreError as refusal:
            await self._refresh_cart()
            return rx.toast.error(refusal.say(lang))
        except FintocError:
            return rx.toast.error(say(lang, FINTOC_UNREACHABLE))
        except Exception:  # noqa: BLE001 - a database that is down, a bug: the shopper hears of it, the log says what
            log.exception("checkout failed")
            return rx.toast.error(say(lang, CHECKOUT_FAILED))
        finally:
            # Whatever happened above, the button must not spin forever.
            async with self:
                self.placing = False
                if start is not None:
                    # All or nothing: the widget opens only with every field of a session that really exists.
                    self.order_token = start.order_token
                    self.session_token = start.session_token
                    self.redirect_url = start.redirect_url
                    self.public_key = start.public_key
                    self.widget_url = start.widget_url
                    self.open_count += 1
        return None

    async def _refresh_cart(self) -> None:
        """Show the cart as it now is (stock may have changed, or been released); a failure here changes nothing."""
        try:
            async with self:
                await (await self.get_state(CartState)).refresh_view()
        except Exception:  # noqa: BLE001
            log.exception("cart refresh after a refused checkout failed")

    @rx.event
    def widget_succeeded(self, _data: dict):
        # Fintoc's onSuccess is a hint, not proof: the status page waits for the bank's confirmation.
        if not self.order_token:
            return None
        target = f"/order/{self.order_token}"
        self._close_widget()
        return rx.redirect(target)

    @rx.event(background=True)
    async def widget_exited(self):
        async with self:
            order_token = self.order_token
            self._close_widget()
            lang = await language_of(self)
        if not order_token:
            return None
        try:
            status, reason = await abandon_checkout(order_token)
        except StoreError as refusal:
            return rx.toast.error(refusal.say(lang))
        except FintocError:
            return rx.toast.error(say(lang, FINTOC_UNREACHABLE))
        except Exception:  # noqa: BLE001
            log.exception("abandoning the checkout of order %s failed", order_token)
            return rx.toast.error(say(lang, ABANDON_FAILED))
        await self._refresh_cart()
        if status == "paid":
            return rx.redirect(f"/order/{order_token}")
        if reason and "bank" in reason:
            return rx.toast.error(say(lang, "checkout.bank_rejected"))
        return rx.toast.info(say(lang, "checkout.cancelled"))

    @rx.event
    def widget_load_failed(self, message: str):
        self.widget_error = message if isinstance(message, str) and len(message) < 200 else "?"
