"""A head in Hounsfield units: scalp, skull, skull base, sinuses, orbits and a brain with gyri.

The head is a function of patient coordinates (see geometry.py) and of `HeadParams`, sampled
per patient with smooth variation in size and shape. Traits that reshape normal anatomy
(volume loss, hydrocephalus, midline shift) do so by changing the params, so the generator can
render the same head with and without them. `render_head` returns the noiseless volume plus
the tissue fields that findings.py uses to place lesions where they belong.
"""

from dataclasses import dataclass, replace

import numpy as np

from synth import shapes
from synth.geometry import Geometry

AIR, FAT, CSF, WATER = -1000.0, -90.0, 6.0, 0.0


@dataclass(frozen=True)
class HeadParams:
    scale: float = 1.0  # overall head size (children are smaller)
    half_width: float = 73.0  # outer scalp, mm
    half_length: float = 93.0
    dome: float = 88.0  # vertical semi-axis of the vault above z0
    z0: float = 2.0
    center: tuple[float, float] = (0.0, 0.0)  # (y, x) offset of the head in the field of view
    harmonics: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # a2, p2, a3, p3
    scalp_mm: float = 5.5
    skull_mm: float = 6.5
    gap_mm: float = 1.2  # extra-axial CSF
    gray: float = 40.0
    white: float = 29.0
    csf: float = CSF
    table_hu: float = 1450.0
    diploe_hu: float = 750.0
    sulcal_count: int = 38
    sulcal_phases: tuple[float, ...] = (0.0,) * 8
    sulcal_width: float = 1.0  # multiplier; atrophy widens sulci, hydrocephalus effaces them
    sulcal_depth: float = 12.0
    ventricle_scale: float = 1.0
    temporal_horn_scale: float = 1.0
    frontal_sinus: float = 1.0  # 0 in young children
    mastoid_air: float = 1.0
    orbit_z: float = -38.0
    noise_hu: float = 4.5
    shift_mm: float = 0.0  # midline shift towards -shift_side
    shift_side: int = 1
    shift_z: float = 20.0


def sample_head(rng: np.random.Generator, age_years: float) -> HeadParams:
    """Per-patient anatomy: size from age, shape harmonics, tissue densities, normal ageing."""
    grow = float(np.interp(age_years, [0, 1, 3, 8, 16], [0.66, 0.8, 0.88, 0.95, 1.0]))
    u = lambda lo, hi: float(rng.uniform(lo, hi))  # noqa: E731
    old = max(0.0, age_years - 45) / 45
    infant = age_years < 1.5
    return HeadParams(
        scale=grow,
        half_width=73.0 * grow * u(0.94, 1.06),
        half_length=93.0 * grow * u(0.94, 1.06),
        dome=88.0 * grow * u(0.93, 1.05),
        z0=u(-2, 6),
        center=(u(-5, 5), u(-4, 4)),
        harmonics=(u(0, 0.025), u(0, 2 * np.pi), u(0, 0.02), u(0, 2 * np.pi)),
        scalp_mm=u(4.5, 7.0) * (0.6 if infant else 1.0),
        skull_mm=u(5.5, 8.0) * (0.35 if infant else float(np.interp(age_years, [1, 10, 20], [0.6, 0.85, 1.0]))),
        gap_mm=u(0.8, 1.6) + 1.8 * old,
        gray=u(38.5, 42.0),
        white=u(19.0, 22.0) if infant else u(27.5, 31.0),  # unmyelinated infant white matter is darker
        csf=u(3.0, 8.0),
        table_hu=u(1350, 1650),
        diploe_hu=u(600, 850),
        sulcal_count=int(rng.integers(34, 44)),
        sulcal_phases=tuple(float(v) for v in rng.uniform(0, 2 * np.pi, 8)),
        sulcal_width=u(0.85, 1.15) * (1.0 + 0.6 * old),
        sulcal_depth=u(10.0, 14.0),
        ventricle_scale=u(0.85, 1.1) * (1.0 + 0.35 * old),
        frontal_sinus=0.0 if age_years < 7 else u(0.5, 1.2),
        mastoid_air=float(np.interp(age_years, [0, 2, 10], [0.4, 0.6, 1.0])) * u(0.8, 1.1),
        orbit_z=u(-41, -35),
        noise_hu=u(3.0, 4.5),
    )


