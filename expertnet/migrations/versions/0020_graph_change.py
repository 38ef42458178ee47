"""graph change log: which people each directory commit touched, for patching the graph

Revision ID: 0020
Revises: 0007
Create Date: 2026-11-29 23:00:00

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "graph_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_change")),
    )
    with op.batch_alter_table("graph_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_graph_change_version"), ["version"], unique=False)


def downgrade():
    with op.batch_alter_table("graph_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_graph_change_version"))
    op.drop_table("graph_change")
