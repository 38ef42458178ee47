"""outbox back-off and sign-in attempts shared by every worker

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-29 20:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=254), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("scope IN ('address', 'account')", name=op.f('ck_sign_in_attempt_scope')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt'))
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_attempt_scope_key_at', ['scope', 'key', 'attempted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_attempted_at'), ['attempted_at'], unique=False)

    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_attempt_attempted_at'))
        batch_op.drop_index('ix_sign_in_attempt_scope_key_at')

    op.drop_table('sign_in_attempt')
