#!/usr/bin/python3
"""A second, independently made synthetic abdominal CT dataset in the AMOS / Decathlon layout.

    make_independent_amos.py OUT [--count N] [--size S] [--spacing MM] [--seed K]
                                 [--verify] [--ascii CASE] [--ascii-slice K ...]

writes OUT/imagesTr/amosind_%04d.nii.gz (int16 HU), OUT/labelsTr/amosind_%04d.nii.gz (uint8) and
OUT/dataset.json (Decathlon style, AMOS label indices: 1 spleen, 2 right kidney, 3 left kidney,
4 gall bladder, 6 liver, 7 stomach, 8 aorta, 9 postcava, 10 pancreas; the other AMOS organs are
left out on purpose). Defaults: 12 cases, 64^3 voxels, 3.0 mm isotropic, seed 11.

Why it exists: a method tuned on the project's own phantoms (core/PhantomGenerator.cpp, which
this script was written without looking at) may be tuned to that generator. This one is made
differently on purpose:

- every organ is a union of 2-4 rotated superellipsoids and/or tubes around a Catmull-Rom curve
  (aorta and postcava are curved tubes along z, the stomach a curved J-shaped bean, the pancreas
  a tapering tube from head to tail plus an uncinate blob, the liver a big right lobe plus a left
  lobe and optional dome / inferior lobes), painted in a fixed priority order so that organs never
  overlap (vessels, kidneys, spleen, gall bladder, pancreas, stomach, then liver), then each organ
  keeps its largest 6-connected component;
- per case: a global shift (+-8 mm) and per-axis scale (+-10 %), a per-organ shift and scale,
  jittered blob centres / axes / rotations / exponents, and a smooth random displacement field
  (sums of long-wavelength cosines, a few mm) that bends everything, body outline included;
- the body is a superellipse cross-section whose half-axes vary along z, with subcutaneous fat,
  an abdominal muscle wall, psoas and paraspinal muscles, a spine (vertebral bodies with a cortical
  rim, discs, canal, arch and processes), ribs in the upper part, lung bases above a domed
  diaphragm, and a bowel / mesenteric-fat texture filling the rest of the cavity;
- intensities are drawn per case around CT means (liver 55-65, spleen 45-55, kidneys 150-180,
  aorta 180-220, postcava 120-160, pancreas 40-50, stomach 10-30 with texture, gall bladder 5-15),
  plus an additive low-frequency bias field, a separable Gaussian partial-volume blur (sigma
  0.7-0.9 voxel, numpy 1-D convolutions) and Gaussian noise (SD 12-18 HU).

Geometry: the anatomy is laid out in millimetres for an adult about 330 mm wide; when the field of
view (S x spacing) is smaller than that (64 x 3 mm = 192 mm), the anatomy is scaled down to fit,
so organs keep their proportions to the volume whatever S and the spacing are. Coordinates are
LPS (+x patient left, +y posterior, +z superior); voxel (i, j, k) sits at LPS
((i - c) s, (j - c) s, (k - c) s), c = (S - 1) / 2, i.e. the volume is centred on the world origin.
NIfTI stores RAS, so the affine is diag(-s, -s, s) with that centring, qform = sform code 1. The
numpy arrays are [i, j, k] (nibabel writes them with i fastest, as ITK reads it).

Deterministic per (seed, case index): case n uses numpy.random.default_rng([seed, n]), so
--count only decides how many cases are written. Needs only numpy and nibabel (Debian 12:
python3-numpy, python3-nibabel); run with /usr/bin/python3.

--verify reloads every written file with nibabel and checks shapes, dtypes, affines, qform/sform
codes and the label set, and prints per-case voxel counts and mean HU per organ (all voxels, and
the interior: eroded by one voxel, i.e. without the partial-volume rim). --ascii CASE prints the
label map of that case's middle axial slice (or --ascii-slice K) as text, in radiological view:
anterior at the top, the patient's right on the left.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import nibabel as nib

LABELS = {
    0: "background",
    1: "spleen",
    2: "right kidney",
    3: "left kidney",
    4: "gall bladder",
    6: "liver",
    7: "stomach",
    8: "aorta",
    9: "postcava",
    10: "pancreas",
}
ORGANS = [k for k in LABELS if k]
# Painting order: an organ only takes voxels no earlier organ took.
PRIORITY = [8, 9, 2, 3, 1, 4, 10, 7, 6]
# Per-case mean HU ranges.
HU_RANGE = {
    1: (45.0, 55.0),
    2: (150.0, 180.0),
    3: (150.0, 180.0),
    4: (5.0, 15.0),
    6: (55.0, 65.0),
    7: (10.0, 30.0),
    8: (180.0, 220.0),
    9: (120.0, 160.0),
    10: (40.0, 50.0),
}
# Texture SD (HU, before noise and blur) inside each organ.
TEXTURE_SD = {1: 4.0, 2: 6.0, 3: 6.0, 4: 2.0, 6: 4.0, 7: 10.0, 8: 2.0, 9: 3.0, 10: 6.0}
# Nominal adult: body half-width x half-depth (mm) before per-case variation.
BODY_HALF_WIDTH = 160.0
BODY_HALF_DEPTH = 118.0
# Largest half-width the body can reach (variation, scaling, shift, displacement): what must fit.
BODY_MAX_HALF_WIDTH = 185.0
# At least this much organ volume (nominal mm^3; 30 voxels of a 64^3, 3 mm case).
PREFIX = "amosind"

# Background tissue classes.
AIR, FAT, MUSCLE, VISCERA, CORTEX, CANCELLOUS, DISC, CSF, LUNG, MEDIASTINUM = range(10)


# ----------------------------------------------------------------------------------------------
# Shapes: each tests points X (N x 3, nominal patient LPS mm) and has a bounding box.

def rotation(ax, ay, az):
    """Rz(az) @ Ry(ay) @ Rx(ax), angles in radians."""
    cx, sx, cy, sy, cz, sz = math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay), math.cos(az), math.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


class SuperEllipsoid:
    """(|u|^(2/e2) + |v|^(2/e2))^(e2/e1) + |w|^(2/e1) <= 1 in the blob's rotated, scaled frame."""

    def __init__(self, centre, axes, rot, e1=1.0, e2=1.0):
        self.c = np.asarray(centre, float)
        self.a = np.asarray(axes, float)
        self.r = np.asarray(rot, float)
        self.e1, self.e2 = e1, e2

    def transformed(self, origin, scale, shift):
        return SuperEllipsoid(origin + (self.c - origin) * scale + shift, self.a * scale, self.r, self.e1, self.e2)

    def bbox(self):
        half = np.abs(self.r) @ self.a  # the box around the rotated half-axes box
        return self.c - half, self.c + half

    def inside(self, x):
        q = ((x - self.c) @ self.r) / self.a
        q = np.abs(q)
        uv = (q[:, 0] ** (2.0 / self.e2) + q[:, 1] ** (2.0 / self.e2)) ** (self.e2 / self.e1)
        return uv + q[:, 2] ** (2.0 / self.e1) <= 1.0


