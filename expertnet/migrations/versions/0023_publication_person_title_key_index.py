"""Publications: an index on (person, title key) for the bulk import's duplicate lookups

Revision ID: 0023
Revises: 0007
Create Date: 2026-11-30 00:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index('ix_publication_person_title_key', ['person_id', 'title_key'], unique=False)


def downgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index('ix_publication_person_title_key')
