"""Traits drawn into a rendered head: each finding paints its lesion and reports where it is visible.

Three kinds of trait:
- modifiers reshape normal anatomy through `HeadParams` (volume loss, hydrocephalus, midline shift);
- painters draw a lesion into the noiseless HU volume (hemorrhages, masses, infarcts, fractures...);
- derived traits are not drawn themselves: a parent is visible where its drawn children are
  (intracranial hemorrhage from its subtypes, neoplasm and mass from the tumour types, ...).

Every painter works on a copy of the volume; changes under 1 HU are reverted, so the slices a
trait touches are exactly the slices where its stored pixels differ (see `commit`).
"""

from dataclasses import dataclass, field

import numpy as np

from synth import shapes
from synth.anatomy import AIR, Head, HeadParams, local_box, with_changes

BLOOD = 65.0
METAL = 3071.0

# Where lesions go, head-relative (z, y, |x|) in mm for an adult head; x gets the lesion side's sign.
SITES = {
    "frontal": (28.0, -42.0, 28.0),
    "parietal": (45.0, 12.0, 34.0),
    "temporal": (-12.0, -12.0, 44.0),
    "occipital": (18.0, 55.0, 24.0),
    "basal ganglia": (-4.0, -4.0, 22.0),
    "thalamic": (0.0, 12.0, 11.0),
}
LOBES = ("frontal", "parietal", "temporal", "occipital")


@dataclass
class Plan:
    """Choices shared by the findings of one study, drawn before any trait is rendered."""

    side: int  # +1 patient's left, -1 right
    site: str  # a SITES key where the main lesion goes
    angle_offset: float
    extra: dict = field(default_factory=dict)

    @property
    def side_word(self) -> str:
        return "left" if self.side > 0 else "right"


def plan_study(rng: np.random.Generator) -> Plan:
    return Plan(side=int(rng.choice([-1, 1])), site=str(rng.choice(list(SITES))), angle_offset=float(rng.uniform(-0.4, 0.4)))


def site_center(head: Head, plan: Plan, site: str, side: int | None = None) -> tuple[float, float, float]:
    z, y, x = SITES[site]
    s = head.params.scale
    return (z * s, y * s, (plan.side if side is None else side) * x * s)


def _u(rng, lo, hi) -> float:
    return float(rng.uniform(lo, hi))


def _wide_box(head: Head, zc, hz, side=None):
    """Box spanning the whole head in-plane (or one side of it) between zc +- hz."""
    half_x = 70.0 * head.params.scale
    cx = 0.0 if side is None else side * half_x / 2
    hx = half_x + 10 if side is None else half_x / 2 + 12
    return local_box(head.geom, head.params, (zc, 0.0, cx), (hz, 100.0 * head.params.scale, hx))


def _angle_window(phi, phi0, half):
    d = np.angle(np.exp(1j * (phi - phi0)))  # wrapped angular distance
    return np.clip(1.0 - (d / half) ** 2, 0, 1).astype(np.float32)


def _phi(head: Head, box):
    phi = head.phi
    return phi[box] if phi.shape[0] > 1 else phi[:, box[1], box[2]]


def _surface_angle(plan: Plan, y_hint: float) -> float:
    """Angle on the convexity of the plan's side, about the head centre (y posterior)."""
    base = 0.0 if plan.side > 0 else np.pi
    return float(np.angle(np.exp(1j * (base + plan.side * (y_hint + plan.angle_offset)))))


# --- hemorrhages -------------------------------------------------------------------------------


def _extra_axial_collection(head, rng, plan, thick, half_angle, zc, hz, value, lens):
    phi0 = _surface_angle(plan, _u(rng, -0.5, 0.5))
    box, z, y, x = _wide_box(head, zc, hz + 5, plan.side)
    ang = _angle_window(_phi(head, box), phi0, half_angle)
    zw = np.clip(1.0 - ((z - zc) / hz) ** 2, 0, 1)
    profile = ang * zw if lens else np.sqrt(ang * zw)
    t = thick * profile
    ic = head.intracranial[box]
    w = shapes.inside(ic - t, head.geom.pixel_mm) * shapes.inside(-ic, head.geom.pixel_mm) * (t > 0.3)
    shapes.paint(head.hu, box, w.astype(np.float32), value)


