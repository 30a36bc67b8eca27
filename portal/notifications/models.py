# The outbox models are built by the notifications issue (#5).
