"""Order-status and account e-mails (docs/notifications.md): written to an outbox in the
transaction of the event they tell of (engine/mail_outbox.py), sent once over SMTP by the hub."""
