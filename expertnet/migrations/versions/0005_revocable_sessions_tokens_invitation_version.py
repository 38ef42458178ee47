"""revocable sessions, named expiring API tokens, invitation versions

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-29 20:00:00

"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), nullable=False, server_default='1')
        )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    # Tokens issued before expiry existed get the default 90 days from the upgrade on, so
    # nothing stops working at the upgrade itself; their name says where they came from.
    token = sa.table(
        'api_token',
        sa.column('name', sa.String(length=100)),
        sa.column('expires_at', sa.DateTime(timezone=True)),
    )
    op.execute(
        token.update().values(
            name='token issued before names', expires_at=datetime.now(UTC) + timedelta(days=90)
        )
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('name', existing_type=sa.String(length=100), nullable=False)
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_check_constraint(op.f('ck_api_token_expiry'), 'expires_at > created_at')


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_api_token_expiry'), type_='check')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
