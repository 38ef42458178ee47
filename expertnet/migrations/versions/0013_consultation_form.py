"""The form of consultation chosen when the panel is formed (council, workshop, written)

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-29 23:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultation_request') as batch:
        batch.add_column(sa.Column('consultation_form', sa.String(length=16), server_default='council', nullable=False))
        batch.create_check_constraint(
            'form', "consultation_form IN ('council', 'workshop', 'written')"
        )


def downgrade():
    with op.batch_alter_table('consultation_request') as batch:
        batch.drop_constraint(batch.f('ck_consultation_request_form'), type_='check')
        batch.drop_column('consultation_form')
