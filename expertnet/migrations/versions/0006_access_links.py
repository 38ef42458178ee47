"""access links (invitation answers, account claims, password resets), accounts without a password, extra roles

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-29 19:55:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('new_email', sa.String(length=254), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('mail_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('invitation', 'opinion', 'account', 'reset', 'email')", name=op.f('ck_access_link_purpose')),
    sa.CheckConstraint("purpose != 'invitation' OR invitation_id IS NOT NULL", name=op.f('ck_access_link_invitation')),
    sa.CheckConstraint("purpose != 'opinion' OR request_id IS NOT NULL", name=op.f('ck_access_link_request')),
    sa.CheckConstraint("purpose != 'email' OR new_email IS NOT NULL", name=op.f('ck_access_link_new_email')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_access_link_expiry')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_access_link_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_access_link_invitation_id_invitation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mail_id'], ['outbox_mail.id'], name=op.f('fk_access_link_mail_id_outbox_mail'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['consultation_request.id'], name=op.f('fk_access_link_request_id_consultation_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_access_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_access_link_token_hash'))
    )
    with op.batch_alter_table('access_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_link_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index('ix_access_link_user_purpose', ['user_id', 'purpose', 'created_at'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=True)

    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('expert', 'liaison')", name=op.f('ck_user_role_role')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_role_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )


def downgrade():
    op.drop_table('user_role')
    # Accounts that never chose a password keep an unusable hash (no sign-in is possible).
    op.execute("UPDATE user_account SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), nullable=False)

    with op.batch_alter_table('access_link', schema=None) as batch_op:
        batch_op.drop_index('ix_access_link_user_purpose')
        batch_op.drop_index(batch_op.f('ix_access_link_invitation_id'))

    op.drop_table('access_link')
