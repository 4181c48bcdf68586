"""follow-up waves: a wave may follow up an earlier wave (waves.follow_up_of_id)

Revision ID: 20261201_followup
Revises: 20261130_jobs
Create Date: 2026-12-01 07:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '20261201_followup'
down_revision = '20261130_jobs'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with an inline REFERENCES in place; batch mode would rebuild
        # `waves`, which the invitations' foreign keys to it forbid once there is data.
        op.execute('ALTER TABLE waves ADD COLUMN follow_up_of_id INTEGER '
                   'CONSTRAINT fk_waves_follow_up_of_id_waves REFERENCES waves (id)')
    else:
        op.add_column('waves', sa.Column('follow_up_of_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_waves_follow_up_of_id_waves'), 'waves', 'waves',
                              ['follow_up_of_id'], ['id'])
    op.create_index(op.f('ix_waves_follow_up_of_id'), 'waves', ['follow_up_of_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_waves_follow_up_of_id'), table_name='waves')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE waves DROP COLUMN follow_up_of_id')  # SQLite >= 3.35
    else:
        op.drop_constraint(op.f('fk_waves_follow_up_of_id_waves'), 'waves', type_='foreignkey')
        op.drop_column('waves', 'follow_up_of_id')