@dataclass(frozen=True)
class AirCells:
    """A pneumatized cavity (or an orbit's globe): its index box, air weight, and centre/semi-axes in mm."""

    box: tuple
    weight: np.ndarray
    center: tuple
    semi: tuple


@dataclass
class Head:
    """The rendered head: noiseless HU volume and the tissue fields findings are placed by."""

    geom: Geometry
    params: HeadParams
    hu: np.ndarray  # float32 (S, N, N)
    depth: np.ndarray  # mm below the scalp surface
    intracranial: np.ndarray  # mm inside the cranial cavity (negative outside)
    brain: np.ndarray  # parenchyma weight (0..1), ventricles and sulci excluded
    white: np.ndarray  # white matter weight
    sulci: np.ndarray  # sulcal and cisternal CSF weight
    ventricles: np.ndarray  # ventricular CSF weight
    xb: np.ndarray  # brain x coordinate (after midline shift), mm
    phi: np.ndarray  # in-plane angle of each voxel around the head centre
    air_cells: dict  # name -> AirCells of sinuses, mastoids and globes


def local_box(geom: Geometry, p: HeadParams, center, half):
    """Index box around a head-relative centre, and the head-relative (z, y, x) coordinates inside it."""
    cz, cy, cx = center
    box = geom.box((cz, cy + p.center[0], cx + p.center[1]), half)
    z, y, x = geom.box_grid(box)
    return box, z, y - p.center[0], x - p.center[1]


def _ramp(sd, px):
    """Weight of "sd > 0" (inside when positive), linear across a voxel; in place on a fresh array."""
    out = np.multiply(sd, np.float32(1.0 / px), dtype=np.float32)
    out += np.float32(0.5)
    return np.clip(out, 0.0, 1.0, out=out)


def head_geometry(geom: Geometry, p: HeadParams) -> Geometry:
    """The crop of the field of view that holds the head, with room for scalp swelling."""
    cy, cx = p.center
    hy, hx = p.half_length * 1.08 + 25.0, p.half_width * 1.12 + 22.0
    return geom.crop((cy - hy, cy + hy), (cx - hx, cx + hx))


def _outline(geom: Geometry, p: HeadParams):
    """Depth below the scalp surface, in-plane angle, and the head's local radius."""
    z, y, x = geom.grid()
    yy, xx = y - p.center[0], x - p.center[1]
    phi = np.arctan2(yy, xx)
    a2, p2, a3, p3 = p.harmonics
    mod = 1.0 + a2 * np.cos(2 * phi + p2) + a3 * np.cos(3 * phi + p3)
    width = p.half_width * (1.0 + 0.07 * yy / p.half_length)  # wider at the back: egg-shaped
    q2 = ((xx / width) ** 2 + (yy / p.half_length) ** 2) / mod**2
    r_local = np.sqrt(xx**2 + yy**2) / np.maximum(np.sqrt(q2), 1e-3)
    zz = np.where(z > p.z0, (z - p.z0) / p.dome, (z - p.z0) / (p.dome * 1.7))
    rho = np.sqrt(q2 + zz**2)
    depth = ((1.0 - rho) * np.minimum(r_local, p.dome)).astype(np.float32)
    return depth, phi.astype(np.float32), z, yy, xx


