"""search change log: entries every node's index replays, the log head, the nodes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 20:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('index_change',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_change'))
    )
    with op.batch_alter_table('index_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_change_created_at'), ['created_at'], unique=False)

    op.create_table('index_log_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_id', sa.BigInteger(), nullable=False),
    sa.Column('epoch', sa.String(length=32), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_index_log_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_log_head'))
    )
    op.create_table('index_node',
    sa.Column('node_id', sa.String(length=40), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('index_dir', sa.String(length=1000), nullable=False),
    sa.Column('applied_id', sa.BigInteger(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('node_id', name=op.f('pk_index_node'))
    )
    # The head row exists from the start, so appending is always an UPDATE. Its epoch is
    # new for every database: an index built from another one is never taken for current.
    op.get_bind().execute(
        sa.text("INSERT INTO index_log_head (id, last_id, epoch) VALUES (1, 0, :epoch)"),
        {"epoch": secrets.token_hex(16)},
    )


def downgrade():
    op.drop_table('index_node')
    op.drop_table('index_log_head')
    with op.batch_alter_table('index_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_change_created_at'))

    op.drop_table('index_change')
