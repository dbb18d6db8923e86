"""Read and nudge the browser-test store's database, the way an operator or Fintoc's side would."""

from __future__ import annotations

import time

from sqlalchemy import update
from sqlmodel import Session, create_engine, select

from pepestore.models import Order, OrderEvent, PaymentEvent, Product
from pepestore.payments.sandbox.models import SandboxAccount, SandboxWebhook


class StoreDB:
    def __init__(self, url: str):
        self.engine = create_engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def stock(self, slug: str) -> int:
        with Session(self.engine) as session:
            return session.exec(select(Product.stock).where(Product.slug == slug)).one()

    def product_price(self, slug: str) -> int:
        with Session(self.engine) as session:
            return session.exec(select(Product.price).where(Product.slug == slug)).one()

    def order(self, token: str) -> Order:
        with Session(self.engine) as session:
            return session.exec(select(Order).where(Order.public_token == token)).one()

    def latest_order(self) -> Order:
        with Session(self.engine) as session:
            return session.exec(select(Order).order_by(Order.id.desc())).first()

    def history(self, order_id: int) -> list[tuple[str, str]]:
        with Session(self.engine) as session:
            return [(e.kind, e.source) for e in session.exec(
                select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))]

    def payment_events(self, order_id: int) -> list[tuple[str, str]]:
        with Session(self.engine) as session:
            return [(e.type, e.outcome) for e in session.exec(
                select(PaymentEvent).where(PaymentEvent.order_id == order_id).order_by(PaymentEvent.id))]

    def set_webhooks_paused(self, paused: bool) -> None:
        with Session(self.engine) as session:
            session.exec(update(SandboxAccount).values(deliveries_paused=paused))
            session.commit()

    def lose_pending_webhooks(self) -> int:
        """What Fintoc giving up on a delivery looks like from the store: the events never come."""
        with Session(self.engine) as session:
            lost = session.exec(update(SandboxWebhook).where(SandboxWebhook.status == "pending")
                                .values(status="failed", last_error="lost on purpose by a test")).rowcount
            session.commit()
            return lost

    def wait_for_status(self, token: str, status: str, timeout: float = 20) -> Order:
        deadline = time.monotonic() + timeout
        while True:
            order = self.order(token)
            if order.status == status or time.monotonic() > deadline:
                return order
            time.sleep(0.2)