def _floor(p: HeadParams, y, x):
    """Height of the cranial floor: anterior, middle and posterior fossae (mm)."""
    s = p.scale
    sig = lambda t: 1.0 / (1.0 + np.exp(-t))  # noqa: E731
    ant = sig((-y - 30 * s) / 4)
    post = sig((y - 8 * s - 0.45 * np.abs(x)) / 4)
    lat = sig((np.abs(x) - 19 * s) / 4)
    front = -27.0 + 4.0 * sig((np.abs(x) - 12) / 4)  # orbital roofs a little above the cribriform plate
    middle = lat * -50.0 + (1 - lat) * -33.0
    return (post * -64.0 + (1 - post) * (ant * front + (1 - ant) * middle)).astype(np.float32)


def _sulcal_phase(p: HeadParams, phi, z, bdepth):
    """Angular phase whose crests are sulci: radial clefts that wander with height and depth."""
    ph = p.sulcal_phases
    wander = (
        1.6 * np.sin(3 * phi + ph[0] + z / 23.0)
        + 1.1 * np.sin(5 * phi + ph[1] - z / 14.0)
        + 0.7 * np.sin(9 * phi + ph[2] + z / 9.0)
    )
    curl = 0.22 * bdepth * np.sin(2 * phi + ph[3] + z / 30.0) + 0.6 * np.sin(bdepth / 2.5 + 7 * phi + ph[5])
    return p.sulcal_count * phi + wander + curl


def _cortex(p: HeadParams, phi, z, bdepth, px, yy, xb):
    """Gray-matter and sulcal-CSF weights of the cerebral cortex: primary sulci with shallower branches."""
    phase = _sulcal_phase(p, phi, z, bdepth)
    c = np.cos(phase)
    # Near the vertex the cortex is cut tangentially: gyri look like a mosaic, not spokes.
    top = np.flatnonzero(np.ravel(z) > 35.0)
    if top.size and c.ndim == 3 and c.shape[0] == np.size(z):
        t = np.clip((np.ravel(z)[top] - 35.0) / 25.0, 0, 1)[:, None, None]
        x_t = xb[top] if xb.shape[0] > 1 else xb
        ph = p.sulcal_phases
        # Gyri at the vertex run roughly from the midline outwards, wavy, like the pre- and postcentral gyri.
        lines = yy + 7.0 * np.sin(np.abs(x_t) / 11.0 + ph[5]) + 3.0 * np.sin(x_t / 4.0 + yy / 9.0 + ph[6])
        conc = np.cos(2 * np.pi * lines / 12.0)
        c[top] = (1 - t) * c[top] + t * conc
    # Branches follow a second, sparser family; an integer multiple of phi keeps it seamless at +-pi.
    m2 = round(0.55 * p.sulcal_count)
    c2 = np.cos(m2 * phi + 0.7 * (phase - p.sulcal_count * phi) + 2.1 * np.sin(4 * phi + p.sulcal_phases[6] - z / 11.0))
    depth_limit = p.sulcal_depth * (1.0 + 0.35 * np.sin(4 * phi + p.sulcal_phases[4] + z / 17.0))
    frac = np.clip(bdepth / depth_limit, 0, 1)  # sulci taper from the surface to their fundus
    w = p.sulcal_width * (0.22 - 0.16 * frac)
    sulcus = np.clip((c - (1.0 - w)) / (0.5 * w), 0, 1) * _ramp(depth_limit - bdepth, px)
    branch = np.clip((c2 - (1.0 - 0.6 * w)) / (0.3 * w), 0, 1) * _ramp(0.55 * depth_limit - bdepth, px)
    sulcus = np.maximum(sulcus, branch)
    ribbon = np.clip((np.maximum(c, c2 - 0.3) - 0.05) / 0.3, 0, 1) * _ramp(depth_limit + 2.5 - bdepth, px)
    surface = _ramp(2.8 - bdepth, px)  # the outer cortical ribbon
    gray = np.maximum(ribbon, surface)
    return gray, sulcus


