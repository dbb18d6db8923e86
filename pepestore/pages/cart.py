import reflex as rx

from pepestore import routes
from pepestore.components.fintoc_widget import fintoc_widget
from pepestore.components.layout import empty_state, page
from pepestore.components.load_error import load_error
from pepestore.state.cart import CART_TOKEN_KEY, CartRow, CartState
from pepestore.state.checkout import CheckoutState
from pepestore.i18n import DEFAULT, LANGUAGES
from pepestore.state.language import COOKIE as LANGUAGE_COOKIE
from pepestore.state.language import t

# A browser with no cart token has no cart: the load event could only say "empty". This runs as the HTML is
# parsed, before the cart area paints, and in that case shows the prerendered empty message at once instead of
# the skeleton. With a token (a cart that may hold items) it does nothing: the skeleton waits for the live cart,
# so a shopper with items never sees "empty", not even for a moment. The token is CartState.token's localStorage
# key; a storage that cannot be read counts as "may have a cart". The message is in both languages; the reader's
# choice is read from the language cookie here, as the <head> script does, not from <html lang>: once in CI an
# English reader's page said lang="es-CL" for a moment after hydration (React rendering <html> with the built value).
# A plain <script> in the body, as the catalog's (pepestore/pages/catalog.py): rx.script would run after hydration.
KNOWN_EMPTY_SCRIPT = """(function () {
  var token;
  try { token = window.localStorage.getItem("%s"); } catch (e) { return; }
  if (token || document.getElementById("cart-known-empty")) return;
  var english = false;
  try {
    var m = document.cookie.match(/(?:^|; )%s=([^;]*)/);
    english = !!m && decodeURIComponent(m[1]) === "en";
  } catch (e) {}
  var style = document.createElement("style");
  style.id = "cart-known-empty";
  style.textContent = "#cart-skeleton { display: none; } #empty-cart.cart-early { display: flex; }"
    + " .cart-early .lang-" + (english ? "es" : "en") + " { display: none; }";
  document.head.appendChild(style);
})();""" % (CART_TOKEN_KEY, LANGUAGE_COOKIE)


def _stepper(row: CartRow) -> rx.Component:
    return rx.hstack(
        rx.icon_button(
            rx.icon("minus", size=14),
            on_click=CartState.set_quantity(row.product_id, row.quantity - 1),
            disabled=row.quantity <= 1,
            variant="soft",
            size="2",
            aria_label=t("cart.one_less"),
            class_name="qty-minus",
        ),
        rx.text(row.quantity, weight="bold", min_width="28px", text_align="center", class_name="qty-value"),
        rx.icon_button(
            rx.icon("plus", size=14),
            on_click=CartState.set_quantity(row.product_id, row.quantity + 1),
            variant="soft",
            size="2",
            aria_label=t("cart.one_more"),
            class_name="qty-plus",
        ),
        align="center",
        spacing="2",
    )


def _line(row: CartRow) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.link(rx.image(src=row.image, alt=row.name, width=["72px", "96px"], height=["72px", "96px"],
                             border_radius="10px", object_fit="cover"), href=row.href, flex_shrink="0"),
            rx.vstack(
                rx.hstack(
                    rx.link(rx.text(row.name, weight="bold", size="3"), href=row.href, color=rx.color("gray", 12),
                            class_name="line-name"),
                    rx.spacer(),
                    rx.text(row.line_total, weight="bold", size="3", class_name="line-total"),
                    width="100%",
                    align="start",
                ),
                rx.text(t("cart.each", price=row.unit_price), size="2", color=rx.color("gray", 10), class_name="unit-price"),
                rx.cond(row.problem != "",
                        rx.text(rx.cond(row.problem == "cart.line_sold_out", t("cart.line_sold_out"),
                                        t("cart.line_short", count=row.stock)),
                                size="2", color=rx.color("orange", 11), class_name="line-problem")),
                rx.hstack(
                    _stepper(row),
                    rx.spacer(),
                    rx.button(rx.icon("trash-2", size=14), t("cart.remove"), on_click=CartState.remove(row.product_id),
                              variant="ghost", color_scheme="gray", size="2", class_name="line-remove"),
                    width="100%",
                    align="center",
                ),
                width="100%",
                spacing="1",
            ),
            spacing="4",
            width="100%",
        ),
        class_name="cart-line",
        data_product_id=row.product_id,
        width="100%",
    )