def catmull_rom(points, samples_per_segment):
    p = np.asarray(points, float)
    p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    for s in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[s - 1], p[s], p[s + 1], p[s + 2]
        last = s == len(p) - 3
        for t in np.linspace(0.0, 1.0, samples_per_segment, endpoint=last):
            t2, t3 = t * t, t * t * t
            out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2
                              + (-p0 + 3 * p1 - 3 * p2 + p3) * t3))
    return np.array(out)


class Tube:
    """Points within radius r(t) of a Catmull-Rom curve through control points (radii interpolated)."""

    def __init__(self, controls, radii):
        self.controls = np.asarray(controls, float)
        self.radii = np.asarray(radii, float)
        length = float(np.sum(np.linalg.norm(np.diff(self.controls, axis=0), axis=1)))
        per_segment = max(4, int(math.ceil(length / (len(self.controls) - 1) / (0.3 * self.radii.min()))))
        self.centres = catmull_rom(self.controls, per_segment)
        t_ctrl = np.linspace(0.0, 1.0, len(self.controls))
        t_samp = np.linspace(0.0, 1.0, len(self.centres))
        self.rs = np.interp(t_samp, t_ctrl, self.radii)

    def transformed(self, origin, scale, shift):
        return Tube(origin + (self.controls - origin) * scale + shift, self.radii * scale)

    def bbox(self):
        return (self.centres - self.rs[:, None]).min(axis=0), (self.centres + self.rs[:, None]).max(axis=0)

    def inside(self, x):
        hit = np.zeros(len(x), bool)
        for c, r in zip(self.centres, self.rs):
            d = x - c
            hit |= np.einsum("ij,ij->i", d, d) <= r * r
        return hit