def _deep_structures(geom, p: HeadParams, gray, ventricles, zb, yb, xb, box):
    """Basal ganglia, thalami, ventricles, fissures and the posterior fossa inside `box`."""
    s, vs, px = p.scale, p.ventricle_scale, geom.pixel_mm
    z, y, x = zb[box], yb[box] if yb.ndim == 3 else yb[:, box[1]], xb[box]
    g = np.zeros(np.broadcast_shapes(z.shape, y.shape, x.shape), np.float32)
    v = np.zeros_like(g)
    for side in (-1, 1):
        for c, semi in (
            ((0, -14 * s, side * 13 * s), (11, 9, 5)),  # caudate head
            ((-6, -4 * s, side * 23 * s), (10, 14, 6)),  # lentiform nucleus
            ((-4, 12 * s, side * 10 * s), (11, 12, 8)),  # thalamus
        ):
            g = np.maximum(g, shapes.inside(shapes.ellipsoid(z, y, x, c, [v_ * s for v_ in semi]), px))
        r = 4.2 * s * vs
        for a, b, rad in (
            ((6, -32 * s, side * 9 * s), (14, 10 * s, side * 12 * s), (r, r * 1.1)),  # frontal horn and body
            ((14, 10 * s, side * 12 * s), (6, 30 * s, side * 17 * s), (r * 1.1, r * 1.3)),  # atrium
            ((6, 30 * s, side * 17 * s), (2, 44 * s, side * 15 * s), (r * 1.1, 1.5)),  # occipital horn
            ((-2, 14 * s, side * 20 * s), (-26, -14 * s, side * 28 * s),
             (1.6 * p.temporal_horn_scale * vs, 1.0 * p.temporal_horn_scale)),  # temporal horn
        ):
            v = np.maximum(v, shapes.inside(shapes.capsule(z, y, x, a, b, rad), px))
    v = np.maximum(v, shapes.inside(shapes.ellipsoid(z, y, x, (-12, 0, 0), (9, 11 * s, 1.5 * vs)), px))  # third
    v = np.maximum(v, shapes.inside(shapes.ellipsoid(z, y, x, (-42, 22 * s, 0), (8, 4 * s, 6 * s * vs)), px))  # 4th
    v *= 1.0 - shapes.inside(np.abs(x) - 0.8, px) * (z > -20)  # septum pellucidum
    gray[box] = np.maximum(gray[box] * (1 - v), g * (1 - v))
    ventricles[box] = v


