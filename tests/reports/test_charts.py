"""The charts: plotly figures built in Python from the selectors' figures, French formatting,
colour never alone, and the map drawn from our own GeoJSON."""

import json

import plotly.graph_objects as go
import pytest
from django.core.management import call_command

from reports.charts import commune_centroids, communes_map, nature_by_pillar, pillar_breakdown
from reports.selectors import bilan_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))


def test_pillar_breakdown_labels_each_slice_with_the_bilans_figures(demo):
    fig = pillar_breakdown(bilan_figures(2021))
    assert isinstance(fig, go.Figure)
    pie = fig.data[0]
    assert list(pie.values) == [4734927.0, 724721.0, 1407515.0, 64300.0]
    assert "4\u00a0734\u00a0927,00\u00a0€" in pie.text[0] and "68,3\u00a0%" in pie.text[0]
    assert "0,9\u00a0%" in pie.text[3]
    assert fig.layout.separators == ", "
    assert "6\u00a0931\u00a0463,00\u00a0€" in fig.layout.annotations[0].text
    # Colour is never alone: every slice but the first is hatched differently.
    assert len(set(pie.marker.pattern.shape)) == 4


def test_nature_by_pillar_stacks_droit_commun_and_specifique(demo):
    fig = nature_by_pillar(bilan_figures(2021))
    droit_commun, specifique, totals = fig.data
    assert fig.layout.barmode == "stack"
    assert list(droit_commun.y) == [2030892.0, 52050.0, 704966.0, 11025.0]
    assert list(specifique.y) == [2704035.0, 672671.0, 702549.0, 53275.0]
    assert droit_commun.marker.pattern.shape != specifique.marker.pattern.shape
    assert "€" in droit_commun.hovertemplate
    assert totals.text[0] == "Total 4\u00a0734\u00a0927,00\u00a0€"


def test_communes_map_is_a_choropleth_of_our_geojson_without_tiles(demo):
    fig = communes_map(2021)
    communes, labels = fig.data
    assert communes.type == "choropleth" and len(communes.locations) == 100
    assert communes.featureidkey == "properties.code_insee"
    assert fig.layout.geo.fitbounds == "locations" and fig.layout.geo.visible is False
    assert "mapbox" not in fig.to_json() and "tile" not in fig.to_json()
    funded = {code: z for code, z in zip(communes.locations, communes.z, strict=True) if z}
    # Béthune (Mont-Liébaut) and Bruay-La-Buissière (Le Centre, Terrasses Basly) have credits.
    assert {"62119", "62178"} <= set(funded)
    assert "%{z:,.2f} €" in communes.hovertemplate
    # Colour is not alone: each commune with credits carries its name and amount.
    assert len(labels.text) == len(funded)
    assert any(text.startswith("Béthune<br>") and text.endswith("€") for text in labels.text)


def test_the_figures_serialise_to_json(demo):
    figures = bilan_figures(2021)
    for fig in (pillar_breakdown(figures), nature_by_pillar(figures), communes_map(2021)):
        assert json.loads(fig.to_json())["data"]


def test_each_commune_has_a_centroid_inside_the_agglomeration():
    centroids = commune_centroids()
    assert len(centroids) == 100
    for lon, lat in centroids.values():
        assert 2.2 < lon < 2.9 and 50.3 < lat < 50.8