class ZTube:
    """A tube along z: elliptical cross-section around (x0 + ax sin(.), y0 + ay sin(.) + dy z)."""

    def __init__(self, x0, y0, ax, ay, wavelength, phase, rx, ry, taper, dy, z0, z1):
        self.p = dict(x0=x0, y0=y0, ax=ax, ay=ay, wavelength=wavelength, phase=phase, rx=rx, ry=ry,
                      taper=taper, dy=dy, z0=z0, z1=z1)

    def transformed(self, origin, scale, shift):
        p = dict(self.p)
        p["x0"] = origin[0] + (p["x0"] - origin[0]) * scale + shift[0]
        p["y0"] = origin[1] + (p["y0"] - origin[1]) * scale + shift[1]
        p["z0"] = origin[2] + (p["z0"] - origin[2]) * scale + shift[2]
        p["z1"] = origin[2] + (p["z1"] - origin[2]) * scale + shift[2]
        p["rx"] *= scale
        p["ry"] *= scale
        return ZTube(**p)

    def bbox(self):
        p = self.p
        grow = 1.0 + abs(p["taper"]) * 1.5
        ex = abs(p["ax"]) + p["rx"] * grow
        ey = abs(p["ay"]) + p["ry"] * grow + abs(p["dy"]) * max(abs(p["z0"]), abs(p["z1"]))
        return np.array([p["x0"] - ex, p["y0"] - ey, p["z0"]]), np.array([p["x0"] + ex, p["y0"] + ey, p["z1"]])

    def inside(self, x):
        p = self.p
        z = x[:, 2]
        w = 2 * math.pi * z / p["wavelength"] + p["phase"]
        cx = p["x0"] + p["ax"] * np.sin(w)
        cy = p["y0"] + p["ay"] * np.sin(0.7 * w + 1.0) + p["dy"] * z
        g = 1.0 + p["taper"] * z / 150.0
        u = (x[:, 0] - cx) / (p["rx"] * g)
        v = (x[:, 1] - cy) / (p["ry"] * g)
        return (u * u + v * v <= 1.0) & (z >= p["z0"]) & (z <= p["z1"])


def shapes_mask(shapes, pts, grid_shape):
    """Union of the shapes over the flat point array pts (N x 3), as a boolean array of grid_shape."""
    out = np.zeros(len(pts), bool)
    for sh in shapes:
        lo, hi = sh.bbox()
        sel = np.all((pts >= lo) & (pts <= hi), axis=1)
        idx = np.nonzero(sel & ~out)[0]
        if len(idx):
            out[idx] = sh.inside(pts[idx])
    return out.reshape(grid_shape)


# ----------------------------------------------------------------------------------------------
# Random organ layouts (nominal patient LPS mm, origin at the body centre around L1).