def render_head(geom: Geometry, p: HeadParams) -> Head:
    """Render the noiseless head volume and its tissue fields, on the crop of `geom` around the head."""
    geom = head_geometry(geom, p)
    px = geom.pixel_mm
    s = p.scale
    depth, phi, z, yy, xx = _outline(geom, p)
    scalp = p.scalp_mm
    inner = depth - (scalp + p.skull_mm)
    ic = np.minimum(inner, z - _floor(p, yy, xx))
    # Midline shift: deep structures move towards -side; the cortex under the skull stays put.
    if p.shift_mm:
        r2 = (xx / 60.0) ** 2 + ((yy + 5) / 80.0) ** 2 + ((z - p.shift_z) / 45.0) ** 2
        bump = np.clip(1.0 - r2, 0, None) ** 2  # compact: the shift fades to nothing away from the lesion
        xb = (xx + p.shift_side * p.shift_mm * bump * np.clip(ic / 18.0, 0, 1)).astype(np.float32)
        phib = np.arctan2(np.broadcast_to(yy, xb.shape), xb).astype(np.float32)
    else:
        xb = np.broadcast_to(xx, depth.shape).astype(np.float32)
        phib = phi
    bdepth = ic - p.gap_mm
    gray, sulcus = _cortex(p, phib, z, bdepth, px, yy, xb)
    gray = np.broadcast_to(gray, depth.shape).copy()
    ventricles = np.zeros(depth.shape, np.float32)
    zb = np.broadcast_to(z, depth.shape)
    box = local_box(geom, p, (0, -5, 0), (36, 55 * s, 40 * s))[0]
    _deep_structures(geom, p, gray, ventricles, zb, np.broadcast_to(yy, depth.shape), xb, box)
    # Interhemispheric fissure with the falx, supratentorial only.
    supra = _ramp(z - (_floor(p, yy, xx) + 20.0), px)
    fissure = shapes.inside(np.abs(xb) - 0.9 * p.sulcal_width - 0.6 * (p.gap_mm - 1), px) * supra
    falx = shapes.inside(np.abs(xb) - 0.45, px) * supra * _ramp(np.abs(yy + 10) * -1 + 70 * s, px)
    sulci = np.maximum(np.maximum(sulcus, fissure) * _ramp(bdepth + 0.5, px), 0)
    brain_w = _ramp(bdepth, px)
    parenchyma = brain_w * (1 - sulci) * (1 - ventricles)
    white = parenchyma * (1 - gray)
    brain_hu = p.white + (p.gray - p.white) * gray
    brain_hu = brain_hu + (p.csf - brain_hu) * np.maximum(sulci, ventricles)
    brain_hu = brain_hu + (65.0 - brain_hu) * falx * 0.8
    # Layers from the outside in: skin, subcutaneous fat, galea, bone tables and diploe, CSF, brain.
    bone_depth = np.minimum(depth - scalp, -ic)
    bone = p.table_hu + (p.diploe_hu - p.table_hu) * _ramp(bone_depth - 1.6, px)
    hu = AIR + (50.0 - AIR) * _ramp(depth, px)
    hu += (FAT - 50.0) * _ramp(depth - 1.0, px) * (1 - _ramp(depth - 2.8, px))
    bone_w = _ramp(depth - scalp, px)
    ic_w = _ramp(ic, px)
    # Below the cranial floor's bony plate lies the face: soft tissue, later carved by orbits and sinuses.
    face_w = _ramp(-ic - 4.5 * s, px) * _ramp(inner - 1.0, px)
    bone = bone + (42.0 - bone) * face_w
    hu = hu * (1 - bone_w) + bone_w * (bone * (1 - ic_w) + ic_w * (p.csf * (1 - brain_w) + brain_w * brain_hu))
    hu = hu.astype(np.float32)
    head = Head(geom, p, hu, depth, ic.astype(np.float32), parenchyma.astype(np.float32), white.astype(np.float32),
                (sulci * brain_w).astype(np.float32), ventricles, xb, phib if phib.ndim == 3 else phi, {})
    _posterior_fossa(head, z, yy, xx, bdepth)
    _skull_base(head, yy, xx)
    _orbits(head)
    return head


