"""The campaign at scale: readers, every study in one campaign, three reads each with labels, consensus, audit.

Generated inside PostgreSQL (INSERT ... SELECT), as the archive: 3 million label rows would cost more to send
than to store. Labels are a hidden truth per study and trait (the trait's prevalence, enriched threefold as a
mining-selected cohort) seen by each reader with a small error rate, so agreement and Dawid–Skene have real
disagreement to work on. Every tenth study is still open (0 to 2 reads), so the worklist has studies to hand out.
"""

from django.contrib.auth.models import Group, User
from django.db import connection

from annotation.models import Campaign
from core.roles import ADMIN, CURATOR, RADIOLOGIST, TRAINER
from curation.models import Taxonomy
from datasets.models import DatasetVersion

N_READERS = 50
READS = 3
SPREAD = 17  # reader r of study i is reader (i + r * SPREAD) % N_READERS: three different readers
ENRICH = 3.0
ERROR = 0.01  # a reader's chance to flip a trait
POSITIVE_RANGE, POSITIVE_KEY = "[[60, 80]]", "[70]"


def _unit(expr: str) -> str:
    """A stable pseudo-random number in [0, 1) from an SQL text expression."""
    return f"((('x' || substr(md5({expr}), 1, 8))::bit(32)::int::bigint + 2147483648) / 4294967296.0)"


def create_users() -> tuple[list[int], User]:
    """The reader pool (radiologists) and one curator who also trains and administers (the pages' user)."""
    users = User.objects.bulk_create([User(username=f"scale-reader-{i:02d}") for i in range(N_READERS)])
    Group.objects.get(name=RADIOLOGIST).user_set.add(*users)
    staff = User.objects.create(username="scale-curator")
    for role in (CURATOR, TRAINER, ADMIN):
        Group.objects.get(name=role).user_set.add(staff)
    return [u.pk for u in User.objects.filter(username__startswith="scale-reader-").order_by("id")], staff


def create_campaign(reader_ids: list[int], staff: User) -> Campaign:
    taxonomy = Taxonomy.objects.get(name="head-ct", version=1)
    campaign = Campaign.objects.create(name="paper-scale", taxonomy=taxonomy, status=Campaign.Status.ACTIVE,
                                       min_reads=READS, max_reads=READS, gold_every=0, created_by=staff)
    campaign.readers.add(*reader_ids)
    campaign.adjudicators.add(staff)
    return campaign


# Each study's top verdict in one sorted pass: a per-study LATERAL ... LIMIT 1 walked the run's verdicts in score
# order until one was the study's, which grows with the archive squared (hours at full size) where the freshly
# filled tables have no statistics yet.
_STUDIES_SQL = """
    INSERT INTO annotation_campaignstudy (campaign_id, study_id, target_reads, n_submitted, status, priority,
        priority_reason, is_gold, gold_labels, added_at, completed_at)
    SELECT %(campaign)s, st.id, %(reads)s, n.reads, CASE WHEN n.reads = %(reads)s THEN 'complete' ELSE 'open' END,
        coalesce(v.score, 0), coalesce('mining: ' || v.trait_code || ' ' || v.verdict, 'no finding mined'),
        false, '{}', now(), CASE WHEN n.reads = %(reads)s THEN now() END
    FROM curation_study st
    CROSS JOIN LATERAL (SELECT CASE WHEN (st.id - %(first)s) %% 10 = 9 THEN (st.id - %(first)s) %% %(reads)s
                                    ELSE %(reads)s END AS reads) n
    LEFT JOIN (SELECT DISTINCT ON (r.study_id) r.study_id, rv.score, rv.trait_code, rv.verdict
               FROM reports_nlp_reportverdict rv JOIN reports_nlp_report r ON r.id = rv.report_id
               WHERE rv.run_id = %(run)s ORDER BY r.study_id, rv.score DESC) v ON v.study_id = st.id
    WHERE st.id >= %(first)s ORDER BY st.id"""