def build_organs(rng):
    u = rng.uniform
    deg = math.pi / 180.0

    def jit(v, sd):
        return np.asarray(v, float) + rng.normal(0.0, sd, size=len(v))

    def blob(centre, axes, angles_deg, jitter_deg=12.0, centre_sd=4.0, e_lo=0.7, e_hi=1.0):
        ang = [(a + rng.normal(0.0, jitter_deg)) * deg for a in angles_deg]
        return SuperEllipsoid(jit(centre, centre_sd), np.asarray(axes) * u(0.88, 1.12, 3),
                              rotation(*ang), u(e_lo, e_hi), u(e_lo, e_hi))

    def satellite(core, frac_lo=0.45, frac_hi=0.7):
        """A smaller blob centred inside the core blob (so the union stays connected)."""
        direction = rng.normal(size=3)
        direction /= np.linalg.norm(direction)
        offset = core.r @ (core.a * direction * u(0.3, 0.6))
        ang = rng.uniform(-math.pi, math.pi, 3)
        return SuperEllipsoid(core.c + offset, core.a * u(frac_lo, frac_hi, 3), rotation(*ang),
                              u(0.7, 1.0), u(0.7, 1.0))

    organs = {}

    # Aorta: left-anterior of the spine, ends at the bifurcation (~L4).
    organs[8] = [ZTube(x0=14 + rng.normal(0, 2), y0=21 + rng.normal(0, 2), ax=u(2, 6), ay=u(1, 4),
                       wavelength=u(220, 360), phase=u(0, 2 * math.pi), rx=u(10, 12.5), ry=u(10, 12.5),
                       taper=u(0.05, 0.15), dy=u(-0.03, 0.0), z0=u(-140, -120), z1=400.0)]
    # Postcava (IVC): right of the spine, flatter, more anterior up high.
    organs[9] = [ZTube(x0=-25 + rng.normal(0, 2), y0=20 + rng.normal(0, 2), ax=u(2, 5), ay=u(1, 4),
                       wavelength=u(200, 340), phase=u(0, 2 * math.pi), rx=u(11, 14), ry=u(8, 10.5),
                       taper=u(0.0, 0.1), dy=u(-0.12, -0.06), z0=u(-150, -135), z1=400.0)]

    # Kidneys: posterior, hilum anteromedial, upper poles medial; the right one lower.
    for label, side, zc in ((2, -1.0, -35.0), (3, 1.0, -15.0)):
        core = blob([side * 66, 54, zc + rng.normal(0, 5)], [24, 28, 50],
                    [0, side * -12, side * 30], e_lo=0.85, e_hi=1.0)
        parts = [core]
        for _ in range(rng.integers(1, 3)):
            pole = core.r @ np.array([0.0, 0.0, rng.choice([-1.0, 1.0]) * core.a[2] * u(0.35, 0.55)])
            parts.append(SuperEllipsoid(core.c + pole + rng.normal(0, 2, 3), core.a * [u(0.7, 0.9), u(0.7, 0.9),
                                        u(0.45, 0.6)], core.r @ rotation(*(rng.normal(0, 0.15, 3))),
                                        u(0.85, 1.0), u(0.85, 1.0)))
        organs[label] = parts

    # Spleen: left posterolateral, long axis along the ribs.
    core = blob([92, 45, 50], [24, 44, 42], [10, 0, 35])
    organs[1] = [core] + [satellite(core, 0.5, 0.75) for _ in range(rng.integers(1, 3))]

    # Gall bladder: fundus anterior-inferior under the liver, neck up and back.
    body = blob([-50, -52, -15], [14, 16, 30], [-30, 10, 0], e_lo=0.9, e_hi=1.0)
    neck_dir = body.r @ np.array([0.0, 0.0, body.a[2] * 0.8])
    neck = SuperEllipsoid(body.c + neck_dir, body.a * [0.6, 0.6, 0.5], body.r, 1.0, 1.0)
    organs[4] = [body, neck]

    # Pancreas: head by the duodenum, body anterior to the aorta, tail towards the splenic hilum.
    ctrl = [jit(p, 4) for p in ([-32, -6, -14], [-8, -10, -2], [28, -4, 10], [62, 12, 20], [84, 32, 28])]
    radii = np.array([15, 9.5, 10, 9.5, 8]) * u(0.88, 1.12)
    tube = Tube(ctrl, radii)
    uncinate = blob([-20, 0, -28], [11, 8, 12], [0, 0, 20], centre_sd=2.0)
    organs[10] = [tube, uncinate]
    if rng.random() < 0.5:
        organs[10].append(blob([ctrl[2][0], ctrl[2][1], ctrl[2][2]], [18, 8, 9], [0, 0, -10], centre_sd=2.0))

    # Stomach: fundus high on the left, J-shaped body down and forward to the antrum and pylorus.
    ctrl = [jit(p, 5) for p in ([60, 22, 98], [66, -24, 62], [36, -58, 28], [-6, -44, 14])]
    radii = np.array([34, 30, 20, 11]) * u(0.88, 1.12)
    organs[7] = [Tube(ctrl, radii), blob([56, 18, 100], [34, 32, 28], [0, 0, 20])]
    if rng.random() < 0.5:
        organs[7].append(blob([62, -30, 55], [30, 22, 30], [0, 0, -30]))

    # Liver: big right lobe, left lobe across the midline anteriorly, optional dome and inferior lobes.
    right = blob([-78, -8, 45], [62, 80, 70], [0, 0, -10], e_lo=0.75, e_hi=0.95)
    left = blob([-10, -62, 68], [60, 24, 34], [0, 0, -15], e_lo=0.75, e_hi=1.0)
    parts = [right, left]
    extra = [blob([-60, 22, 95], [55, 55, 28], [0, 0, 0]), blob([-95, -8, -12], [32, 44, 40], [0, 0, 0])]
    for i in rng.permutation(2)[: rng.integers(0, 3)]:
        parts.append(extra[i])
    organs[6] = parts

    # Per-organ shift and scale about the organ's first blob.
    for label, shapes in organs.items():
        first = shapes[0]
        if isinstance(first, ZTube):
            origin = np.array([first.p["x0"], first.p["y0"], 0.0])
        elif isinstance(first, Tube):
            origin = first.controls.mean(axis=0)
        else:
            origin = first.c
        scale = u(0.9, 1.1)
        shift = np.clip(rng.normal(0, 3, 3), -6, 6)
        organs[label] = [s.transformed(origin, scale, shift) for s in shapes]
    return organs


# ----------------------------------------------------------------------------------------------
# Fields and filters.

def gaussian_kernel(sigma):
    r = max(1, int(math.ceil(3.0 * sigma)))
    x = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return (k / k.sum()).astype(np.float32)


def gaussian_blur(a, sigma):
    """Separable Gaussian (edge-replicating borders), sigma in voxels."""
    if sigma <= 0:
        return a
    k = gaussian_kernel(sigma)
    r = len(k) // 2
    out = a.astype(np.float32)
    for axis in range(3):
        pad = [(0, 0)] * 3
        pad[axis] = (r, r)
        p = np.pad(out, pad, mode="edge")
        acc = np.zeros_like(out)
        n = out.shape[axis]
        for t, w in enumerate(k):
            sl = [slice(None)] * 3
            sl[axis] = slice(t, t + n)
            acc += w * p[tuple(sl)]
        out = acc
    return out