def _posterior_fossa(head: Head, z, yy, xx, bdepth):
    """Cerebellum with folia, vermis, brainstem and basal cisterns below the tentorium."""
    p, px, s = head.params, head.geom.pixel_mm, head.params.scale
    box, z_, y_, x_ = local_box(head.geom, p, (-35, 20 * s, 0), (30, 50 * s, 70 * s))
    tent = -14.0 - 0.18 * (y_ - 10) + 6.0 * np.exp(-(x_**2) / 300.0)
    below = _ramp(tent - z_, px) * _ramp(y_ - 4 * s - 0.45 * np.abs(x_), px)
    bd = bdepth[box]
    wave = 2 * np.pi * bd / 3.8 + 1.2 * np.sin(x_ / 7.0 + y_ / 11.0) + 0.8 * np.sin(x_ / 3.0)
    breaks = np.clip(np.sin(x_ / 6.0 + 2.0 * np.sin(y_ / 9.0)) * np.sin(z_ / 7.0 + y_ / 13.0) + 0.35, 0, 1)
    folia = 0.45 * np.clip((np.cos(wave) - 0.8) / 0.2, 0, 1) * _ramp(14 - bd, px) * breaks  # faint at CT resolution
    stem = shapes.inside(shapes.ellipsoid(z_, y_, x_, (-34, 4 * s, 0), (30, 11 * s, 13 * s)), px)
    below_or_stem = np.maximum(below, stem * _ramp(-z_ - 16, px))
    brain_in_box = head.brain[box].copy()  # parenchyma weight before the posterior fossa overrides it
    tissue = (p.gray - 3.0) * (1 - folia) + p.csf * folia
    tissue = tissue + (p.white + 2.0 - tissue) * stem
    cistern = shapes.inside(shapes.ellipsoid(z_, y_, x_, (-22, -14 * s, 0), (6, 9 * s, 12 * s)), px)
    cistern *= 1 - shapes.inside(shapes.ellipsoid(z_, y_, x_, (-22, -14 * s, 0), (6, 3 * s, 4 * s)), px)
    w = below_or_stem * _ramp(bd, px) * (1 - head.ventricles[box])
    hu = head.hu[box]
    hu += (tissue - hu) * w
    hu += (p.csf - hu) * cistern * _ramp(head.intracranial[box], px)
    head.white[box] *= 1 - below_or_stem
    head.sulci[box] = np.maximum(head.sulci[box] * (1 - below_or_stem), np.maximum(folia * w, cistern))
    head.brain[box] = np.maximum(brain_in_box * (1 - below_or_stem), w * (1 - folia))


def _air_cells(head: Head, name, center, semi, cell_mm, air_fraction, septum=400.0):
    """Paint a pneumatized cavity (sinus or mastoid) in bone: air cells with thin bony septa."""
    px = head.geom.pixel_mm
    box, z, y, x = local_box(head.geom, head.params, center, [v + 3 for v in semi])
    w = shapes.inside(shapes.ellipsoid(z, y, x, center, semi), px)
    wall = [v + 1.5 for v in semi]
    shapes.paint(head.hu, box, shapes.inside(shapes.ellipsoid(z, y, x, center, wall), px), 1100.0)
    if cell_mm:
        # Incommensurate waves: irregular cells with thin septa, not a checkerboard.
        cells = (np.sin(x / cell_mm + 1.3 + 0.8 * np.sin(y / 3.1)) * np.sin(y / (cell_mm * 1.2) + 0.9 * np.sin(x / 2.3))
                 * np.sin(z / cell_mm + 0.7 + 0.5 * np.sin((x + y) / 4.1)))
        cells = np.abs(cells) ** 0.5
        w = w * np.clip((cells - 0.25 + air_fraction * 0.3) / 0.15, 0, 1)
        shapes.paint(head.hu, box, shapes.inside(shapes.ellipsoid(z, y, x, center, semi), px), septum)
    shapes.paint(head.hu, box, w, AIR)
    head.air_cells[name] = AirCells(box, w, tuple(center), tuple(semi))