def subdural_hemorrhage(head: Head, rng, plan: Plan) -> dict:
    acuity = str(rng.choice(["acute", "acute on chronic", "chronic"], p=[0.75, 0.1, 0.15]))
    value = {"acute": _u(rng, 62, 78), "chronic": _u(rng, 10, 18), "acute on chronic": _u(rng, 50, 58)}[acuity]
    thick = _u(rng, 8, 18) * head.params.scale
    zc = _u(rng, 5, 35) * head.params.scale
    _extra_axial_collection(head, rng, plan, thick, _u(rng, 0.9, 1.3), zc, _u(rng, 25, 38), value, lens=False)
    return {"side": plan.side_word, "acuity": acuity, "size_mm": round(thick), "location": "convexity"}


def epidural_hemorrhage(head: Head, rng, plan: Plan) -> dict:
    thick = _u(rng, 12, 24) * head.params.scale
    site = str(rng.choice(["temporal", "parietal", "frontal"]))
    zc = {"temporal": -5.0, "parietal": 35.0, "frontal": 20.0}[site] * head.params.scale
    _extra_axial_collection(head, rng, plan, thick, _u(rng, 0.45, 0.65), zc, _u(rng, 15, 24), _u(rng, 62, 82), lens=True)
    return {"side": plan.side_word, "acuity": "acute", "size_mm": round(thick), "location": site}


def subarachnoid_hemorrhage(head: Head, rng, plan: Plan) -> dict:
    pattern = str(rng.choice(["diffuse", "diffuse", "convexity"]))
    s = head.params.scale
    if pattern == "diffuse":  # aneurysmal: basal cisterns, sylvian fissures, sulci of both sides
        box, z, y, x = _wide_box(head, 5.0 * s, 55.0)
        region = np.clip(1.2 - (z - (-20 * s)) / (80.0 * s), 0, 1)
    else:  # traumatic: sulci over one convexity
        zc = _u(rng, 15, 45) * s
        box, z, y, x = _wide_box(head, zc, 28.0, plan.side)
        region = _angle_window(_phi(head, box), _surface_angle(plan, _u(rng, -0.6, 0.6)), 1.0)
        region = region * np.clip(1 - ((z - zc) / 28.0) ** 2, 0, 1)
    w = np.clip(1.8 * head.sulci[box], 0, 1) * (region > 0.15) * shapes.inside(-head.intracranial[box], 1.0)
    value = _u(rng, 60, 74)
    shapes.paint(head.hu, box, w.astype(np.float32), value)
    if pattern == "diffuse":
        _cisterns(head, value)
    return {"side": "bilateral" if pattern == "diffuse" else plan.side_word, "pattern": pattern}


def _cisterns(head: Head, value: float) -> None:
    """Blood filling the suprasellar cistern, both sylvian fissures and the anterior interhemispheric fissure."""
    s, px = head.params.scale, head.geom.pixel_mm
    box, z, y, x = local_box(head.geom, head.params, (-5 * s, -15 * s, 0), (28, 40 * s, 62 * s))
    w = shapes.inside(shapes.ellipsoid(z, y, x, (-19 * s, -14 * s, 0), (5, 9 * s, 13 * s)), px)
    for side in (-1, 1):
        fissure = shapes.capsule(z, y, x, (-14 * s, -10 * s, side * 14 * s), (-4 * s, -2 * s, side * 52 * s), 2.2 * s)
        w = np.maximum(w, shapes.inside(fissure, px))
    xb = head.xb[box]
    w = np.maximum(w, shapes.inside(np.abs(xb) - 1.6, px) * (y < -22 * s) * (z > -16 * s) * (z < 20 * s))
    shapes.paint(head.hu, box, w * shapes.inside(-head.intracranial[box], 1.0), value)


def intraventricular_hemorrhage(head: Head, rng, plan: Plan) -> dict:
    pattern = str(rng.choice(["layering", "layering", "cast"]))
    s = head.params.scale
    box, z, y, x = local_box(head.geom, head.params, (0, 0, 0), (40, 60 * s, 45 * s))
    v = head.ventricles[box]
    if pattern == "layering":  # supine patient: blood settles in the occipital horns (posterior, +y)
        w = v * shapes.inside(_u(rng, 14, 24) * s - y, head.geom.pixel_mm) * (z > -20)
    else:
        w = v * (plan.side * x > 0) * (z > -20)
    shapes.paint(head.hu, box, w.astype(np.float32), _u(rng, 60, 75))
    return {"side": "bilateral" if pattern == "layering" else plan.side_word, "pattern": pattern}


