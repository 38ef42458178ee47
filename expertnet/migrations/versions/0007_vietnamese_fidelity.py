"""Vietnamese fidelity: people's collation key, the agency's letter, letter recipients and signers

Revision ID: 0007
Revises: 0012
Create Date: 2026-11-29 20:10:00

"""
from alembic import op
import sqlalchemy as sa

from search_index.collation import person_name_key

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('person', sa.Column('name_key', sa.LargeBinary(), nullable=True))
    person = sa.table('person', sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                      sa.column('name_key', sa.LargeBinary))
    conn = op.get_bind()
    rows = conn.execute(sa.select(person.c.id, person.c.full_name)).all()
    for i in range(0, len(rows), 1000):
        conn.execute(
            person.update().where(person.c.id == sa.bindparam('pid')).values(name_key=sa.bindparam('key')),
            [{'pid': pid, 'key': person_name_key(name or '')} for pid, name in rows[i:i + 1000]],
        )
    with op.batch_alter_table('person') as batch:
        batch.alter_column('name_key', existing_type=sa.LargeBinary(), nullable=False)
        batch.create_index(batch.f('ix_person_name_key'), ['name_key'], unique=False)
    op.add_column('consultation_request', sa.Column('agency_letter_number', sa.String(length=60), nullable=True))
    op.add_column('consultation_request', sa.Column('agency_letter_date', sa.Date(), nullable=True))
    op.add_column('consolidation', sa.Column('recipients', sa.JSON(), nullable=True))
    op.create_table('letter_signer',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('office', sa.String(length=16), nullable=False),
    sa.CheckConstraint("office IN ('president', 'vice_president')", name=op.f('ck_letter_signer_office')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_letter_signer_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_letter_signer'))
    )


def downgrade():
    op.drop_table('letter_signer')
    with op.batch_alter_table('consolidation') as batch:
        batch.drop_column('recipients')
    with op.batch_alter_table('consultation_request') as batch:
        batch.drop_column('agency_letter_date')
        batch.drop_column('agency_letter_number')
    with op.batch_alter_table('person') as batch:
        batch.drop_index(batch.f('ix_person_name_key'))
        batch.drop_column('name_key')