def smooth_noise(rng, shape, sigma):
    """Unit-SD smooth Gaussian noise (blurred white noise, renormalised)."""
    f = gaussian_blur(rng.standard_normal(shape, dtype=np.float32), sigma)
    return (f - f.mean()) / (f.std() + 1e-6)


def cosine_field(rng, x, y, z, waves, lam_lo, lam_hi, amplitude):
    """Sum of random plane cosines (wavelengths in mm) with RMS about amplitude."""
    f = np.zeros(x.shape, np.float32)
    for _ in range(waves):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        k = 2 * math.pi / rng.uniform(lam_lo, lam_hi) * d
        f += np.float32(amplitude * math.sqrt(2.0 / waves) * rng.uniform(0.6, 1.2)) * np.cos(
            np.float32(k[0]) * x + np.float32(k[1]) * y + np.float32(k[2]) * z + np.float32(rng.uniform(0, 2 * math.pi)))
    return f


def dilate6(m):
    g = m.copy()
    g[1:] |= m[:-1]
    g[:-1] |= m[1:]
    g[:, 1:] |= m[:, :-1]
    g[:, :-1] |= m[:, 1:]
    g[:, :, 1:] |= m[:, :, :-1]
    g[:, :, :-1] |= m[:, :, 1:]
    return g


def erode6(m):
    return ~dilate6(~m)


def largest_component(mask):
    """The largest 6-connected component of mask (flood fill by repeated dilation inside the bbox)."""
    nz = np.nonzero(mask)
    if len(nz[0]) == 0:
        return mask
    sl = tuple(slice(int(a.min()), int(a.max()) + 1) for a in nz)
    m = mask[sl]
    remaining = m.copy()
    left = int(remaining.sum())
    best, best_n = None, 0
    while left > best_n:
        seed = np.unravel_index(int(np.argmax(remaining)), m.shape)
        comp = np.zeros_like(m)
        comp[seed] = True
        n = 1
        while True:
            comp = dilate6(comp) & m
            n2 = int(comp.sum())
            if n2 == n:
                break
            n = n2
        remaining &= ~comp
        left -= n
        if n > best_n:
            best, best_n = comp, n
    out = np.zeros_like(mask)
    out[sl] = best
    return out


# ----------------------------------------------------------------------------------------------
# One case.

