"""order client ip: the address an order was placed from, for the open-orders-per-address limit

Revision ID: b7c1d2e3f4a5
Revises: 3fb1e71b97fc
Create Date: 2026-11-27 07:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'b7c1d2e3f4a5'
down_revision: Union[str, Sequence[str], None] = '3fb1e71b97fc'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ip', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_shop_order_client_ip_status', ['client_ip', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shop_order', schema=None) as batch_op:
        batch_op.drop_index('ix_shop_order_client_ip_status')
        batch_op.drop_column('client_ip')
