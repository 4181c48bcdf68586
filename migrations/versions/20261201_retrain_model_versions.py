"""retrain: KBLI model versions (candidate/active/retired) and blind second codes

Revision ID: 20261201_retrain
Revises: 20261201_followup
Create Date: 2026-12-01 08:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '20261201_retrain'
down_revision = '20261201_followup'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('sector_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('people_codes', sa.Integer(), nullable=False),
    sa.Column('held_out_codes', sa.Integer(), nullable=False),
    sa.Column('metrics', JSON, nullable=True),
    sa.Column('compared_with', sa.String(length=64), nullable=True),
    sa.Column('not_worse', sa.Boolean(), nullable=True),
    sa.Column('sklearn_version', sa.String(length=32), nullable=True),
    sa.Column('training_seconds', sa.Float(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_by', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_sector_models_job_id_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sector_models')),
    sa.UniqueConstraint('version', name=op.f('uq_sector_models_version'))
    )
    with op.batch_alter_table('sector_models', schema=None) as batch_op:
        batch_op.create_index('ix_sector_models_status', ['status'], unique=False)
    op.create_table('sector_second_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_code_id', sa.Integer(), nullable=False),
    sa.Column('kbli5', sa.String(length=5), nullable=True),
    sa.Column('division', sa.String(length=2), nullable=False),
    sa.Column('section', sa.String(length=1), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=True),
    sa.Column('coded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coder_id'], ['admin_users.id'], name=op.f('fk_sector_second_codes_coder_id_admin_users')),
    sa.ForeignKeyConstraint(['first_code_id'], ['sector_codes.id'],
                            name=op.f('fk_sector_second_codes_first_code_id_sector_codes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sector_second_codes')),
    sa.UniqueConstraint('first_code_id', name=op.f('uq_sector_second_codes_first_code_id'))
    )


def downgrade():
    op.drop_table('sector_second_codes')
    with op.batch_alter_table('sector_models', schema=None) as batch_op:
        batch_op.drop_index('ix_sector_models_status')
    op.drop_table('sector_models')
