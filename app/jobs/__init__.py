"""Periodic jobs: what runs when (brand-local periods), recorded once per period in job_runs."""
