"""Play N simulated radiologists (and a senior adjudicator) through the REST API against a cohort's ground truth."""

import numpy as np
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotation.models import Campaign
from annotation.selectors.truth import truth_recovery
from annotation.services.campaigns import campaign_activate, campaign_set_pool
from annotation.services.consensus import dawid_skene_run
from core.roles import RADIOLOGIST
from curation.dicom.deidentify import map_uid
from synth.readers import (
    HttpApi,
    ReaderProfile,
    SimulatedReader,
    load_ground_truth,
    load_truth_slices,
    simulate_campaign,
)


class InProcessApi:
    """The REST API in this process (Django's test client): same URLs, middleware, auth and serializers."""

    def __init__(self, user):
        self.client = APIClient(HTTP_USER_AGENT="radcurate-simulated-reader")
        self.client.force_authenticate(user)

    def call(self, method: str, path: str, data=None):
        response = getattr(self.client, method)(path, data, format="json")
        return response.status_code, (response.json() if response.content else None)


def archive_uid(study_uid: str) -> str:
    """The archive's de-identified UID of a cohort's original study UID."""
    return map_uid(study_uid, key=settings.RADCURATE_DEID_KEY)


def load_archive_truth(path) -> tuple[dict[str, set[str]], dict[str, dict[str, tuple[int, int]]]]:
    """A cohort's ground truth and finding spans, keyed by the archive's study UIDs."""
    return load_ground_truth(path, map_uid=archive_uid), load_truth_slices(path, map_uid=archive_uid)


def simulated_user(username: str) -> User:
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()  # simulated readers only ever use their API token
        user.save()
    user.groups.add(Group.objects.get(name=RADIOLOGIST))
    return user


def _api(user: User, base_url: str | None):
    if base_url:
        return HttpApi(base_url, Token.objects.get_or_create(user=user)[0].key)
    return InProcessApi(user)


def _fmt(rate: dict) -> str:
    acc = "n/a" if rate["accuracy"] is None else f"{rate['accuracy']:.4f}"
    sens = "n/a" if rate["sensitivity"] is None else f"{rate['sensitivity']:.3f}"
    return f"accuracy {acc}  errors {rate['errors']:5d}  sensitivity {sens}  (n={rate['n']})"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True)
        parser.add_argument("--truth", required=True, help="The synthetic cohort's ground_truth.jsonl.")
        parser.add_argument("--readers", type=int, default=5)
        parser.add_argument("--sensitivity", type=float, default=0.85)
        parser.add_argument("--specificity", type=float, default=0.98)
        parser.add_argument("--spread", type=float, default=0.05, help="Reader-to-reader variation of both rates.")
        parser.add_argument("--no-adjudicator", action="store_true", help="Leave adjudication tasks open.")
        parser.add_argument("--base-url", default=None, help="Use a running server over HTTP instead of in-process.")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(pk=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign {opts['campaign']}.")
        try:
            truth, slices = load_archive_truth(opts["truth"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        summary = run_simulation(campaign=campaign, truth=truth, n_readers=opts["readers"],
                                 sensitivity=opts["sensitivity"], specificity=opts["specificity"],
                                 spread=opts["spread"], adjudicate=not opts["no_adjudicator"],
                                 base_url=opts["base_url"], seed=opts["seed"], slices=slices)
        for line in summary_lines(summary):
            self.stdout.write(line)


def run_simulation(*, campaign, truth, n_readers=5, sensitivity=0.85, specificity=0.98, spread=0.05,
                   adjudicate=True, base_url=None, seed=0, out=None, slices=None, keep_open=0, on_read=None) -> dict:
    """Create (or reuse) sim-reader-1..N and sim-senior, put them in the pool, read everything, run Dawid–Skene;
    the senior leaves the `keep_open` oldest adjudications open (for a person to decide in the browser)."""
    rng = np.random.default_rng(seed)
    users = [simulated_user(f"sim-reader-{i + 1}") for i in range(n_readers)]
    senior = simulated_user("sim-senior")
    campaign_set_pool(campaign=campaign, readers=list(campaign.readers.all()) + users,
                      adjudicators=list(campaign.adjudicators.all()) + [senior])
    if campaign.status == Campaign.Status.DRAFT:  # a draft waiting for its readers starts now
        campaign_activate(campaign=campaign)
    clip = lambda x: float(np.clip(x, 0.5, 0.999))  # noqa: E731
    profiles = [ReaderProfile(clip(sensitivity + rng.normal(0, spread)), clip(specificity + rng.normal(0, spread / 5)),
                              seconds_per_study=float(rng.uniform(60, 150))) for _ in users]
    readers = [SimulatedReader(_api(u, base_url), p, truth, np.random.default_rng([seed, i]), slices)
               for i, (u, p) in enumerate(zip(users, profiles, strict=True))]
    adjudicator = None
    if adjudicate:
        adjudicator = SimulatedReader(_api(senior, base_url), ReaderProfile(0.95, 0.995), truth,
                                      np.random.default_rng([seed, 999]))
    played = simulate_campaign(campaign_id=campaign.pk, readers=readers, adjudicator=adjudicator, keep_open=keep_open,
                               on_read=on_read)
    dawid_skene_run(campaign=campaign)
    recovery = truth_recovery(campaign=campaign, truth=truth)
    names = {u.pk: (u.username, p) for u, p in zip(users, profiles, strict=True)}
    return {"played": played, "recovery": recovery, "profiles": names}


def summary_lines(summary: dict) -> list[str]:
    rec = summary["recovery"]
    lines = [(f"reads submitted {summary['played']['reads']}, adjudications decided {summary['played']['adjudicated']}, "
              f"studies scored {rec['studies']} x {rec['traits']} traits")]
    for reader_id, rate in rec["readers"].items():
        name, profile = summary["profiles"].get(reader_id, (str(reader_id), None))
        setting = f" (se {profile.sensitivity:.2f} sp {profile.specificity:.3f})" if profile else ""
        lines.append(f"  {name:14}{setting:24} {_fmt(rate)}")
    lines.append(f"  {'consensus':38} {_fmt(rec['consensus'])}")
    lines.append(f"  {'dawid-skene':38} {_fmt(rec['dawid_skene'])}")
    return lines
