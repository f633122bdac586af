"""Rows that stop changing once stored in a final status: a published taxonomy, mapping set or dataset version,
a submitted read, and the rows that belong to a published parent. Each model names its final status and error."""

from django.core.exceptions import ValidationError
from django.db import models


class PublishedError(ValidationError):
    """A change to a published row was refused. The APIs answer 409 Conflict (core.exception_handler)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, code=code)


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


class Publishable(FrozenOnceFinal, models.Model):
    """A versioned definition that is a draft until published and immutable after (taxonomy, mapping set,
    dataset version). The model defines `status` with a `published` choice and names its `published_error`."""

    PUBLISHED = "published"
    final_status = PUBLISHED
    published_error: type[PublishedError]

    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == self.PUBLISHED

    def frozen_error(self) -> Exception:
        return self.published_error(self)


class FrozenWithParent(models.Model):
    """Rows that belong to a FrozenOnceFinal parent (`frozen_parent`, a foreign key's name) and freeze with it:
    a published taxonomy's traits, a published mapping set's mappings, a submitted read's labels.

    A row moved from one parent to another is checked against both, so nothing leaves a published parent.
    """

    frozen_parent: str

    class Meta:
        abstract = True

    def _guard(self):
        field = self._meta.get_field(self.frozen_parent)
        ids = {getattr(self, field.attname)}
        if self.pk is not None:
            ids.add(type(self)._default_manager.filter(pk=self.pk).values_list(field.attname, flat=True).first())
        parents = field.related_model._default_manager.filter(pk__in=ids - {None})
        for parent in parents.filter(status=field.related_model.final_status):
            raise parent.frozen_error()

    def save(self, *args, **kwargs):
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)
