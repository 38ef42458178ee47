"""Sentence-embedding vectors of publications and requests, cached by model and content hash

Revision ID: 0022
Revises: 0007
Create Date: 2026-11-30 00:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'text_embedding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model', sa.String(length=300), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('dim', sa.Integer(), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_embedding')),
        sa.UniqueConstraint('model', 'sha256', name='uq_text_embedding_model_sha256'),
    )


def downgrade():
    op.drop_table('text_embedding')
