"""Report-mining throughput and assertion accuracy, beside a plain phrase-matching baseline and negspacy.

    .venv/bin/python bench/bench_mining.py                 # 100,000 synthetic reports, 2 worker processes
    .venv/bin/python bench/bench_mining.py --reports 5000  # a quick run

All three pipelines mine the same synthetic head-CT reports (~100 words each) with the same worker
processes and chunking, database I/O excluded:

- full: reports_nlp.pipeline (sentences + sections + trait matching + ConText assertions), via mine_many;
- phrase: a blank English tokenizer and one lowercase PhraseMatcher over the same mapping phrases;
- negspacy: the same blank pipeline with spaCy's sentencizer, an entity ruler from the same phrases
  and negspacy's Negex (en_clinical termset): negation only, no sections, hedges or history.

Every pipeline tokenizes as reports_nlp.pipeline does: line breaks turned into spaces (offsets
unchanged) and no white-space tokenizer exceptions (with them, spaCy sends any report with a blank
line or double space through its special-case matcher, about ten times slower).
The machine is shared, so besides wall-clock reports/s the table gives reports per CPU-second of
the workers times the worker count: the rate with those cores to itself.

Reports come from the synthetic cohort's report writer (synth.reports, the loop of its
report_texts; cached under var/bench/ since writing 100,000 takes minutes) when that exists, otherwise
from the small template generator below (mapping phrases in negated, hedged, historical and plain
sentences). Then the labeled sentences in tests/data/assertion_sentences.jsonl are scored per class,
and the report-level verdict is scored per trait against what other synthetic reports assert.
"""

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from collections import Counter, deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402
from spacy.matcher import PhraseMatcher  # noqa: E402

from reports_nlp.default_mappings import DEFAULT_MAPPINGS  # noqa: E402
from reports_nlp.pipeline import build_pipeline, mine_many, report_verdict  # noqa: E402
from reports_nlp.pipeline.phrases import phrase_variants  # noqa: E402
from reports_nlp.pipeline.sentences import FLATTEN  # noqa: E402

LABELED = ROOT / "tests" / "data" / "assertion_sentences.jsonl"

# --- the fallback report generator -------------------------------------------------------------

_INDICATIONS = (
    "Fall, evaluate for bleed.", "Headache, rule out hemorrhage.", "Altered mental status.",
    "Left sided weakness, assess for acute stroke.", "Trauma, evaluate for fracture.", "Dizziness.",
    "Follow-up of known {p}.", "Syncope, r/o intracranial hemorrhage.", "Seizure.",
)
_COMPARISONS = ("None.", "CT head from 3 months prior.", "MRI brain from last year.", "Prior head CT.")
_NORMAL = (
    "The ventricles and sulci are normal in size and configuration.",
    "Gray-white matter differentiation is preserved.",
    "The visualized paranasal sinuses and mastoid air cells are clear.",
    "The calvarium and skull base are intact.",
    "The orbits are unremarkable.",
    "The basal cisterns are patent.",
    "There is no acute intracranial abnormality.",
    "The posterior fossa structures are unremarkable.",
)
_TEMPLATES = (
    ("There is a {adj} {p} in the {loc}.", 4),
    ("No {p}, {q}, or {r}.", 4),
    ("No evidence of {p}.", 2),
    ("{P} is not seen.", 1),
    ("{P} cannot be excluded.", 1),
    ("Findings may represent {p}.", 1),
    ("Possible {adj} {p} in the {loc}.", 1),
    ("History of {p}.", 1),
    ("No interval change in the {p}.", 1),
    ("{P} has resolved.", 1),
    ("Again seen is {adj} {p} in the {loc}, unchanged.", 1),
    ("{P}: none.", 1),
)
_ADJ = ("small", "mild", "moderate", "large", "subtle", "stable", "new", "chronic")
_LOC = ("left frontal lobe", "right parietal region", "posterior fossa", "right temporal lobe", "left convexity",
        "basal ganglia", "periventricular white matter", "occipital horns")


def _phrase_pool() -> list[str]:
    return [p for row in DEFAULT_MAPPINGS.values() for p in row["phrases"] if len(p) > 3]