def make_case(rng, size, spacing):
    shape = (size, size, size)
    c = (size - 1) / 2.0
    half_fov = size * spacing / 2.0
    zoom = min(1.0, 0.97 * half_fov / BODY_MAX_HALF_WIDTH)  # world mm per nominal mm
    axis = ((np.arange(size, dtype=np.float32) - np.float32(c)) * np.float32(spacing / zoom))
    nx, ny, nz = np.meshgrid(axis, axis, axis, indexing="ij")  # nominal LPS mm of every voxel

    # Patient frame: undo the global shift and scale, then the smooth displacement.
    gshift = rng.uniform(-8, 8, 3)
    gscale = rng.uniform(0.9, 1.1, 3)
    px = (nx - np.float32(gshift[0])) / np.float32(gscale[0])
    py = (ny - np.float32(gshift[1])) / np.float32(gscale[1])
    pz = (nz - np.float32(gshift[2])) / np.float32(gscale[2])
    amp = rng.uniform(4.0, 7.0)
    px += cosine_field(rng, nx, ny, nz, 3, 120, 260, amp)
    py += cosine_field(rng, nx, ny, nz, 3, 120, 260, amp)
    pz += cosine_field(rng, nx, ny, nz, 3, 120, 260, amp)

    # Body outline: superellipse with z-varying half-axes.
    u = rng.uniform
    n_exp = u(2.2, 3.0)
    a = BODY_HALF_WIDTH * u(0.95, 1.05) * (1 + u(0.03, 0.06) * np.sin(2 * math.pi * pz / u(300, 500) + u(0, 6.3))
                                           + u(0.0, 0.05) * pz / 180.0)
    b = BODY_HALF_DEPTH * u(0.95, 1.05) * (1 + u(0.03, 0.06) * np.sin(2 * math.pi * pz / u(300, 500) + u(0, 6.3)))
    cy = u(-6, 2) + 4 * np.sin(2 * math.pi * pz / 400 + u(0, 6.3))
    ax_, ay_ = np.abs(px), np.abs(py - cy)

    def superellipse(shrink):
        return (ax_ / (a - shrink)) ** n_exp + (ay_ / (b - shrink)) ** n_exp <= 1.0

    fat_t, muscle_t = u(10, 22), u(7, 11)
    body = superellipse(0.0)
    inner = superellipse(fat_t)
    cavity = superellipse(fat_t + muscle_t)

    tissue = np.full(shape, AIR, np.int8)
    tissue[body] = FAT
    tissue[inner] = MUSCLE
    tissue[cavity] = VISCERA

    # Lung bases above a domed diaphragm (the right dome higher), heart / mediastinum in the middle.
    dome = 118 + 10 * (px < 0) - ((np.abs(px) - 72) ** 2) / 180.0 + u(-8, 8)
    chest = cavity & (pz > dome)
    tissue[chest] = LUNG
    tissue[chest & (np.abs(px + 10) < 55) & (py < 35)] = MEDIASTINUM

    # Spine and muscles (patient frame).
    sx = px
    psoas_r = 7 + 10 / (1 + np.exp((pz + 10) / 35))
    for side in (-1, 1):
        tissue[cavity & (((sx - side * 40) / psoas_r) ** 2 + ((py - 47) / (psoas_r * 0.9)) ** 2 <= 1)] = MUSCLE
        tissue[body & (((sx - side * 32) / 22) ** 2 + ((py - 92) / 15) ** 2 <= 1)] = MUSCLE
    period, offset = u(30, 36), u(0, 36)
    phase = ((pz - offset) / period) % 1.0
    disc = phase < 0.18
    vb = ((sx / u(18, 22)) ** 2 + ((py - 50) / u(15, 18)) ** 2) <= 1
    vb_core = ((sx / 15) ** 2 + ((py - 50) / 12.5) ** 2) <= 1
    tissue[vb & ~disc] = CORTEX
    tissue[vb_core & ~disc] = CANCELLOUS
    tissue[vb & disc] = DISC
    rr = np.sqrt(sx ** 2 + (py - 80) ** 2)
    tissue[(rr <= 15) & ~disc] = CORTEX
    tissue[rr <= 9] = CSF
    tissue[(np.abs(sx) < 5) & (py > 92) & (py < 106) & ~disc] = CORTEX
    tissue[(np.abs(sx) > 12) & (np.abs(sx) < 40) & (py > 68) & (py < 77) & (phase > 0.3) & (phase < 0.6)] = CORTEX
    spine_block = np.isin(tissue, (CORTEX, CANCELLOUS, DISC, CSF)) | (
        ((((np.abs(sx) - 32) / 22) ** 2 + ((py - 92) / 15) ** 2) <= 1))
    # Ribs: in the muscle wall, upper abdomen, lateral and posterior.
    rib_phase = ((pz - u(0, 40)) / u(34, 40)) % 1.0
    ang = np.arctan2(py - cy, px)
    ribs = inner & ~cavity & (pz > 10) & (rib_phase < 0.3) & (np.sin(ang) > -0.35)
    tissue[ribs] = CORTEX

    # Organs.
    organs = build_organs(rng)
    pts = np.stack([px.ravel(), py.ravel(), pz.ravel()], axis=1)
    allowed = cavity & ~spine_block & ~(tissue == LUNG) & ~(tissue == MEDIASTINUM)
    label = np.zeros(shape, np.uint8)
    for lab in PRIORITY:
        m = shapes_mask(organs[lab], pts, shape) & allowed & (label == 0)
        label[m] = lab
    dropped, worst = 0, 0.0
    for lab in ORGANS:
        m = label == lab
        keep = largest_component(m)
        n, k = int(m.sum()), int(keep.sum())
        dropped += n - k
        worst = max(worst, (n - k) / max(n, 1))
        label[m & ~keep] = 0

    # Intensities.
    vox_mm = spacing / zoom  # nominal mm per voxel, for texture scales
    hu = np.full(shape, -1000.0, np.float32)
    viscera_tex = smooth_noise(rng, shape, max(0.8, 9.0 / vox_mm))
    gas = smooth_noise(rng, shape, max(0.8, 5.0 / vox_mm))
    fat_hu, muscle_hu = u(-110, -90), u(40, 60)
    bowel_hu, mesentery_hu = u(20, 45), u(-95, -70)
    w = 1.0 / (1.0 + np.exp(-2.5 * (viscera_tex - u(-0.3, 0.3))))  # 1 = bowel wall / content
    classes = {
        FAT: fat_hu + 4 * viscera_tex,
        MUSCLE: muscle_hu + 3 * viscera_tex,
        VISCERA: np.where(gas > 2.3, u(-850, -650), mesentery_hu + (bowel_hu - mesentery_hu) * w),
        CORTEX: u(600, 750),
        CANCELLOUS: u(220, 350) + 15 * viscera_tex,
        DISC: u(70, 100),
        CSF: u(5, 20),
        LUNG: u(-880, -820) + 20 * viscera_tex,
        MEDIASTINUM: u(35, 50),
    }
    for cls, val in classes.items():
        m = tissue == cls
        hu[m] = val[m] if isinstance(val, np.ndarray) else val
    means = {}
    for lab in ORGANS:
        m = label == lab
        means[lab] = u(*HU_RANGE[lab])
        tex = smooth_noise(rng, shape, max(0.7, 6.0 / vox_mm))
        hu[m] = means[lab] + TEXTURE_SD[lab] * tex[m]

    bias = cosine_field(rng, nx, ny, nz, 3, 250, 500, u(3, 6))
    inside = gaussian_blur(body.astype(np.float32), 1.0)
    hu += bias * inside
    hu = gaussian_blur(hu, u(0.7, 0.9))
    hu += rng.normal(0.0, u(12, 18), shape).astype(np.float32)
    image = np.clip(np.rint(hu), -1024, 3071).astype(np.int16)
    info = {"zoom": zoom, "means": means, "dropped": dropped, "worst_dropped": worst}
    return image, label, info


