"""Rows that stop changing once stored in a final status: a published taxonomy, mapping set or dataset version,
a submitted read. Later layers reuse it; each model names its final status and the error to raise."""


class FrozenOnceFinal:
    """Mixin for a model with a `status` field: save() and delete() refuse once the stored row is final.

    It checks the stored row, not the instance, so the call that moves a row into the final status goes
    through and every later one is refused.
    """

    final_status: str

    def frozen_error(self) -> Exception:
        raise NotImplementedError

    def _stored_is_final(self) -> bool:
        if self.pk is None:
            return False
        return type(self)._default_manager.filter(pk=self.pk, status=self.final_status).exists()

    def save(self, *args, **kwargs):
        if self._stored_is_final():
            raise self.frozen_error()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_is_final():
            raise self.frozen_error()
        return super().delete(*args, **kwargs)
