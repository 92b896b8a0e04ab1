"""Where a point of France goes on a map, in kilometres.

Metropolitan France (and Corsica): a Lambert conformal conic with Lambert-93's parameters
(standard parallels 44° N and 49° N, origin 46.5° N, 3° E) on a sphere of 6,371 km. The sphere
and not the GRS80 ellipsoid: at the scale of a page the difference is under a pixel, and it
keeps the projection a few lines of numpy rather than a dependency on PROJ.

Overseas (971 Guadeloupe, 972 Martinique, 973 Guyane, 974 La Réunion, 976 Mayotte): each in an
inset of its own, an equirectangular projection with its longitude scaled by cos(latitude) at
the zone's centre — true to shape over an island or Guyane, and each inset has its own scale
(as on INSEE's and ANCT's maps: Guyane would not fit at Mayotte's scale). A geometry belongs to
the zone its representative point falls in (a bounding box in degrees)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RADIUS = 6371.0
PHI1, PHI2, PHI0, LAMBDA0 = (math.radians(a) for a in (44.0, 49.0, 46.5, 3.0))
N = (math.log(math.cos(PHI1) / math.cos(PHI2))
     / math.log(math.tan(math.pi / 4 + PHI2 / 2) / math.tan(math.pi / 4 + PHI1 / 2)))
F = math.cos(PHI1) * math.tan(math.pi / 4 + PHI1 / 2) ** N / N
RHO0 = RADIUS * F / math.tan(math.pi / 4 + PHI0 / 2) ** N

METROPOLE = "metropole"


@dataclass(frozen=True)
class Zone:
    code: str
    name: str
    west: float
    south: float
    east: float
    north: float

    def holds(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


# In the order of the insets, west to east as seen from the metropole's map.
OVERSEAS = (
    Zone("971", "Guadeloupe", -61.9, 15.8, -60.9, 16.6),
    Zone("972", "Martinique", -61.3, 14.35, -60.75, 14.9),
    Zone("973", "Guyane", -54.7, 2.0, -51.5, 5.9),
    Zone("974", "La Réunion", 55.15, -21.45, 55.9, -20.8),
    Zone("976", "Mayotte", 44.9, -13.1, 45.35, -12.6),
)
# Metropolitan France with Corsica, for the map's frame.
FRANCE = Zone(METROPOLE, "France métropolitaine", -5.3, 41.3, 9.7, 51.15)


def zone_of(lon: float, lat: float) -> str:
    """The code of the overseas zone holding the point, else the metropole."""
    for zone in OVERSEAS:
        if zone.holds(lon, lat):
            return zone.code
    return METROPOLE


def lambert(coordinates: np.ndarray) -> np.ndarray:
    """(lon, lat) in degrees → (x, y) in km, y growing northwards."""
    lon, lat = np.radians(coordinates[:, 0]), np.radians(coordinates[:, 1])
    rho = RADIUS * F / np.tan(np.pi / 4 + lat / 2) ** N
    theta = N * (lon - LAMBDA0)
    return np.column_stack((rho * np.sin(theta), RHO0 - rho * np.cos(theta)))


def equirectangular(zone: Zone):
    """The projection of a zone: (lon, lat) → (x, y) in km, around the zone's centre."""
    lon0, lat0 = (zone.west + zone.east) / 2, (zone.south + zone.north) / 2
    scale = math.cos(math.radians(lat0))
    km = RADIUS * math.pi / 180

    def project(coordinates: np.ndarray) -> np.ndarray:
        return np.column_stack(((coordinates[:, 0] - lon0) * scale * km,
                                (coordinates[:, 1] - lat0) * km))
    return project


def projection(code: str):
    """The projection of a zone by its code (the metropole's conic, or an inset's)."""
    if code == METROPOLE:
        return lambert
    return equirectangular(next(z for z in OVERSEAS if z.code == code))


def zone(code: str) -> Zone:
    return FRANCE if code == METROPOLE else next(z for z in OVERSEAS if z.code == code)