def synthetic_reports(n: int, seed: int = 7) -> list[str]:
    """n head-CT reports of about 100 words, with headers, plain, negated, hedged and historical findings."""
    rng = random.Random(seed)
    phrases = _phrase_pool()
    templates = [t for t, w in _TEMPLATES for _ in range(w)]

    def sentence() -> str:
        if rng.random() < 0.45:
            return rng.choice(_NORMAL)
        p, q, r = rng.sample(phrases, 3)
        s = rng.choice(templates).format(p=p, q=q, r=r, P=p.capitalize(), adj=rng.choice(_ADJ), loc=rng.choice(_LOC))
        return s

    reports = []
    for _ in range(n):
        findings, words = [], 0
        while words < 62:
            s = sentence()
            findings.append(s)
            words += len(s.split())
        impression = " ".join(sentence() for _ in range(2))
        indication = rng.choice(_INDICATIONS).format(p=rng.choice(phrases))
        reports.append(
            f"EXAM: CT HEAD WITHOUT CONTRAST\nINDICATION: {indication}\nTECHNIQUE: Axial noncontrast images.\n"
            f"COMPARISON: {rng.choice(_COMPARISONS)}\nFINDINGS: {' '.join(findings)}\nIMPRESSION: {impression}"
        )
    return reports


# --- the synthetic cohort's reports, with what each asserts -----------------------------------

def cohort_reports(seed: int, start: int, stop: int) -> list[tuple[str, dict[str, str]]]:
    """Reports start..stop-1 of the synthetic cohort with their per-trait assertions.

    The loop of synth.reports.report_texts, keeping each Report's `assertions` (what the
    text asserts, injected reader errors included) and addressable by index so workers can split it.
    """
    from synth.findings import LOBES
    from synth.patients import visit_for
    from synth.prevalence import sample_traits
    from synth.reports import write_report
    from synth.streams import stream

    out = []
    for i in range(start, stop):
        visit = visit_for(seed, i)
        rng = stream(seed, i, "traits")
        traits = sample_traits(rng, visit.age_years, None)
        truth = {c: {"side": str(rng.choice(["left", "right"])), "size_mm": int(rng.integers(4, 30)),
                     "location": str(rng.choice(LOBES))} for c in sorted(traits)}
        report = write_report(stream(seed, i, "report"), visit, truth, error_rate=0.05, slice_mm=5.0)
        out.append((report.text, report.assertions))
    return out


def _cohort_texts(args: tuple[int, int, int]) -> list[str]:
    return [text for text, _ in cohort_reports(*args)]


def report_texts(n: int, seed: int, processes: int) -> tuple[list[str], str]:
    """The synthetic cohort's reports when synth is there (cached under var/bench), else templates."""
    try:
        cohort_reports(seed, 0, 1)
    except (ImportError, AttributeError, TypeError) as exc:
        print(f"synth reports unavailable ({exc}); using the bench template generator")
        return synthetic_reports(n, seed), "bench template generator"
    cache = ROOT / "var" / "bench" / f"mining-reports-{n}-seed{seed}.jsonl"
    source = f"synth.reports (cached in {cache.relative_to(ROOT)})"
    if cache.exists():
        return [json.loads(line) for line in cache.read_text(encoding="utf-8").splitlines()], source
    step = 1000
    ranges = [(seed, i, min(i + step, n)) for i in range(0, n, step)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        texts = [t for chunk in pool.map(_cohort_texts, ranges) for t in chunk]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    return texts, source


# --- the baselines ------------------------------------------------------------------------------

def blank_english():
    """spacy.blank("en") with the tokenizer fix reports_nlp.pipeline uses (no white-space exceptions)."""
    nlp = spacy.blank("en")
    nlp.tokenizer.rules = {k: v for k, v in nlp.tokenizer.rules.items() if not k.isspace()}
    return nlp


def phrase_only_pipeline():
    nlp = blank_english()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for trait, row in DEFAULT_MAPPINGS.items():
        texts = dict.fromkeys(v for p in row["phrases"] for v in phrase_variants(p))
        matcher.add(trait, list(nlp.tokenizer.pipe(texts)))
    strings = nlp.vocab.strings

    def mine(text: str) -> list[tuple]:
        doc = nlp.make_doc(text.translate(FLATTEN))
        return [(strings[m], doc[s].idx, doc[e - 1].idx + len(doc[e - 1])) for m, s, e in matcher(doc)]

    return mine


def negspacy_nlp():
    from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
    from negspacy.termsets import termset

    nlp = blank_english()
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([
        {"label": trait, "pattern": v}
        for trait, row in DEFAULT_MAPPINGS.items() for p in row["phrases"] for v in phrase_variants(p)
    ])
    nlp.add_pipe("negex", config={"neg_termset": termset("en_clinical").get_patterns()})
    return nlp


def negspacy_pipeline():
    nlp = negspacy_nlp()

    def mine(text: str) -> list[tuple]:
        return [(e.label_, e.start_char, e.end_char, e._.negex) for e in nlp(text.translate(FLATTEN)).ents]

    return mine


def full_pipeline():
    pipeline = build_pipeline()
    return pipeline.rows


_BUILDERS = {"full": full_pipeline, "phrase": phrase_only_pipeline, "negspacy": negspacy_pipeline}
_worker_mine = None


def _init(kind: str) -> None:
    global _worker_mine
    _worker_mine = _BUILDERS[kind]()


def _mine_chunk(texts: list[str]) -> tuple[float, list]:
    """The chunk's results and the CPU seconds this worker spent on them."""
    t0 = time.process_time()
    results = [_worker_mine(t) for t in texts]
    return time.process_time() - t0, results


class Run:
    def __init__(self, wall: float, cpu: float, found: int):
        self.wall, self.cpu, self.found = wall, cpu, found


def run_pool(kind: str, texts: list[str], processes: int, chunksize: int) -> Run:
    """Mine all texts with `processes` workers (pool start and pipeline build excluded)."""
    if processes <= 1:
        _init(kind)
        t0 = time.perf_counter()
        cpu, results = _mine_chunk(texts)
        return Run(time.perf_counter() - t0, cpu, sum(len(r) for r in results))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes, initializer=_init, initargs=(kind,)) as pool:
        pool.map(_mine_chunk, [texts[:chunksize]] * processes)  # wait until every worker is built
        t0 = time.perf_counter()
        cpu, found = 0.0, 0
        pending: deque = deque()

        def collect() -> None:
            nonlocal cpu, found
            seconds, results = pending.popleft().get()
            cpu += seconds
            found += sum(len(r) for r in results)

        for i in range(0, len(texts), chunksize):
            pending.append(pool.apply_async(_mine_chunk, (texts[i:i + chunksize],)))
            if len(pending) >= 4 * processes:
                collect()
        while pending:
            collect()
        return Run(time.perf_counter() - t0, cpu, found)


