"""Managing one alumnus on request: look-up, link re-issue, withdrawal and erasure."""
