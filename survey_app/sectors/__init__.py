"""Coding business descriptions into KBLI 2020 in the app: auto-coding and the review queue.

The classifier itself lives in the ``analysis`` package (no Flask); this package stores its
decisions, queues the uncertain ones for people, and keeps every decision's history.
"""