def run_mine_many(texts: list[str], processes: int, chunksize: int) -> float:
    """Wall seconds of the real API, reports_nlp.pipeline.mine_many, pool start included."""
    pipeline = build_pipeline()
    t0 = time.perf_counter()
    mine_many(pipeline, texts, processes=processes, chunksize=chunksize)
    return time.perf_counter() - t0


# --- accuracy on the labeled sentences ---------------------------------------------------------

def labeled_accuracy() -> None:
    rows = [json.loads(line) for line in LABELED.read_text(encoding="utf-8").splitlines() if line.strip()]
    pipeline = build_pipeline()
    neg = negspacy_nlp()
    hits, totals, neg_hits = Counter(), Counter(), Counter()
    for row in rows:
        found = [f.assertion for f in pipeline.mine(row["sentence"]) if f.trait == row["trait"]]
        totals[row["expected"]] += 1
        hits[row["expected"]] += bool(found) and found[0] == row["expected"]
        ents = [e for e in neg(row["sentence"]).ents if e.label_ == row["trait"]]
        # negspacy only says negated or not: count it right when that matches (absent vs. the rest).
        neg_hits[row["expected"]] += bool(ents) and ents[0]._.negex == (row["expected"] == "absent")
    print(f"\nassertion accuracy on {len(rows)} labeled sentences ({LABELED.relative_to(ROOT)}):")
    print(f"  {'class':<11} {'n':>4} {'full pipeline':>14} {'negspacy (negated?)':>20}")
    for cls in ("present", "absent", "uncertain", "historical"):
        print(f"  {cls:<11} {totals[cls]:>4} {hits[cls] / totals[cls]:>14.3f} {neg_hits[cls] / totals[cls]:>20.3f}")
    three = ("present", "absent", "uncertain")
    n3 = sum(totals[c] for c in three)
    print(f"  3-class accuracy (present/absent/uncertain): {sum(hits[c] for c in three) / n3:.3f} "
          f"(gate 0.95); 4-class: {sum(hits.values()) / sum(totals.values()):.3f}")


