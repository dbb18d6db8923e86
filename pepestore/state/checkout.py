from __future__ import annotations

import logging

import reflex as rx

from pepestore.payments.checkout import abandon_checkout, start_checkout
from pepestore.payments.errors import FintocError
from pepestore.state.cart import CartState
from pepestore.store.errors import StoreError
from pepestore.store.orders import valid_email

FINTOC_UNREACHABLE = "We couldn't reach Fintoc just now. Nothing was charged — please try again in a moment."
CHECKOUT_FAILED = ("Something went wrong on our side and checkout could not start. Nothing was charged — "
                   "please try again in a moment.")

# The order stays pending: the reconciler settles it from Fintoc, or expires it and releases its stock.
ABANDON_FAILED = ("We couldn't record that you closed the payment window. If you didn't pay, the order lapses by "
                  "itself and its items go back on sale.")

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
        email = form_data.get("email") if isinstance(form_data, dict) else None
        try:
            valid_email(email)
        except StoreError as refusal:
            return rx.toast.error(refusal.message)
        async with self:
            if self.placing:  # a double click while the first is still on its way
                return None
            self.placing = True
            self.widget_error = ""
        try:
            async with self:
                cart_token = (await self.get_state(CartState)).token
                client_token = self.router.session.client_token
                client_ip = self.router.session.client_ip or None
            start = await start_checkout(cart_token, email, client_token, client_ip)
        except StoreError as refusal:
            await self._refresh_cart()
            return rx.toast.error(refusal.message)
        except FintocError:
            return rx.toast.error(FINTOC_UNREACHABLE)
        except Exception:  # noqa: BLE001 - a database that is down, a bug: the shopper hears of it, the log says what
            log.exception("checkout failed")
            return rx.toast.error(CHECKOUT_FAILED)
        finally:
            # Whatever happened above, the button must not spin forever.
            async with self:
                self.placing = False
        async with self:
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
        if not order_token:
            return None
        try:
            status, reason = await abandon_checkout(order_token)
        except StoreError as refusal:
            return rx.toast.error(refusal.message)
        except FintocError:
            return rx.toast.error(FINTOC_UNREACHABLE)
        except Exception:  # noqa: BLE001
            log.exception("abandoning the checkout of order %s failed", order_token)
            return rx.toast.error(ABANDON_FAILED)
        await self._refresh_cart()
        if status == "paid":
            return rx.redirect(f"/order/{order_token}")
        if reason and "bank" in reason:
            return rx.toast.error("The bank rejected the payment. Your cart is just as you left it — try again "
                                  "or choose another bank.")
        return rx.toast.info("Payment cancelled. Your cart is just as you left it.")

    @rx.event
    def widget_load_failed(self, message: str):
        self.widget_error = message if isinstance(message, str) and len(message) < 200 else "unknown error"
