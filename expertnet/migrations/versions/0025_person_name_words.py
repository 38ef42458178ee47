"""People's names as folded, sorted words: the bulk publication import finds the people
of an author's name with an indexed lookup instead of reading whole organisations

Revision ID: 0025
Revises: 0023
Create Date: 2026-11-30 02:40:00

"""
from alembic import op
import sqlalchemy as sa

from expertnet.core.text import name_words

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('person', sa.Column('name_words', sa.Text(), nullable=True))
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                      sa.column('name_words', sa.Text))
    conn = op.get_bind()
    rows = conn.execute(sa.select(person.c.id, person.c.full_name)).all()
    for i in range(0, len(rows), 1000):
        conn.execute(
            person.update().where(person.c.id == sa.bindparam('pid')).values(name_words=sa.bindparam('words')),
            [{'pid': pid, 'words': name_words(name or '')} for pid, name in rows[i:i + 1000]],
        )
    # No batch_alter_table (NOT NULL) here: on SQLite it copies and drops the person
    # table, and the drop cascades to memberships, fields and every other row that
    # references a person. The column stays nullable; its default fills it on every insert.
    op.create_index(op.f('ix_person_name_words'), 'person', ['name_words'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_person_name_words'), table_name='person')
    with op.batch_alter_table('person') as batch:
        batch.drop_column('name_words')