def cohort_precision_recall(n: int, seed: int) -> None:
    """Report-level verdict per trait against what the synthetic cohort's reports assert."""
    try:
        reports = cohort_reports(seed + 1, 0, n)  # other reports than the throughput run's
    except (ImportError, AttributeError, TypeError) as exc:
        print(f"\nreport-level precision/recall skipped: synth reports unavailable ({exc})")
        return
    pipeline = build_pipeline()
    counts: dict[str, Counter] = {}
    agree = total = 0
    for text, truth in reports:
        verdict = report_verdict(pipeline.mine(text), traits=truth)
        for trait, expected in truth.items():
            got = verdict.get(trait, "not_mentioned")
            c = counts.setdefault(trait, Counter())
            c["tp"] += expected == "present" and got == "present"
            c["fp"] += expected != "present" and got == "present"
            c["fn"] += expected == "present" and got != "present"
            agree += got == expected
            total += 1
    print(f"\nreport-level verdict vs the synthetic cohort's report assertions ({n:,} reports, seed {seed + 1}):")
    print(f"  {'trait':<28} {'support':>7} {'precision':>9} {'recall':>7}")
    for trait, c in counts.items():
        support = c["tp"] + c["fn"]
        if support or c["fp"]:
            precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else float("nan")
            recall = c["tp"] / support if support else float("nan")
            print(f"  {trait:<28} {support:>7} {precision:>9.3f} {recall:>7.3f}")
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn"))
    print(f"  {'all traits (micro)':<28} {tp + fn:>7} {tp / (tp + fp):>9.3f} {tp / (tp + fn):>7.3f}; "
          f"5-way verdict agreement {agree / total:.3f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000, help="number of synthetic reports")
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    parser.add_argument("--chunksize", type=int, default=250)
    parser.add_argument("--single", type=int, default=5_000, help="reports for the one-process figures (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--truth-reports", type=int, default=3_000,
                        help="synthetic cohort reports for report-level precision/recall (0: skip)")
    parser.add_argument("--skip-accuracy", action="store_true")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    texts, source = report_texts(args.reports, args.seed, args.processes)
    words = sum(len(t.split()) for t in texts) / len(texts)
    print(f"{len(texts):,} reports from {source}, {words:.0f} words on average "
          f"(generated in {time.perf_counter() - t0:.1f} s); {multiprocessing.cpu_count()} CPUs")

    print("\nwall: elapsed reports/s on this (shared) machine; cpu: reports per CPU-second of the workers")
    print("times the worker count, what the pipeline gives with those cores to itself.\n")
    print(f"{'pipeline':<10} {'procs':>5} {'reports':>8} {'wall s':>7} {'wall r/s':>9} {'cpu r/s x procs':>15} "
          f"{'findings':>9} {'vs phrase (cpu)':>15}")
    cpu_rates: dict[tuple[str, int], float] = {}
    wall_rates: dict[tuple[str, int], float] = {}
    runs = [(k, args.processes, texts) for k in ("phrase", "full", "negspacy")]
    if args.single:
        runs += [(k, 1, texts[:args.single]) for k in ("phrase", "full", "negspacy")]
    for kind, processes, batch in runs:
        run = run_pool(kind, batch, processes, args.chunksize)
        cpu_rate = len(batch) / run.cpu * processes
        cpu_rates[kind, processes] = cpu_rate
        wall_rates[kind, processes] = len(batch) / run.wall
        ratio = cpu_rate / cpu_rates[("phrase", processes)]
        print(f"{kind:<10} {processes:>5} {len(batch):>8,} {run.wall:>7.1f} {len(batch) / run.wall:>9,.0f} "
              f"{cpu_rate:>15,.0f} {run.found:>9,} {ratio:>14.2f}x", flush=True)
    api_wall = run_mine_many(texts, args.processes, args.chunksize)
    print(f"\nreports_nlp.pipeline.mine_many, {args.processes} processes, pool start included: "
          f"{len(texts) / api_wall:,.0f} reports/s wall ({api_wall:.1f} s)")
    full = (cpu_rates["full", args.processes], wall_rates["full", args.processes])
    print(f"full pipeline, {args.processes} processes: {full[1]:,.0f} reports/s wall, {full[0]:,.0f} reports/s "
          f"on {args.processes} free cores (target >= 2,500); "
          f"{full[0] / cpu_rates['negspacy', args.processes]:.2f}x negspacy, "
          f"{full[0] / cpu_rates['phrase', args.processes]:.2f}x plain phrase matching")
    try:
        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    except OSError:
        pass
    if not args.skip_accuracy:
        labeled_accuracy()
    if args.truth_reports:
        cohort_precision_recall(args.truth_reports, args.seed)


if __name__ == "__main__":
    main()