def _blob(head, rng, center, radius, value, rim=0.0, rim_value=None, bumps=0.25, intracranial=True):
    """Irregular round lesion with an optional surrounding rim (edema); returns its box and signed distance.

    A lesion thinner than a slice is stretched to one slice and its contrast scaled down by the
    same factor, as a scanner's slice-thickness partial volume does, so it never falls between slices.
    """
    r = radius + rim + 3
    semi_z = radius * _u(rng, 0.8, 1.1)
    half_slice = head.geom.slice_mm / 2
    partial = min(1.0, (semi_z + rim) / half_slice)
    semi_z = max(semi_z, half_slice - rim)
    box, z, y, x = local_box(head.geom, head.params, center, (max(r, semi_z + rim + 1), r, r))
    a1, a2, a3 = rng.uniform(0, 2 * np.pi, 3)
    sd = shapes.ellipsoid(z, y, x, center, (semi_z, radius, radius * _u(rng, 0.7, 1.0)))
    sd = sd - radius * bumps * (np.sin(x / 5 + a1) * np.sin(y / 6 + a2) * np.sin(z / 5 + a3))
    inside_brain = shapes.inside(-head.intracranial[box], 1.0) if intracranial else np.float32(1.0)
    if rim and rim_value is not None:
        shapes.paint(head.hu, box, shapes.inside(sd - rim, head.geom.pixel_mm) * inside_brain * partial, rim_value)
    w = shapes.inside(sd, head.geom.pixel_mm) * inside_brain * partial
    shapes.paint(head.hu, box, w, value)
    return box, sd


def intraparenchymal_hemorrhage(head: Head, rng, plan: Plan) -> dict:
    site = plan.site if plan.site in SITES else "basal ganglia"
    radius = _u(rng, 8, 20) * head.params.scale
    _blob(head, rng, site_center(head, plan, site), radius, _u(rng, 62, 80), rim=_u(rng, 2, 5), rim_value=20.0)
    return {"side": plan.side_word, "location": site, "size_mm": round(2 * radius)}


# --- masses and cysts --------------------------------------------------------------------------


def _mass_center(head, plan):
    c = site_center(head, plan, plan.site if plan.site in LOBES else "frontal")
    plan.extra["mass_center"] = c
    return c


def intracranial_mass(head: Head, rng, plan: Plan) -> dict:
    radius = _u(rng, 10, 20) * head.params.scale
    center = _mass_center(head, plan)
    _blob(head, rng, center, radius + 4, 22.0, bumps=0.3)  # surrounding vasogenic rim
    _blob(head, rng, center, radius, _u(rng, 50, 60))
    return {"side": plan.side_word, "location": plan.site if plan.site in LOBES else "frontal", "size_mm": round(2 * radius)}


def neoplasm(head: Head, rng, plan: Plan) -> dict:
    radius = _u(rng, 10, 18) * head.params.scale
    center = _mass_center(head, plan)
    _blob(head, rng, center, radius, _u(rng, 48, 56), bumps=0.35)
    _blob(head, rng, center, radius * 0.45, _u(rng, 14, 20), bumps=0.1)  # cystic part
    return {"side": plan.side_word, "location": plan.site if plan.site in LOBES else "frontal", "size_mm": round(2 * radius)}


def glioblastoma(head: Head, rng, plan: Plan) -> dict:
    radius = _u(rng, 14, 24) * head.params.scale
    center = _mass_center(head, plan)
    _blob(head, rng, center, radius, _u(rng, 40, 48), bumps=0.4)
    _blob(head, rng, center, radius * 0.55, _u(rng, 12, 20), bumps=0.3)  # necrotic centre
    return {"side": plan.side_word, "location": plan.site if plan.site in LOBES else "frontal", "size_mm": round(2 * radius)}


def metastasis(head: Head, rng, plan: Plan) -> dict:
    n = int(rng.integers(1, 5))
    s = head.params.scale
    centers = [_mass_center(head, plan)]
    for _ in range(n - 1):
        side = int(rng.choice([-1, 1]))
        centers.append(site_center(head, plan, str(rng.choice(LOBES)), side))
    for c in centers:
        c = (c[0] + _u(rng, -8, 8), c[1] + _u(rng, -8, 8), c[2])
        _blob(head, rng, c, _u(rng, 5, 11) * s, _u(rng, 40, 52), rim=_u(rng, 6, 12), rim_value=18.0, bumps=0.1)
    return {"side": plan.side_word if n == 1 else "bilateral", "count": n,
            "location": plan.site if plan.site in LOBES else "frontal"}


