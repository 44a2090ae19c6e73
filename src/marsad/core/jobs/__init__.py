"""Background jobs: one job table, run in-process (embedded default) or on Celery workers."""
