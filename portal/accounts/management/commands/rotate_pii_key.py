"""Re-encrypt and re-hash every stored personal-data value under the current ``PII_ENCRYPTION_KEY``.

    PII_ENCRYPTION_KEY=<new> PII_ENCRYPTION_OLD_KEYS=<old> python manage.py rotate_pii_key

Rows are taken in batches of primary keys, each batch locked and written in one transaction, so the portal
keeps running (values decrypt with either key and look-ups find rows under either hash while the old key is
configured). Running it again is harmless. When it reports no value left under an old key, remove
``PII_ENCRYPTION_OLD_KEYS``."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import pii


class Command(BaseCommand):
    help = "Re-encrypt and re-hash every resident ID number under the current PII_ENCRYPTION_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        total = 0
        for model, cipher, digest in pii.encrypted_fields():
            try:
                done = self._rotate(model, cipher, digest, batch_size)
            except pii.DecryptionError:
                raise CommandError(
                    f"{model._meta.label}.{cipher}: a value cannot be decrypted with PII_ENCRYPTION_KEY or "
                    "PII_ENCRYPTION_OLD_KEYS; list the former key in PII_ENCRYPTION_OLD_KEYS (nothing of this "
                    "batch was changed)"
                ) from None
            total += done
            self.stdout.write(f"{model._meta.label}.{cipher}: {done} value(s) re-encrypted")
        left = self._left_under_old_keys()
        self.stdout.write(
            self.style.SUCCESS(f"{total} value(s) now under the current key; {left} left under old keys")
        )
        if left:
            raise CommandError(f"{left} value(s) could not be moved to the current key")

    def _rotate(self, model, cipher: str, digest: str, batch_size: int) -> int:
        rows = model._base_manager.exclude(**{cipher: ""})
        ids = list(rows.order_by("pk").values_list("pk", flat=True))
        done = 0
        for start in range(0, len(ids), batch_size):
            with transaction.atomic():
                batch = list(
                    rows.select_for_update()
                    .filter(pk__in=ids[start : start + batch_size])
                    .only("pk", cipher, digest)
                )
                for row in batch:
                    token = pii.rotate_token(getattr(row, cipher))
                    setattr(row, cipher, token)
                    setattr(row, digest, pii.lookup_hash(pii.decrypt(token)))
                model._base_manager.bulk_update(batch, [cipher, digest])
                done += len(batch)
        return done

    def _left_under_old_keys(self) -> int:
        """Values the current key alone cannot read (should be none after a run)."""
        current = pii._fernet()
        left = 0
        for model, cipher, _digest in pii.encrypted_fields():
            for token in (
                model._base_manager.exclude(**{cipher: ""}).values_list(cipher, flat=True).iterator()
            ):
                try:
                    current.decrypt(token.encode("ascii"))
                except Exception:
                    left += 1
        return left
