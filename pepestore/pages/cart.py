import reflex as rx

from pepestore import routes
from pepestore.components.fintoc_widget import fintoc_widget
from pepestore.components import plain
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
# choice is read from the language cookie here, as the <head> script does, not from <html lang>. (In CI an English
# reader's page once said lang="es-CL" here: the <head> script then went through react-helmet and ran only after
# hydration, so <html lang> was still the prerendered es-CL. It is a plain <script> in the prerendered head now, see
# pepestore/pepestore.py; React never rewrites <html lang>, there was no hydration mismatch.)
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


def _icon_button(icon: str, extra_class: str, *, disabled: bool = False, **props) -> rx.Component:
    """rx.icon_button (soft, size 2) as a plain button with Radix's classes."""
    attrs = plain.accent()
    if disabled:  # Radix marks a disabled button with data-disabled, which its styles look for
        attrs["data-disabled"] = "true"
        props["disabled"] = True
    # 24 px, as rx.icon_button drew them: it sets a size-2 button's icon to 24 whatever the icon asks.
    return rx.el.button(rx.icon(icon, size=24), custom_attrs=attrs,
                        class_name=f"rt-reset rt-BaseButton rt-r-size-2 rt-variant-soft rt-IconButton qty-button "
                                   f"{extra_class}", **props)


def _stepper(row: CartRow) -> rx.Component:
    return plain.row(
        rx.cond(
            row.quantity <= 1,
            _icon_button("minus", "qty-minus", aria_label=t("cart.one_less"), disabled=True),
            _icon_button("minus", "qty-minus", aria_label=t("cart.one_less"),
                         on_click=CartState.set_quantity(row.product_id, row.quantity - 1)),
        ),
        plain.text(row.quantity, weight="bold", class_name="qty-value"),
        _icon_button("plus", "qty-plus", aria_label=t("cart.one_more"),
                     on_click=CartState.set_quantity(row.product_id, row.quantity + 1)),
        align="center",
        gap="2",
    )


def _line(row: CartRow) -> rx.Component:
    return rx.el.div(
        plain.row(
            plain.link(rx.el.img(src=row.image, alt=row.name, class_name="line-photo"), href=row.href,
                       class_name="rt-underline-auto line-photo-link"),
            plain.column(
                plain.row(
                    plain.link(plain.text(row.name, weight="bold", size="3"), href=row.href,
                               class_name="rt-underline-auto c-gray-12 line-name"),
                    plain.spacer(),
                    plain.text(row.line_total, weight="bold", size="3", class_name="line-total"),
                    gap="3",
                    class_name="card-fill",
                ),
                plain.text(t("cart.each", price=row.unit_price), size="2", class_name="c-gray-10 unit-price"),
                rx.cond(row.problem != "",
                        plain.text(rx.cond(row.problem == "cart.line_sold_out", t("cart.line_sold_out"),
                                           t("cart.line_short", count=row.stock)),
                                   size="2", class_name="c-orange-11 line-problem")),
                plain.row(
                    _stepper(row),
                    plain.spacer(),
                    plain.button(rx.icon("trash-2", size=14), t("cart.remove"),
                                 on_click=CartState.remove(row.product_id), variant="ghost", color="gray",
                                 class_name="line-remove"),
                    align="center",
                    gap="3",
                    class_name="card-fill",
                ),
                gap="1",
                class_name="card-fill",
            ),
            gap="4",
            class_name="card-fill",
        ),
        class_name="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface cart-line card-fill",
        custom_attrs={"data-product-id": row.product_id},
    )


def _summary_row(label: rx.Component, value: rx.Component, align: str = "start") -> rx.Component:
    return plain.row(label, plain.spacer(), value, align=align, gap="3", class_name="card-fill")


def _summary() -> rx.Component:
    return rx.el.div(
        plain.column(
            plain.heading(t("cart.summary"), size="4"),
            _summary_row(plain.text(t("cart.items")), plain.text(CartState.item_count)),
            _summary_row(plain.text(t("cart.shipping")), plain.text(t("cart.shipping_later"), class_name="c-gray-10")),
            rx.el.span(class_name="rt-Separator rt-r-orientation-horizontal rt-r-size-4",
                       custom_attrs={"data-accent-color": "gray"}),
            _summary_row(plain.text(t("cart.subtotal"), weight="bold"),
                         plain.text(CartState.subtotal, weight="bold", size="5", id="cart-subtotal"), align="center"),
            _checkout_form(),
            plain.text(t("cart.fine_print"), size="1", class_name="c-gray-10"),
            gap="3",
            class_name="card-fill",
        ),
        class_name="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface cart-summary",
    )


def _checkout_form() -> rx.Component:
    return rx.el.form(
        plain.column(
            rx.el.label(t("cart.email_label"), html_for="checkout-email",
                        class_name="rt-Text rt-r-size-2 rt-r-weight-medium"),
            rx.el.div(
                rx.el.input(id="checkout-email", name="email", type="email", placeholder="ana@example.cl",
                            required=True, max_length=254, auto_complete="email", class_name="rt-reset rt-TextFieldInput",
                            custom_attrs={"spellCheck": "false"}),
                class_name="rt-TextFieldRoot rt-r-size-3 rt-variant-surface card-fill",
            ),
            rx.button(
                rx.icon("landmark", size=16),
                t("cart.pay"),
                type="submit",
                size="3",
                class_name="card-fill",
                loading=CheckoutState.placing,
                disabled=CartState.has_problems,
                id="pay-button",
            ),
            rx.cond(CartState.has_problems, plain.text(t("cart.fix_lines"), size="1", class_name="c-orange-11")),
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
            gap="2",
            class_name="card-fill",
        ),
        on_submit=CheckoutState.pay,
        reset_on_submit=False,
        class_name="card-fill",
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
        plain.heading(t("cart.title"), size="7", class_name="cart-title"),
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
        plain.button_link(text("cart.start_shopping"), href=routes.CATALOG),
        id="empty-cart",
        # The early one is hidden (assets/styles.css) unless KNOWN_EMPTY_SCRIPT found no cart token.
        class_name="cart-early" if early else "",
    )


def _cart() -> rx.Component:
    return rx.cond(
        ~CartState.loaded,
        rx.fragment(
            rx.el.script(custom_attrs={"dangerouslySetInnerHTML": {"__html": KNOWN_EMPTY_SCRIPT}}),
            plain.column(plain.skeleton("cart-skeleton-line"), plain.skeleton("cart-skeleton-line"),
                         class_name="card-fill", id="cart-skeleton"),
            _empty(early=True),
        ),
        rx.cond(
            CartState.rows.length() > 0,
            rx.el.div(
                plain.column(rx.foreach(CartState.rows, _line), gap="3", class_name="card-fill", id="cart-lines"),
                _summary(),
                class_name="rt-Grid cart-grid",
            ),
            _empty(),
        ),
    )
