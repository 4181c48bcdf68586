"""E-mail to alumni: per-wave templates, queueing invitations and reminders, sending over SMTP."""
