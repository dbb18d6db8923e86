"""An HTML form the browser submits itself, as a normal page navigation to a backend route.

Reflex's own form always prevents the browser's submit and sends the fields over the websocket. A login must not:
the password goes straight to POST /auth/login over HTTP, and the answer sets an HttpOnly cookie.
"""

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class PlainForm(BaseHTML):
    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


plain_form = PlainForm.create
