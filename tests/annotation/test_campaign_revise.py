"""The campaign form's save: unchanged frozen settings of an active campaign pass, a changed one is refused."""

import pytest
from django.core.exceptions import ValidationError

from annotation.services.campaigns import campaign_revise
from tests.annotation.conftest import make_campaign


def test_an_active_campaign_takes_its_unchanged_settings_and_a_new_pool(taxonomy, studies, readers):
    pool = readers(3)
    campaign = make_campaign(taxonomy, studies=studies(2), readers=pool[:2])
    campaign_revise(campaign=campaign, taxonomy=taxonomy, min_reads=campaign.min_reads, max_reads=campaign.max_reads,
                    description="now with three readers", readers=pool)
    campaign.refresh_from_db()
    assert campaign.description == "now with three readers" and campaign.readers.count() == 3


def test_an_active_campaign_refuses_a_changed_frozen_setting(taxonomy, studies, readers):
    campaign = make_campaign(taxonomy, studies=studies(2), readers=readers(2))
    with pytest.raises(ValidationError, match="Cannot change max_reads of a active campaign"):
        campaign_revise(campaign=campaign, max_reads=campaign.max_reads + 1, description="changed")
    campaign.refresh_from_db()
    assert campaign.description == ""