def affine_for(size, spacing):
    c = (size - 1) / 2.0
    aff = np.diag([-spacing, -spacing, spacing, 1.0])
    aff[:3, 3] = [c * spacing, c * spacing, -c * spacing]  # LPS (i - c) s, negated in x and y
    return aff


def save_nifti(array, affine, path):
    img = nib.Nifti1Image(array, affine)
    img.header.set_data_dtype(array.dtype)
    img.header.set_xyzt_units("mm", "sec")
    img.set_qform(affine, code=1)
    img.set_sform(affine, code=1)
    img.header["scl_slope"] = 1.0
    img.header["scl_inter"] = 0.0
    nib.save(img, path)


# ----------------------------------------------------------------------------------------------

def organ_table(label, image, interior=False):
    out = {}
    for lab in ORGANS:
        m = label == lab
        n = int(m.sum())
        core = erode6(m) if interior else m
        out[lab] = (n, float(image[m].mean()) if n else float("nan"),
                    float(image[core].mean()) if core.any() else float("nan"))
    return out


def print_ascii(label, image, k):
    chars = {1: "S", 2: "R", 3: "K", 4: "G", 6: "H", 7: "T", 8: "A", 9: "V", 10: "P"}
    print(f"axial slice k={k} (radiological view: anterior up, patient right on the LEFT of the text)")
    print("legend: S spleen, R right kidney, K left kidney, G gall bladder, H liver, T stomach, A aorta, "
          "V postcava, P pancreas, # bone, : muscle, . other body, blank air / lung")
    size = label.shape[0]
    for j in range(label.shape[1]):
        row = []
        for i in range(size):
            lab = int(label[i, j, k])
            v = int(image[i, j, k])
            if lab:
                row.append(chars[lab])
            elif v > 300:
                row.append("#")
            elif v < -500:
                row.append(" ")
            elif v > 25:
                row.append(":")
            else:
                row.append(".")
        print("".join(row))