def _summary() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("cart.summary"), size="4"),
            rx.hstack(rx.text(t("cart.items")), rx.spacer(), rx.text(CartState.item_count), width="100%"),
            rx.hstack(rx.text(t("cart.shipping")), rx.spacer(), rx.text(t("cart.shipping_later"), color=rx.color("gray", 10)),
                      width="100%"),
            rx.separator(),
            rx.hstack(rx.text(t("cart.subtotal"), weight="bold"), rx.spacer(),
                      rx.text(CartState.subtotal, weight="bold", size="5", id="cart-subtotal"), width="100%",
                      align="center"),
            _checkout_form(),
            rx.text(t("cart.fine_print"), size="1", color=rx.color("gray", 10)),
            spacing="3",
            width="100%",
        ),
        width="100%",
        position=["static", "static", "sticky"],
        top="88px",
    )


def _checkout_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(t("cart.email_label"), as_="label", html_for="checkout-email", size="2", weight="medium"),
            rx.input(id="checkout-email", name="email", type="email", placeholder="ana@example.cl", required=True,
                     max_length=254, size="3", width="100%", auto_complete="email"),
            rx.button(
                rx.icon("landmark", size=16),
                t("cart.pay"),
                type="submit",
                size="3",
                width="100%",
                loading=CheckoutState.placing,
                disabled=CartState.has_problems,
                id="pay-button",
            ),
            rx.cond(CartState.has_problems,
                    rx.text(t("cart.fix_lines"), size="1", color=rx.color("orange", 11))),
            rx.cond(
                CheckoutState.widget_error != "",
                rx.callout(
                    rx.vstack(
                        rx.text(t("cart.widget_error", error=CheckoutState.widget_error)),
                        # A full page load: the hosted page is another site (or the sandbox), never a client route.
                        rx.link(t("cart.hosted_link"), href=CheckoutState.redirect_url,
                                id="hosted-payment-link", weight="bold",
                                custom_attrs={"reloadDocument": True}),
                        spacing="1",
                    ),
                    icon="triangle-alert",
                    color_scheme="orange",
                    id="widget-error",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=CheckoutState.pay,
        reset_on_submit=False,
        width="100%",
    )


def cart_page() -> rx.Component:
    return page(
        fintoc_widget(
            widget_url=CheckoutState.widget_url,
            public_key=CheckoutState.public_key,
            session_token=CheckoutState.session_token,
            open_count=CheckoutState.open_count,
            on_success=CheckoutState.widget_succeeded,
            on_exit=CheckoutState.widget_exited,
            on_load_error=CheckoutState.widget_load_failed,
        ),
        rx.heading(t("cart.title"), size="7", padding_bottom="16px"),
        rx.cond(
            CartState.load_failed,
            load_error(t("cart.load_error"), on_retry=[CartState.load]),
            _cart(),
        ),
    )


def _both(key: str) -> rx.Component:
    """A text in both languages, for markup that must be right before the reader's choice reaches the state."""
    return rx.fragment(rx.el.span(LANGUAGES[DEFAULT][key], class_name="lang-es"),
                       rx.el.span(LANGUAGES["en"][key], class_name="lang-en"))


def _empty(*, early: bool = False) -> rx.Component:
    text = _both if early else t
    return empty_state(
        "shopping-bag",
        text("cart.empty_title"),
        text("cart.empty_body"),
        rx.link(rx.button(text("cart.start_shopping")), href=routes.CATALOG),
        id="empty-cart",
        # The early one is hidden unless KNOWN_EMPTY_SCRIPT found no cart token.
        **({"class_name": "cart-early", "style": {"display": "none"}} if early else {}),
    )


def _cart() -> rx.Component:
    return rx.cond(
        ~CartState.loaded,
        rx.fragment(
            rx.el.script(custom_attrs={"dangerouslySetInnerHTML": {"__html": KNOWN_EMPTY_SCRIPT}}),
            rx.vstack(rx.skeleton(height="120px", width="100%"), rx.skeleton(height="120px", width="100%"),
                      width="100%", id="cart-skeleton"),
            _empty(early=True),
        ),
        rx.cond(
            CartState.rows.length() > 0,
            rx.grid(
                rx.vstack(rx.foreach(CartState.rows, _line), spacing="3", width="100%", id="cart-lines"),
                _summary(),
                columns=rx.breakpoints(initial="1", md="3fr 2fr"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
            _empty(),
        ),
    )
