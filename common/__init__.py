"""Shared helpers of every app: money, spreadsheets, the safe HTTP fetcher, model and form fields,
htmx helpers. This package imports no app of the project (checked by import-linter)."""
