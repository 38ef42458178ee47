"""contest authors get accounts of their own role ("author")

Revision ID: 0016
Revises: 0007
Create Date: 2026-11-29 23:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0018"
branch_labels = None
depends_on = None

OLD = "role IN ('admin', 'coordinator', 'approver', 'expert', 'agency', 'liaison')"
NEW = "role IN ('admin', 'coordinator', 'approver', 'expert', 'agency', 'liaison', 'author')"


def _replace(check: str) -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_account_role"), check)


def upgrade():
    _replace(NEW)


def downgrade():
    op.execute("UPDATE user_account SET active = false, role = 'expert' WHERE role = 'author'")
    _replace(OLD)
