"""The reminder scheduler: APScheduler wiring and the jobs (a job = one query of models -> the notifier)."""