def verify(out, size, spacing, count):
    expected = affine_for(size, spacing)
    with open(os.path.join(out, "dataset.json")) as f:
        ds = json.load(f)
    assert ds["numTraining"] == count == len(ds["training"]), "dataset.json counts"
    assert {int(k) for k in ds["labels"]} == set(LABELS), "dataset.json labels"
    names = [LABELS[x] for x in ORGANS]
    print("verify: per case voxel counts, mean HU (all voxels / interior, eroded by 1 voxel)")
    print("case          " + " ".join(f"{n[:12]:>22}" for n in names))
    stats = {lab: [] for lab in ORGANS}
    for entry in ds["training"]:
        ip = os.path.join(out, entry["image"])
        lp = os.path.join(out, entry["label"])
        img, lbl = nib.load(ip), nib.load(lp)
        for x, dt in ((img, np.int16), (lbl, np.uint8)):
            assert x.shape == (size, size, size), (x.shape, ip)
            assert x.get_data_dtype() == dt, (x.get_data_dtype(), ip)
            assert np.allclose(x.affine, expected), (x.affine, ip)
            assert int(x.header["qform_code"]) == 1 and int(x.header["sform_code"]) == 1
            assert np.allclose(x.get_qform(), expected) and np.allclose(x.get_sform(), expected)
            assert np.allclose(x.header.get_zooms(), (spacing,) * 3)
        image = np.asarray(img.dataobj)
        label = np.asarray(lbl.dataobj)
        assert image.dtype == np.int16 and label.dtype == np.uint8
        assert set(np.unique(label).tolist()) == set(LABELS), (sorted(np.unique(label).tolist()), lp)
        assert nib.aff2axcodes(img.affine) == ("L", "P", "S"), nib.aff2axcodes(img.affine)
        table = organ_table(label, image, interior=True)
        case = os.path.basename(ip).replace(".nii.gz", "")
        print(f"{case:13} " + " ".join(f"{n:6d} {m:7.1f}/{c:6.1f}" for n, m, c in (table[x] for x in ORGANS)))
        for lab in ORGANS:
            stats[lab].append(table[lab])
    print("range over cases: organ: voxels min-max, interior mean HU min-max")
    for lab in ORGANS:
        ns = [t[0] for t in stats[lab]]
        cs = [t[2] for t in stats[lab]]
        print(f"  {LABELS[lab]:13} {min(ns):6d}-{max(ns):6d}   {min(cs):7.1f} - {max(cs):7.1f} HU")
    print(f"verify: OK ({count} cases, shape {size}^3, affine diag(-{spacing}, -{spacing}, {spacing}) "
          f"centred, axis codes LPS in nibabel's RAS terms, qform/sform code 1, labels {sorted(LABELS)})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output dataset folder (created)")
    ap.add_argument("--count", type=int, default=12, help="number of cases (default 12)")
    ap.add_argument("--size", type=int, default=64, help="voxels per side (default 64)")
    ap.add_argument("--spacing", type=float, default=3.0, help="isotropic spacing in mm (default 3.0)")
    ap.add_argument("--seed", type=int, default=11, help="random seed (default 11)")
    ap.add_argument("--verify", action="store_true", help="reload and check the files, print organ statistics")
    ap.add_argument("--ascii", type=int, metavar="CASE", help="print the middle axial slice of case CASE as text")
    ap.add_argument("--ascii-slice", type=int, action="append", metavar="K", help="slice(s) for --ascii")
    args = ap.parse_args(argv)
    if args.count < 1 or args.size < 16 or args.spacing <= 0:
        ap.error("need --count >= 1, --size >= 16, --spacing > 0")

    t0 = time.perf_counter()
    os.makedirs(os.path.join(args.out, "imagesTr"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "labelsTr"), exist_ok=True)
    affine = affine_for(args.size, args.spacing)
    training = []
    ascii_case = None
    for n in range(args.count):
        rng = np.random.default_rng([args.seed, n])
        for attempt in range(6):
            image, label, info = make_case(rng, args.size, args.spacing)
            # Minimum organ volume: 30 voxels of a 64^3, 3 mm case, in this case's voxels.
            zoom_ref = min(1.0, 0.97 * 96.0 / BODY_MAX_HALF_WIDTH)
            ref_vox_nominal = (3.0 / zoom_ref) ** 3
            vox_nominal = (args.spacing / info["zoom"]) ** 3
            need = max(5, int(round(30 * ref_vox_nominal / vox_nominal)))
            counts = {lab: int((label == lab).sum()) for lab in ORGANS}
            small = [LABELS[lab] for lab in ORGANS if counts[lab] < need]
            if info["worst_dropped"] > 0.2:  # an organ fell apart: over a fifth outside its largest component
                small.append(f"an organ lost {info['worst_dropped']:.0%} as fragments")
            if not small:
                break
            print(f"case {n}: redrawing (attempt {attempt + 1}): {', '.join(small)}", file=sys.stderr)
        else:
            raise AssertionError(f"case {n}: no acceptable draw in 6 (organs below {need} voxels or fragmented): {small}")
        name = f"{PREFIX}_{n:04d}"
        save_nifti(image, affine, os.path.join(args.out, "imagesTr", name + ".nii.gz"))
        save_nifti(label, affine, os.path.join(args.out, "labelsTr", name + ".nii.gz"))
        training.append({"image": f"./imagesTr/{name}.nii.gz", "label": f"./labelsTr/{name}.nii.gz"})
        print(f"{name}: voxels " + " ".join(f"{LABELS[lab].replace(' ', '_')}={counts[lab]}" for lab in ORGANS)
              + f" (min {need}); drawn mean HU " + " ".join(f"{info['means'][lab]:.0f}" for lab in ORGANS)
              + f"; {info['dropped']} fragment voxels dropped", flush=True)
        if args.ascii == n:
            ascii_case = (label, image)

    dataset = {
        "name": "AMOS-independent-synthetic",
        "description": "Synthetic abdominal CT, independent of the IPnP phantom generator "
                       f"(bench/make_independent_amos.py, seed {args.seed})",
        "reference": "generated",
        "licence": "CC0",
        "release": "1.0",
        "tensorImageSize": "3D",
        "modality": {"0": "CT"},
        "labels": {str(k): v for k, v in LABELS.items()},
        "numTraining": args.count,
        "numTest": 0,
        "training": training,
        "test": [],
    }
    with open(os.path.join(args.out, "dataset.json"), "w") as f:
        json.dump(dataset, f, indent=2)
        f.write("\n")
    print(f"wrote {args.count} cases of {args.size}^3 at {args.spacing} mm to {args.out} "
          f"in {time.perf_counter() - t0:.1f} s")

    if args.verify:
        verify(args.out, args.size, args.spacing, args.count)
    if args.ascii is not None:
        if ascii_case is None:
            ap.error(f"--ascii {args.ascii}: no such case")
        for k in args.ascii_slice or [args.size // 2]:
            print_ascii(*ascii_case, k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