def _skull_base(head: Head, yy, xx):
    """Petrous bones, sinuses, mastoid air cells, nasal cavity and the nose."""
    p, s, px = head.params, head.params.scale, head.geom.pixel_mm
    for side in (-1, 1):
        box, z, y, x = local_box(head.geom, p, (-46, 15 * s, side * 38 * s), (9, 16 * s, 24 * s))
        ridge = shapes.capsule(z, y, x, (-45, 3 * s, side * 18 * s), (-44, 24 * s, side * 56 * s), 6.0 * s)
        shapes.paint(head.hu, box, shapes.inside(ridge, px), 1700.0)
        if p.mastoid_air > 0.05:
            _air_cells(head, f"mastoid_{'left' if side > 0 else 'right'}",
                       (-44, 24 * s, side * (p.half_width - 15 * s)), (9 * s, 11 * s, 9 * s), 1.6, -0.4 + 0.6 * p.mastoid_air)
    _air_cells(head, "sphenoid", (-44, -30 * s, 0), (8, 11 * s, 14 * s), 0, 0)
    _air_cells(head, "ethmoid", (-36, -60 * s, 0), (11, 17 * s, 10 * s), 1.3, 0.3)
    for side in (-1, 1):
        _air_cells(head, f"maxillary_{'left' if side > 0 else 'right'}",
                   (-59, -55 * s, side * 28 * s), (11, 15 * s, 13 * s), 0, 0)
    if p.frontal_sinus > 0.05:
        f = p.frontal_sinus
        cz, cy = -8.0, -(p.half_length - p.scalp_mm - 5.0 * s)
        box, z, y, x = local_box(head.geom, p, (cz, cy, 0), (14 * f, 9 * s, 22 * f))
        shapes.paint(head.hu, box, shapes.inside(shapes.ellipsoid(z, y, x, (cz, cy, 0), (12 * f, 7 * s, 19 * f)), px),
                     p.table_hu)
        _air_cells(head, "frontal", (cz, cy, 0), (9 * f, 4 * s, 15 * f), 0, 0)
    # Nasal cavity between the maxillary sinuses, with a septum.
    box, z, y, x = local_box(head.geom, p, (-60, -72 * s, 0), (10, 22 * s, 12 * s))
    nasal = shapes.inside(shapes.ellipsoid(z, y, x, (-62, -72 * s, 0), (10, 20 * s, 10 * s)), px)
    nasal *= 1 - shapes.inside(np.abs(x) - 1.0, px)
    shapes.paint(head.hu, box, nasal, AIR)


def _orbits(head: Head):
    """Globes with lenses, retrobulbar fat, optic nerves and orbital walls, anterior to the skull base."""
    p, s, px = head.params, head.params.scale, head.geom.pixel_mm
    oz = p.orbit_z
    for side in (-1, 1):
        gy, gx = -(p.half_length - 22 * s), side * 31 * s
        apex = (oz - 2, -30 * s, side * 13 * s)
        box, z, y, x = local_box(head.geom, p, (oz, gy + 10, gx), (16, 36 * s, 22 * s))
        r = 11.5 * s
        shapes.paint(head.hu, box, shapes.inside(shapes.capsule(z, y, x, (oz, gy, gx), apex, (r + 3, 4.5)), px), 800.0)
        shapes.paint(head.hu, box, shapes.inside(shapes.capsule(z, y, x, (oz, gy, gx), apex, (r + 1.5, 3)), px), FAT)
        front = shapes.capsule(z, y, x, (oz, gy, gx), (oz, gy - 40 * s, gx), r + 1.0)
        shapes.paint(head.hu, box, shapes.inside(front, px) * _ramp(head.depth[box], px), 40.0)
        for dx in (-1, 1):  # medial and lateral rectus
            m = shapes.capsule(z, y, x, (oz, gy + 4, gx + dx * (r - 1)), apex, (2.2, 1.5))
            shapes.paint(head.hu, box, shapes.inside(m, px), 45.0)
        nerve = shapes.capsule(z, y, x, (oz, gy, gx), apex, 2.0)
        shapes.paint(head.hu, box, shapes.inside(nerve, px), 32.0)
        globe = shapes.ellipsoid(z, y, x, (oz, gy, gx), (r, r, r))
        shapes.paint(head.hu, box, shapes.inside(globe, px), 45.0)
        shapes.paint(head.hu, box, shapes.inside(globe + 1.0, px), 9.0)
        lens = shapes.ellipsoid(z, y, x, (oz, gy - r + 2.5, gx), (3.5, 1.8, 4.5))
        shapes.paint(head.hu, box, shapes.inside(lens, px), 110.0)
        head.air_cells[f"orbit_{'left' if side > 0 else 'right'}"] = AirCells(box, shapes.inside(globe, px), (oz, gy, gx), (r, r, r))


def with_changes(p: HeadParams, **changes) -> HeadParams:
    return replace(p, **changes)