_PRIORITIES_SQL = """
    INSERT INTO annotation_priorityscore (campaign_id, study_id, source, score, reason, updated_at)
    SELECT campaign_id, study_id, 'mining', priority, priority_reason, now()
    FROM annotation_campaignstudy WHERE campaign_id = %(campaign)s"""

_ASSIGNMENTS_SQL = """
    INSERT INTO annotation_assignment (campaign_id, campaign_study_id, reader_id, status, reserved_at, expires_at,
        submitted_at, priority, reason)
    SELECT cs.campaign_id, cs.id, (%(readers)s::int[])[1 + ((cs.id + r * %(spread)s) %% %(n_readers)s)], 'submitted',
        now() - interval '2 hours', now() - interval '90 minutes', now() - interval '1 hour', cs.priority,
        'highest priority among studies needing reads'
    FROM annotation_campaignstudy cs CROSS JOIN LATERAL generate_series(0, cs.n_submitted - 1) r
    WHERE cs.campaign_id = %(campaign)s ORDER BY cs.id, r"""

_READS_SQL = """
    INSERT INTO annotation_read (assignment_id, version, status, no_findings, note, time_spent_s, amendment_reason,
        created_at, updated_at, submitted_at)
    SELECT a.id, 1, 'draft', false, '', 60 + a.id %% 120, '', a.reserved_at, a.submitted_at, a.submitted_at
    FROM annotation_assignment a WHERE a.campaign_id = %(campaign)s ORDER BY a.id"""

_LABELS_SQL = f"""
    INSERT INTO annotation_readlabel (read_id, trait_id, state, slice_ranges, key_images, note, implied)
    SELECT r.id, t.id, s.state,
        CASE WHEN s.state = 'present' THEN '{POSITIVE_RANGE}' ELSE '[]' END::jsonb,
        CASE WHEN s.state = 'present' THEN '{POSITIVE_KEY}' ELSE '[]' END::jsonb, '', false
    FROM annotation_read r
    JOIN annotation_assignment a ON a.id = r.assignment_id
    JOIN annotation_campaignstudy cs ON cs.id = a.campaign_study_id
    CROSS JOIN curation_trait t
    CROSS JOIN LATERAL (SELECT {_unit("cs.study_id || ':' || t.id")} < least(0.5, t.prevalence * %(enrich)s / 100)
                               AS truth, {_unit("r.id || ':' || t.id")} AS u) h
    CROSS JOIN LATERAL (SELECT CASE WHEN h.u < %(error)s THEN CASE WHEN h.truth THEN 'absent' ELSE 'present' END
                                    WHEN h.truth AND h.u > 0.97 THEN 'uncertain'
                                    WHEN h.truth THEN 'present' ELSE 'absent' END AS state) s
    WHERE a.campaign_id = %(campaign)s AND t.taxonomy_id = %(taxonomy)s AND r.id BETWEEN %(lo)s AND %(hi)s
    ORDER BY r.id, t.id"""

_CONSENSUS_SQL = f"""
    INSERT INTO annotation_consensus (campaign_study_id, trait_id, label, method, votes, soft_label, n_reads,
        slice_ranges, key_images, computed_at)
    SELECT g.cs, g.trait_id, CASE WHEN g.soft > 0.5 THEN 'present' ELSE 'absent' END, 'majority',
        jsonb_build_object('present', g.p, 'absent', g.a, 'uncertain', g.u), g.soft, g.n,
        CASE WHEN g.p > 0 THEN '{POSITIVE_RANGE}' ELSE '[]' END::jsonb,
        CASE WHEN g.p > 0 THEN '{POSITIVE_KEY}' ELSE '[]' END::jsonb, now()
    FROM (SELECT a.campaign_study_id AS cs, l.trait_id, count(*) FILTER (WHERE l.state = 'present') AS p,
                 count(*) FILTER (WHERE l.state = 'absent') AS a, count(*) FILTER (WHERE l.state = 'uncertain') AS u,
                 count(*) AS n,
                 (count(*) FILTER (WHERE l.state = 'present') + 0.5 * count(*) FILTER (WHERE l.state = 'uncertain'))
                    / count(*) AS soft
          FROM annotation_readlabel l JOIN annotation_read r ON r.id = l.read_id
          JOIN annotation_assignment a ON a.id = r.assignment_id
          JOIN annotation_campaignstudy cs ON cs.id = a.campaign_study_id
          WHERE cs.campaign_id = %(campaign)s AND cs.status = 'complete'
          GROUP BY a.campaign_study_id, l.trait_id) g
    ORDER BY g.cs, g.trait_id"""