def meningioma(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    radius = _u(rng, 12, 22) * s
    zc = _u(rng, 10, 45) * s
    phi0 = _surface_angle(plan, _u(rng, -0.8, 0.8))
    # Dural based: the centre sits on the inner table, so the mass bulges into the brain.
    r_in = 62.0 * s
    center = (zc, r_in * np.sin(phi0) * 1.2, r_in * np.cos(phi0))
    box, sd = _blob(head, rng, center, radius, _u(rng, 50, 60), bumps=0.08)
    plan.extra["mass_center"] = center
    return {"side": plan.side_word, "location": "convexity", "size_mm": round(2 * radius)}


def colloid_cyst(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    _blob(head, rng, (6.0, -16.0 * s, 0.0), _u(rng, 4, 7) * s, _u(rng, 55, 68), bumps=0.02)
    return {"side": "midline", "location": "foramen of Monro"}


def arachnoid_cyst(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    site = str(rng.choice(["temporal", "retrocerebellar"]))
    if site == "temporal":
        _extra_axial_collection(head, rng, plan, _u(rng, 12, 20) * s, 0.6, -25.0 * s, 14.0, head.params.csf, lens=True)
    else:
        _blob(head, rng, (-42.0 * s, 62.0 * s, 0.0), _u(rng, 10, 16) * s, head.params.csf, bumps=0.05)
    return {"side": plan.side_word if site == "temporal" else "midline", "location": site}


def lipoma(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    site = str(rng.choice(["pericallosal", "quadrigeminal"]))
    center = (20.0 * s, -10.0 * s, 0.0) if site == "pericallosal" else (-10.0 * s, 30.0 * s, 0.0)
    _blob(head, rng, center, _u(rng, 4, 8) * s, _u(rng, -100, -70), bumps=0.05)
    return {"side": "midline", "location": site}


def aneurysm(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    center = (-20.0 * s, -12.0 * s, plan.side * _u(rng, 4, 12) * s)
    radius = _u(rng, 4, 8) * s
    _blob(head, rng, center, radius + 1.0, _u(rng, 150, 300), bumps=0.0)  # calcified wall
    _blob(head, rng, center, radius, _u(rng, 52, 62), bumps=0.0)
    return {"side": plan.side_word, "location": "circle of Willis", "size_mm": round(2 * radius)}


# --- ischemia and degeneration -----------------------------------------------------------------


def _territory(head, rng, plan, zc, hz, half_angle, depth_mm, y_hint):
    """Weight of a wedge of brain on the plan's side: a vascular territory from cortex inwards."""
    box, z, y, x = _wide_box(head, zc, hz + 4, plan.side)
    ang = _angle_window(_phi(head, box), _surface_angle(plan, y_hint), half_angle)
    zw = np.clip(1 - ((z - zc) / hz) ** 2, 0, 1)
    bd = head.intracranial[box] - head.params.gap_mm
    deep = shapes.inside(bd - depth_mm * np.sqrt(ang * zw), head.geom.pixel_mm)
    return box, (deep * (ang > 0.02) * (zw > 0.02) * shapes.inside(-bd, 1.0)).astype(np.float32)


def acute_infarct(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    box, w = _territory(head, rng, plan, _u(rng, 0, 25) * s, _u(rng, 18, 30), _u(rng, 0.5, 0.8), _u(rng, 25, 40) * s,
                        _u(rng, -0.6, 0.2))
    tissue = np.clip(head.brain[box] + head.sulci[box], 0, 1)  # loss of gray-white differentiation, effaced sulci
    shapes.paint(head.hu, box, w * tissue, _u(rng, 20, 25))
    return {"side": plan.side_word, "territory": "MCA"}


def old_infarct(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    box, w = _territory(head, rng, plan, _u(rng, 10, 40) * s, _u(rng, 12, 20), _u(rng, 0.3, 0.5), _u(rng, 15, 28) * s,
                        _u(rng, -0.3, 0.9))
    shapes.paint(head.hu, box, w, _u(rng, 6, 12))
    return {"side": plan.side_word, "territory": str(rng.choice(["MCA", "PCA"]))}


def encephalomalacia(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    site = str(rng.choice(["frontal", "temporal"]))
    box, w = _territory(head, rng, plan, (0.0 if site == "frontal" else -18.0) * s, _u(rng, 10, 16), 0.35,
                        _u(rng, 10, 18) * s, -1.2 if site == "frontal" else -0.4)
    shapes.paint(head.hu, box, w, _u(rng, 8, 15))
    return {"side": plan.side_word, "location": site}


def lacune(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    n = int(rng.integers(1, 4))
    spots = []
    for _ in range(n):
        site = str(rng.choice(["basal ganglia", "thalamic"]))
        side = int(rng.choice([-1, 1]))
        c = site_center(head, plan, site, side)
        c = (c[0] + _u(rng, -6, 6), c[1] + _u(rng, -6, 6), c[2] + _u(rng, -3, 3))
        _blob(head, rng, c, _u(rng, 3, 5) * s, _u(rng, 6, 12), bumps=0.0)
        spots.append(site)
    return {"side": "bilateral" if n > 1 else plan.side_word, "count": n, "location": spots[0]}


def white_matter_ischemia(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    severity = str(rng.choice(["mild", "moderate", "severe"]))
    drop = {"mild": 7.0, "moderate": 10.0, "severe": 13.0}[severity]
    extent = {"mild": 0.45, "moderate": 0.3, "severe": 0.1}[severity]
    box, z, y, x = local_box(head.geom, head.params, (15 * s, 0, 0), (30, 60 * s, 45 * s))
    halo = shapes.inside(shapes.ellipsoid(z, y, x, (15 * s, 0, 0), (28, 55 * s, 38 * s)), 6.0)
    # Patchy, confluent foci: caps at the frontal and occipital horns and scattered deep white matter spots.
    a = rng.uniform(0, 2 * np.pi, 6)
    spots = (np.sin(x / 3.5 + a[0]) * np.sin(y / 4.0 + a[1]) + np.sin(x / 6.0 + y / 5.0 + a[2]) * np.sin(z / 6 + a[3])
             + 0.8 * np.sin((x - y) / 2.7 + a[4]) * np.sin(z / 4 + a[5]))
    caps = np.exp(-(((np.abs(y) - 30 * s) / 12.0) ** 2)) * np.exp(-(((np.abs(x) - 12 * s) / 10.0) ** 2))
    patchy = np.clip((spots + 1.6 * caps - extent) / 0.5, 0, 1)
    w = head.white[box] * halo * patchy * (z > -10)
    head.hu[box] -= drop * w
    return {"side": "bilateral", "severity": severity}


# --- calcification -----------------------------------------------------------------------------


def calcification(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    kind = str(rng.choice(["basal ganglia", "falcine", "granuloma"]))
    if kind == "basal ganglia":
        spots = [(-4 * s, -4 * s, side * 22 * s) for side in (-1, 1)]
    elif kind == "falcine":
        spots = [(_u(rng, 20, 45) * s, _u(rng, -30, 20) * s, 0.0)]
    else:
        spots = [site_center(head, plan, str(rng.choice(LOBES)))]
    for c in spots:
        _blob(head, rng, c, _u(rng, 2.0, 3.5) * s, _u(rng, 180, 400), bumps=0.1)
    return {"side": "bilateral" if len(spots) > 1 else "midline" if kind == "falcine" else plan.side_word, "location": kind}


def atherosclerosis(head: Head, rng, plan: Plan) -> dict:
    s, px = head.params.scale, head.geom.pixel_mm
    for side in (-1, 1):  # carotid siphons and vertebral arteries
        for a, b in (((-40, -20 * s, side * 14 * s), (-26, -16 * s, side * 12 * s)),
                     ((-56, 8 * s, side * 9 * s), (-44, 4 * s, side * 5 * s))):
            box, z, y, x = local_box(head.geom, head.params, tuple(np.add(a, b) / 2), (12, 10, 8))
            w = shapes.inside(shapes.capsule(z, y, x, a, b, _u(rng, 1.2, 2.0)), px)
            shapes.paint(head.hu, box, w, _u(rng, 250, 600))
    return {"side": "bilateral", "location": "carotid siphons"}


# --- skull, scalp, air ---------------------------------------------------------------------------


def _skull_band(head, box):
    p = head.params
    d = head.depth[box]
    return (d > p.scalp_mm) & (head.intracranial[box] < 0) & (d < p.scalp_mm + p.skull_mm + 1.0)


def fracture(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    zc, hz = _u(rng, 0, 45) * s, _u(rng, 12, 25)
    phi0 = _surface_angle(plan, _u(rng, -0.7, 0.7))
    plan.extra["fracture"] = (zc, phi0)
    box, z, y, x = _wide_box(head, zc, hz, plan.side)
    tilt = _u(rng, -0.012, 0.012)  # the line runs obliquely across slices
    d = np.angle(np.exp(1j * (_phi(head, box) - phi0 - tilt * (z - zc)))) * 65.0 * s
    w = (np.abs(d) < max(0.9, 0.6 * head.geom.pixel_mm)) * _skull_band(head, box) * (np.abs(z - zc) < hz)
    shapes.paint(head.hu, box, w.astype(np.float32), _u(rng, 30, 50))
    return {"side": plan.side_word, "location": str(rng.choice(["parietal", "temporal", "frontal"]))}


def depressed_skull_fracture(head: Head, rng, plan: Plan) -> dict:
    p, s = head.params, head.params.scale
    zc, hz, half = _u(rng, 10, 45) * s, _u(rng, 10, 16), _u(rng, 0.2, 0.32)
    phi0 = _surface_angle(plan, _u(rng, -0.7, 0.7))
    depth_mm = _u(rng, 5, 10)
    box, z, y, x = _wide_box(head, zc, hz + 3, plan.side)
    patch = (_angle_window(_phi(head, box), phi0, half) > 0) & (np.abs(z - zc) < hz)
    d = head.depth[box]
    old = _skull_band(head, box) & patch
    shapes.paint(head.hu, box, old.astype(np.float32), 45.0)
    new = patch & (d > p.scalp_mm + depth_mm) & (d < p.scalp_mm + p.skull_mm + depth_mm)
    shapes.paint(head.hu, box, new.astype(np.float32), p.table_hu)
    return {"side": plan.side_word, "depth_mm": round(depth_mm)}


def pneumocephalus(head: Head, rng, plan: Plan) -> dict:
    s, px = head.params.scale, head.geom.pixel_mm
    n = int(rng.integers(3, 7))
    box, z, y, x = local_box(head.geom, head.params, (30 * s, -50 * s, 0), (30, 40 * s, 50 * s))
    ic = head.intracranial[box]
    w = np.zeros(ic.shape, np.float32)
    for _ in range(n):  # supine: air rises anteriorly (-y), just under the frontal bone
        c = (_u(rng, 10, 50) * s, -65.0 * s, _u(rng, -30, 30) * s)
        tube = np.sqrt((z - c[0]) ** 2 + (x - c[2]) ** 2) - _u(rng, 6, 12)  # a bubble along the inner table
        w = np.maximum(w, shapes.inside(tube, px))
    w *= shapes.inside(ic - _u(rng, 4.0, 8.0), px) * shapes.inside(-ic, px)
    shapes.paint(head.hu, box, w, AIR)
    return {"side": "bilateral", "location": "frontal", "count": n}


def scalp_soft_tissue(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    zc, hz = _u(rng, 0, 50) * s, _u(rng, 18, 35)
    if "fracture" in plan.extra:
        zc = plan.extra["fracture"][0]
    thick = _u(rng, 7, 18)
    box, z, y, x = _wide_box(head, zc, hz + 2, plan.side)
    ang = _angle_window(_phi(head, box), _surface_angle(plan, _u(rng, -0.7, 0.7)), _u(rng, 0.5, 0.8))
    t = thick * np.sqrt(ang * np.clip(1 - ((z - zc) / hz) ** 2, 0, 1))
    d = head.depth[box]
    w = shapes.inside(-d - t, head.geom.pixel_mm) * (d < head.params.scalp_mm) * (t > 0.5)
    shapes.paint(head.hu, box, w.astype(np.float32), _u(rng, 45, 65))
    return {"side": plan.side_word, "size_mm": round(thick), "kind": str(rng.choice(["hematoma", "swelling"]))}


def _fill_cavity(head, cells, rng, mode):
    box, w = cells.box, cells.weight
    z, y, x = head.geom.box_grid(box)
    y = y - head.params.center[0]
    if mode == "air-fluid level":  # supine: fluid lies posteriorly
        w = w * (y > cells.center[1] + _u(rng, -0.3, 0.2) * cells.semi[1])
    elif mode == "mucosal thickening":
        w = w * (1 - shapes.inside(shapes.ellipsoid(z, y, x - head.params.center[1], cells.center,
                                                     [v * 0.55 for v in cells.semi]), head.geom.pixel_mm))
    shapes.paint(head.hu, box, w.astype(np.float32), _u(rng, 15, 35))


def sinus_pathology(head: Head, rng, plan: Plan) -> dict:
    names = sorted(k for k in head.air_cells if k.split("_")[0] in ("maxillary", "ethmoid", "sphenoid", "frontal"))
    chosen = [str(n) for n in rng.choice(names, size=int(rng.integers(1, min(3, len(names)) + 1)), replace=False)]
    mode = str(rng.choice(["mucosal thickening", "air-fluid level", "opacification"]))
    for name in sorted(chosen):
        _fill_cavity(head, head.air_cells[name], rng, mode)
    return {"sinuses": sorted(n.replace("_", " ") for n in chosen), "pattern": mode}


def mastoid_pathology(head: Head, rng, plan: Plan) -> dict:
    name = f"mastoid_{plan.side_word}"
    _fill_cavity(head, head.air_cells[name], rng, "opacification")
    return {"side": plan.side_word}


def orbital_pathology(head: Head, rng, plan: Plan) -> dict:
    globe = head.air_cells[f"orbit_{plan.side_word}"]
    oz, gy, gx = globe.center
    r = globe.semi[0]
    kind = str(rng.choice(["retrobulbar mass", "preseptal swelling"]))
    if kind == "retrobulbar mass":
        _blob(head, rng, (oz, gy + r + 8, gx - plan.side * 3), _u(rng, 5, 8), _u(rng, 40, 55), bumps=0.1,
              intracranial=False)
    else:
        box, z, y, x = local_box(head.geom, head.params, (oz, gy - r, gx), (14, 14, 16))
        d = head.depth[box]
        w = shapes.inside(shapes.ellipsoid(z, y, x, (oz, gy - r - 3, gx), (12, 8, 14)), 1.0) * (d < 6)
        shapes.paint(head.hu, box, w.astype(np.float32), _u(rng, 40, 60))
    return {"side": plan.side_word, "kind": kind}


def _streaks(head, rng, center, strength):
    """Metal streaks: alternating bright and dark rays from the object, in its slices only."""
    zc = center[0]
    zs = slice(head.geom.z_index(zc - 2.5), head.geom.z_index(zc + 2.5) + 1)
    box, z, y, x = local_box(head.geom, head.params, center, (2.5, 200, 200))
    box = (zs, box[1], box[2])
    y, x = y - center[1], x - center[2]
    theta, r = np.arctan2(y, x), np.sqrt(x**2 + y**2)
    rays = np.cos(int(rng.integers(6, 12)) * theta + _u(rng, 0, 6)) ** 9 * np.cos(2 * theta + _u(rng, 0, 6))
    head.hu[box] += (strength * rays * np.exp(-r / 30.0) * (r > 3)).astype(np.float32)
    _blob(head, rng, center, 2.5, METAL, bumps=0.0, intracranial=False)


def artifact_metal(head: Head, rng, plan: Plan) -> dict:
    s = head.params.scale
    kind = str(rng.choice(["aneurysm clip", "shunt valve", "embolization coil"]))
    if kind == "shunt valve":
        center = (_u(rng, 10, 30) * s, 30.0 * s, plan.side * 66.0 * s)
    else:
        center = (-18.0 * s, -10.0 * s, plan.side * _u(rng, 5, 15) * s)
    _streaks(head, rng, center, _u(rng, 250, 450))
    return {"side": plan.side_word, "kind": kind}


def gunshot_wound(head: Head, rng, plan: Plan) -> dict:
    s, px = head.params.scale, head.geom.pixel_mm
    zc = _u(rng, 5, 40) * s
    phi0 = _surface_angle(plan, _u(rng, -0.8, 0.8))
    entry = (zc, 68.0 * s * np.sin(phi0) * 1.25, 68.0 * s * np.cos(phi0))
    length = _u(rng, 0.5, 1.2)
    end = (zc + _u(rng, -12, 12), entry[1] * (1 - 2 * length) * 0.9, entry[2] * (1 - 2 * length) * 0.9)
    box, z, y, x = local_box(head.geom, head.params, tuple(np.add(entry, end) / 2),
                             (abs(end[0] - entry[0]) / 2 + 10, abs(end[1] - entry[1]) / 2 + 12, abs(end[2] - entry[2]) / 2 + 12))
    tract = shapes.capsule(z, y, x, entry, end, _u(rng, 3, 5))
    shapes.paint(head.hu, box, shapes.inside(tract - 3, px), 58.0)
    shapes.paint(head.hu, box, shapes.inside(tract + 1.5, px), AIR)
    for t in rng.uniform(0.05, 0.3, 3):  # driven-in bone fragments
        c = tuple(np.add(entry, t * np.subtract(end, entry)) + rng.uniform(-3, 3, 3))
        _blob(head, rng, c, 1.5, 1300.0, bumps=0.0)
    _streaks(head, rng, end, _u(rng, 250, 450))
    return {"side": plan.side_word, "location": "transcranial"}


# --- modifiers (reshape anatomy) ---------------------------------------------------------------


def mod_diffuse_volume_loss(p: HeadParams, rng, plan: Plan) -> tuple[HeadParams, dict]:
    k = _u(rng, 1.0, 1.6)
    severity = "mild" if k < 1.2 else "moderate" if k < 1.45 else "advanced"
    return with_changes(p, sulcal_width=p.sulcal_width * (1.5 + k), gap_mm=p.gap_mm + 1.6 * k,
                        ventricle_scale=p.ventricle_scale * (1.0 + 0.3 * k)), {"severity": severity, "side": "bilateral"}


def mod_hydrocephalus(p: HeadParams, rng, plan: Plan) -> tuple[HeadParams, dict]:
    k = _u(rng, 1.7, 2.3)
    return with_changes(p, ventricle_scale=p.ventricle_scale * k, temporal_horn_scale=2.6 * k / 2,
                        sulcal_width=p.sulcal_width * 0.6), {"severity": "moderate" if k < 2 else "severe", "side": "bilateral"}


def mod_midline_shift(p: HeadParams, rng, plan: Plan) -> tuple[HeadParams, dict]:
    mm = _u(rng, 4, 12)
    z = SITES[plan.site][0] * p.scale
    return with_changes(p, shift_mm=mm, shift_side=plan.side, shift_z=float(np.clip(z, -5, 40))), {
        "side": "left" if plan.side < 0 else "right", "size_mm": round(mm), "direction": "away from lesion"}


MODIFIERS = {
    "diffuse_volume_loss": mod_diffuse_volume_loss,
    "hydrocephalus": mod_hydrocephalus,
    "midline_shift": mod_midline_shift,
}

# Painting order: parenchymal background changes first, hemorrhage on top, skull and scalp, metal last.
PAINTERS = {
    "white_matter_ischemia": white_matter_ischemia,
    "old_infarct": old_infarct,
    "encephalomalacia": encephalomalacia,
    "acute_infarct": acute_infarct,
    "lacune": lacune,
    "intracranial_mass": intracranial_mass,
    "neoplasm": neoplasm,
    "glioblastoma": glioblastoma,
    "metastasis": metastasis,
    "meningioma": meningioma,
    "colloid_cyst": colloid_cyst,
    "arachnoid_cyst": arachnoid_cyst,
    "lipoma": lipoma,
    "aneurysm": aneurysm,
    "calcification": calcification,
    "atherosclerosis": atherosclerosis,
    "intraparenchymal_hemorrhage": intraparenchymal_hemorrhage,
    "intraventricular_hemorrhage": intraventricular_hemorrhage,
    "subarachnoid_hemorrhage": subarachnoid_hemorrhage,
    "subdural_hemorrhage": subdural_hemorrhage,
    "epidural_hemorrhage": epidural_hemorrhage,
    "pneumocephalus": pneumocephalus,
    "fracture": fracture,
    "depressed_skull_fracture": depressed_skull_fracture,
    "gunshot_wound": gunshot_wound,
    "scalp_soft_tissue": scalp_soft_tissue,
    "sinus_pathology": sinus_pathology,
    "mastoid_pathology": mastoid_pathology,
    "orbital_pathology": orbital_pathology,
    "artifact_metal": artifact_metal,
}

# A parent drawn through its children: visible wherever they are (and not drawn again).
DERIVED_FROM = {
    "intracranial_hemorrhage": ("epidural_hemorrhage", "subdural_hemorrhage", "subarachnoid_hemorrhage",
                                "intraventricular_hemorrhage", "intraparenchymal_hemorrhage"),
    "neoplasm": ("glioblastoma", "metastasis", "meningioma"),
    "intracranial_mass": ("glioblastoma", "metastasis", "meningioma", "neoplasm"),
    "fracture": ("depressed_skull_fracture", "gunshot_wound"),
    "encephalomalacia": ("old_infarct",),
    "artifact_metal": ("gunshot_wound",),
}
