"""Known DICOM nodes: the only peers the C-STORE listener lets in (see docs/archive.md, "DICOM nodes")."""

import ipaddress

from django.core.exceptions import ValidationError
from django.db import models


def validate_network(value: str) -> None:
    """An IP address or a CIDR network (IPv4 or IPv6), e.g. 10.1.2.3 or 10.1.2.0/24."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            f"{value!r} is not an IP address or CIDR network (e.g. 10.1.2.3 or 10.1.2.0/24).", code="invalid_network"
        ) from None


class DicomNode(models.Model):
    ae_title = models.CharField(max_length=16, help_text="The node's calling AE title, as it sends it.")
    host = models.CharField(
        max_length=64, validators=[validate_network], help_text="IP address or CIDR network the node connects from."
    )
    description = models.CharField(max_length=200, blank=True)
    may_store = models.BooleanField(
        default=True, help_text="May push instances (C-STORE); a known node may always echo."
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ae_title", "host"]
        constraints = [models.UniqueConstraint(fields=["ae_title", "host"], name="dicomnode_unique_ae_title_host")]

    def __str__(self):
        return f"{self.ae_title}@{self.host}"

    def matches(self, ae_title: str, address: str) -> bool:
        try:
            return self.ae_title == ae_title.strip() and ipaddress.ip_address(address) in ipaddress.ip_network(
                self.host, strict=False
            )
        except ValueError:
            return False