# The trail a campaign leaves: a reservation and a submit per read, a consensus per completed study.
_AUDIT_SQL = """
    INSERT INTO annotation_auditevent (at, actor_id, action, object_type, object_id, campaign_id, data, ip, user_agent)
    SELECT e.at, e.actor, e.action, e.type, e.id, %(campaign)s, e.data, '10.0.0.1', 'Mozilla/5.0 (scale fixture)'
    FROM (
        SELECT a.reserved_at AS at, a.reader_id AS actor, 'assignment-reserved' AS action, 'assignment' AS type,
               a.id, jsonb_build_object('study_id', cs.study_id, 'reason', a.reason) AS data
        FROM annotation_assignment a JOIN annotation_campaignstudy cs ON cs.id = a.campaign_study_id
        WHERE a.campaign_id = %(campaign)s
        UNION ALL
        SELECT r.submitted_at, a.reader_id, 'read-submitted', 'read', r.id,
               jsonb_build_object('assignment_id', a.id, 'version', 1)
        FROM annotation_read r JOIN annotation_assignment a ON a.id = r.assignment_id
        WHERE a.campaign_id = %(campaign)s
        UNION ALL
        SELECT cs.completed_at, NULL, 'consensus-computed', 'campaignstudy', cs.id, '{}'::jsonb
        FROM annotation_campaignstudy cs WHERE cs.campaign_id = %(campaign)s AND cs.status = 'complete'
    ) e ORDER BY e.at, e.id"""

LABEL_BATCH = 20_000  # reads per label statement (700,000 rows)


def fill_campaign(campaign: Campaign, *, first_study: int, run_id: int, progress) -> None:
    params = {"campaign": campaign.pk, "reads": READS, "first": first_study, "run": run_id, "spread": SPREAD,
              "n_readers": N_READERS, "readers": list(campaign.readers.order_by("id").values_list("id", flat=True)),
              "enrich": ENRICH, "error": ERROR, "taxonomy": campaign.taxonomy_id}
    with connection.cursor() as cursor:
        for sql in (_STUDIES_SQL, _PRIORITIES_SQL, _ASSIGNMENTS_SQL, _READS_SQL):
            cursor.execute(sql, params)
        cursor.execute("SELECT min(r.id), max(r.id) FROM annotation_read r JOIN annotation_assignment a"
                       " ON a.id = r.assignment_id WHERE a.campaign_id = %s", [campaign.pk])
        lo, hi = cursor.fetchone()
        for start in range(lo, hi + 1, LABEL_BATCH):
            cursor.execute(_LABELS_SQL, params | {"lo": start, "hi": start + LABEL_BATCH - 1})
            progress(f"labels of reads {start}..{min(hi, start + LABEL_BATCH - 1)}")
        # Drafts until their labels are in: the database refuses labels of a submitted read.
        cursor.execute("UPDATE annotation_read r SET status = 'submitted' FROM annotation_assignment a"
                       " WHERE a.id = r.assignment_id AND a.campaign_id = %s", [campaign.pk])
        cursor.execute(_CONSENSUS_SQL, params)
        cursor.execute(_AUDIT_SQL, params)


def create_dataset_version(campaign: Campaign, staff: User) -> DatasetVersion:
    """A version definition over the campaign, not exported yet (export planning is what the bench measures; a
    published version would need its files, which later versions read for their splits)."""
    return DatasetVersion.objects.create(name="paper-scale", version=1, taxonomy=campaign.taxonomy,
                                         campaign_ids=[campaign.pk], created_by=staff, split_seed=0)
